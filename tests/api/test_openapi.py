"""The OpenAPI document publishes each request body once and every route refers to it."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient


def test_request_bodies_are_published_once_and_referred_to(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    bodies = {
        (path, method): op["requestBody"]["content"]["application/json"]["schema"]
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if "requestBody" in op and "application/json" in op["requestBody"]["content"]
    }
    assert bodies[("/articles", "post")] == bodies[("/reuse/check", "post")] == {"$ref": "#/components/schemas/ArticleIn"}
    assert bodies[("/compare", "post")] == bodies[("/similarity", "post")] == {"$ref": "#/components/schemas/PairIn"}
    text = json.dumps(spec)
    assert text.count("Plain text as received") == 1  # ArticleIn's fields, written out once
    pair = spec["components"]["schemas"]["PairIn"]
    assert {"$ref": "#/components/schemas/ArticleIn"} in pair["properties"]["a"]["anyOf"]
