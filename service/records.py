"""JSON-ready dicts of domain values, for the command line (the API has its schemas)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from service.domain import Article, StoryDetail, StorySummary
from service.runtime import LinkView


def _plain(record: dict[str, object]) -> dict[str, object]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in record.items()}


def article_ref(article: Article) -> dict[str, object]:
    return _plain({"id": article.id, "title": article.title, "outlet": article.outlet,
                   "published_at": article.published_at, "language": article.language})


def article_record(article: Article, *, with_text: bool = True) -> dict[str, object]:
    """An article (what ``storydiff articles --json`` prints)."""
    record = asdict(article)
    record.pop("blocks")
    record.pop("html")
    if not with_text:
        record.pop("text")
        record.pop("clean_text")
    return _plain(record)


def link_record(view: LinkView) -> dict[str, object]:
    """A copy link with both articles; span offsets index each article's original text."""
    link = view.link
    return {
        "target": article_ref(view.target),
        "source": article_ref(view.source),
        "relation": link.relation,
        "share": link.share,
        "credited": link.credited,
        "credit": link.credit,
        "label": link.label,
        "direction": link.direction,
        "direction_basis": link.direction_basis,
        "spans": [asdict(s) for s in link.spans],
    }


def story_record(story: StorySummary) -> dict[str, object]:
    record = asdict(story)
    record["outlets"], record["languages"] = list(story.outlets), list(story.languages)
    return _plain(record)


def story_detail_record(detail: StoryDetail) -> dict[str, object]:
    """A story with its articles (oldest first) and who copied whom among them."""
    return {
        **story_record(detail.summary),
        "articles": [article_ref(a) for a in detail.articles],
        "links": [
            {"target_id": link.target_id, "source_id": link.source_id, "relation": link.relation,
             "share": link.share, "credited": link.credited, "label": link.label}
            for link in detail.links
        ],
    }
