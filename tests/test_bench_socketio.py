"""bench_socketio runs to the end in its smoke size against each real Socket.IO server, wsbdd's
sides included, and prints the JSON document the results page reads (shape only: timings are
never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("server", ["node", "python"])
def test_the_smoke_run_prints_one_json_document(server: str, node_socketio):
    # node_socketio: a missing Node or npm package fails here in one sentence, not in the bench.
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_socketio.py"), "--quick", "--json",
         "--server", server],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["benchmark"] == "bench_socketio"
    assert all(isinstance(note, str) for note in document["notes"])
    rows = document["rows"]
    assert rows and all(set(row) == {"measure", "value", "unit", "goal", "met"} for row in rows)
    for row in rows:
        assert isinstance(row["value"], float | int), row
        # A difference of two noisy medians (wsbdd − behave's no-op steps) may come out at or
        # below 0 in a smoke run of 40 round trips; every other row is a time or a ratio.
        assert row["value"] > 0 or " − " in row["measure"], row
        assert (row["goal"] is None) == (row["met"] is None), row
    measures = [row["measure"] for row in rows]
    assert "40 round trips, python-socketio's AsyncClient ÷ raw frames" in measures
    assert "fan-out to 100 clients, frames (median broadcast, median of rounds)" in measures
    # wsbdd's sides ran (behave on the generated features, through the Socket.IO steps).
    assert "40 round trips, wsbdd (median of rounds)" in measures
    assert "40 round trips, noop (median of rounds)" in measures
    assert "40 round trips, session (median of rounds)" in measures  # the Session API alone
    assert "40 round trips, wsbdd's Session API (no behave) ÷ AsyncClient" in measures
    assert "fan-out to 100 clients, wsbdd (median broadcast, median of rounds)" in measures
    assert not any("wsbdd sides not run" in note for note in document["notes"])
    goals = {row["measure"]: row["goal"] for row in rows if row["goal"]}
    assert goals == {
        "40 round trips, wsbdd ÷ python-socketio's AsyncClient": "≤ 1.3",
        # the same goal with the console CI containers often give (PYTHONUNBUFFERED=1)
        "40 round trips, wsbdd ÷ AsyncClient, behave's console unbuffered (PYTHONUNBUFFERED=1)": (
            "≤ 1.3"
        ),
        "fan-out to 100 clients, throughput wsbdd ÷ raw frames": "≥ 0.8",
    }
