"""Sentence vectors: the Encoder capability, model resolution and the offline default model.

torch and sentence-transformers load only with a model, so importing this is cheap.
"""

from __future__ import annotations

from service.embed.encoder import Encoder, SentenceTransformerEncoder, load_encoder
from service.embed.materialize import DEFAULT_MODEL_ID, materialize_default_model
from service.embed.resolve import resolve_model
from service.errors import ModelUnavailable

__all__ = [
    "DEFAULT_MODEL_ID",
    "Encoder",
    "ModelUnavailable",
    "SentenceTransformerEncoder",
    "load_encoder",
    "materialize_default_model",
    "resolve_model",
]
