"""An Encoder that remembers vectors by text: comparing stored articles again costs no
model call (their sentences are the same strings every time).

Example:
    >>> cached = CachedEncoder(encoder, max_items=50_000)  # doctest: +SKIP
    >>> cached.encode(["a sentence"]); cached.encode(["a sentence"])  # the second is free  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from service.embed.encoder import Encoder


class CachedEncoder:
    def __init__(self, encoder: Encoder, *, max_items: int = 50_000) -> None:
        if max_items < 1:
            raise ValueError(f"max_items must be at least 1, got {max_items}")
        self.encoder = encoder
        self.max_items = max_items
        self.model_id = getattr(encoder, "model_id", "")
        self.dim = getattr(encoder, "dim", 0)
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: list[str], *, kind: str = "passage") -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if (kind, t) not in self._vectors))
        if missing:
            fresh = self.encoder.encode(missing, kind=kind)
            with self._lock:
                for text, vector in zip(missing, fresh):
                    self._vectors[(kind, text)] = vector
                while len(self._vectors) > self.max_items:
                    self._vectors.popitem(last=False)
        with self._lock:
            rows = []
            for text in texts:
                vector = self._vectors.get((kind, text))
                if vector is None:  # evicted meanwhile by another thread's batch
                    vector = self.encoder.encode([text], kind=kind)[0]
                else:
                    self._vectors.move_to_end((kind, text))
                rows.append(vector)
        if not rows:
            return self.encoder.encode([], kind=kind)
        return np.stack(rows)
