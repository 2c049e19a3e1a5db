"""The labelled copy links (tests/data/flag_links, and the held-out set of other days,
tests/data/flag_links_heldout) keep the format their READMEs state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
SETS = [DATA / "flag_links", DATA / "flag_links_heldout"]
LINK_KEYS = {
    "link", "target_url", "source_url", "target_outlet", "source_outlet", "target_published",
    "source_published", "share", "label", "credited", "credit", "spans",
}
LABELS = {"copy", "shared_source", "template", "not_copy"}
DIRECTIONS = {"as_flagged", "reversed", "unknown"}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_links_are_distinct_cross_outlet_and_numbered(folder: Path) -> None:
    links = _lines(folder / "links.jsonl")
    assert [x["link"] for x in links] == list(range(len(links)))
    assert all(set(x) == LINK_KEYS for x in links)
    assert all(x["target_outlet"] != x["source_outlet"] for x in links)
    assert len({(x["target_url"], x["source_url"]) for x in links}) == len(links)
    if folder.name == "flag_links":  # drawn from a store whose direction was the time alone
        assert all(x["source_published"] <= x["target_published"] for x in links)
    assert all(x["label"] in {"wholly", "partially", "non"} and 0 < x["share"] <= 1 and x["spans"] >= 1 for x in links)
    assert all(x["credited"] == (x["credit"] is not None) for x in links)


def _check(label: dict, path: Path, count: int) -> None:
    keys = {"link", "label", "reason"} | ({"direction"} if label.get("label") == "copy" else set())
    assert set(label) == keys, (path, label)
    assert 0 <= label["link"] < count, (path, label)
    assert label["label"] in LABELS and label["reason"].strip() and "\n" not in label["reason"], (path, label)
    assert label["label"] != "copy" or label["direction"] in DIRECTIONS, (path, label)


@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_labels_name_known_links_once_with_a_reason(folder: Path) -> None:
    """Each part (labels-a, labels-b, ...) labels its own links; second-reader.jsonl, the second reader's, may repeat them."""
    count = len(_lines(folder / "links.jsonl"))
    seen: set[int] = set()
    for path in sorted(folder.glob("labels-?.jsonl")):
        for label in _lines(path):
            _check(label, path, count)
            assert label["link"] not in seen, (path, label["link"])
            seen.add(label["link"])
    assert seen == set(range(count))  # every link labelled
    second = folder / "second-reader.jsonl"
    if second.exists():
        links = [label["link"] for label in _lines(second)]
        assert len(set(links)) == len(links)
        for label in _lines(second):
            _check(label, second, count)
