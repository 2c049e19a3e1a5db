"""Texts that make analyses costly, and the resident memory of a server process.

The texts have no sentence punctuation and few distinct words: one sentence of
thousands of words, every word and trigram repeated, every window like every other,
which is what made alignment and sentence pairing quadratic.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"


def vocabulary(size: int = 40) -> list[str]:
    """The first ``size`` distinct words (3+ letters) of seed 001: real Arabic words."""
    text = (SEEDS / "001_b20770630bddb0e8.txt").read_text(encoding="utf-8")
    words: list[str] = []
    for word in re.findall(r"\w+", text):
        if len(word) >= 3 and not word.isdigit() and word not in words:
            words.append(word)
    return words[:size]


def few_words(count: int, *, seed: int = 0) -> str:
    """``count`` words drawn from a 40-word vocabulary, no punctuation, one line."""
    words = vocabulary()
    picks = np.random.default_rng(seed).integers(0, len(words), count)
    return " ".join(words[i] for i in picks)


def one_word(count: int) -> str:
    return " ".join(["كلمة"] * count)


def near_copy(text: str, *, every: int = 19) -> str:
    """``text`` with one word in ``every`` replaced: a lightly edited copy."""
    return " ".join("تعديل" if i % every == every - 1 else w for i, w in enumerate(text.split()))


def reset_peak(pid: int) -> None:
    """Start process ``pid``'s VmHWM again from its resident memory now (Linux: "5" to
    clear_refs), so that a later peak is what came after, not the model's loading."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def memory(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident) of process ``pid``, in bytes."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(value.split()[0]) * 1024
    return out
