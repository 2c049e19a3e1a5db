"""Alignment under hostile input: bounded work, and the same result as the unbounded rules
wherever the bounds are not reached (naive references of those rules below)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.reuse import align as align_module
from service.reuse import seeds
from service.reuse.align import MAX_ALIGN_WORDS, _merge_neighbours, align
from service.reuse.detect import find_copies
from service.reuse.index import PassageIndex
from service.reuse.seeds import MAX_BAG_MATCHES, MAX_GRAM_REPEATS, Seed, bag_pairs, runs
from service.reuse.signatures import sign_passages
from service.reuse.tokens import _TokenCache, tokens
from tests.conftest import ROOT

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron sigma tau".split()


def _reference_runs(a, b):  # type: ignore[no-untyped-def]
    """The rule without bounds: every maximal run through a shared trigram, once."""
    grams: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(b.words) - 2):
        grams.setdefault(b.words[j : j + 3], []).append(j)
    out, covered = [], set()
    for i in range(len(a.words) - 2):
        for j in grams.get(a.words[i : i + 3], ()):
            if (i, j) in covered:
                continue
            k = 0
            while i + k < len(a.words) and j + k < len(b.words) and a.words[i + k] == b.words[j + k]:
                covered.add((i + k, j + k))
                k += 1
            out.append((i, i + k, j, j + k))
    return out


def _reference_merge(passages: list[Seed]) -> list[Seed]:
    """The merge rule as first written: rescan from the start after every merge."""
    merged = sorted(passages, key=lambda p: p.a0)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                if align_module._mergeable(merged[i], merged[j]):
                    merged[i] = align_module._union(merged[i], merged[j])
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged


texts = st.lists(st.sampled_from(WORDS[:5]), min_size=0, max_size=60).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_runs_are_the_unbounded_rule_below_the_repeat_bound(a_text: str, b_text: str) -> None:
    a, b = tokens(a_text), tokens(b_text)
    assert [(s.a0, s.a1, s.b0, s.b1) for s in runs(a, b)] == _reference_runs(a, b)


def test_a_trigram_repeated_throughout_starts_no_run_but_a_run_extends_over_it() -> None:
    filler = " ".join(["lorem ipsum dolor"] * (MAX_GRAM_REPEATS + 5))
    shared = "one two three four five six"
    a, b = tokens(f"{filler} {shared} lorem ipsum dolor"), tokens(f"{filler} x {filler} {shared} lorem ipsum dolor")
    found = [(s.a1 - s.a0, a.words[s.a0 : s.a1]) for s in runs(a, b)]
    # The only run is the one through the rare trigrams, extended both ways over the filler.
    assert len(found) == 1
    length, words = found[0]
    assert words[-9:] == tuple("one two three four five six lorem ipsum dolor".split()) and length > 9


def _passages(draw_values: list[tuple[int, int, int, int]]) -> list[Seed]:
    return [Seed(a0, a0 + la, b0, b0 + lb, la) for a0, la, b0, lb in draw_values]


passage_values = st.lists(
    st.tuples(st.integers(0, 400), st.integers(12, 60), st.integers(0, 400), st.integers(12, 60)), max_size=25
)


@settings(max_examples=300, deadline=None)
@given(passage_values)
def test_merge_neighbours_is_the_rescanning_rule(values: list[tuple[int, int, int, int]]) -> None:
    got = _merge_neighbours(_passages(values))
    want = _reference_merge(_passages(values))
    assert [(p.a0, p.a1, p.b0, p.b1, p.matched) for p in got] == [(p.a0, p.a1, p.b0, p.b1, p.matched) for p in want]


def _naive_pairs(a_bags, b_bags, dice):  # type: ignore[no-untyped-def]
    return [
        (r, c, len(x & y))
        for r, x in enumerate(a_bags)
        for c, y in enumerate(b_bags)
        if x & y and 2 * len(x & y) / (len(x) + len(y)) >= dice
    ]


bags_strategy = st.lists(st.frozensets(st.sampled_from(WORDS), min_size=1, max_size=8), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(bags_strategy, bags_strategy, st.booleans())
def test_bag_pairs_are_every_pair_over_the_dice_below_the_caps(a_bags, b_bags, sparse_path: bool) -> None:  # type: ignore[no-untyped-def]
    shared = frozenset().union(*a_bags) & frozenset().union(*b_bags)
    with pytest.MonkeyPatch.context() as patch:
        if sparse_path:  # blocks of one row, through the sparse product
            patch.setattr(seeds, "MAX_MATRIX_CELLS", 1)
        assert bag_pairs(a_bags, b_bags, shared, dice=0.5) == _naive_pairs(a_bags, b_bags, 0.5)


def test_bag_pairs_keep_the_best_partners_of_a_bag_then_the_earliest() -> None:
    target = frozenset(WORDS[:8])
    partial = frozenset(WORDS[:6]) | {"other", "words"}  # Dice 0.75 with the target
    b_bags = [partial] * 50 + [target] * 3 + [partial] * 50
    found = bag_pairs([target], b_bags, target, dice=0.5)
    # The 3 exact partners (Dice 1), then the earliest of the 100 at Dice 0.75; in row order.
    assert [c for _, c, _ in found] == list(range(MAX_BAG_MATCHES - 3)) + [50, 51, 52]


def test_the_seeds_of_a_pair_are_capped() -> None:
    bag = frozenset(WORDS[:10])
    found = bag_pairs([bag] * 2_000, [bag] * 2_000, bag, dice=0.5)
    assert len(found) == seeds.MAX_SEEDS
    assert max(np.bincount([r for r, _, _ in found])) <= MAX_BAG_MATCHES


def test_only_the_first_max_align_words_are_aligned() -> None:
    passage = " ".join(f"w{i}" for i in range(40))
    filler = " ".join(f"f{i}" for i in range(MAX_ALIGN_WORDS))
    assert align(f"{passage} {filler}", passage)  # inside the first words: found
    assert align(f"{filler} {passage}", passage) == []  # beyond them: not read


def _hostile(kind: str, n: int) -> str:
    if kind == "one word":
        return " ".join(["كلمة"] * n)
    if kind == "short phrase":
        return " ".join(WORDS[i % 7] for i in range(n))
    if kind == "phrase repeated 100 times":  # every trigram just at MAX_GRAM_REPEATS: all start runs
        period = n // MAX_GRAM_REPEATS
        return " ".join(f"p{i % period}" for i in range(n))
    rng = np.random.default_rng(0)
    return " ".join(WORDS[i] for i in rng.integers(0, len(WORDS), n))


def _near(text: str) -> str:
    words = text.split()
    return " ".join("changed" if i % 19 == 0 else w for i, w in enumerate(words))


_MEASURE = """
import json, sys, time
from tests.reuse.test_align_bounds import _hostile, _near
from service.reuse.align import MAX_ALIGN_WORDS, align
from service.reuse.tokens import tokens

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024

