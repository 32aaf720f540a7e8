"""Benchmark: GraphQL subscription results per second, wsbdd's steps vs plain websockets.

wsbdd's steps run by behave against a plain ``websockets`` script doing the same
graphql-transport-ws conversation.

Both sides run against the same real Strawberry app (``tests/graphql_apps/app.py`` under
uvicorn, its own process) in the same run, every side in a process of its own, the sides'
order rotated from round to round.

Each side subscribes ``--subscriptions`` times (default 5), one after another, to
``subscription { count(target: N) }`` (``--results``, default 2,000: the app yields
0 … N-1 as fast as it can, then completes), waits for every result and the ``complete``,
and checks the last result:

  wsbdd    ``python -m behave`` on a generated feature, wsbdd's steps and hooks::

               Given Alice is connected over GraphQL
               When Alice subscribes to "subscription { count(target: 2000) }" as "c1"
               Then "c1" gives 2000 results, then completes within 120 seconds
               And the last result of "c1" is where $.data.count is 1999
               ...                                   (per subscription)
               Then the subscriptions are done

  frames   a plain ``websockets`` script speaking graphql-transport-ws by hand:
           ``connection_init``, wait for ``connection_ack``; per subscription send
           ``subscribe``, ``recv()`` and ``json.loads`` every message up to its
           ``complete`` (pings answered), count the ``next`` ones of its id and check
           the last one's ``count``.

Timed from inside: behave stamps ``time.perf_counter()`` first thing in ``before_step``
(from the first subscribe step to the "done" step); the script stamps before its first
subscribe and after its last check.  Each run first plays one subscription of 200 results
to warm up.  Reported: results per second on each side (median of rounds), and wsbdd ÷
frames per round, median (goal ≥ 0.8).

The event loop is asyncio on both sides, no compression.  Left out: connecting, reports
(behave's ``plain`` formatter into a pipe); the server's own cost is in both sides alike
(the same app).  The machine is shared: read the median and the per-round spread in the
notes.  Bounded: each process has a deadline (300 s); ``--quick`` (2 subscriptions of 300
results, one round) takes a few seconds.

Run:  python bench/bench_graphql.py [--results 2000] [--subscriptions 5] [--rounds 5]
                                    [--url ws://…/graphql] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench import bench_steps  # noqa: E402  (the clock, the child runner)

DEADLINE = 300.0  # seconds, per process
WARMUP = 200  # results of the warm-up subscription
ROUNDS = 5
GOAL = ("≥ 0.8", lambda r: r >= 0.8)

FRAMES = """
import asyncio, json, os, sys, time
from websockets.asyncio.client import connect


async def opened(url):
    ws = await connect(url, subprotocols=["graphql-transport-ws"], compression=None,
                       proxy=None, ping_interval=None, open_timeout=60, max_queue=None)
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == "connection_ack":
            return ws
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))


async def subscription(ws, id, n):
    await ws.send(json.dumps({"id": id, "type": "subscribe", "payload": {
        "query": f"subscription {{ count(target: {n}) }}"}}))
    results = 0
    last = None
    while True:
        message = json.loads(await ws.recv())
        kind = message["type"]
        if kind == "ping":
            await ws.send(json.dumps({"type": "pong"}))
        elif message.get("id") != id:
            continue
        elif kind == "next":
            results += 1
            last = message["payload"]
        elif kind == "complete":
            break
        else:
            raise SystemExit(f"unexpected {message}")
    assert results == n, (results, n)
    assert last["data"]["count"] == n - 1, last


async def main(url, warmup, count, n):
    stamps = {"warm-up": [], "timed": []}
    ws = await opened(url)
    stamps["warm-up"].append(time.perf_counter())
    await subscription(ws, "w", warmup)
    stamps["warm-up"].append(time.perf_counter())
    stamps["timed"].append(time.perf_counter())
    for index in range(count):
        await subscription(ws, str(index + 1), n)
    stamps["timed"].append(time.perf_counter())
    await ws.close()
    with open(os.environ["BENCH_STEPS_OUT"], "w") as out:
        json.dump(stamps, out)


asyncio.run(main(os.environ["BENCH_STEPS_URL"], int(sys.argv[1]), int(sys.argv[2]),
                 int(sys.argv[3])))
"""

DONE = """
from behave import step


@step("the {what} are done")
def done(context, what):
    pass
