"""Bounds of the analyses: over-long articles refused before any work, long "sentences" in pieces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.compare.bounds import MAX_ANALYSED_WORDS, MAX_COMPARE_CHARS, MAX_COMPARE_WORDS, TooLongToCompare, refuse_long
from service.compare.comparison import MAX_EMBEDDED_WORDS, MAX_SENTENCE_WORDS, compare, sentence_spans
from service.config import Settings
from service.domain import ArticleInput
from service.errors import TooLarge
from service.pipeline.prepare import preview
from service.pipeline.runtime import Runtime
from service.stories.score import SameStory
from tests.conftest import ROOT


def test_refuse_long_counts_words_and_characters() -> None:
    refuse_long("a b c", max_words=3, max_chars=5, what="x")
    with pytest.raises(TooLongToCompare, match="more than 3 words"):
        refuse_long("a b c d", max_words=3, max_chars=100, what="x")
    with pytest.raises(TooLongToCompare, match="characters"):
        refuse_long("abcdef", max_words=3, max_chars=5, what="x")


def test_a_text_without_full_stops_is_aligned_in_pieces_of_bounded_words() -> None:
    words = [f"w{i}" for i in range(5 * MAX_SENTENCE_WORDS + 7)]
    article = preview(ArticleInput(text=" ".join(words)))
    spans = sentence_spans(article)
    pieces = [article.clean_text[s.start : s.end].split() for s in spans]
    assert [len(p) for p in pieces] == [MAX_SENTENCE_WORDS] * 5 + [7]
    assert [w for p in pieces for w in p] == words  # consecutive, nothing lost


@pytest.fixture
def runtime(tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", models_dir=ROOT / "models", embedding_model="none", redis_url=None)
    with Runtime.open(settings) as rt:
        yield rt


def test_compare_refuses_an_article_over_its_word_bound(runtime: Runtime) -> None:
    long = ArticleInput(text=" ".join(["كلمة"] * (MAX_COMPARE_WORDS + 1)))
    short = ArticleInput(text="خبر قصير عن المباحثات في سوتشي اليوم بين الوزيرين")
    with pytest.raises(TooLarge, match="article b has more than") as refused:
        runtime.compare(short, long)
    assert refused.value.code == "too_long_to_compare"
    with pytest.raises(TooLarge, match="characters"):
        runtime.compare(ArticleInput(text="x" * (MAX_COMPARE_CHARS + 1)), short)


def test_similarity_and_check_refuse_over_the_alignment_bound(runtime: Runtime) -> None:
    long = ArticleInput(text=" ".join(["word"] * (MAX_ANALYSED_WORDS + 1)))
    short = ArticleInput(text="a short text about the talks in Sochi today")
    for call in (lambda: runtime.similarity(long, short), lambda: runtime.check(long)):
        with pytest.raises(TooLarge) as refused:
            call()
        assert refused.value.code == "too_long_to_compare"
    assert runtime.similarity(ArticleInput(text=" ".join(["word"] * MAX_ANALYSED_WORDS)), short).score > 0  # at the bound: answered


def test_a_stored_article_over_the_bound_is_refused_as_stored(runtime: Runtime) -> None:
    stored = runtime.ingest(ArticleInput(text=" ".join(f"w{i % 50}" for i in range(MAX_COMPARE_WORDS + 10)))).article
    with pytest.raises(TooLarge) as refused:
        runtime.compare(stored.id, ArticleInput(text="another short text here"))
    assert refused.value.code == "too_long_to_compare"


class RecordingEncoder:
    """Unit vectors from a hash of each text, and a record of what was embedded."""

    model_id = "recording"
    dim = 8

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts: list[str], *, kind: str = "passage") -> np.ndarray:
        self.texts += texts
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=self.dim) for t in texts]
        out = np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def _same_story() -> SameStory:
    return SameStory(score=1.0, probability=1.0, basis="test", evidence={}, missing=())


def test_pieces_of_long_sentences_and_sentences_past_the_budget_are_paired_by_wording_only() -> None:
    sentences = [" ".join(f"s{i}w{j}" for j in range(10)) + "." for i in range(MAX_EMBEDDED_WORDS // 10 + 50)]
    run_on = " ".join(f"r{j}" for j in range(3 * MAX_SENTENCE_WORDS))
    a = preview(ArticleInput(text="\n".join([*sentences, run_on])))
    encoder = RecordingEncoder()
    result = compare(a, a, encoder=encoder, same_story=_same_story())
    embedded = encoder.texts
    assert 0 < sum(len(t.split()) for t in embedded) <= 2 * MAX_EMBEDDED_WORDS  # each article's first 3,000 words
    assert not any(t.startswith("r0 ") or " r1 " in f" {t} " for t in embedded)  # no piece of the run-on
    # Every unit still pairs with itself, embedded or not: the wording is the same.
    assert len(result.aligned) == len(sentence_spans(a)) and not result.only_in_a
