"""The vector cache returns what the encoder gave, calling it only for unseen texts."""

from __future__ import annotations

import numpy as np
import pytest

from service.embed.cache import CachedEncoder


class CountingEncoder:
    """A fast double (the real model is exercised by tests/compare and tests/embed)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str], *, kind: str = "passage") -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[len(t), kind == "query"] for t in texts], dtype=np.float32).reshape(len(texts), 2)


def test_repeated_texts_are_not_encoded_again() -> None:
    inner = CountingEncoder()
    cached = CachedEncoder(inner, max_items=10)
    first = cached.encode(["ab", "abc", "ab"], kind="query")
    second = cached.encode(["abc", "ab"], kind="query")
    assert inner.calls == [["ab", "abc"]]
    assert first.tolist() == [[2, 1], [3, 1], [2, 1]] and second.tolist() == [[3, 1], [2, 1]]
    cached.encode(["ab"], kind="passage")  # another kind is another vector
    assert inner.calls[-1] == ["ab"]


def test_eviction_keeps_answers_right() -> None:
    inner = CountingEncoder()
    cached = CachedEncoder(inner, max_items=2)
    assert cached.encode(["a", "bb", "ccc"]).tolist() == [[1, 0], [2, 0], [3, 0]]
    assert cached.encode(["a"]).tolist() == [[1, 0]]
    assert cached.encode([]).shape == (0, 2)
    with pytest.raises(ValueError):
        CachedEncoder(inner, max_items=0)
