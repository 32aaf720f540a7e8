"""The bundled features give the same verdicts while a CPU core is kept busy.

A verdict that depends on how fast the machine is (a reply expected *not* to come
within 100 ms of a step that may itself start late) flips on a slow CI machine.
docs/verdicts.md reviews every window of the bundled features and restates those on
markers; this test is the check: it runs the bundled features without ``@load`` in a
subprocess, as `behave` does in the repository, while a busy loop holds one core
(pinned to it, so it never wanders off), and expects every scenario behave selects
to pass, the same ones as in the normal run (tests/test_behave_runs.py).

The busy loop stops by itself after its own deadline and is killed when the test
ends, pass or fail; the test also checks it was still spinning when the run ended,
so the core was busy the whole time. ``BUSY_CORES=2`` in the environment keeps two
cores busy instead (for hunting flaky verdicts by hand; on a two-core machine the
suite then shares its cores with both loops).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from subprocesses import run_module

ROOT = Path(__file__).resolve().parent.parent

BUSY_SECONDS = 240.0
"""The busy loop's own deadline: it ends then even if nobody kills it."""

_BUSY_LOOP = """\
import sys, time
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    pass
"""

SELECTION = ("--tags=not @load", "features")


def _cpus() -> list[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


@pytest.fixture
def busy_cores() -> Iterator[list[subprocess.Popen[bytes]]]:
    """One busy loop per core to keep busy (``BUSY_CORES``, default 1), each pinned."""
    wanted = int(os.environ.get("BUSY_CORES", "1"))
    cpus = _cpus()
    loops: list[subprocess.Popen[bytes]] = []
    try:
        for n in range(wanted):
            loop = subprocess.Popen(
                [sys.executable, "-c", _BUSY_LOOP, str(BUSY_SECONDS)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            loops.append(loop)
            if cpus:
                os.sched_setaffinity(loop.pid, {cpus[n % len(cpus)]})
        yield loops
    finally:
        for loop in loops:
            loop.kill()
        for loop in loops:
            loop.wait(timeout=10)


def _scenarios(report: Path) -> dict[str, str]:
    """``file:line name`` → status, one per scenario (each Outline row its own)."""
    features: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8") or "[]")
    found: dict[str, str] = {}
    for feature in features:
        for element in feature.get("elements", []):
            if element.get("type") == "background":
                continue
            key = f"{element['location']} {element['name']}"
            assert key not in found, f"two scenarios read the same: {key}"
            found[key] = element.get("status", "untested")
    return found


def _failures(report: Path) -> str:
    """The failed steps of a behave JSON report, with their sentences."""
    lines = []
    for feature in json.loads(report.read_text(encoding="utf-8") or "[]"):
        for element in feature.get("elements", []):
            for step in element.get("steps", []):
                result = step.get("result", {})
                if result.get("status") in ("failed", "error", "undefined"):
                    message = result.get("error_message") or ""
                    if isinstance(message, list):
                        message = "\n".join(message)
                    lines.append(f"{element['location']} {step['keyword']} {step['name']}")
                    lines.append(f"    {message[:1500]}")
    return "\n".join(lines)


def test_the_bundled_features_pass_with_a_core_kept_busy(tmp_path: Path, busy_cores):
    selected = tmp_path / "selected.json"
    dry = run_module(
        ROOT, "behave", "--no-color", "--dry-run", *SELECTION, "-f", "json", "-o", str(selected)
    )
    assert dry.returncode == 0, dry.stdout[-3000:] + dry.stderr[-3000:]
    expected = _scenarios(selected)
    assert len(expected) > 50, "the selection should hold the bundled features"

    report = tmp_path / "busy.json"
    result = run_module(ROOT, "behave", "--no-color", *SELECTION, "-f", "json", "-o", str(report))
    spinning = [loop.poll() is None for loop in busy_cores]
    verdicts = _scenarios(report)

    assert result.returncode == 0, _failures(report) or result.stdout[-3000:] + result.stderr
    assert all(spinning), "a busy loop ended before the run did: the core was not busy"
    assert verdicts.keys() == expected.keys()
    assert {status for status in verdicts.values()} == {"passed"}
    assert f"{len(expected)} scenarios passed, 0 failed" in result.stdout
