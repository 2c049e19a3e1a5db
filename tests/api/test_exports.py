"""Exports (GET /flags.csv, /stories.csv, /stories/{id}/articles.csv, the CLI's --csv) against
the JSON listings they export, on the seeds. Without embeddings (stories from names and
shared text), so the module's one seeding takes seconds; the rows are what is tested."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.cli import main
from service.config import Settings
from service.pipeline.exports import FLAG_COLUMNS, STORY_ARTICLE_COLUMNS, STORY_COLUMNS, Column, every, flag_table
from service.pipeline.runtime import Runtime
from tests.api.test_reuse_api import _seeded
from tests.conftest import ROOT

# Quotes, a comma and a line break: each must be quoted in CSV and read back whole.
AWKWARD = {
    "text": "قال المتحدث باسم الوزارة إن الاجتماع سيعقد الأسبوع المقبل في العاصمة لبحث ملف المياه.",
    "title": 'قال: "نعم، لا, ربما"\nثم سكت',
    "outlet": "Outlet, Inc. \"الخبر\"",
    "published_at": "2020-01-02T03:04:05.678Z",
}


def _names(columns: tuple[Column, ...]) -> list[str]:  # type: ignore[type-arg]
    return [c.name for c in columns]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    path = tmp_path_factory.mktemp("exports") / "storydiff.db"
    settings = Settings(database_url=f"sqlite:///{path}", models_dir=ROOT / "models", api_key=None, redis_url=None, embedding_model="none")
    _seeded(settings)
    with TestClient(create_app(settings)) as client:
        assert client.post("/articles", json=AWKWARD).status_code == 201
    return settings


@pytest.fixture(scope="module")
def client(seeded: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(seeded)) as test_client:
        yield test_client


def _csv(client: TestClient, url: str, **params: object) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def _cell(value: object) -> str:
    """A JSON value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


@pytest.mark.parametrize(
    "params",
    [{"relation": "any"}, {}, {"outlet": "Al-Thawra (الثورة)"}, {"since": "2019-05-15", "relation": "any"}, {"until": "2019-05-14"}, {"credited": "false"}],
)
def test_flags_csv_is_the_json_listing(client: TestClient, params: dict[str, str]) -> None:
    listing = client.get("/flags", params=params | {"limit": 500}).json()
    header, rows = _csv(client, "/flags.csv", **params)
    assert header == _names(FLAG_COLUMNS)
    assert len(rows) == listing["total"] == len(listing["items"])
    for row, item in zip(rows, listing["items"], strict=True):
        for side in ("target", "source"):
            for key in ("id", "outlet", "title", "published_at"):
                assert row[f"{side}_{key}"] == _cell(item[side][key])
        for key in ("relation", "share", "label", "credited", "credit", "direction", "direction_basis"):
            assert row[key] == _cell(item[key])


@pytest.mark.parametrize("params", [{}, {"outlet": "SANA (سانا)"}, {"since": "2019-01-01"}, {"q": "بوتين"}, {"language": "en"}, {"min_articles": 2}])
def test_stories_csv_is_the_json_listing(client: TestClient, params: dict[str, object]) -> None:
    listing = client.get("/stories", params=params | {"limit": 500}).json()
    header, rows = _csv(client, "/stories.csv", **params)
    assert header == _names(STORY_COLUMNS)
    assert len(rows) == listing["total"] == len(listing["items"])
    for row, item in zip(rows, listing["items"], strict=True):
        assert row == {name: _cell(item[name]) for name in header}


def test_story_articles_csv_is_the_timeline_with_its_copies(client: TestClient) -> None:
    stories = client.get("/stories").json()["items"]
    assert any(s["article_count"] > 1 for s in stories)
    for story in stories:
        detail = client.get(f"/stories/{story['id']}").json()
        header, rows = _csv(client, f"/stories/{story['id']}/articles.csv")
        assert header == _names(STORY_ARTICLE_COLUMNS)
        assert [int(r["article_id"]) for r in rows] == [a["id"] for a in detail["articles"]]
        for row, article in zip(rows, detail["articles"], strict=True):
            links = [link for link in detail["links"] if link["target_id"] == article["id"]]
            assert row["story_id"] == str(story["id"])
            assert row["copied_from"] == _cell([link["source_id"] for link in links])
            assert row["copy_relations"] == _cell([link["relation"] for link in links])
            assert row["published_at"] == _cell(article["published_at"])
    copied = [r for s in stories for r in _csv(client, f"/stories/{s['id']}/articles.csv")[1] if r["copied_from"]]
    assert copied  # the seeds' shared passages show


def test_arabic_and_awkward_text_round_trip_byte_exact(client: TestClient) -> None:
    raw = client.get("/flags.csv", params={"relation": "any"}).content
    assert raw.startswith(b"target_id,")  # no byte-order mark
    titles = {a["title"] for a in client.get("/articles", params={"limit": 500}).json()["items"] if a["title"]}
    stories = client.get("/stories.csv").content
    for item in client.get("/flags", params={"relation": "any"}).json()["items"]:
        assert item["target"]["title"].encode("utf-8") in raw
    header, rows = _csv(client, "/stories.csv")
    awkward = next(r for r in rows if AWKWARD["outlet"] in r["outlets"])
    assert awkward["headline"] == AWKWARD["title"] and AWKWARD["title"] in titles
    assert awkward["first_seen"] == "2020-01-02T03:04:05.678000Z"
    story_id = awkward["id"]
    _, members = _csv(client, f"/stories/{story_id}/articles.csv")
    assert (members[0]["title"], members[0]["outlet"]) == (AWKWARD["title"], AWKWARD["outlet"])
    assert '"قال: ""نعم، لا, ربما""\nثم سكت"'.encode() in stories  # RFC 4180: quoted, quotes doubled
    assert stories.count(b"\r\n") == len(rows) + 1  # CRLF ends each record, not the line break inside one


