"""A StoryDoc to and from its stored form (``domain.StoredDoc``), so stored articles are
never re-embedded to be compared with a new one.

Byte layout: float32 little-endian, ``dim`` values a vector; ``names`` keeps the four key
sets of ``text.names.Names`` as sorted lists. The word profile is not stored: it is
recomputed from the stored text (cheaper than reading it back).

Example:
    >>> stored = to_stored(doc, article_id=7, model_id="intfloat/multilingual-e5-small")  # doctest: +SKIP
    >>> from_stored(stored, article).lead.shape                                          # doctest: +SKIP
    (384,)
"""

from __future__ import annotations

import numpy as np

from service.domain import Article, StoredDoc
from service.stories.evidence import StoryDoc
from service.stories.passages import bounded_title
from service.stories.words import word_profile
from service.text.names import Names

_FLOAT = np.dtype("<f4")
_NAME_SETS = ("entities", "numbers", "years", "dates")


def to_stored(doc: StoryDoc, *, article_id: int, model_id: str | None) -> StoredDoc:
    names = {kind: sorted(getattr(doc.names, kind)) for kind in _NAME_SETS}
    if doc.lead is None:
        return StoredDoc(article_id, None, 0, None, None, names)
    dim = int(doc.lead.shape[-1])

    def pack(vector: np.ndarray | None) -> bytes | None:
        return None if vector is None else np.ascontiguousarray(vector, dtype=_FLOAT).tobytes()

    return StoredDoc(article_id, model_id, dim, pack(doc.lead), pack(doc.title_vector), names)


def from_stored(stored: StoredDoc, article: Article) -> StoryDoc:
    """The StoryDoc of a stored article (ValueError when the bytes do not fit ``dim``)."""
    if stored.article_id != article.id:
        raise ValueError(f"story doc of article {stored.article_id} given with article {article.id}")

    def unpack(raw: bytes | None) -> np.ndarray | None:
        if raw is None:
            return None
        if stored.dim <= 0 or len(raw) != 4 * stored.dim:
            raise ValueError(f"story doc of article {stored.article_id}: {len(raw)} bytes do not hold {stored.dim} floats")
        return np.frombuffer(raw, dtype=_FLOAT).astype(np.float32)

    names = Names(**{kind: frozenset(stored.names.get(kind, ())) for kind in _NAME_SETS})
    title = bounded_title(article.title)  # as ``describe`` reads it
    return StoryDoc(
        id=str(article.id),
        title=title,
        text=article.clean_text,
        language=article.language,
        published_at=article.published_at,
        lead=unpack(stored.lead),
        names=names,
        title_vector=unpack(stored.title),
        words=word_profile(title, article.clean_text),
    )
