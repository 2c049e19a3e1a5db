"""DESIGN.md's layering, enforced by walking the imports of every module."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parent.parent / "service"
PURE = ("text", "reuse", "embed", "stories", "compare")
FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "psycopg")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules() -> list[tuple[str, set[str]]]:
    return [(str(p.relative_to(SERVICE)), _imports(p)) for p in SERVICE.rglob("*.py") if "migrations" not in p.parts]


def test_pure_layers_import_no_framework() -> None:
    bad = [
        (module, name)
        for module, names in _modules()
        if module.split("/")[0] in PURE or module == "domain.py"
        for name in names
        if name.split(".")[0] in FRAMEWORKS
    ]
    assert not bad, bad


def test_storage_imports_domain_only_from_the_service() -> None:
    allowed = ("service.domain", "service.errors", "service.storage")
    bad = [
        (module, name)
        for module, names in _modules()
        if module.startswith("storage/")
        for name in names
        if name.startswith("service.") and not name.startswith(allowed)
    ]
    assert not bad, bad


def test_nothing_imports_api_or_cli() -> None:
    bad = [
        (module, name)
        for module, names in _modules()
        if not module.startswith("api/") and module != "cli.py"
        for name in names
        if name.startswith(("service.api", "service.cli"))
    ]
    assert not bad, bad