"""


def feature(subscriptions: int, results: int, warmup: int) -> str:
    lines = ["Feature: GraphQL subscription results", ""]
    for title, count, n in (("warm-up", 1, warmup), ("timed", subscriptions, results)):
        lines += [f"  Scenario: {title}", "    Given Alice is connected over GraphQL"]
        for index in range(count):
            name = f"{title[0]}{index + 1}"
            lines += [
                f'    When Alice subscribes to "subscription {{ count(target: {n}) }}" as "{name}"',
                f'    Then "{name}" gives {n} results, then completes within 120 seconds',
                f'    And the last result of "{name}" is where $.data.count is {n - 1}',
            ]
        lines += ["    Then the subscriptions are done", ""]
    return "\n".join(lines)


def write_project(folder: Path, subscriptions: int, results: int) -> Path:
    project = folder / "results"
    (project / "features" / "steps").mkdir(parents=True)
    (project / "features" / "graphql.feature").write_text(feature(subscriptions, results, WARMUP))
    (project / "features" / "environment.py").write_text(bench_steps.ENVIRONMENTS["wsbdd"])
    steps = "from wsbdd.steps import *  # noqa: F403\n" + DONE
    (project / "features" / "steps" / "bench_steps.py").write_text(steps)
    return project


@contextlib.contextmanager
def graphql_app(url: str | None = None) -> Iterator[str]:
    """The Strawberry test app of tests/graphql_apps in its own process; yields its ws:// URL
    (``url``: an app already running there)."""
    if url:
        yield url
        return
    from graphql_servers import graphql_server

    with graphql_server() as server:
        yield server.url


def one_round(side: str, folder: Path, url: str, options: argparse.Namespace) -> float:
    """One run of one side; the seconds of its timed subscriptions."""
    out = folder / f"stamps-{side}.json"
    if side == "wsbdd":
        command = [sys.executable, "-m", "behave", "--no-color", "-f", "plain", "features"]
        found = bench_steps.run_child(command, folder / "results", url, out, "wsbdd", DEADLINE)
        stamps = found["timed"][1:]  # the connect step's stamp: the first subscribe is next
        expected = 3 * options.subscriptions + 1
    else:
        command = [
            sys.executable,
            str(folder / "frames.py"),
            str(WARMUP),
            str(options.subscriptions),
            str(options.results),
        ]
        found = bench_steps.run_child(command, folder, url, out, "frames", DEADLINE)
        stamps = found["timed"]
        expected = 2
    if len(stamps) != expected:
        raise SystemExit(f"{side}: {len(stamps)} stamps, {expected} expected")
    return stamps[-1] - stamps[0]


def measure(options: argparse.Namespace) -> dict[str, list[float]]:
    sides = ["wsbdd", "frames"]
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory(prefix="bench-graphql-") as name:
        folder = Path(name)
        (folder / "frames.py").write_text(FRAMES)
        write_project(folder, options.subscriptions, options.results)
        with graphql_app(options.url) as url:
            for index in range(options.rounds):
                shift = index % len(sides)
                for side in sides[shift:] + sides[:shift]:
                    seconds[side].append(one_round(side, folder, url, options))
    return seconds


def row(measure: str, value: float, unit: str, goal: str | None = None, met: bool | None = None):
    return {"measure": measure, "value": round(value, 4), "unit": unit, "goal": goal, "met": met}


def document(options: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    seconds = measure(options)
    total = options.subscriptions * options.results
    rates = {side: [total / s for s in values] for side, values in seconds.items()}
    ratios = [w / f for w, f in zip(rates["wsbdd"], rates["frames"], strict=True)]
    value = statistics.median(ratios)
    goal, test = GOAL
    what = f"{options.subscriptions} × {options.results} subscription results"
    rows = [
        row(
            f"{what}, wsbdd ÷ plain websockets (results per second)", value, "×", goal, test(value)
        ),
        row(f"{what}, wsbdd (median of rounds)", statistics.median(rates["wsbdd"]), "results/s"),
        row(
            f"{what}, plain websockets (median of rounds)",
            statistics.median(rates["frames"]),
            "results/s",
        ),
    ]
    notes = [
        "per-round wsbdd ÷ plain websockets: " + ", ".join(f"{r:.2f}" for r in ratios),
        "server: tests/graphql_apps/app.py (Strawberry under uvicorn), its own process; "
        f"{options.rounds} rounds, sides rotated per round; graphql-transport-ws; event loop "
        "asyncio on both sides; behave timed from before_step stamps",
        "both sides read the same app, whose generator and uvicorn's writes set the pace; "
        "wsbdd takes each frame from websockets as it is parsed (wsbdd.io.connection), the "
        "script through recv(), one loop turn per result: a ratio above 1 is that difference",
        f"took {time.monotonic() - started:.0f} s",
    ]
    return {"benchmark": "bench_graphql", "rows": rows, "notes": notes}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=int, default=2000)
    parser.add_argument("--subscriptions", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 2 subscriptions of 300, 1 round"
    )
    parser.add_argument("--url", help="an app already running (ws://…/graphql), not started here")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    options = parser.parse_args(argv)
    if options.quick:
        options.results, options.subscriptions, options.rounds = 300, 2, 1
    bench_steps.show(document(options), options.json)


if __name__ == "__main__":
    main()
