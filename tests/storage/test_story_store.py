"""Story storage on SQLite and, when configured, PostgreSQL: membership, merges, listings."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from service.domain import Block, CleanText, CopyLink, NewArticle, StoredDoc
from service.errors import NotFound
from service.storage.store import Store


def _add(store: Store, text: str, **fields: object) -> int:
    clean = CleanText(text, (Block(0, 0, len(text)),))
    new = NewArticle(text=text, clean=clean, content_hash=hashlib.sha256(text.encode()).hexdigest(), **fields)  # type: ignore[arg-type]
    return store.add(new).article.id


@pytest.fixture
def store(database_url: str):  # type: ignore[no-untyped-def]
    store = Store.open(database_url)
    yield store
    store.close()


def _day(d: int) -> datetime:
    return datetime(2019, 5, d, 12, tzinfo=UTC)


def test_join_merge_and_listing_fields(store: Store) -> None:
    a = _add(store, "first text", title="Talks in Sochi", outlet="SANA", language="ar", published_at=_day(14))
    b = _add(store, "second text", title=None, outlet="RT", language="en", published_at=_day(15))
    c = _add(store, "third text", title="Other", outlet="RT", language="en", published_at=_day(16))
    s1 = store.stories.join(a, story_id=None, merged=(), support=0.0)
    s2 = store.stories.join(b, story_id=None, merged=(), support=0.1)
    assert s1 != s2 and store.stories.list().total == 2
    # c bridges both stories: they merge into the oldest.
    assert store.stories.join(c, story_id=s1, merged=(s2,), support=0.9) == s1
    page = store.stories.list()
    assert page.total == 1
    story = page.items[0]
    assert story.id == s1 and story.article_count == 3
    assert story.headline == "Talks in Sochi"  # the earliest article's title
    assert story.outlets == ("RT", "SANA") and story.languages == ("en", "ar")  # most articles first
    assert (story.first_seen, story.last_seen) == (_day(14), _day(16))
    assert {store.stories.story_of(i) for i in (a, b, c)} == {s1}
    with pytest.raises(NotFound):
        store.stories.get(s2)


def test_filters_and_detail_with_links(store: Store) -> None:
    a = _add(store, "agency text", title="Ceasefire in Idlib", outlet="SANA", language="ar", published_at=_day(1))
    b = _add(store, "copied agency text", title="Idlib", outlet="Al-Thawra", language="ar", published_at=_day(2))
    c = _add(store, "unrelated", title="Football final", outlet="RT", language="en", published_at=_day(20))
    s_ab = store.stories.join(a, story_id=None, merged=(), support=0.0)
    store.stories.join(b, story_id=s_ab, merged=(), support=0.8)
    s_c = store.stories.join(c, story_id=None, merged=(), support=0.0)
    link = CopyLink(target_id=b, source_id=a, relation="copy", share=0.6, pair_share=0.6, credited=True, credit="SANA", label="partially", spans=())
    store.save_links([link])

    def ids(**filters: object) -> list[int]:
        return [s.id for s in store.stories.list(**filters).items]  # type: ignore[arg-type]

    assert ids() == [s_c, s_ab]  # newest first
    assert ids(outlet="Al-Thawra") == [s_ab] and ids(language="en") == [s_c]
    assert ids(q="football") == [s_c] and ids(q="idlib") == [s_ab]
    assert ids(since=_day(10)) == [s_c] and ids(until=_day(10)) == [s_ab]
    assert store.stories.list(limit=1, offset=1).items[0].id == s_ab
    assert ids(min_articles=2) == [s_ab] and store.stories.sizes() == {1: 1, 2: 1}
    detail = store.stories.get(s_ab)
    assert [x.id for x in detail.articles] == [a, b]
    assert [(x.target_id, x.source_id, x.share) for x in detail.links] == [(b, a, 0.6)]
    with pytest.raises(ValueError):
        store.stories.list(limit=0)


def test_deleting_an_article_updates_or_removes_its_story(store: Store) -> None:
    a = _add(store, "one", title="A", outlet="X", published_at=_day(1))
    b = _add(store, "two", title="B", outlet="Y", published_at=_day(2))
    story = store.stories.join(a, story_id=None, merged=(), support=0.0)
    store.stories.join(b, story_id=story, merged=(), support=0.9)
    store.stories.save_doc(StoredDoc(a, None, 0, None, None, {"entities": ["x"]}))
    store.delete(a)
    left = store.stories.get(story).summary
    assert left.article_count == 1 and left.headline == "B" and left.outlets == ("Y",)
    assert store.stories.docs([a]) == {}
    store.delete(b)
    assert store.stories.list().total == 0


def test_docs_roundtrip_and_staleness_by_model(store: Store) -> None:
    a = _add(store, "one")
    b = _add(store, "two")
    doc = StoredDoc(a, "model-1", 2, b"\x00" * 8, b"\x01" * 8, {"entities": ["بوتين"], "years": ["2019"]})
    store.stories.save_doc(doc)
    assert store.stories.docs([a, b]) == {a: doc}
    assert store.stories.stale_docs("model-1") == [b]
    assert store.stories.stale_docs("model-2") == [a, b]
    store.stories.save_doc(StoredDoc(a, "model-2", 2, b"\x00" * 8, None, {}))  # replaced, not duplicated
    assert store.stories.stale_docs("model-2") == [b]


def test_members_near_by_time_window(store: Store) -> None:
    ids = [_add(store, f"text {d}", published_at=_day(d)) for d in (1, 5, 20)]
    undated = _add(store, "undated text")
    for i in ids + [undated]:
        store.stories.join(i, story_id=None, merged=(), support=0.0)
    near = set(store.stories.members_near(_day(3), window_days=3, limit=100))
    assert near == {ids[0], ids[1], undated}
    assert set(store.stories.members_near(None, window_days=3, limit=100)) == set(ids) | {undated}
    newest = list(store.stories.members_near(_day(3), window_days=30, limit=2))
    assert newest == [ids[2], ids[1]]  # the newest dated members first, undated after
    assert list(store.stories.members_near(_day(3), window_days=3, limit=3)) == [ids[1], ids[0], undated]


def test_member_window_in_memory_answers_as_the_database(store: Store) -> None:
    """``MemberWindow`` (bulk ingest) gives ``members_near``'s members, order and bounds
    included: equal times, window edges, undated articles, limits, merges, deletions."""
    from datetime import timedelta

    from service.stories.members import MemberWindow

    times = [_day(1), _day(3), _day(3), _day(3) + timedelta(microseconds=1), _day(6), None, _day(9), None, _day(12)]
    ids = [_add(store, f"member {n}", published_at=t) for n, t in enumerate(times)]
    window = MemberWindow()
    for n, i in enumerate(ids):
        story = store.stories.join(i, story_id=None if n % 3 == 0 else store.stories.story_of(ids[n - 1]), merged=(), support=0.5)
        window.put(i, story, times[n])
    target, other = store.stories.story_of(ids[0]), store.stories.story_of(ids[4])
    assert target is not None and other is not None and target != other
    store.stories.join(ids[-1], story_id=target, merged=(other,), support=0.9, move=True)
    window.merge((other,), into=target)
    window.put(ids[-1], target, times[-1])
    with store.engine.begin() as conn:
        store.stories.leave(conn, ids[2])
    window.forget(ids[2])

    assert MemberWindow(store.stories.members()).near(None, window_days=1, limit=99) == window.near(None, window_days=1, limit=99)
    probes = [None, _day(3), _day(6) - timedelta(days=3), _day(6), _day(2) + timedelta(hours=12), _day(20)]
    for published_at in probes:
        for days in (0.5, 3, 30):
            for limit in (1, 2, 4, 100):
                expected = store.stories.members_near(published_at, window_days=days, limit=limit)
                assert list(window.near(published_at, window_days=days, limit=limit).items()) == list(expected.items())


def test_replace_all_rebuilds_every_story_in_one_go(store: Store) -> None:
    a, b, c = (_add(store, f"text {d}", title=f"T{d}", outlet=f"O{d}", published_at=_day(d)) for d in (1, 2, 3))
    old = store.stories.join(a, story_id=None, merged=(), support=0.0)
    store.stories.join(b, story_id=old, merged=(), support=0.7)
    store.stories.join(c, story_id=old, merged=(), support=0.6)
    store.save_links([CopyLink(target_id=b, source_id=a, relation="copy", share=0.4, pair_share=0.4, credited=False, credit=None, label="partially", spans=()),
                      CopyLink(target_id=a, source_id=b, relation="copy", share=0.9, pair_share=0.9, credited=False, credit=None, label="mostly", spans=())])
    assert store.link_shares() == {(a, b): 0.9}  # either direction, the larger pair share

    store.stories.replace_all([[c], [b, a]], support={a: 0.8})
    first, second = sorted(store.stories.list().items, key=lambda s: s.id)
    assert (first.article_count, first.headline) == (1, "T3")
    assert (second.article_count, second.headline, second.first_seen) == (2, "T1", _day(1))
    assert {store.stories.story_of(i) for i in (a, b)} == {second.id} and store.stories.story_of(c) == first.id
    assert store.stories.groups() == [[c], sorted([a, b])]  # by story id, members by id
    assert store.stories.first_seen([first.id, second.id, 999]) == {first.id: _day(3), second.id: _day(1)}
    assert store.stories.first_seen([]) == {}

    store.mark_all_done("story")
    store.mark_all_done("story")  # idempotent
    assert all(store.jobs_done(i) == {"story"} for i in (a, b, c))
