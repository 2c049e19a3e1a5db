"""Hostile input against a real server: every CPU-heavy path answers within seconds, with a
coded refusal or a correct result, in bounded memory; and the concurrency limit of analyses.

Bounds (service/reuse/align.py, service/reuse/seeds.py, service/compare/bounds.py,
service/stories/passages.py, service/api/limits.py): alignment reads 30,000 words of a
text; /similarity and /reuse/check refuse more, /compare refuses over 8,000 words (413
``too_long_to_compare``); the story desk reads a title up to 300 characters; with
STORYDIFF_MAX_CONCURRENT_ANALYSES=N the N+1st analysis at once is 503 ``busy``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.limits import RETRY_AFTER_SECONDS, slots_of
from service.config import Settings
from service.intake.fields import MAX_FIELD_CHARS
from tests.api.test_stories_api import _seed_json
from tests.conftest import ROOT, seed_metadata
from tests.security.hostile import few_words, memory, near_copy, one_word, reset_peak
from tests.server import Server

REQUEST_SECONDS = 5.0  # every answer, refusal or result
RSS_RISE = 300 * 2**20  # the server's peak resident memory over its resident memory after warm-up
SIZES = (2_000, 10_000, 20_000, 50_000)  # words
STORED_WORDS = 20_000

# Every server here starts from these, whatever the environment of the test run says.
_ENV = {"STORYDIFF_API_KEY": "", "STORYDIFF_REDIS_URL": "", "STORYDIFF_MAX_CONCURRENT_ANALYSES": ""}


def _seed(meta: dict[str, object]) -> dict[str, object]:
    body = _seed_json(meta)
    body.pop("url", None)
    return body


def _timed(http: httpx.Client, method: str, path: str, **kwargs: object) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = http.request(method, path, **kwargs)  # type: ignore[arg-type]
    return response, time.perf_counter() - started


@pytest.mark.slow
@pytest.mark.model
def test_hostile_inputs_are_answered_in_seconds_within_bounded_memory(tmp_path: Path) -> None:
    server = Server({**_ENV, "STORYDIFF_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "STORYDIFF_EMBEDDING_MODEL": ""})
    slow: list[str] = []
    try:
        with httpx.Client(base_url=server.url, timeout=120) as http:
            # Warm-up with ordinary articles: the model, the language identifier and the
            # normalisation tables load on first use; what follows is measured against this.
            ids = [http.post("/articles", json=_seed(m)).json()["article"]["id"] for m in seed_metadata()]
            assert http.post("/compare", json={"a": ids[1], "b": ids[3]}).status_code == 200
            assert http.post("/similarity", json={"a": ids[0], "b": {"text": "خبر قصير عن سوتشي"}}).status_code == 200
            assert http.post("/reuse/check", json={"text": "خبر قصير عن سوتشي ولافروف وبومبيو"}).status_code == 200

            base = few_words(max(SIZES))
            texts = {n: " ".join(base.split()[:n]) for n in SIZES}
            stored, took = _timed(http, "POST", "/articles", json={"text": texts[STORED_WORDS], "published_at": "2019-05-15"})
            assert stored.status_code == 201, stored.text
            stored_id = stored.json()["article"]["id"]
            slow += [f"store {STORED_WORDS} words: {took:.1f} s"] if took > REQUEST_SECONDS else []
            reset_peak(server.process.pid)
            baseline = memory(server.process.pid)["VmRSS"]

            def answered(label: str, response: httpx.Response, took: float, status: int, code: str | None = None) -> dict:  # type: ignore[type-arg]
                assert response.status_code == status, (label, response.status_code, response.text[:300])
                if code is not None:
                    assert response.json()["code"] == code, (label, response.text[:300])
                if took > REQUEST_SECONDS:
                    slow.append(f"{label}: {took:.1f} s")
                return response.json()

            for n in SIZES:
                a, b = texts[n], near_copy(texts[n])
                pair = {"a": {"text": a}, "b": {"text": b}}

                response, took = _timed(http, "POST", "/similarity", json=pair)
                if n <= 30_000:
                    body = answered(f"similarity {n}", response, took, 200)
                    assert body["evidence"]["copied_share"] > 0.8  # b is a light edit of a
                else:
                    answered(f"similarity {n}", response, took, 413, "too_long_to_compare")

                response, took = _timed(http, "POST", "/compare", json=pair)
                if n <= 8_000:
                    body = answered(f"compare {n}", response, took, 200)
                    copied = sum(s["a_end"] - s["a_start"] for s in body["copied_spans"])
                    assert copied > 0.8 * len(a) and len(body["aligned"]) >= n // 200
                else:
                    answered(f"compare {n}", response, took, 413, "too_long_to_compare")

                response, took = _timed(http, "POST", "/reuse/check", json={"text": b})
                if n <= 30_000:
                    body = answered(f"check {n}", response, took, 200)
                    found = {m["article"]["id"]: m for m in body["matches"]}
                    assert stored_id in found  # b copies the stored article's first n words
                else:
                    answered(f"check {n}", response, took, 413, "too_long_to_compare")

            repeated = {"a": {"text": one_word(20_000)}, "b": {"text": near_copy(one_word(20_000))}}
            for path in ("/similarity", "/compare"):
                response, took = _timed(http, "POST", path, json=repeated)
                answered(f"one word {path}", response, took, 200 if path == "/similarity" else 413)

            # The write path: a light edit of the stored 20,000-word article is stored and linked to it.
            response, took = _timed(http, "POST", "/articles", json={"text": near_copy(texts[STORED_WORDS]), "published_at": "2019-05-16"})
            copy_id = answered("near copy of the stored article", response, took, 201)["article"]["id"]
            links = http.get(f"/articles/{copy_id}/reuse").json()
            assert stored_id in {link["source"]["id"] for link in links["copied_from"]}, links

            # A title of 100,000 characters in one word is refused when sent (invalid_field);
            # the longest one taken is stored, clustered and scored in seconds.
            short = "خبر قصير عن المباحثات في سوتشي بين لافروف وبومبيو"
            response, took = _timed(http, "POST", "/articles", json={"text": short, "title": "ك" * 100_000})
            answered("100,000-character title", response, took, 422, "invalid_field")
            longest = MAX_FIELD_CHARS["title"]
            response, took = _timed(http, "POST", "/articles", json={"text": short, "title": "ك" * longest})
            titled_id = answered(f"{longest}-character title", response, took, 201)["article"]["id"]
            response, took = _timed(http, "POST", "/similarity", json={"a": titled_id, "b": {"text": short, "title": "ل" * longest}})
            answered(f"similarity of {longest}-character titles", response, took, 200)

            peak = memory(server.process.pid)["VmHWM"]
        assert not slow, slow
        assert peak - baseline < RSS_RISE, f"peak resident memory {peak / 2**20:.0f} MB, {((peak - baseline) / 2**20):.0f} MB over {baseline / 2**20:.0f} MB"
    finally:
        server.stop()


@pytest.mark.slow
def test_the_analysis_beyond_the_limit_is_busy_and_writes_still_go_through(tmp_path: Path) -> None:
    limit = 2
    server = Server({**_ENV, "STORYDIFF_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "STORYDIFF_EMBEDDING_MODEL": "none",
                     "STORYDIFF_MAX_CONCURRENT_ANALYSES": str(limit)})
    try:
        text = few_words(30_000, seed=7)  # at the bound: each analysis takes a second or more
        pair = {"a": {"text": text}, "b": {"text": near_copy(text)}}
        start = threading.Barrier(limit + 1)
        results: list[httpx.Response] = []

        def analyse() -> None:
            with httpx.Client(base_url=server.url, timeout=120) as http:
                start.wait()
                results.append(http.post("/similarity", json=pair))

        threads = [threading.Thread(target=analyse) for _ in range(limit + 1)]
        for thread in threads:
            thread.start()
        with httpx.Client(base_url=server.url, timeout=120) as http:
            time.sleep(0.3)  # the analyses hold their slots
            written = http.post("/articles", json={"text": "خبر قصير عن المباحثات في سوتشي بين لافروف وبومبيو"})
        for thread in threads:
            thread.join()
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200] * limit + [503], statuses
        busy = next(r for r in results if r.status_code == 503)
        assert busy.json()["code"] == "busy" and busy.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert written.status_code == 201  # writes take no slot
        with httpx.Client(base_url=server.url, timeout=120) as http:  # the slots are free again
            assert http.post("/similarity", json=pair).status_code == 200
    finally:
        server.stop()


@pytest.fixture
def limited_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", models_dir=ROOT / "models", embedding_model="none",
                        redis_url=None, api_key=None, max_concurrent_analyses=1)
    with TestClient(create_app(settings)) as client:
        yield client


def test_every_analysis_route_and_the_compare_page_take_a_slot(limited_client: TestClient) -> None:
    client = limited_client
    ids = [client.post("/articles", json=_seed(m)).json()["article"]["id"] for m in seed_metadata()[:2]]
    pair = {"a": ids[0], "b": ids[1]}
    with slots_of(client.app).slot():  # the one slot is taken  # type: ignore[arg-type]
        for path, body in (("/compare", pair), ("/similarity", pair), ("/reuse/check", {"text": "خبر قصير عن سوتشي"})):
            response = client.post(path, json=body)
            assert response.status_code == 503 and response.json()["code"] == "busy", (path, response.text)
            assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        page = client.get("/pages/compare", params=pair)
        assert page.status_code == 503 and "[busy]" in page.text and page.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert client.get(f"/articles/{ids[0]}").status_code == 200  # other reads take none
    assert client.post("/compare", json=pair).status_code == 200
    assert client.get("/pages/compare", params=pair).status_code == 200
