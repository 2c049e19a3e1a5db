"""StoryDocs survive storage bit for bit; bytes that do not fit the dimension are refused."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from service.domain import Article
from service.stories.evidence import StoryDoc
from service.stories.stored import from_stored, to_stored
from service.stories.words import word_profile
from service.text.names import Names


def _article(article_id: int = 7) -> Article:
    return Article(id=article_id, text="نص", clean_text="نص", blocks=(), content_hash="h", title="عنوان", language="ar")


def test_roundtrip_keeps_vectors_and_names() -> None:
    rng = np.random.default_rng(0)
    doc = StoryDoc(
        id="x", title="عنوان", text="نص", language="ar", published_at=None,
        lead=rng.normal(size=8).astype(np.float32),
        names=Names(entities=frozenset({"بوتين", "سوتشي"}), years=frozenset({"2019"})),
        title_vector=rng.normal(size=8).astype(np.float32),
    )
    stored = to_stored(doc, article_id=7, model_id="m")
    assert stored.dim == 8 and len(stored.lead or b"") == 8 * 4
    back = from_stored(stored, _article())
    assert back.id == "7" and back.names == doc.names
    assert np.array_equal(back.lead, doc.lead)
    assert back.words == word_profile("عنوان", "نص")  # recomputed from the stored text
    assert np.array_equal(back.title_vector, doc.title_vector)


def test_unembedded_doc_keeps_names_only() -> None:
    doc = StoryDoc("x", None, "t", "xx", None, None, Names(numbers=frozenset({"5"})))
    stored = to_stored(doc, article_id=7, model_id="m")
    assert stored.model_id is None and stored.lead is None
    back = from_stored(stored, _article())
    assert not back.embedded and back.names.numbers == frozenset({"5"})


def test_corrupt_bytes_and_wrong_article_are_refused() -> None:
    doc = StoryDoc("x", None, "t", "ar", None, np.ones(4, np.float32))
    stored = to_stored(doc, article_id=7, model_id="m")
    with pytest.raises(ValueError, match="do not hold 4 floats"):
        from_stored(replace(stored, title=b"\x00" * 5), _article())
    with pytest.raises(ValueError, match="given with article"):
        from_stored(stored, _article(8))
