"""mypy finds no type error in the package (settings: [tool.mypy] in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def mypy(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_package_type_checks(tmp_path):
    result = mypy(cache=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_mypy_reports_a_type_error_it_is_shown(tmp_path):
    """The check above can fail: the same settings catch a wrong type in a module."""
    wrong = tmp_path / "wrong.py"
    wrong.write_text("from wsbdd.model.message import Message\n\nsize: int = Message.__name__\n")
    result = mypy(str(wrong), cache=tmp_path / "cache")
    assert result.returncode == 1
    assert "wrong.py:3: error: Incompatible types in assignment" in result.stdout
