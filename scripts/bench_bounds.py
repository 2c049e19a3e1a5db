"""Seconds and server memory of hostile inputs (tests/security/test_bounds.py's), per size.

    python scripts/bench_bounds.py                        # starts a server on this checkout
    python scripts/bench_bounds.py --sizes 2000,10000 --timeout 120
    python scripts/bench_bounds.py --url http://127.0.0.1:8123 --pid 4242   # a running server
    python scripts/bench_bounds.py --steps titles                          # some inputs only

Inputs: texts without punctuation of few distinct words (tests/security/hostile.py), the
"b" side of a pair a light edit of "a"; POST /reuse/check sends the edit, after an article
of 20,000 such words (whose first words "a" is) was stored. Then a light edit of that
article POSTed to /articles; then a title of 100,000 characters (and one of 1,000, the
longest POST /articles takes). Each line: what,
words, status and code (or "timeout"), seconds, the server's resident memory after it
(VmRSS) and its peak since the warm-up (VmHWM), in MB. The server gets the seeds first.
A server started here uses the real default model and a throw-away SQLite database.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import seed_metadata, seed_text  # noqa: E402
from tests.security.hostile import few_words, memory, near_copy, one_word, reset_peak  # noqa: E402
from tests.server import Server  # noqa: E402

MB = 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,10000,20000,50000", help="words, comma-separated")
    parser.add_argument("--paths", default="/similarity,/compare,/reuse/check")
    parser.add_argument("--timeout", type=float, default=300, help="seconds a request may take")
    parser.add_argument("--url", help="a server already running (else one is started)")
    parser.add_argument("--pid", type=int, help="that server's process id, for its memory")
    parser.add_argument("--stored-words", type=int, default=20_000)
    parser.add_argument("--steps", default="sizes,one-word,near-copy,titles", help="which inputs, comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        if args.url is None:
            server = Server({"STORYDIFF_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}", "STORYDIFF_API_KEY": "",
                             "STORYDIFF_REDIS_URL": "", "STORYDIFF_EMBEDDING_MODEL": "", "STORYDIFF_MAX_CONCURRENT_ANALYSES": ""})
        url, pid = (server.url, server.process.pid) if server is not None else (args.url, args.pid)
        try:
            run(url, pid, sizes, args.paths.split(","), args.timeout, args.stored_words, args.steps.split(","))
        finally:
            if server is not None:
                server.stop()


def run(url: str, pid: int | None, sizes: list[int], paths: list[str], timeout: float, stored_words: int, steps: list[str]) -> None:
    def mem() -> str:
        if pid is None:
            return ""
        m = memory(pid)
        return f"rss {m['VmRSS'] / MB:6.0f} MB  peak {m['VmHWM'] / MB:6.0f} MB"

    with httpx.Client(base_url=url, timeout=timeout) as http:

        def send(label: str, words: int, path: str, body: object) -> httpx.Response | None:
            started = time.perf_counter()
            try:
                response = http.post(path, json=body)
            except httpx.TimeoutException:
                print(f"{label:34s} {words:7d}  timeout     {time.perf_counter() - started:7.1f} s  {mem()}", flush=True)
                return None
            code = response.json().get("code", "") if response.status_code >= 400 else ""
            print(f"{label:34s} {words:7d}  {response.status_code} {code:22s} {time.perf_counter() - started:7.1f} s  {mem()}", flush=True)
            return response

        ids = []
        for meta in seed_metadata():
            body = {"text": seed_text(str(meta["id"])), "title": meta["title"], "published_at": meta["published"], "language": meta["language"]}
            ids.append(http.post("/articles", json=body).json()["article"]["id"])
        http.post("/compare", json={"a": ids[1], "b": ids[3]})
        if pid is not None:
            reset_peak(pid)  # the peak from here on, not the model's loading
        print(f"{'after warm-up (5 seeds, a compare)':34s} {'':7s}  {'':26s} {'':9s}  {mem()}", flush=True)

        base = few_words(max(sizes + [stored_words]))
        stored = " ".join(base.split()[:stored_words])  # the copy check finds it in the texts below
        send("POST /articles (to store)", stored_words, "/articles", {"text": stored, "published_at": "2019-05-15"})
        for n in sizes if "sizes" in steps else ():
            a = " ".join(base.split()[:n])
            b = near_copy(a)
            for path in paths:
                body: object = {"text": b} if path == "/reuse/check" else {"a": {"text": a}, "b": {"text": b}}
                send(f"POST {path}", n, path, body)
        for path in paths if "one-word" in steps else ():
            if path != "/reuse/check":
                send(f"POST {path} (one word)", 20_000, path, {"a": {"text": one_word(20_000)}, "b": {"text": near_copy(one_word(20_000))}})
        if "near-copy" in steps:
            send("POST /articles (near copy of it)", stored_words, "/articles", {"text": near_copy(stored), "published_at": "2019-05-16"})
        short = "خبر قصير عن المباحثات في سوتشي بين لافروف وبومبيو"
        for chars in (100_000, 1_000) if "titles" in steps else ():
            send(f"POST /articles (title {chars:,} chars)", 9, "/articles", {"text": short, "title": "ك" * chars})
            send(f"POST /similarity (title {chars:,} chars)", 9, "/similarity", {"a": ids[0], "b": {"text": short, "title": "ل" * chars}})


if __name__ == "__main__":
    main()
