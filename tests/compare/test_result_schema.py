"""The typed comparison (service/compare/result.py) and the published answer of POST /compare
(service/api/compare_schemas.py) are the same shape: one pydantic model per dataclass, the
same fields in the same order at every level, and a real comparison of seed articles
gives the same JSON through the route, ``Comparison.as_dict`` and the response model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from typing import get_args, get_origin, get_type_hints

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from service.api import compare_schemas
from service.api.app import create_app
from service.api.compare_schemas import ComparisonOut
from service.compare import result
from service.compare.result import Comparison
from service.config import Settings
from service.domain import ArticleInput
from tests.api.test_stories_api import _seed_json
from tests.conftest import ROOT, seed_metadata, seed_text

ENVELOPE = ("ok",)  # the API's own first field, on every answer; not part of the comparison


def _types(hint: object, wanted: type) -> list[type]:
    """The classes of kind ``wanted`` inside a type hint (``tuple[X, ...]``, ``X | None``...)."""
    if isinstance(hint, type) and get_origin(hint) is None and (is_dataclass(hint) if wanted is object else issubclass(hint, wanted)):
        return [hint]
    return [t for arg in get_args(hint) for t in _types(arg, wanted)]


def _leaves(hint: object) -> set[type]:
    """The scalar types of a hint, containers and nested values left out."""
    if isinstance(hint, type) and get_origin(hint) is None and not is_dataclass(hint) and not issubclass(hint, BaseModel):
        return {hint}
    return {t for arg in get_args(hint) for t in _leaves(arg)}


def _walk(value: type, model: type[BaseModel], path: str, seen: dict[type, type[BaseModel]]) -> None:
    assert model.__name__ == value.__name__ + "Out", path
    seen[value] = model
    hints = get_type_hints(value)
    names = [f.name for f in fields(value)]
    published = [name for name in model.model_fields if not (value is Comparison and name in ENVELOPE)]
    assert published == names, f"{path}: {published} != {names}"
    for name in names:
        hint, annotation = hints[name], model.model_fields[name].annotation
        assert _leaves(hint) == _leaves(annotation), f"{path}.{name}: {hint} vs {annotation}"
        inner, inner_models = _types(hint, object), _types(annotation, BaseModel)
        assert len(inner) == len(inner_models), f"{path}.{name}: {inner} vs {inner_models}"
        for nested, nested_model in zip(inner, inner_models):
            _walk(nested, nested_model, f"{path}.{name}", seen)


def test_one_model_per_dataclass_with_the_same_fields_at_every_level() -> None:
    seen: dict[type, type[BaseModel]] = {}
    _walk(Comparison, ComparisonOut, "Comparison", seen)
    assert list(ComparisonOut.model_fields)[: len(ENVELOPE)] == list(ENVELOPE)
    values = {getattr(result, name) for name in result.__all__ if is_dataclass(getattr(result, name))}
    models = {m for m in vars(compare_schemas).values() if isinstance(m, type) and issubclass(m, BaseModel) and m is not BaseModel}
    assert set(seen) == values and set(seen.values()) == models


def test_the_values_are_frozen_with_slots() -> None:
    for name in result.__all__:
        value = getattr(result, name)
        if is_dataclass(value):
            assert vars(value)["__dataclass_params__"].frozen and "__slots__" in vars(value), name


def _edited(text: str) -> str:
    """Seed 001 with its date line changed: an edited pair whose figures differ."""
    assert text.count("الأربعاء 15-5-2019") == 1
    return text.replace("الأربعاء 15-5-2019", "الأربعاء 16-5-2019")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, TestClient, dict[str, int]]]:
    db = tmp_path_factory.mktemp("schema") / "db.sqlite"
    settings = Settings(database_url=f"sqlite:///{db}", models_dir=ROOT / "models", redis_url=None, api_key=None)
    app = create_app(settings)
    with TestClient(app) as client:
        ids = {}
        for meta in seed_metadata():
            if str(meta["id"])[:3] in ("001", "003"):
                ids[str(meta["id"])[:3]] = client.post("/articles", json=_seed_json(meta)).json()["article"]["id"]
        yield app, client, ids


def _pairs(ids: dict[str, int]) -> dict[str, tuple[int | ArticleInput, int | ArticleInput, dict[str, object]]]:
    edited = _edited(seed_text(next(str(m["id"]) for m in seed_metadata() if str(m["id"]).startswith("001"))))
    return {
        "001-003": (ids["001"], ids["003"], {"a": ids["001"], "b": ids["003"]}),
        "001-edited": (ids["001"], ArticleInput(text=edited), {"a": ids["001"], "b": {"text": edited}}),
    }


@pytest.mark.model
@pytest.mark.parametrize("pair", ["001-003", "001-edited"])
def test_a_real_comparison_is_the_same_json_everywhere(seeded: tuple[FastAPI, TestClient, dict[str, int]], pair: str) -> None:
    app, client, ids = seeded
    a, b, body = _pairs(ids)[pair]
    response = client.post("/compare", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()

    comparison = app.state.runtime.compare(a, b)
    assert isinstance(comparison, Comparison)
    expected = {"ok": True, **comparison.as_dict()}
    # Same keys in the same order, same values; and the bytes are the plain JSON of as_dict.
    assert json.dumps(answer, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
    assert response.content == json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()

    model = ComparisonOut.model_validate(answer)
    assert json.dumps(model.model_dump(mode="json"), ensure_ascii=False) == json.dumps(answer, ensure_ascii=False)

    # Between them the pairs exercise every part; a quote has a similarity only when both quote it.
    assert comparison.copied_spans and comparison.aligned
    assert any(q.similarity is not None for q in comparison.quotes) and any(q.similarity is None for q in comparison.quotes)
    assert all(("similarity" in q) == (q["a"] is not None and q["b"] is not None) for q in answer["quotes"])
    if pair == "001-003":
        assert comparison.only_in_a and comparison.only_in_b and any(q.diff for q in comparison.quotes)
    else:
        assert [(d.a, d.b) for d in comparison.discrepancies] == [(("15",), ("16",))]


def test_openapi_documents_the_answer() -> None:
    settings = Settings(database_url="sqlite://", models_dir=ROOT / "models", redis_url=None, api_key=None)
    schema = create_app(settings).openapi()
    answer = schema["paths"]["/compare"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/ComparisonOut"}
    quote = schema["components"]["schemas"]["QuoteMatchOut"]
    assert "similarity" not in quote["required"] and {"speaker", "a", "b", "kind", "diff"} <= set(quote["required"])
