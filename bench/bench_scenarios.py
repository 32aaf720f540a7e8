"""Benchmark: a crowd scenario run by behave itself vs raw websockets, and the bundled suite.

Crowd (per size, default 1,000; ``--sizes 1000 10000`` adds ten thousand)::

    Given 1000 clients in group "crowd" are connected within 300 seconds
    And client host is connected to "/control"
    When host sends {"type": "news", "content": "one broadcast for everyone", "id": 1}
    Then every client in group "crowd" receives a message where $.type is "news"
         and $.id is 1 within 60 seconds           (one line in the feature)
    ...                                            (5 broadcasts, ids 1…5)
    Then the broadcasts are done

run by ``python -m behave`` with wsbdd's steps and hooks, rotated round by round
with a raw ``websockets`` asyncio script doing the same (N clients, at most 200
handshakes at a time as wsbdd does; per broadcast: send on the control
connection, then every client ``recv()`` + ``json.loads`` + compare).  The
server is bench_groups' minimal broadcast server in its own process (a message
on ``/control`` goes to every other connection).  Same event loop kind on both
sides (asyncio, wsbdd's default; BENCH_LOOP=uvloop for uvloop on both), no compression,
no proxy.

Timed from inside: behave stamps ``time.perf_counter()`` first thing in
``before_step``; the ramp is the connect step, a broadcast is from its send
step to the next step (all N received and matched: two behave step cycles,
about 0.1 ms, are inside, a few per mille of a broadcast).  The raw script
stamps around the same work.  Reported: fan-out throughput raw ÷ wsbdd (median
broadcast time; goal ≥ 0.8) and ramp wsbdd ÷ raw (goal ≤ 1.15, for 10,000 in the
issue).  Left out: memory (bench_groups), closing, behave's start-up.  wsbdd
pauses Python's garbage collector during a crowd's steps (docs/load.md); the raw
script keeps Python's defaults.

Suite: the wall time of ``behave features --tags=~@load`` in the repository, the
whole process as a user waits for it (wsbdd only, for the record).

Bounded: each process has a deadline (300 s); the default run (1,000 clients ×
9 rounds, one suite run) takes about a minute here; 10,000 added about 4
minutes for 3 rounds here.  Nine rounds, because a round's ratio moves by a quarter
on this shared machine (0.86–1.29 in one run of the ramp): the median of three
could read either side of its goal.  ``--quick``: 200 clients, one round, no suite.

Run:  python bench/bench_scenarios.py [--sizes 1000 10000] [--rounds 9] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_steps  # noqa: E402  (the clock, the child environment, the loop kind)
from bench.bench_groups import GC_NOTE, SERVER  # noqa: E402  (the broadcast server)

DEADLINE = 300.0  # seconds, per process
BROADCASTS = 5


def news(n: int) -> str:
    return json.dumps({"type": "news", "content": "one broadcast for everyone", "id": n})


def crowd_feature(size: int, broadcasts: int) -> str:
    lines = [
        "Feature: a crowd",
        "",
        "  Scenario: timed",
        f'    Given {size} clients in group "crowd" are connected within 300 seconds',
        '    And client host is connected to "/control"',
    ]
    for n in range(1, broadcasts + 1):
        lines.append(f"    When host sends {news(n)}")
        lines.append(
            '    Then every client in group "crowd" receives a message where $.type is "news" '
            f"and $.id is {n} within 60 seconds"
        )
    lines += ["    Then the broadcasts are done", ""]
    return "\n".join(lines)


STEPS = """
from wsbdd.steps import *  # noqa: F403
from behave import step


@step("the broadcasts are done")
def done(context):
    pass
"""

RAW = (
    bench_steps.LOOP
    + """
import asyncio, json, os, sys, time
from websockets.asyncio.client import connect


async def main(url, size, broadcasts):
    bound = asyncio.Semaphore(200)

    async def one():
        async with bound:
            return await connect(url + "/", compression=None, proxy=None, open_timeout=300)

    started = time.perf_counter()
    clients = await asyncio.gather(*(one() for _ in range(size)))
    ramp = time.perf_counter() - started

    async def receive(ws, n):
        while True:
            message = json.loads(await ws.recv())
            if message.get("type") == "news" and message.get("id") == n:
                return

    times = []
    async with connect(url + "/control", compression=None, proxy=None) as control:
        for n in range(1, broadcasts + 1):
            started = time.perf_counter()
            await control.send(json.dumps(
                {"type": "news", "content": "one broadcast for everyone", "id": n}))
            await asyncio.wait_for(asyncio.gather(*(receive(ws, n) for ws in clients)), 60)
            times.append(time.perf_counter() - started)
    await asyncio.gather(*(ws.close() for ws in clients))
    with open(os.environ["BENCH_STEPS_OUT"], "w") as out:
        json.dump({"ramp": ramp, "broadcasts": times}, out)