@pytest.mark.parametrize(("url", "columns"), [("/flags.csv", FLAG_COLUMNS), ("/stories.csv", STORY_COLUMNS), ("/stories/1/articles.csv", STORY_ARTICLE_COLUMNS)])
def test_jsonl_has_the_csv_rows_with_json_types(client: TestClient, url: str, columns: tuple[Column, ...]) -> None:  # type: ignore[type-arg]
    response = client.get(url, params={"format": "jsonl"})
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["content-disposition"].endswith('.jsonl"')
    lines = [json.loads(line) for line in response.text.splitlines()]
    _, rows = _csv(client, url)
    assert lines and all(list(line) == _names(columns) for line in lines)
    assert [{k: _cell(v) for k, v in line.items()} for line in lines] == rows


def test_limit_caps_an_export_and_filters_narrow_it(client: TestClient) -> None:
    _, every_flag = _csv(client, "/flags.csv", relation="any")
    _, first_two = _csv(client, "/flags.csv", relation="any", limit=2)
    assert len(every_flag) == 3 and first_two == every_flag[:2]
    _, al_thawra = _csv(client, "/flags.csv", relation="any", outlet="Al-Thawra (الثورة)")
    assert al_thawra == [r for r in every_flag if r["target_outlet"] == "Al-Thawra (الثورة)"] and len(al_thawra) == 2
    _, since = _csv(client, "/stories.csv", since="2019-01-01")
    _, stories = _csv(client, "/stories.csv")
    assert since == [s for s in stories if s["last_seen"] >= "2019-01-01"] and 0 < len(since) < len(stories)


def test_pages_are_read_one_after_another(seeded: Settings) -> None:
    with Runtime.open(seeded) as runtime:
        whole = list(flag_table(runtime, {"relations": None}).rows)
        assert list(flag_table(runtime, {"relations": None}, page_size=1).rows) == whole
        assert list(flag_table(runtime, {"relations": None}, page_size=2, cap=3).rows) == whole
    items = list(range(7))
    for page_size in (1, 2, 3, 7, 8):
        for cap in (None, 1, 3, 7, 9):
            calls: list[tuple[int, int]] = []

            def fetch(offset: int, limit: int) -> list[int]:
                calls.append((offset, limit))
                return items[offset : offset + limit]

            assert list(every(fetch, cap=cap, page_size=page_size)) == items[:cap]
            assert all(limit <= page_size for _, limit in calls)
    with pytest.raises(ValueError, match="cap"):
        every(lambda offset, limit: [], cap=0)


@pytest.mark.parametrize("url", ["/flags.csv", "/stories.csv", "/stories/1/articles.csv"])
def test_an_unknown_format_is_a_coded_422(client: TestClient, url: str) -> None:
    body = client.get(url, params={"format": "xlsx"}).json()
    assert (body["status"], body["code"], body["errors"][0]["field"]) == (422, "invalid_request", "query.format")


def test_errors_come_before_any_row(client: TestClient) -> None:
    missing = client.get("/stories/999999/articles.csv")
    assert missing.status_code == 404
    assert missing.json() == {"ok": False, "status": 404, "code": "not_found", "error": "story 999999 not found", "errors": []}
    assert client.get("/flags.csv", params={"since": "yesterday"}).json()["code"] == "invalid_date"
    assert client.get("/stories.csv", params={"limit": 0}).json()["code"] == "invalid_request"


def test_cli_csv_prints_the_same_export(client: TestClient, seeded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    for argv, url in [
        (["flags", "--csv", "--relation", "any"], "/flags.csv?relation=any"),
        (["flags", "--csv", "--outlet", "Al-Thawra (الثورة)", "--limit", "1"], "/flags.csv?outlet=Al-Thawra (الثورة)&limit=1"),
        (["stories", "--csv", "--since", "2019-01-01"], "/stories.csv?since=2019-01-01"),
        (["story", "1", "--csv"], "/stories/1/articles.csv"),
    ]:
        capsys.readouterr()
        assert main(argv, settings=seeded) == 0
        printed = capsys.readouterr().out
        assert printed == client.get(url).text
        assert next(csv.reader(io.StringIO(printed, newline=""))) in (_names(FLAG_COLUMNS), _names(STORY_COLUMNS), _names(STORY_ARTICLE_COLUMNS))
    assert main(["stories", "--csv", "--offset", "5"], settings=seeded) == 2
    assert "--offset does not apply" in capsys.readouterr().err


def test_exports_are_reads_open_without_the_key(seeded: Settings) -> None:
    keyed = Settings(database_url=seeded.database_url, models_dir=ROOT / "models", api_key="s3cret", redis_url=None, embedding_model="none")
    with TestClient(create_app(keyed)) as keyed_client:
        for url in ("/flags", "/flags.csv", "/stories.csv", "/stories/1/articles.csv"):
            assert keyed_client.get(url).status_code == 200


@pytest.mark.parametrize("columns", [FLAG_COLUMNS, STORY_COLUMNS, STORY_ARTICLE_COLUMNS], ids=["flags", "stories", "story_articles"])
def test_docs_list_every_column_with_its_meaning(columns: tuple[Column, ...]) -> None:  # type: ignore[type-arg]
    table = "\n".join(["| column | meaning |", "|---|---|", *(f"| `{c.name}` | {c.meaning} |" for c in columns)])
    assert table in (ROOT / "docs" / "api.md").read_text(encoding="utf-8"), "docs/api.md's table of these columns is out of date"