a = _hostile(sys.argv[1], MAX_ALIGN_WORDS)
b = _near(a)
tokens(a), tokens(b)  # tokenising is linear; what is bounded here is the alignment
before = hwm()
started = time.perf_counter()
align(a, b)
print(json.dumps({"seconds": time.perf_counter() - started, "rise": hwm() - before}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["one word", "short phrase", "phrase repeated 100 times", "small vocabulary"])
def test_hostile_texts_at_the_word_bound_align_in_bounded_time_and_memory(kind: str) -> None:
    # Without bounds, 10,000 words of one word held ~10^8 pairs (minutes, many GB). In a
    # process of its own, so that its peak resident memory is this alignment's.
    done = subprocess.run([sys.executable, "-c", _MEASURE, kind], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["seconds"] < 10, measured  # ~1 s on 2 cores
    assert measured["rise"] < 100e6, measured  # 13-23 MB measured: seed caps, matrix blocks (MAX_MATRIX_CELLS)


def test_the_token_cache_is_bounded_by_words() -> None:
    cache = _TokenCache(max_words=1_000)
    for i in range(50):
        cache.put(f"text {i}", tokens(" ".join(["w"] * 100) + f" {i}"))
    assert cache._words <= 1_000 and len(cache._items) == 9
    cache.put("long", tokens(" ".join(["w"] * 400)))  # over a quarter of the cache: not kept
    assert cache.get("long") is None and cache.get("text 49") is not None


def test_copies_are_looked_up_in_the_aligned_part_only() -> None:
    source = " ".join(f"s{i}" for i in range(60)) + "."
    index = PassageIndex()
    index.add(1, sign_passages(source))
    filler = " ".join(f"f{i}" for i in range(MAX_ALIGN_WORDS)) + "."
    assert [c.other_id for c in find_copies(f"{source}\n{filler}", index, {1: source}.__getitem__)] == [1]
    assert find_copies(f"{filler}\n{source}", index, {1: source}.__getitem__) == []
