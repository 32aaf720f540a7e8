"""bench_steps and bench_scenarios run to the end in their smoke size and print the JSON
document the results page reads (shape only: timings are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("script", "first"),
    [
        ("bench_steps.py", "40-exchange"),
        ("bench_scenarios.py", "fan-out to 200"),
    ],
)
def test_the_smoke_run_prints_one_json_document(script: str, first: str):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["benchmark"] == script.removesuffix(".py")
    assert all(isinstance(note, str) for note in document["notes"])
    rows = document["rows"]
    assert rows and all(set(row) == {"measure", "value", "unit", "goal", "met"} for row in rows), (
        rows
    )
    for row in rows:
        assert isinstance(row["measure"], str) and isinstance(row["unit"], str)
        assert isinstance(row["value"], float | int)
        assert (row["goal"] is None) == (row["met"] is None), row
        assert row["met"] in (True, False, None)
    assert rows[0]["measure"].startswith(first)
