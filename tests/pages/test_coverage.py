"""The story page's coverage chart layout (service.api.pages.coverage): rows, marks, copies, shares."""

from __future__ import annotations

from datetime import UTC, datetime

from service.api.pages.coverage import MAX_R, MIN_R, WIDTH, layout
from service.domain import Article, CopyLink, StoryDetail, StorySummary


def _article(article_id: int, outlet: str | None, day: int, chars: int) -> Article:
    text = "x" * chars
    return Article(article_id, text, text, (), f"h{article_id}", title=f"t{article_id}", outlet=outlet, published_at=datetime(2015, 7, day, 9, tzinfo=UTC))


def _link(target: int, source: int, share: float, relation: str = "copy") -> CopyLink:
    return CopyLink(target, source, relation, share, share, False, None, "partially", ())


def _detail(articles: list[Article], links: list[CopyLink]) -> StoryDetail:
    summary = StorySummary(1, "h", len(articles), (), ("ar",), None, None)
    return StoryDetail(summary, tuple(articles), tuple(links))


def test_one_row_per_outlet_marks_along_time_and_sized_by_length() -> None:
    chart = layout(_detail([_article(1, "spa", 21, 400), _article(2, "okaz", 22, 100), _article(3, "spa", 23, 1600), _article(4, None, 23, 900)], []))
    assert [r.outlet for r in chart.rows] == ["spa", "okaz", "—"]
    xs = {m.article_id: m.x for m in chart.marks}
    assert xs[1] < xs[2] < xs[3] == xs[4] and 0 < xs[1] and xs[3] < WIDTH
    radius = {m.article_id: m.r for m in chart.marks}
    assert radius[3] == MAX_R and MIN_R < radius[2] < radius[1] < radius[4] < radius[3]
    rows = {r.outlet: r.y for r in chart.rows}
    assert {m.article_id: m.y for m in chart.marks} == {1: rows["spa"], 2: rows["okaz"], 3: rows["spa"], 4: rows["—"]}
    assert [t[1] for t in chart.ticks] == ["2015-07-21", "2015-07-23"]
    assert all(m.label.startswith(("spa, 2015-07-", "okaz, 2015-07-22", "—, 2015-07-23")) for m in chart.marks)
    assert chart.height > chart.rows[-1].y


def test_copies_run_from_source_to_copier_and_templates_are_not_drawn() -> None:
    articles = [_article(1, "spa", 21, 1000), _article(2, "okaz", 22, 1000), _article(3, "riyadh", 22, 500)]
    chart = layout(_detail(articles, [_link(2, 1, 0.5), _link(3, 1, 0.2, relation="template")]))
    assert len(chart.arrows) == 1
    (arrow,) = chart.arrows
    source, copier = (next(m for m in chart.marks if m.article_id == i) for i in (1, 2))
    assert abs(arrow.x1 - source.x) <= source.r + 0.1 and abs(arrow.x2 - copier.x) <= copier.r + 2.1
    assert arrow.label == "okaz copied 50% from spa"
    shares = {o.outlet: (o.chars, o.copied) for o in chart.outlets}
    assert shares == {"spa": (1000, 0), "okaz": (1000, 500), "riyadh": (500, 0)}  # a template counts as own text


def test_one_article_and_no_dates() -> None:
    article = Article(7, "text", "text", (), "h", outlet="spa")
    chart = layout(_detail([article], []))
    assert len(chart.marks) == 1 and chart.ticks == () and 0 < chart.marks[0].x < WIDTH


def test_marks_of_one_row_at_one_time_are_set_side_by_side() -> None:
    chart = layout(_detail([_article(1, "spa", 21, 400), _article(2, "okaz", 23, 900), _article(3, "okaz", 23, 900), _article(4, "okaz", 23, 100)], []))
    row = sorted((m for m in chart.marks if m.article_id != 1), key=lambda m: m.x)
    assert all(b.x - a.x >= a.r + b.r for a, b in zip(row, row[1:]))  # no two overlap
    assert all(m.x + m.r <= WIDTH for m in chart.marks)
