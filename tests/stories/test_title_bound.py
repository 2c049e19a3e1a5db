"""A title of any length is cut at MAX_TITLE_CHARS before the story desk reads it."""

from __future__ import annotations

from datetime import datetime

from service.domain import Article, StoredDoc
from service.stories.evidence import describe
from service.stories.passages import LEAD_CHARS, MAX_TITLE_CHARS, bounded_title
from service.stories.stored import from_stored
from tests.stories.test_evidence import TEXT, HashEncoder


def test_bounded_title_cuts_at_a_space_and_leaves_real_titles_alone() -> None:
    title = "Putin meets Pompeo in Sochi"
    assert bounded_title(title) == title and bounded_title(None) is None
    assert bounded_title("word " * 100) == ("word " * 60).rstrip()
    assert len(bounded_title("ك" * 100_000) or "") == MAX_TITLE_CHARS  # one word: cut where it must


def test_a_huge_title_is_embedded_and_read_only_up_to_the_bound() -> None:
    huge = "ك" * 100_000  # one word of 100,000 characters: embedded whole it took minutes
    encoder = HashEncoder()
    doc = describe(huge, TEXT, language="ar", published_at=None, encoder=encoder)
    assert max(len(t) for call in encoder.calls for t in call) <= MAX_TITLE_CHARS + 1 + LEAD_CHARS
    same = describe(huge[:MAX_TITLE_CHARS], TEXT, language="ar", published_at=None, encoder=HashEncoder())
    assert doc.title == same.title and doc.names == same.names and doc.words == same.words
    assert (doc.lead == same.lead).all() and (doc.title_vector == same.title_vector).all()


def test_a_stored_doc_reads_the_title_as_describe_does() -> None:
    huge = "word " * 20_000
    article = Article(id=3, text=TEXT, clean_text=TEXT, blocks=(), content_hash="h", title=huge, outlet=None, url=None,
                      published_at=datetime(2019, 5, 14), language="en", html=None)
    doc = from_stored(StoredDoc(3, None, 0, None, None, {}), article)
    assert doc.title == bounded_title(huge) and doc.words == describe(huge, TEXT, language="en", published_at=None, encoder=None).words
