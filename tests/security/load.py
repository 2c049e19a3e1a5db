"""Concurrent writers against real servers, and the checks every race test makes."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from sqlalchemy import create_engine, text


@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: list[str] = field(default_factory=list)
    bodies_5xx: list[str] = field(default_factory=list)
    story_of_response: dict[str, set[int | None]] = field(default_factory=dict)  # url -> story ids answered


def post_concurrently(work: list[tuple[str, list[dict[str, str]]]]) -> Outcome:
    """Each (server url, articles) is one writer with its own keep-alive connection."""
    outcome = Outcome()

    def writer(job: tuple[str, list[dict[str, str]]]) -> None:
        base, articles = job
        with httpx.Client(base_url=base, timeout=120) as http:
            for article in articles:
                try:
                    response = http.post("/articles", json=article)
                except httpx.TransportError as exc:
                    outcome.transport_errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                outcome.statuses[response.status_code] += 1
                if response.status_code >= 500:
                    outcome.bodies_5xx.append(response.text[:300])
                elif response.status_code < 300:
                    outcome.story_of_response.setdefault(article["url"], set()).add(response.json()["story_id"])

    with ThreadPoolExecutor(len(work)) as pool:
        list(pool.map(writer, work))
    return outcome


def stored_state(database_url: str) -> dict[str, object]:
    """What the database holds: stored urls, each article's stories, empty stories, unfinished jobs."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            urls = {row.id: row.url for row in conn.execute(text("SELECT id, url FROM articles"))}
            memberships = Counter(row.article_id for row in conn.execute(text("SELECT article_id FROM story_members")))
            orphans = conn.execute(
                text("SELECT count(*) FROM story_members m WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = m.story_id)")
            ).scalar_one()
            empty = conn.execute(
                text("SELECT count(*) FROM stories s WHERE NOT EXISTS (SELECT 1 FROM story_members m WHERE m.story_id = s.id)")
            ).scalar_one()
            miscounted = conn.execute(
                text(
                    "SELECT count(*) FROM stories s WHERE s.article_count != "
                    "(SELECT count(*) FROM story_members m WHERE m.story_id = s.id)"
                )
            ).scalar_one()
            unfinished = conn.execute(
                text(
                    "SELECT count(*) FROM articles a WHERE "
                    "(SELECT count(*) FROM article_jobs j WHERE j.article_id = a.id AND j.job IN ('reuse', 'story')) < 2"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return {
        "urls": set(urls.values()),
        "not_in_one_story": sorted(i for i in urls if memberships.get(i, 0) != 1),
        "orphan_members": orphans,
        "empty_stories": empty,
        "miscounted_stories": miscounted,
        "unfinished": unfinished,
    }


def listed_stories(base: str) -> tuple[list[dict[str, object]], list[int]]:
    """Every story /stories lists, and the ids whose own page does not answer 200 with articles."""
    with httpx.Client(base_url=base, timeout=60) as http:
        items: list[dict[str, object]] = []
        while True:
            page = http.get("/stories", params={"limit": 500, "offset": len(items)}).json()
            items.extend(page["items"])
            if not page["items"] or len(items) >= page["total"]:
                break
        bad = []
        for story in items:
            response = http.get(f"/stories/{story['id']}")
            if response.status_code != 200 or not response.json()["articles"]:
                bad.append(story["id"])
    return items, bad
