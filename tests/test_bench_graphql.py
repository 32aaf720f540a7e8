"""bench_graphql runs to the end in its smoke size against the real Strawberry app, wsbdd's
side included, and prints the JSON document the results page reads (shape only: timings are
never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_smoke_run_prints_one_json_document():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_graphql.py"), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["benchmark"] == "bench_graphql"
    assert all(isinstance(note, str) for note in document["notes"])
    rows = document["rows"]
    assert rows and all(set(row) == {"measure", "value", "unit", "goal", "met"} for row in rows)
    for row in rows:
        assert isinstance(row["value"], float | int) and row["value"] > 0, row
        assert (row["goal"] is None) == (row["met"] is None), row
    goals = {row["measure"]: row["goal"] for row in rows if row["goal"]}
    assert goals == {
        "2 × 300 subscription results, wsbdd ÷ plain websockets (results per second)": "≥ 0.8"
    }
    measures = [row["measure"] for row in rows]
    assert "2 × 300 subscription results, wsbdd (median of rounds)" in measures
    assert "2 × 300 subscription results, plain websockets (median of rounds)" in measures
