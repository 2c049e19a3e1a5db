"""Watches against a real webhook receiver on 127.0.0.1 (tests/pipeline/webhook_receiver.py)
and the real service (the default model; SQLite, and PostgreSQL when configured): each new
match delivered once with a valid signature, retries after failures, a receiver that never
answers recorded with its code, the Atom feed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from service.cli import main
from service.config import Settings
from service.domain import ArticleInput
from service.eval.corpora import saudinewsnet_articles
from service.intake.files import read_seeds
from service.intake.watches import parse_watch_request
from service.pipeline.runtime import Runtime
from service.pipeline.webhooks import sign
from service.reuse.flags import REUSE
from tests.conftest import ROOT, SEEDS, SHARED_DATA
from tests.pipeline.webhook_receiver import Receiver, Silent

pytestmark = pytest.mark.model

SNN = SHARED_DATA / "saudinewsnet"
AGENCY = "was"  # واس, the Saudi Press Agency, in SaudiNewsNet
AGENCY_DAY = "2015-08-10.zip"


def _settings(database_url: str) -> Settings:
    # Loopback is the test's receiver; short waits so that a retry is due within the test.
    return Settings(
        database_url=database_url, models_dir=ROOT / "models", api_key=None, redis_url=None,
        allow_private_feeds=True, webhook_timeout_seconds=0.5, webhook_retry_seconds=1.0, webhook_max_attempts=3,
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def _watch(runtime: Runtime, url: str, **filters: object) -> int:
    return runtime.alerts.add(parse_watch_request({"webhook_url": url, **filters})).id


def _later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def _agency_slice(tmp_path: Path) -> list[ArticleInput]:
    """The agency's first 40 articles of 2015-08-10 and that day's newspaper articles whose
    titles repeat one of theirs (half their title words or more): a day with copies in it."""
    day = tmp_path / "snn"
    day.mkdir()
    (day / AGENCY_DAY).symlink_to(SNN / AGENCY_DAY)
    articles = list(saudinewsnet_articles(day))
    agency = [a for a in articles if a.outlet == AGENCY][:40]

    def words(title: str | None) -> set[str]:
        return set(re.findall(r"\w{3,}", title or ""))

    titles = [w for w in (words(a.title) for a in agency) if w]
    papers = [a for a in articles if a.outlet != AGENCY and (t := words(a.title)) and any(len(t & w) / len(t | w) >= 0.5 for w in titles)]
    chosen = agency + papers
    return sorted(chosen, key=lambda a: (a.published_at is None, a.published_at, a.url or ""))


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(not SNN.is_dir(), reason="needs ../shared/data/saudinewsnet")
def test_uncredited_copies_of_the_agency_are_delivered_once_each_signed(tmp_path: Path, postgres_url: str, receiver: Receiver) -> None:
    with Runtime.open(_settings(postgres_url)) as runtime:
        watch_id = _watch(runtime, receiver.url, on="flags", source_outlet=AGENCY, credited=False)
        secret = runtime.alerts.get(watch_id).secret
        for article in [*read_seeds(SEEDS), *_agency_slice(tmp_path)]:
            runtime.ingest(article)
        assert runtime.alerts.scan() > 0
        assert runtime.alerts.scan() == 0  # seen already: nothing recorded twice
        round_ = runtime.alerts.deliver_due()
        assert runtime.alerts.deliver_due(_later(3600)).delivered == 0  # nothing left to send

        # What the watch should get, read from every stored link, not through the listing.
        expected = set()
        for article_id in runtime.store.ids_by_publication():
            for link in runtime.store.links_of(article_id):
                source = runtime.store.get(link.source_id)
                if link.target_id == article_id and source.outlet == AGENCY and not link.credited and link.relation in REUSE:
                    expected.add(f"{link.target_id}<-{link.source_id}")
        deliveries = runtime.alerts.deliveries(watch_id)

    assert len(expected) >= 3  # the slice has copies to deliver
    assert round_.delivered == len(expected) and round_.retrying == round_.failed == 0
    keys = [json.loads(r.body)["key"] for r in receiver.received]
    assert sorted(keys) == sorted(expected)  # each one, once
    for received in receiver.received:
        assert received.headers["x-storydiff-signature"] == sign(received.body, secret)
        assert received.headers["x-storydiff-event"] == "flags"
        match = json.loads(received.body)["match"]
        assert match["source_outlet"] == AGENCY and match["credited"] is False and match["relation"] in REUSE
    assert {d.status for d in deliveries} == {"delivered"} and all(d.status_code == 204 and d.attempts == 1 for d in deliveries)


def test_a_receiver_failing_twice_gets_the_delivery_on_the_third_attempt(database_url: str) -> None:
    failing = Receiver(fail_first=2)
    try:
        with Runtime.open(_settings(database_url)) as runtime:
            watch_id = _watch(runtime, failing.url, on="stories", min_outlets=2)
            for article in read_seeds(SEEDS):
                runtime.ingest(article)
            assert runtime.alerts.scan() == 1  # the Sochi story: two named outlets
            first = runtime.alerts.deliver_due()
            assert (first.delivered, first.retrying) == (0, 1)
            assert runtime.alerts.deliver_due().retrying == 0  # not due again yet: nothing sent
            assert runtime.alerts.deliver_due(_later(1.5)).retrying == 1  # the first retry, after 1 s
            assert runtime.alerts.deliver_due(_later(1.5)).delivered == 0  # the second waits 2 s
            assert runtime.alerts.deliver_due(_later(60)).delivered == 1
            [delivery] = runtime.alerts.deliveries(watch_id)
            watch = runtime.alerts.get(watch_id)
            story = runtime.story(int(delivery.key.split(":")[1]))
    finally:
        failing.stop()
    assert (delivery.status, delivery.attempts, delivery.status_code, delivery.error_code) == ("delivered", 3, 204, None)
    assert (watch.matches, watch.delivered) == (1, 1)
    assert len(failing.received) == 3 and len({r.body for r in failing.received}) == 1  # the same body each time
    assert all(r.headers["x-storydiff-signature"] == sign(r.body, watch.secret) for r in failing.received)
    match = json.loads(failing.received[0].body)["match"]
    assert match["id"] == story.summary.id and len(match["outlets"]) >= 2 and match["article_count"] == len(story.articles)


def test_a_webhook_that_never_answers_is_recorded_and_given_up(database_url: str) -> None:
    silent = Silent()
    try:
        with Runtime.open(_settings(database_url)) as runtime:
            watch_id = _watch(runtime, silent.url, on="stories", min_outlets=2)
            for article in read_seeds(SEEDS):
                runtime.ingest(article)
            runtime.alerts.scan()
            outcomes = [runtime.alerts.deliver_due(_later(60 * n)) for n in range(1, 5)]
            [delivery] = runtime.alerts.deliveries(watch_id)
    finally:
        silent.stop()
    assert [(o.retrying, o.failed) for o in outcomes] == [(1, 0), (1, 0), (0, 1), (0, 0)]  # 3 attempts, then given up
    assert (delivery.status, delivery.attempts, delivery.error_code, delivery.next_attempt_at) == ("failed", 3, "webhook_timeout", None)


def test_a_story_is_delivered_once_however_it_grows_and_the_atom_feed_lists_it(tmp_path: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]) -> None:
    settings = _settings(f"sqlite:///{tmp_path / 'watch.db'}")
    seeds = list(read_seeds(SEEDS))
    with Runtime.open(settings) as runtime:
        watch_id = _watch(runtime, receiver.url, on="stories", min_outlets=2)
        for article in (seeds[0], seeds[1], seeds[3]):  # the Sochi story with two named outlets
            runtime.ingest(article)
    # `storydiff watch --once` scans and delivers (no feeds to poll).
    assert main(["watch", "--once"], settings=settings) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    with Runtime.open(settings) as runtime:
        for article in (seeds[2], seeds[4]):
            runtime.ingest(article)  # the story gains articles: it matches again, and is not sent again
        assert runtime.alerts.scan() == 0
        atom = runtime.alerts.atom(watch_id, base_url="http://desk.example/")
        key = json.loads(receiver.received[0].body)["key"]
        assert len(runtime.story(int(key.split(":")[1])).articles) == 4  # it did grow
    assert (first["matches"], first["delivered"]) == (1, 1) and len(receiver.received) == 1
    feed = feedparser.parse(atom)
    assert not feed.bozo and feed.feed.title.startswith(f"storydiff watch {watch_id}: stories")
    [entry] = feed.entries
    assert entry.link == f"http://desk.example/pages/stories/{key.split(':')[1]}" and "articles" in entry.title
