"""The layers hold: pure modules import no I/O library and nothing above them.

Each module is imported alone in a fresh interpreter, and the modules it brought
in are compared with what its layer may use (docs/architecture.md).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

IO_LIBRARIES = ("websockets", "httpx", "behave", "uvloop")

PURE = [
    "wsbdd.message",
    "wsbdd.inbox",
    "wsbdd.expect",
    "wsbdd.match",
    "wsbdd.match.grammar",  # the one grammar: importing it registers no step (no behave)
    "wsbdd.variables",
    "wsbdd.transcript",
    "wsbdd.response",
    "wsbdd.expect_response",
    "wsbdd.handshake",
    "wsbdd.address",
    "wsbdd.secrets",
]
"""May import only each other, errors and the standard library (plus jsonpath/hamcrest)."""

ABOVE_THE_FACADE = ("wsbdd.steps", "wsbdd.vocabulary", "wsbdd.report", "wsbdd.environment")


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
    allowed = (*PURE, "wsbdd.errors", "wsbdd.config")
    wsbdd_modules = {m for m in modules if m.startswith("wsbdd.")}
    above = sorted(
        m for m in wsbdd_modules if not any(m == a or m.startswith(a + ".") for a in allowed)
    )
    assert above == []


def test_the_python_api_needs_neither_behave_nor_the_reports():
    modules = imported_by("wsbdd.session")
    assert roots(modules, "behave") == []
    assert [m for m in modules if m.startswith(ABOVE_THE_FACADE)] == []
