"""DESIGN.md's layering, enforced by walking the imports of every module."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parent.parent / "service"
PURE = ("intake", "text", "reuse", "embed", "stories", "compare")
ROOT_MODULES = {"__init__.py", "cli.py", "config.py", "domain.py", "errors.py"}
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


def test_the_service_root_holds_only_its_four_modules() -> None:
    assert {p.name for p in SERVICE.glob("*.py")} == ROOT_MODULES


def test_intake_reads_no_store_and_no_pipeline() -> None:
    bad = [
        (module, name)
        for module, names in _modules()
        if module.startswith("intake/")
        for name in names
        if name.startswith(("service.storage", "service.pipeline", "service.reuse", "service.stories", "service.embed"))
    ]
    assert not bad, bad


def test_evaluation_code_is_not_imported_by_the_service() -> None:
    bad = [
        (module, name)
        for module, names in _modules()
        if not module.startswith("eval/")
        for name in names
        if name.startswith("service.eval")
    ]
    assert not bad, bad


def test_every_package_says_what_it_owns() -> None:
    silent = [str(p.relative_to(SERVICE)) for p in SERVICE.rglob("__init__.py") if "migrations" not in p.parts and not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert silent == ["__init__.py"], silent
