"""The service's copy finder run over a PAN-format corpus (scripts/pan_align.py,
scripts/eval_pan.py): the same ``find_copies`` an article gets, on AraPlagDet and the like."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from service.eval.pan import Case, Measures, measures, read_cases, write_detections
from service.reuse.detect import find_copies
from service.reuse.index import PassageIndex
from service.reuse.signatures import sign_passages


@dataclass(frozen=True, slots=True)
class CorpusReport:
    documents: int
    detections: int
    sources: int
    passages: int


def _read(path: Path) -> str:
    # PAN offsets count the characters of the file as stored: keep "\r\n" as two.
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def detect_corpus(suspicious_dir: Path, sources_dir: Path, out_dir: Path, *, limit: int | None = None) -> CorpusReport:
    """Write PAN detections for every suspicious document, searching all sources through the index."""
    sources = sorted(sources_dir.glob("*.txt"))
    if not sources:
        raise FileNotFoundError(f"no source documents (*.txt) in {sources_dir}")
    index = PassageIndex()
    texts: dict[int, str] = {}
    passages = index.rebuild((n, sign_passages(texts.setdefault(n, _read(p)))) for n, p in enumerate(sources))
    out_dir.mkdir(parents=True, exist_ok=True)
    documents = sorted(suspicious_dir.glob("*.txt"))[:limit]
    total = 0
    for path in documents:
        text = _read(path)
        detections = [
            Case(path.name, s.a_start, s.a_end - s.a_start, sources[copy.other_id].name, s.b_start, s.b_end - s.b_start)
            for copy in find_copies(text, index, texts.__getitem__)
            for s in copy.spans
        ]
        write_detections(out_dir / (path.stem + ".xml"), path.name, detections)
        total += len(detections)
    return CorpusReport(len(documents), total, len(sources), passages)


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    rows: list[tuple[str, Measures]]
    clean_documents: int
    clean_without_detection: int


def evaluate_folder(gold_dir: Path, detections_dir: Path, *, limit: int | None = None, offset: int = 0) -> EvaluationReport:
    """PAN measures overall and per obfuscation type (a type's precision counts the detections of its cases).

    ``offset`` and ``limit`` select gold files in name order (e.g. a held-out half).
    """
    gold_files = sorted(gold_dir.glob("*.xml"))[offset:][:limit]
    gold: list[Case] = []
    detections: list[Case] = []
    clean = clean_quiet = 0
    for path in gold_files:
        cases = read_cases(path)
        found_path = detections_dir / path.name
        found = read_cases(found_path, feature="detected-plagiarism") if found_path.exists() else []
        gold += cases
        detections += found
        if not cases:
            clean += 1
            clean_quiet += not found
    rows = [("overall", measures(gold, detections))]
    by_type: dict[str, list[Case]] = defaultdict(list)
    for case in gold:
        by_type[case.obfuscation or "unknown"].append(case)
    for name, cases in sorted(by_type.items()):
        keys = {(c.this_reference, c.source_reference) for c in cases}
        own = [d for d in detections if (d.this_reference, d.source_reference) in keys]
        rows.append((name, measures(cases, own)))
    return EvaluationReport(rows, clean, clean_quiet)
