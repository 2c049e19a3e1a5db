"""Pair evidence and StoryDocs with a fake encoder (no model): shapes, symmetry, absences."""

from __future__ import annotations

import hashlib
from datetime import datetime

import numpy as np
import pytest

from service.stories.evidence import describe, describe_many, is_covered, pair_evidence, set_overlap
from service.stories.passages import lead_text


class HashEncoder:
    """Deterministic unit vectors from a hash of each text: equal texts, equal vectors."""

    model_id = "hash"
    dim = 16

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str], *, kind: str = "passage") -> np.ndarray:
        self.calls.append(list(texts))
        rows = []
        for text in texts:
            seed = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)
            v = np.random.default_rng(seed).normal(size=self.dim)
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32)


TEXT = "Vladimir Putin met Mike Pompeo in Sochi on 14 May 2019. The talks lasted 3 hours. Sergei Lavrov joined them later on."


def test_describe_embeds_lead_and_title_and_extracts_names_and_words() -> None:
    encoder = HashEncoder()
    doc = describe("Putin meets Pompeo", TEXT, language="en", published_at=datetime(2019, 5, 14), encoder=encoder, doc_id="x")
    assert doc.embedded and doc.lead is not None and doc.lead.shape == (16,) and doc.title_vector is not None
    assert encoder.calls == [[lead_text("Putin meets Pompeo", TEXT), "Putin meets Pompeo"]]
    assert {"putin", "pompeo", "sochi", "lavrov"} <= set(doc.words.weights)
    assert {"putin", "pompeo", "sochi", "lavrov"} <= doc.names.entities and "2019" in doc.names.years


def test_uncovered_language_or_no_encoder_gives_no_vectors() -> None:
    assert not is_covered("tlh") and is_covered("ar") and is_covered(None) and is_covered("en-GB")
    encoder = HashEncoder()
    doc = describe(None, TEXT, language="tlh", published_at=None, encoder=encoder)
    assert not doc.embedded and doc.title_vector is None and encoder.calls == []
    assert doc.words.norm > 0  # the word overlap still counts
    assert not describe(None, TEXT, language="en", published_at=None, encoder=None).embedded


def test_pair_evidence_is_symmetric_and_identical_articles_agree_fully() -> None:
    encoder = HashEncoder()
    a = describe("Putin meets Pompeo", TEXT, language="en", published_at=datetime(2019, 5, 14), encoder=encoder)
    b = describe("Pompeo in Sochi", TEXT.replace("3 hours", "12 hours"), language="en", published_at=datetime(2019, 5, 16), encoder=encoder)
    mean = np.zeros(16, dtype=np.float32)
    ab, ba = pair_evidence(a, b, background_mean=mean), pair_evidence(b, a, background_mean=mean)
    assert ab == ba
    assert ab.time_gap_days == pytest.approx(2.0)
    same = pair_evidence(a, a, background_mean=mean, copied_share=1.0)
    assert same.lead_cosine == pytest.approx(1.0, abs=1e-5) and same.entity_overlap == pytest.approx(1.0)
    assert same.word_overlap == pytest.approx(1.0) and same.copied_share == 1.0
    assert 0.3 < ab.word_overlap < 1.0


def test_names_across_scripts_meet_by_consonant_skeletons() -> None:
    encoder = HashEncoder()
    en = describe(None, TEXT, language="en", published_at=None, encoder=encoder)
    ar = describe(None, "التقى الرئيس الروسي فلاديمير بوتين في 2019", language="ar", published_at=None, encoder=encoder)
    evidence = pair_evidence(en, ar, background_mean=None)
    assert evidence.shared_entities == 2  # Vladimir, Putin (FLDMR, BTN)
    assert not evidence.same_language
    assert evidence.year_overlap == 1.0  # digits are comparable in any script
    assert evidence.time_gap_days is None


def test_clear_errors() -> None:
    encoder = HashEncoder()
    with pytest.raises(ValueError, match="non-empty"):
        describe("", "   ", language="en", published_at=None, encoder=encoder)
    a = describe(None, TEXT, language="en", published_at=None, encoder=encoder)
    with pytest.raises(ValueError, match="copied_share"):
        pair_evidence(a, a, background_mean=None, copied_share=1.5)
    with pytest.raises(ValueError, match="max_chars"):
        lead_text("t", "x", max_chars=0)


def test_set_overlap_and_passages() -> None:
    assert set_overlap(frozenset(), frozenset("a")) == 0.0
    assert set_overlap(frozenset("ab"), frozenset("ab")) == 1.0
    assert lead_text("Title", "Title\nBody text here") == "Title\nBody text here"


def test_docstring_examples_hold() -> None:
    import doctest

    import service.stories.passages as passages
    import service.stories.words as words

    assert doctest.testmod(passages).failed == 0 and doctest.testmod(words).failed == 0


def test_describe_many_embeds_a_batch_in_one_call_and_matches_describe() -> None:
    encoder = HashEncoder()
    batch = [("Putin meets Pompeo", TEXT, "en"), (None, "نص عربي عن بوتين وبومبيو في سوتشي", "ar"), (None, TEXT, "tlh")]
    docs = describe_many(batch, encoder=encoder)
    assert len(encoder.calls) == 1 and len(encoder.calls[0]) == 4  # lead and title of the two covered
    assert [d.embedded for d in docs] == [True, True, False]
    one = describe("Putin meets Pompeo", TEXT, language="en", published_at=None, encoder=HashEncoder())
    assert np.array_equal(one.lead, docs[0].lead) and one.words == docs[0].words


def test_arabic_words_meet_across_attached_prefixes() -> None:
    from service.stories.words import word_overlap, word_profile

    a = word_profile(None, "وصل الرئيس إلى الرياض لبحث العلاقات مع المملكة")
    b = word_profile(None, "والرئيس في الرياض وبالرياض بحث علاقات المملكة")
    unrelated = word_profile(None, "فاز الفريق بالمباراة النهائية في كرة القدم")
    assert word_overlap(a, b) > 0.5 > word_overlap(a, unrelated)
