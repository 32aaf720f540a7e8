"""The layers hold: pure modules import no I/O library and nothing above them.

Two checks. The import contract in ``.importlinter`` (run with import-linter)
reads every import statement, including those inside functions, and fails when
a lower layer imports a higher one. And each pure module is imported alone in a
fresh interpreter, and the modules it brought in are compared with what its
layer may use (docs/architecture.md): that also sees imports made at run time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))

IO_LIBRARIES = ("websockets", "httpx", "behave", "uvloop")

PURE = [
    "wsbdd.model.message",
    "wsbdd.model.json_text",
    "wsbdd.model.inbox",
    "wsbdd.expect",
    "wsbdd.match",
    "wsbdd.match.grammar",  # the one grammar: importing it registers no step (no behave)
    "wsbdd.model.variables",
    "wsbdd.model.transcript",
    "wsbdd.model.response",
    "wsbdd.expect.response",
    "wsbdd.model.handshake",
    "wsbdd.model.address",
    "wsbdd.facade.identities",
    "wsbdd.model.secrets",
    "wsbdd.codec",
    "wsbdd.io.errors",
    "wsbdd.model.failures",
    "wsbdd.model.reconnection",
]
"""May import only each other, errors and the standard library (plus jsonpath/hamcrest)."""

ABOVE_THE_FACADE = ("wsbdd.steps", "wsbdd.vocabulary", "wsbdd.report", "wsbdd.glue.environment")


def imported_by(module: str) -> list[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(m for m in sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(result.stdout)


def roots(modules: list[str], *prefixes: str) -> list[str]:
    return sorted({m for m in modules if m.split(".")[0] in prefixes or m.startswith(prefixes)})


@pytest.mark.parametrize("module", PURE)
def test_a_pure_module_imports_no_io_and_nothing_above_it(module):
    modules = imported_by(module)
    assert roots(modules, *IO_LIBRARIES) == []
    allowed = (*PURE, "wsbdd.model.errors", "wsbdd.settings.config")
    wsbdd_modules = {m for m in modules if m.startswith("wsbdd.")}
    # A folder's own __init__ comes with its modules (wsbdd.model with wsbdd.model.message).
    above = sorted(
        m
        for m in wsbdd_modules
        if not any(m == a or m.startswith(a + ".") or a.startswith(m + ".") for a in allowed)
    )
    assert above == []


def test_failures_and_errors_are_the_bottom_layer():
    """Every layer raises and renders failures: they import no other wsbdd module."""
    for module in ("wsbdd.model.failures", "wsbdd.model.errors"):
        wsbdd_modules = {m for m in imported_by(module) if m.startswith("wsbdd.")}
        bottom = {"wsbdd.model", "wsbdd.model.failures", "wsbdd.model.errors"}
        assert wsbdd_modules <= bottom, module


def test_the_python_api_needs_neither_behave_nor_the_reports():
    modules = imported_by("wsbdd.facade.session")
    assert roots(modules, "behave") == []
    assert [m for m in modules if m.startswith(ABOVE_THE_FACADE)] == []


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package in ``project`` (its ``.importlinter``), uncached."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contract_holds():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "wsbdd", tmp_path / "wsbdd", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_contract_fails_when_a_lower_layer_imports_a_higher_one(tmp_path):
    project = copy_of_the_package(tmp_path)
    lower = project / "wsbdd/model/message.py"
    # Inside a function, as a lazy import would be: the contract still sees it.
    lower.write_text(
        lower.read_text() + "\n\ndef _session():\n    from wsbdd.facade.session import Session\n\n"
        "    return Session\n"
    )
    result = lint_imports(project)
    assert result.returncode != 0
    assert "Layers: nothing below imports anything above BROKEN" in result.stdout
    assert "wsbdd.model.message -> wsbdd.facade.session" in result.stdout


def test_the_contract_fails_when_a_pure_module_imports_an_io_library(tmp_path):
    project = copy_of_the_package(tmp_path)
    pure = project / "wsbdd/model/inbox.py"
    pure.write_text(pure.read_text() + "\n\nimport websockets  # noqa: E402, F401\n")
    result = lint_imports(project)
    assert result.returncode != 0
    assert "The pure layers import no I/O library BROKEN" in result.stdout
    assert "wsbdd.model.inbox -> websockets" in result.stdout
