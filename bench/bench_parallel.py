"""Benchmark: the bundled suite in one process vs ``--processes 2``, side by side in one run.

Two suites: the whole bundled suite (``wsbdd demo``, the ``@load`` scenarios
included), and the bundled suite without ``@load`` (``--tags "not @load"``).
Each round runs each suite's command twice, as a user would type it
(a fresh Python process, its reports written), once serial and once with
``--processes 2``, the order swapped every round so neither always runs first on
a warm or a busy machine; each kind keeps its reports folder over the rounds, as a
user's ``reports/`` is (so from the second round on the parallel run splits the
scenarios by the durations it measured).  Timed: the whole command's wall time.  Reported: the
median over rounds of parallel ÷ serial (goal ≤ 0.65 on 2 cores), both medians,
each round's ratio, and whether both runs counted the same scenarios.

The parallel run pays for what the serial one does not: planning (behave parses
every feature once more in the parent), a second Python with behave, wsbdd and its
own embedded demo server, and the merge of the shards' results before the reports
are written.  On a machine shared with other work the two processes also compete
with it, so the ratio moves with the machine's load: read it from one run.

Bounded: each command has a deadline (300 s); a round takes about a minute here.
``--quick``: one round of the suite without ``@load``.

Run:  python bench/bench_parallel.py [--rounds 3] [--processes 2] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_steps  # noqa: E402  (the results table)

DEADLINE = 300.0
GOAL = 0.65


def _counts(reports: Path) -> dict[str, int]:
    data = json.loads((reports / "results.json").read_text(encoding="utf-8"))
    counts = {"passed": 0, "failed": 0, "other": 0}
    for feature in data["features"]:
        for scenario in feature["scenarios"]:
            status = scenario["status"]
            counts[status if status in counts else "other"] += 1
    return counts


SUITES = {
    "whole bundled suite (wsbdd demo)": [],
    "bundled suite without @load": ["--tags", "not @load"],
}


def one_run(processes: int | None, reports: Path, args: list[str]) -> tuple[float, dict[str, int]]:
    """The wall time of one ``wsbdd demo`` and its scenario counts."""
    command = [sys.executable, "-m", "wsbdd", "demo", *args, "--reports", str(reports)]
    if processes:
        command += ["--processes", str(processes)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=DEADLINE
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"bench_parallel: FAILED: {' '.join(command[2:])} exited {done.returncode}:\n"
            + (done.stdout + done.stderr)[-2000:]
        )
    return wall, _counts(reports)


def document(rounds: int, processes: int, suites: list[str]) -> dict[str, object]:
    """Run the benchmark: the JSON document ``--json`` prints."""
    started = time.monotonic()
    walls: dict[tuple[str, int | None], list[float]] = {}
    same = dict.fromkeys(suites, True)
    with tempfile.TemporaryDirectory(prefix="wsbdd-bench-parallel-") as folder:
        for number in range(rounds):
            order = (None, processes) if number % 2 == 0 else (processes, None)
            for index, suite in enumerate(suites):
                found = {}
                for kind in order:
                    # One reports folder per suite and kind, kept over rounds as a user's
                    # reports/ is: from the second round on, the parallel run splits the
                    # scenarios by the durations measured in the round before.
                    reports = Path(folder) / f"suite-{index}-processes-{kind or 1}"
                    wall, counts = one_run(kind, reports, SUITES[suite])
                    walls.setdefault((suite, kind), []).append(wall)
                    found[kind] = counts
                same[suite] = same[suite] and found[None] == found[processes]
    rows: list[dict[str, object]] = []
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    notes = [
        f"{rounds} rounds, one process and --processes {processes} alternated (order swapped "
        f"each round); the whole `wsbdd demo` command timed, its reports written; CPUs "
        f"available: {cpus}. Round 1 of a parallel run splits by step counts (no earlier "
        "results); later rounds by the durations the previous round measured.",
    ]
    for suite in suites:
        serial, parallel = walls[(suite, None)], walls[(suite, processes)]
        ratios = [p / s for p, s in zip(parallel, serial, strict=True)]
        ratio = statistics.median(ratios)
        rows += [
            {
                "measure": f"{suite}: --processes {processes} ÷ one process, wall time",
                "value": round(ratio, 3),
                "unit": "×",
                "goal": f"≤ {GOAL}",
                "met": ratio <= GOAL,
            },  # fmt: skip
            {
                "measure": f"{suite}: one process (median)",
                "value": round(statistics.median(serial), 3),
                "unit": "s",
                "goal": None,
                "met": None,
            },  # fmt: skip
            {
                "measure": f"{suite}: --processes {processes} (median)",
                "value": round(statistics.median(parallel), 3),
                "unit": "s",
                "goal": None,
                "met": None,
            },  # fmt: skip
        ]
        counted = (
            "both counted the same scenarios (passed, failed, other)"
            if same[suite]
            else "the runs counted DIFFERENT scenarios"
        )
        ratios_text = ", ".join(f"{r:.2f}" for r in ratios)
        notes.append(f"{suite}: per-round ratios {ratios_text}; {counted}")
    notes.append(f"took {time.monotonic() - started:.0f} s")
    return {"benchmark": "parallel", "rows": rows, "notes": notes}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="one round, without @load only")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    suites = list(SUITES)
    if args.quick:
        args.rounds, suites = 1, suites[1:]
    bench_steps.show(document(max(1, args.rounds), max(2, args.processes), suites), args.json)


if __name__ == "__main__":
    main()
