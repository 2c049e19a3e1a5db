"""The storydiff command, called as main(argv) on a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from service.config import Settings
from tests.conftest import SEEDS


def _run(capsys: pytest.CaptureFixture[str], settings: Settings, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), settings=settings)
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_then_list_json(capsys: pytest.CaptureFixture[str], settings: Settings) -> None:
    code, out, _ = _run(capsys, settings, "seed", "--dir", str(SEEDS))
    assert code == 0 and json.loads(out)["stored"] == 5
    code, out, _ = _run(capsys, settings, "seed", "--dir", str(SEEDS))
    assert json.loads(out) | {"ids": None} == {"stored": 0, "existing": 5, "ids": None}  # idempotent
    code, out, _ = _run(capsys, settings, "articles", "--json")
    listed = json.loads(out)
    assert code == 0 and listed["total"] == 5
    by_title = {a["title"]: a for a in listed["items"]}
    assert "بوتين: نسعى إلى تطبيع كامل للعلاقات مع واشنطن" in by_title
    assert all(a["language"] == "ar" and a["clean_text"] for a in listed["items"])


def test_ingest_files_of_every_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Settings) -> None:
    (tmp_path / "a.txt").write_text("العنوان هنا\nنص الخبر الأول عن لقاء سوتشي بين الوزيرين.", encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"text": "Second story about the Sochi meeting.", "outlet": "X"}), encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"text": "Third story, in a bulk file."}) + "\n{oops\n" + json.dumps({"text": "Fourth story."}) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "d.html").write_text(
        "<html><body><article><p>Fifth story, from an HTML page with enough words to be extracted as an article "
        "by the extractor, about the talks in Sochi between the two ministers.</p></article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "e.txt").write_bytes(b"title\n\xff\xfe broken")
    files = [str(tmp_path / n) for n in ("a.txt", "b.json", "c.jsonl", "d.html", "e.txt")]
    code, out, err = _run(capsys, settings, "ingest", *files, "--published", "2019-05-15", "--quiet")
    assert code == 1  # some failed
    assert json.loads(out.strip().splitlines()[-1]) == {"stored": 5, "existing": 0, "failed": 2}
    assert "c.jsonl:2" in err and "invalid_json" in err and "invalid_utf8" in err
    code, out, _ = _run(capsys, settings, "ingest", *files, "--quiet")  # a rerun resumes: nothing duplicated
    assert json.loads(out.strip().splitlines()[-1])["existing"] == 5
    code, out, _ = _run(capsys, settings, "articles", "--json")
    items = json.loads(out)["items"]
    assert len(items) == 5
    titled = [a for a in items if a["title"] == "العنوان هنا"]
    assert titled and titled[0]["text"] == "نص الخبر الأول عن لقاء سوتشي بين الوزيرين."
    assert all(a["published_at"].startswith("2019-05-15") for a in items)


def test_bad_date_option_is_a_clear_error(capsys: pytest.CaptureFixture[str], settings: Settings) -> None:
    code, _, err = _run(capsys, settings, "articles", "--since", "last week")
    assert code == 2 and "[invalid_date]" in err


def test_bulk_ingest_embeds_each_batch_in_one_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.pipeline.story_docs as story_docs

    calls: list[int] = []
    real = story_docs.describe_many

    def counting(articles, *, encoder):  # type: ignore[no-untyped-def]
        calls.append(len(articles))
        return real(articles, encoder=encoder)

    monkeypatch.setattr(story_docs, "describe_many", counting)
    lines = [json.dumps({"text": f"خبر رقم {n} عن اجتماع الوزراء في الرياض حول الموازنة {n * 7}.", "outlet": "X"}) for n in range(10)]
    (tmp_path / "bulk.jsonl").write_text("\n".join(lines + lines[:2]) + "\n", encoding="utf-8")
    none = settings.model_copy(update={"embedding_model": "none"})
    code, out, _ = _run(capsys, none, "ingest", str(tmp_path / "bulk.jsonl"), "--quiet")
    assert code == 0 and json.loads(out) == {"stored": 10, "existing": 2, "failed": 0}
    assert calls == [10]  # the ten new articles in one call; storing them found every doc ready
    code, out, _ = _run(capsys, none, "ingest", str(tmp_path / "bulk.jsonl"), "--quiet")
    assert json.loads(out)["existing"] == 12 and calls == [10]  # a rerun embeds nothing


def test_embedded_ahead_keeps_order_and_reports_progress(settings: Settings) -> None:
    from service.pipeline.runtime import Runtime

    prepared: list[int] = []
    ticks: list[int] = []
    with Runtime.open(settings) as runtime:
        runtime.prepare_batch = lambda articles: prepared.append(len(articles))  # type: ignore[method-assign]
        out = list(runtime.embedded_ahead(range(7), article_of=lambda n: n if n % 2 else None, progress=lambda: ticks.append(1), batch=3))
    assert out == list(range(7)) and len(ticks) == 7
    assert prepared == [1, 2, 0]  # odd items of [0 1 2], [3 4 5], [6]


def test_an_article_stored_before_an_interruption_is_finished_by_the_rerun(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    from service.pipeline.runtime import Runtime

    none = settings.model_copy(update={"embedding_model": "none"})
    lines = [json.dumps({"text": f"خبر رقم {n} عن اجتماع الوزراء في الرياض حول الموازنة العامة للدولة {n * 7}.", "outlet": "X"}) for n in range(3)]
    (tmp_path / "bulk.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _run(capsys, none, "ingest", str(tmp_path / "bulk.jsonl"), "--quiet")
    with Runtime.open(none) as runtime:  # as if the ingest had stopped right after storing the last one
        last = runtime.store.list(limit=50).items[0].id
        with runtime.store.engine.begin() as conn:
            runtime.store.stories.leave(conn, last)
        runtime.store.clear_job("story")
        assert runtime.story_of(last) is None
    code, out, _ = _run(capsys, none, "ingest", str(tmp_path / "bulk.jsonl"), "--quiet")
    assert json.loads(out)["existing"] == 3
    with Runtime.open(none) as runtime:
        assert runtime.story_of(last) is not None and "story" in runtime.store.jobs_done(last)
