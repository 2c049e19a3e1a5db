"""The documentation: current (the CLI page, the configuration table), free of work-log
telltales, and rendering as plain Markdown (tables whole, relative links and anchors that
resolve)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from service.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
RENDERED = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
CHECKED = [*RENDERED, ROOT / "models" / "README.md"]
# Read by the tests only (tests/conftest.py), not by the service's Settings.
TEST_VARIABLES = {"STORYDIFF_TEST_DATABASE_URL", "STORYDIFF_TEST_REDIS_URL", "STORYDIFF_REQUIRE_SERVICES"}

TELLTALES = {
    "a session number": re.compile(r"\bsession \d", re.IGNORECASE),
    "a /tmp/ path": re.compile(r"/tmp/"),
    '"not kept"': re.compile(r"not kept", re.IGNORECASE),
    "a bare commit hash": re.compile(r"\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b"),
}

_markdown = MarkdownIt("commonmark").enable("table")


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _tokens(path: Path) -> list[Token]:
    return _markdown.parse(path.read_text(encoding="utf-8"))


def _cells(line: str) -> int:
    """Cells of a GFM table row as written: split on pipes not escaped, outer pipes dropped."""
    row = line.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return len(re.split(r"(?<!\\)\|", row))


def _slug(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors: set[str] = set()
    tokens = _tokens(path)
    for opening, inline in zip(tokens, tokens[1:]):
        if opening.type == "heading_open":
            slug = _slug("".join(child.content for child in inline.children or []))
            unique, n = slug, 0
            while unique in anchors:
                n += 1
                unique = f"{slug}-{n}"
            anchors.add(unique)
    return anchors


def _links(tokens: list[Token]) -> list[str]:
    found = []
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open":
                found.append(str(child.attrs.get("href", "")))
            elif child.type == "image":
                found.append(str(child.attrs.get("src", "")))
    return found


def _load_cli_docs():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("cli_docs", ROOT / "scripts" / "cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_docs_page_exists_and_the_readme_links_each() -> None:
    expected = {"installation", "api", "cli", "pages", "configuration", "errors", "deployment", "troubleshooting", "how-it-works", "evaluation"}
    assert {p.stem for p in DOCS.glob("*.md")} >= expected
    links = {link.split("#")[0] for link in _links(_tokens(ROOT / "README.md"))}
    missing = sorted(f"docs/{p.name}" for p in DOCS.glob("*.md") if f"docs/{p.name}" not in links)
    assert not missing, f"README.md does not link {missing}"


def test_cli_page_is_current() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == _load_cli_docs().render(), (
        "docs/cli.md is out of date: run python scripts/cli_docs.py"
    )


def test_configuration_lists_exactly_the_settings() -> None:
    documented = set()
    for line in (DOCS / "configuration.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`(STORYDIFF_[A-Z0-9_]+)`\s*\|", line)
        if match:
            documented.add(match.group(1))
    settings = {f"STORYDIFF_{name.upper()}" for name in Settings.model_fields}
    assert documented == settings, f"documented only: {sorted(documented - settings)}; undocumented: {sorted(settings - documented)}"


@pytest.mark.parametrize("path", CHECKED, ids=_name)
def test_docs_name_only_variables_that_exist(path: Path) -> None:
    known = {f"STORYDIFF_{name.upper()}" for name in Settings.model_fields} | TEST_VARIABLES
    unknown = set()
    for name in re.findall(r"STORYDIFF_[A-Z0-9_]*[A-Z0-9](?:_\*)?", path.read_text(encoding="utf-8")):
        # STORYDIFF_STORY_*: a family, which must hold at least one variable.
        ok = any(k.startswith(name[:-1]) for k in known) if name.endswith("*") else name in known
        if not ok:
            unknown.add(name)
    assert not unknown, f"{_name(path)} names {sorted(unknown)}"


@pytest.mark.parametrize("path", CHECKED, ids=_name)
def test_no_work_log_telltales(path: Path) -> None:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for what, pattern in TELLTALES.items():
            for match in pattern.finditer(line):
                found.append(f"{_name(path)}:{number}: {what}: {match.group()!r}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", RENDERED, ids=_name)
def test_tables_render_whole(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    tokens = _tokens(path)
    problems, covered = [], set()
    header = 0
    for token in tokens:
        if token.map and token.type in ("table_open", "fence", "code_block", "html_block"):
            covered.update(range(*token.map))
        if token.type == "table_open":
            header = 0
        if token.type == "tr_open" and token.map:
            start = token.map[0]
            cells = _cells(lines[start])
            if not header:
                header = cells
            elif cells != header:
                problems.append(f"{_name(path)}:{start + 1}: {cells} cells, the header has {header}")
    for number, line in enumerate(lines):
        if line.lstrip().startswith("|") and number not in covered:
            problems.append(f"{_name(path)}:{number + 1}: a table line outside any table (broken table)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", RENDERED, ids=_name)
def test_relative_links_resolve(path: Path) -> None:
    problems = []
    for link in _links(_tokens(path)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", link, re.IGNORECASE) or link.startswith("//"):
            continue  # http:, https:, mailto: ...
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        if not file.exists():
            problems.append(f"{_name(path)}: {link}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            problems.append(f"{_name(path)}: {link}: no heading #{anchor} in {file.relative_to(ROOT)}")
    assert not problems, "\n".join(problems)
