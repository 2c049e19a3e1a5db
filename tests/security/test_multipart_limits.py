"""The pages' multipart forms refuse what is too large early: on Content-Length before
reading a byte, and while the body streams (chunked, no Content-Length) as soon as the
bytes counted cross the limit, not after reading the whole upload."""

from __future__ import annotations

import json
import random
import select
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.security.pages_client import article_count, page_server, token_of
from tests.server import Server

ARTICLE_BYTES = 20_000
BULK_BYTES = 1_000_000
BOUNDARY = "----storydiffLimitTest"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"STORYDIFF_MAX_ARTICLE_BYTES": str(ARTICLE_BYTES), "STORYDIFF_MAX_BULK_BYTES": str(BULK_BYTES)}
    with page_server(tmp_path_factory.mktemp("limits"), **env) as running:
        yield running


def _connect(server: Server) -> socket.socket:
    address = urlsplit(server.url)
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    return sock


def _head(server: Server, path: str, length_header: str) -> bytes:
    host = urlsplit(server.url).netloc
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {server.url}\r\nAccept: application/json\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{length_header}\r\n\r\n"
    ).encode()


def _response(sock: socket.socket) -> tuple[int, dict[str, object]]:
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body[: _length(data)])


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 1 << 30


@pytest.mark.parametrize("path", ["/ingest", "/pages/compare"])
def test_a_600_mb_declared_form_is_refused_before_its_body_is_sent(server: Server, path: str) -> None:
    with _connect(server) as sock:
        started = time.monotonic()
        sock.sendall(_head(server, path, "Content-Length: 600000000"))
        status, body = _response(sock)
        elapsed = time.monotonic() - started
    assert status == 413 and body["code"] == "too_large"
    assert elapsed < 1.0, f"answered after {elapsed:.2f} s"


def _stream_until_answered(server: Server, path: str, part_head: bytes, *, total: int) -> tuple[int, dict[str, object], int]:
    """Send a chunked multipart body of up to ``total`` bytes, 64 kB at a time, watching for
    an answer after each chunk; returns the status, the body and the bytes sent by then."""
    chunk = b"x" * 65_536
    sent = 0
    with _connect(server) as sock:
        sock.sendall(_head(server, path, "Transfer-Encoding: chunked"))

        def send(data: bytes) -> None:
            nonlocal sent
            sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            sent += len(data)

        send(f"--{BOUNDARY}\r\n".encode() + part_head + b"\r\n\r\n")
        try:
            while sent < total:
                send(chunk)
                readable, _, _ = select.select([sock], [], [], 0.01)
                if readable:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: read its answer
        status, body = _response(sock)
    return status, body, sent


def test_a_streamed_file_over_the_article_limit_is_refused_when_it_crosses_it(server: Server) -> None:
    before = article_count(server)
    part = b'Content-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain'
    status, body, sent = _stream_until_answered(server, "/ingest", part, total=40_000_000)
    assert status == 413 and body["code"] == "too_large"
    # Answered near the limit (socket buffers let a few MB more through), not after 40 MB.
    assert sent < 8_000_000, f"the answer came after {sent} bytes"
    assert article_count(server) == before


def test_a_streamed_jsonl_batch_over_the_bulk_limit_is_refused_when_it_crosses_it(server: Server) -> None:
    part = b'Content-Disposition: form-data; name="file"; filename="batch.jsonl"\r\nContent-Type: application/x-ndjson'
    status, body, sent = _stream_until_answered(server, "/ingest", part, total=40_000_000)
    assert status == 413 and body["code"] == "too_large"
    assert sent < 8_000_000, f"the answer came after {sent} bytes"


def test_a_streamed_text_field_over_its_limit_is_refused(server: Server) -> None:
    part = b'Content-Disposition: form-data; name="a_text"'
    status, body, sent = _stream_until_answered(server, "/pages/compare", part, total=40_000_000)
    assert status == 413 and body["code"] == "too_large"
    assert sent < 8_000_000, f"the answer came after {sent} bytes"


def test_a_jsonl_batch_larger_than_one_article_is_taken_whole(server: Server) -> None:
    """The ingest page's JSON Lines file is a batch: it may exceed one article's limit."""
    before = article_count(server)
    words = random.Random(14).choices(["economy", "border", "minister", "talks", "harbour", "election", "drought", "grain", "court", "strike"], k=6_000)
    lines = [json.dumps({"text": f"Report {n}: " + " ".join(words[n * 1_500 : (n + 1) * 1_500]), "outlet": f"O{n}"}) for n in range(4)]
    data = ("\n".join(lines) + "\n").encode()
    assert ARTICLE_BYTES < len(data) < BULK_BYTES
    with httpx.Client(base_url=server.url, timeout=120) as client:
        token = token_of(client, "/ingest", "/ingest")
        answer = client.post("/ingest", data={"csrf_token": token}, files={"file": ("batch.jsonl", data)}, headers={"Origin": server.url})
    assert answer.status_code == 200 and "4 stored" in answer.text
    assert article_count(server) == before + 4
