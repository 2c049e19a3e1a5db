"""Every operation of the published OpenAPI schema fuzzed by schemathesis against a real
server holding the seeds: no answer is a 5xx. Bounded (a few dozen examples an operation,
about two minutes in all) so that it runs on every CI build."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis")

from tests.conftest import SEEDS, seed_metadata, seed_text  # noqa: E402
from tests.server import Server  # noqa: E402

pytestmark = pytest.mark.slow
EXAMPLES = 100  # per operation and generation mode
# The one 5xx a correct server gives here: this server has no queue, so ``wait=false``
# is answered 503 queue_unavailable, as documented.
EXPECTED_UNAVAILABLE = {"queue_unavailable"}


def _no_server_error(response: schemathesis.Response) -> None:
    if response.status_code < 500:
        return
    if response.status_code == 503 and response.json().get("code") in EXPECTED_UNAVAILABLE:
        return
    raise AssertionError(f"{response.status_code}: {response.text[:500]}")


@schemathesis.serializer("application/x-ndjson")
def _json_lines(_context, value):  # type: ignore[no-untyped-def]
    """The bulk body: a generated string as it is, anything else as one JSON line."""
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else json.dumps(value).encode() + b"\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    database = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'storydiff.db'}"
    # No key: writes are fuzzed past authentication. No model: the fuzzing is of the
    # HTTP surface, not of the encoder's speed.
    running = Server({"STORYDIFF_DATABASE_URL": database, "STORYDIFF_EMBEDDING_MODEL": "none", "STORYDIFF_API_KEY": "", "STORYDIFF_REDIS_URL": ""})
    with httpx.Client(base_url=running.url, timeout=60) as client:
        for meta in seed_metadata():
            article = {"text": seed_text(meta["id"]), "title": meta["title"], "outlet": meta["outlet"], "published_at": meta["published"]}
            assert client.post("/articles", json=article).status_code == 201
    assert Path(SEEDS).is_dir()
    yield running
    running.stop()


def test_no_operation_answers_a_server_error(server: Server) -> None:
    # The operations are walked here rather than through schemathesis' pytest plugin,
    # whose parametrisation needs pytest internals that pytest 9 no longer has.
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        for mode in schemathesis.GenerationMode:  # valid requests, and requests that break the schema

            @given(case=operation.as_strategy(mode))
            # No shrinking phase: a failure is reported as found, and the run stays bounded.
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None, phases=[Phase.explicit, Phase.generate])
            def fuzz(case) -> None:  # type: ignore[no-untyped-def]
                _no_server_error(case.call(timeout=60))

            try:
                fuzz()
            except Unsatisfiable:
                continue  # nothing to break: the operation takes no input (GET /health)
            except Exception as exc:  # noqa: BLE001 - collected so every operation is fuzzed
                failures[f"{operation.method.upper()} {operation.path} ({mode.value})"] = str(exc)[:2_000]
    assert not failures, failures
    # The fuzzing really reached the server: most generated requests are in its access log.
    assert server.output().count('HTTP/1.1"') > len(operations) * EXAMPLES
