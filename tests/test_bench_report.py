"""The report benchmark opens every diagram in a real Chromium, and fails when it cannot.

Its script once ended in ``}})()`` (half of it was not an f-string), Chromium
answered with a SyntaxError that nobody read, and the benchmark printed no
opening time and exited 0.  Here a small run must report every diagram open,
and the same run with a script that throws, or does not parse, must fail and
say why.  Nothing here asserts a time.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from browsers.chromium import INSTALL_HINT, find_chromium

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_report.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_report_under_test", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["measure"]: r for r in document["rows"]}


@pytest.fixture
def chromium() -> None:
    if find_chromium() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)


def test_a_quick_run_opens_every_diagram(chromium: None):
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--scenarios", "40", "--json"],
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["benchmark"] == "report"
    for r in document["rows"]:
        assert set(r) == {"measure", "value", "unit", "goal", "met"}
        assert isinstance(r["value"], float)
    rows = _rows(document)
    opened = rows["diagrams open and laid out"]
    assert (opened["value"], opened["goal"], opened["met"]) == (40.0, "all 40", True)
    assert rows["page errors, exceptions and requests"]["met"] is True
    # Both openings were timed: the "Open failed" button (2 failed of 40) and all 40.
    for measure in (
        "open the 2 failed diagrams (button): painted",
        "open all 40 diagrams: script + layout",
        "open all 40 diagrams: painted",
    ):
        assert rows[measure]["unit"] == "ms"
        assert rows[measure]["value"] > 0
    assert not any(note.startswith("FAILED") for note in document["notes"])


@pytest.mark.parametrize(
    ("script", "said"),
    [
        # The old bug, as it was: the tail of the script kept its doubled braces.
        (
            "(() => { const t = performance.now(); return performance.now() - t; }})()",
            "SyntaxError",
        ),
        ("(async () => { throw new Error('injected for the test'); })()", "injected for the test"),
    ],
    ids=["syntax-error", "throws"],
)
def test_a_broken_opening_script_fails_the_bench(
    chromium: None,
    script: str,
    said: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    bench = _bench()
    monkeypatch.setattr(bench, "OPENING", script)
    assert bench.main(["--scenarios", "20", "--json"]) == 1
    out, err = capsys.readouterr()
    assert "bench_report: FAILED: the opening script threw in Chromium" in err
    assert said in err
    rows = _rows(json.loads(out))
    assert rows["diagrams open and laid out"]["met"] is False
    assert not any("open all" in measure for measure in rows)


def test_a_diagram_that_did_not_open_is_a_failure():
    problems = _bench().opening_problems
    counts = {"failedLayoutMs": 1.0, "failedPaintedMs": 2.0, "allLayoutMs": 3.0}
    good = {**counts, "failed": {"total": 5, "opened": 5}, "all": {"total": 100, "opened": 100}}
    assert problems(good, None, 100, 5) == []
    one_closed = {**good, "all": {"total": 100, "opened": 99}}
    assert problems(one_closed, None, 100, 5) == [
        "1 of 100 diagrams did not open (closed, or laid out with no height)"
    ]
    missing = {**good, "all": {"total": 90, "opened": 90}}
    assert problems(missing, None, 100, 5) == ["the page has 90 diagrams, the run has 100"]
    assert problems(None, None, 100, 5) == [
        "the opening script returned None, not its measurements"
    ]