url, size, broadcasts = os.environ["BENCH_STEPS_URL"], int(sys.argv[1]), int(sys.argv[2])
new_loop().run_until_complete(main(url, size, broadcasts))
"""
)


@contextmanager
def broadcast_server() -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        if not port.isdigit():
            raise SystemExit(f"broadcast server did not start: {port!r}")
        yield f"ws://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def run_child(command: list[str], cwd: Path, url: str, out: Path) -> dict:
    return bench_steps.run_child(command, cwd, url, out, command[-1], DEADLINE)


def crowd(size: int, rounds: int, broadcasts: int) -> dict[str, list[float]]:
    """Per round: ramp and median broadcast time (seconds) of wsbdd and raw, rotated."""
    found: dict[str, list[float]] = {
        "wsbdd ramp": [],
        "raw ramp": [],
        "wsbdd broadcast": [],
        "raw broadcast": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench-crowd-") as folder, broadcast_server() as url:
        project = Path(folder)
        (project / "features" / "steps").mkdir(parents=True)
        (project / "features" / "crowd.feature").write_text(crowd_feature(size, broadcasts))
        (project / "features" / "environment.py").write_text(bench_steps.ENVIRONMENTS["wsbdd"])
        (project / "features" / "steps" / "bench_steps.py").write_text(STEPS)
        (project / "raw.py").write_text(RAW)
        order = ["wsbdd", "raw"]
        for _ in range(rounds):
            for side in order:
                out = project / f"{side}.json"
                if side == "raw":
                    data = run_child(
                        [sys.executable, "raw.py", str(size), str(broadcasts)], project, url, out
                    )
                    ramp, times = data["ramp"], data["broadcasts"]
                else:
                    command = [sys.executable, "-m", "behave", "--no-color", "-f", "plain"]
                    stamps = run_child([*command, "features"], project, url, out)["timed"]
                    ramp = stamps[1] - stamps[0]
                    times = [stamps[4 + 2 * k] - stamps[2 + 2 * k] for k in range(broadcasts)]
                found[f"{side} ramp"].append(ramp)
                found[f"{side} broadcast"].append(statistics.median(times))
            order.reverse()
    return found


def suite(runs: int) -> list[float]:
    """Wall times of ``behave features --tags=~@load`` in the repository."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "behave", "--no-color", "-f", "progress", "features"]
            + ["--tags=~@load"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            stdin=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(
                f"the bundled suite failed:\n{(result.stdout + result.stderr)[-3000:]}"
            )
    return times


def document(
    sizes: list[int], rounds: int, broadcasts: int = BROADCASTS, suite_runs: int = 1
) -> dict[str, object]:
    """Run the benchmark: the JSON document ``--json`` prints."""
    started = time.monotonic()
    rows: list[dict] = []
    notes = [
        f"crowd: {rounds} rounds per size, behave (wsbdd) and raw websockets rotated; "
        f"{broadcasts} broadcasts per round, their median kept; broadcast server in its own "
        f"process; event loop: {bench_steps.loop_kind()} on both sides.",
        GC_NOTE,
    ]

    def row(measure: str, value: float, unit: str, goal: str | None, met: bool | None) -> None:
        rows.append(
            {"measure": measure, "value": round(value, 3), "unit": unit, "goal": goal, "met": met}
        )

    for size in sizes:
        found = crowd(size, rounds, broadcasts)
        fan_out = [
            r / w for r, w in zip(found["raw broadcast"], found["wsbdd broadcast"], strict=True)
        ]
        ramp = [w / r for w, r in zip(found["wsbdd ramp"], found["raw ramp"], strict=True)]
        fan, up = statistics.median(fan_out), statistics.median(ramp)
        row(f"fan-out to {size:,} through behave vs raw websockets (raw time ÷ wsbdd time)",
            fan, "×", "≥ 0.8", fan >= 0.8)  # fmt: skip
        row(f"connection ramp to {size:,} through behave ÷ raw websockets", up, "×",
            "≤ 1.15", up <= 1.15)  # fmt: skip
        for key in ("wsbdd broadcast", "raw broadcast", "wsbdd ramp", "raw ramp"):
            row(f"{key} to {size:,} (median of rounds)", statistics.median(found[key]) * 1e3,
                "ms", None, None)  # fmt: skip
        notes.append(
            f"{size:,}: per-round fan-out {', '.join(f'{v:.2f}' for v in fan_out)}; "
            f"ramp {', '.join(f'{v:.2f}' for v in ramp)}"
        )
    if suite_runs:
        walls = suite(suite_runs)
        row("bundled suite, behave features --tags=~@load, wall time", statistics.median(walls),
            "s", None, None)  # fmt: skip
    notes.append(f"took {time.monotonic() - started:.0f} s")
    return {"benchmark": "bench_scenarios", "rows": rows, "notes": notes}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--broadcasts", type=int, default=BROADCASTS)
    parser.add_argument("--suite-runs", type=int, default=1, help="0: leave the suite out")
    parser.add_argument("--quick", action="store_true", help="200 clients, 1 round, no suite")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.rounds, args.broadcasts, args.suite_runs = [200], 1, 2, 0
    bench_steps.show(document(args.sizes, args.rounds, args.broadcasts, args.suite_runs), args.json)


if __name__ == "__main__":
    main()
