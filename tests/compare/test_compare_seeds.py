"""POST /compare on the seeds with the real model: the seeds README's expectations.

000-003 report Pompeo's Sochi talks (May 2019), 004 Putin at the G20 (Sep 2016).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.text.normalize import normalize
from tests.api.test_stories_api import _seed_json
from tests.conftest import ROOT, seed_metadata

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, int], dict[int, str]]]:
    db = tmp_path_factory.mktemp("compare") / "db.sqlite"
    settings = Settings(database_url=f"sqlite:///{db}", models_dir=ROOT / "models", redis_url=None, api_key=None)
    with TestClient(create_app(settings)) as client:
        ids, texts = {}, {}
        for meta in seed_metadata():
            body = client.post("/articles", json=_seed_json(meta)).json()
            ids[str(meta["id"])[:3]] = body["article"]["id"]
            texts[body["article"]["id"]] = body["article"]["text"]
        yield client, ids, texts


def _compare(seeded, a: str, b: str) -> tuple[dict, str, str]:  # type: ignore[no-untyped-def,type-arg]
    client, ids, texts = seeded
    response = client.post("/compare", json={"a": ids[a], "b": ids[b]})
    assert response.status_code == 200, response.text
    result = response.json()
    text_a, text_b = texts[ids[a]], texts[ids[b]]
    for item in result["aligned"] + result["copied_spans"]:  # offsets index the original texts
        assert 0 <= item["a_start"] < item["a_end"] <= len(text_a) and 0 <= item["b_start"] < item["b_end"] <= len(text_b)
    return result, text_a, text_b


def _both(result: dict) -> list[dict]:  # type: ignore[type-arg]
    return [q for q in result["quotes"] if q["a"] and q["b"]]


def test_001_and_003_putin_remarks_pompeo_quote_and_the_5_percent(seeded) -> None:  # type: ignore[no-untyped-def]
    result, a, b = _compare(seeded, "001", "003")
    opening = [p for p in result["aligned"] if "في مستهل لقائه" in a[p["a_start"] : p["a_end"]]]
    assert opening and opening[0]["kind"] in ("verbatim", "edited")
    pompeo = [q for q in _both(result) if "مصالح مشتركة" in a[q["a"]["start"] : q["a"]["end"]]]
    assert len(pompeo) == 1 and pompeo[0]["speaker"] == "بومبيو"
    assert "مصالح مشتركة" in b[pompeo[0]["b"]["start"] : pompeo[0]["b"]["end"]] and pompeo[0]["diff"]
    assert any("5%" in b[o["start"] : o["end"]] for o in result["only_in_b"])
    assert not any("5%" in b[p["b_start"] : p["b_end"]] for p in result["aligned"])
    assert result["same_story"]["score"] < 2.5 and result["copied_spans"]


def test_000_and_003_putin_relations_quote_though_003_quotes_part(seeded) -> None:  # type: ignore[no-untyped-def]
    result, a, b = _compare(seeded, "000", "003")
    changing = [q for q in _both(result) if "بدأ بالتغير" in a[q["a"]["start"] : q["a"]["end"]]]
    assert changing and changing[0]["speaker"] == "بوتين"
    assert "الاستقرار الاستراتيجي" in b[changing[0]["b"]["start"] : changing[0]["b"]["end"]]


def test_000_and_002_very_constructive_is_two_statements(seeded) -> None:  # type: ignore[no-untyped-def]
    result, a, b = _compare(seeded, "000", "002")
    phrase = normalize("البناءة للغاية").text  # 002 writes it with a shadda

    def says(text: str) -> bool:
        return phrase in normalize(text).text

    assert says(a) and says(b)
    for q in _both(result):
        assert not (says(a[q["a"]["start"] : q["a"]["end"]]) and says(b[q["b"]["start"] : q["b"]["end"]]))


@pytest.mark.parametrize("other", ["000", "001", "002", "003"])
def test_004_is_another_event(seeded, other: str) -> None:  # type: ignore[no-untyped-def]
    result, _, _ = _compare(seeded, "004", other)
    assert result["same_story"]["score"] >= 3.0
    assert _both(result) == []


def test_bad_and_odd_input_answers_cleanly(seeded) -> None:  # type: ignore[no-untyped-def]
    client, ids, texts = seeded
    same = client.post("/compare", json={"a": ids["001"], "b": ids["001"]}).json()
    assert same["only_in_a"] == [] and same["only_in_b"] == [] and {p["kind"] for p in same["aligned"]} == {"verbatim"}
    assert client.post("/compare", json={"a": ids["001"], "b": {"text": " "}}).json()["code"] == "empty_text"
    tiny = client.post("/compare", json={"a": ids["001"], "b": {"text": "كلمة"}})
    assert tiny.status_code == 200 and tiny.json()["aligned"] == [] and tiny.json()["only_in_b"] == []  # no sentence to align
    mixed = client.post("/compare", json={"a": {"text": "Putin met Pompeo in Sochi. قال بوتين إن العلاقات بدأت تتحسن مع واشنطن."}, "b": ids["003"]})
    assert mixed.status_code == 200
    long_text = " ".join(f"هذه جملة رقم {i} في نص طويل جدا." for i in range(10_000))  # 70k words, 10k sentences
    refused = client.post("/compare", json={"a": {"text": long_text}, "b": ids["001"]})
    assert (refused.status_code, refused.json()["code"]) == (413, "too_long_to_compare")
    assert client.post("/compare", json={"a": ids["001"]}).json()["code"] == "invalid_request"
    assert client.get("/articles").json()["total"] == 5  # nothing was stored
