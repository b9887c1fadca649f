"""solver/ knows nothing of Qt or the GUI: checked three ways (issue 2, docs/solver-api.md)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOLVER = REPO / "solver"
FORBIDDEN = ("PySide6", "pyqtgraph", "shiboken6", "gui")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import statement in a file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def forbidden_imports(path: Path) -> list[str]:
    return [
        f"{path.relative_to(REPO)}:{line}: import {module}"
        for line, module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    ]


SOLVER_FILES = sorted(SOLVER.glob("**/*.py"))


def test_the_solver_package_is_there():
    assert (SOLVER / "__init__.py") in SOLVER_FILES
    assert (SOLVER / "run.py") in SOLVER_FILES


@pytest.mark.parametrize("path", SOLVER_FILES, ids=lambda p: str(p.relative_to(SOLVER)))
def test_solver_module_imports_no_qt_and_no_gui(path):
    assert forbidden_imports(path) == []


def test_the_ast_check_catches_a_qt_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy\n\ndef f():\n    from PySide6.QtCore import QObject\n"
                   "    import gui.plots as plots\n")
    found = [m for _, m in imported_modules(bad) if m.split(".")[0] in FORBIDDEN]
    assert found == ["PySide6.QtCore", "gui.plots"]


def test_import_linter_contract_is_kept():
    """The contract in pyproject.toml, checked by import-linter (lint-imports)."""
    result = subprocess.run(
        [sys.executable, "-c",
         "import sys; from importlinter.cli import lint_imports_command; "
         "sys.exit(lint_imports_command())",
         "--no-cache", "--no-logo"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "solver/ knows nothing of Qt or the GUI KEPT" in output
    assert "0 broken" in output


def test_importing_solver_loads_no_qt():
    code = (
        "import sys, solver\n"
        "from solver import Run, Settings, SettingsError, analyse\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6', 'gui'))\n"
        "print(','.join(bad))\n"
        "assert 'torch' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_importing_every_solver_module_loads_no_qt():
    code = (
        "import importlib, pkgutil, sys, solver\n"
        "for info in pkgutil.walk_packages(solver.__path__, 'solver.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6', 'gui'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
