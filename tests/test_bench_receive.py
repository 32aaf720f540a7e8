"""bench_receive runs to the end in a tiny size and prints the JSON document the results
page reads (shape only: timings are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_receive_prints_one_json_document():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_receive.py"), "--quick", "--frames", "50"]
        + ["--json"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["benchmark"] == "receive"
    measures = [row["measure"] for row in document["rows"]]
    assert "added by the seam per frame | p50" in measures
    assert all(set(row) == {"measure", "value", "unit", "goal", "met"} for row in document["rows"])
