"""PAN text-alignment format and measures (Potthast et al., 2010), for AraPlagDet and the like.

A case is a passage of a suspicious document and its source passage, in characters.
- precision: per detection, the share of its characters (both sides) that belong to
  gold cases it detects; averaged over detections;
- recall: per gold case, the share of its characters covered by detections of it;
  averaged over cases;
- granularity: detections per detected case (1 is ideal);
- plagdet = F1 / log2(1 + granularity).
A detection "detects" a case when they overlap in the suspicious AND in the source text.

Example:
    >>> gold = [Case("s1", 0, 100, "src1", 0, 100)]
    >>> round(measures(gold, [Case("s1", 0, 50, "src1", 0, 50)]).recall, 2)
    0.5
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Case:
    """A copied passage: ``this`` document's span and its ``source`` document's span."""

    this_reference: str
    this_offset: int
    this_length: int
    source_reference: str
    source_offset: int
    source_length: int
    obfuscation: str | None = None


@dataclass(frozen=True, slots=True)
class Measures:
    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int


def read_cases(path: Path, *, feature: str = "plagiarism") -> list[Case]:
    """The cases of one PAN XML file (gold: ``plagiarism``; output: ``detected-plagiarism``)."""
    root = ET.parse(path).getroot()
    reference = root.get("reference", path.stem + ".txt")
    cases = []
    for node in root.iter("feature"):
        if node.get("name") != feature:
            continue
        cases.append(
            Case(
                reference,
                int(node.get("this_offset", 0)),
                int(node.get("this_length", 0)),
                node.get("source_reference", ""),
                int(node.get("source_offset", 0)),
                int(node.get("source_length", 0)),
                node.get("obfuscation"),
            )
        )
    return cases


def write_detections(path: Path, reference: str, detections: list[Case]) -> None:
    """One PAN XML of ``detected-plagiarism`` features."""
    root = ET.Element("document", reference=reference)
    for d in detections:
        ET.SubElement(
            root,
            "feature",
            name="detected-plagiarism",
            this_offset=str(d.this_offset),
            this_length=str(d.this_length),
            source_reference=d.source_reference,
            source_offset=str(d.source_offset),
            source_length=str(d.source_length),
        )
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _detects(case: Case, detection: Case) -> bool:
    return (
        case.this_reference == detection.this_reference
        and case.source_reference == detection.source_reference
        and _overlap(case.this_offset, case.this_offset + case.this_length, detection.this_offset, detection.this_offset + detection.this_length) > 0
        and _overlap(case.source_offset, case.source_offset + case.source_length, detection.source_offset, detection.source_offset + detection.source_length) > 0
    )


def _covered(intervals: list[tuple[int, int]], start: int, end: int) -> int:
    """Characters of [start, end) covered by the union of ``intervals``."""
    clipped = sorted((max(s, start), min(e, end)) for s, e in intervals if min(e, end) > max(s, start))
    total, position = 0, start
    for s, e in clipped:
        s = max(s, position)
        if e > s:
            total += e - s
            position = e
    return total


def _coverage(target: Case, others: list[Case]) -> int:
    """Characters of ``target`` (both sides) covered by ``others``."""
    this = _covered([(o.this_offset, o.this_offset + o.this_length) for o in others], target.this_offset, target.this_offset + target.this_length)
    source = _covered([(o.source_offset, o.source_offset + o.source_length) for o in others], target.source_offset, target.source_offset + target.source_length)
    return this + source


def measures(gold: list[Case], detections: list[Case]) -> Measures:
    """PAN precision, recall, granularity and plagdet of ``detections`` against ``gold``."""
    by_pair: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for d in detections:
        by_pair[(d.this_reference, d.source_reference)].append(d)
    gold_by_pair: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for g in gold:
        gold_by_pair[(g.this_reference, g.source_reference)].append(g)

    recall_sum, detected, granularity_sum = 0.0, 0, 0
    for case in gold:
        hits = [d for d in by_pair[(case.this_reference, case.source_reference)] if _detects(case, d)]
        recall_sum += _coverage(case, hits) / (case.this_length + case.source_length)
        if hits:
            detected += 1
            granularity_sum += len(hits)
    precision_sum = 0.0
    for d in detections:
        hits = [g for g in gold_by_pair[(d.this_reference, d.source_reference)] if _detects(g, d)]
        size = d.this_length + d.source_length
        precision_sum += _coverage(d, hits) / size if size else 0.0
    precision = precision_sum / len(detections) if detections else 0.0
    recall = recall_sum / len(gold) if gold else 0.0
    granularity = granularity_sum / detected if detected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Measures(precision, recall, granularity, f1 / math.log2(1 + granularity), len(gold), len(detections))
