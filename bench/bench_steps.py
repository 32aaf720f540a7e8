"""Benchmark: a scenario of send→reply exchanges run by behave itself, against two baselines.

What it measures: one scenario of N (default 200) exchanges with the demo server
(``wsbdd.demo``, its own process, rate limit off)::

    Given Alice connects
    When Alice sends {"type": "echo", "content": "bench 17"}
    Then Alice receives a message where $.type is "echo" and $.content is "bench 17"
    ...                                   (every step text new)
    Then the exchanges are done

run in a round by each of, in an order rotated from round to round:

  wsbdd       ``python -m behave`` on that feature with wsbdd's steps and hooks
  hand        the same feature and ``python -m behave``, with the steps a user writes
              without wsbdd: behave's default ``parse`` matcher, ``websockets`` on an
              event loop in a background thread, one ``asyncio.run_coroutine_threadsafe
              (...).result()`` per send and per ``recv()``, ``json.loads`` and a compare
  plain       a plain ``websockets`` asyncio script doing the same exchanges
  noop        the same feature and behave, every step a ``pass`` (``re`` matcher, the
              cheapest): behave's own cost per step, the floor
  noop+ctx    the no-op steps again, with wsbdd's speed-ups of behave (``wsbdd.glue.
              behave_speed``: its context writes and its Status predicates): the floor
              after them, to show what they save
  wsbdd-ctx   wsbdd with those speed-ups switched off (behave's own context and Status)

Why behave in a subprocess, timed from inside: that is what a user runs and
feels, with behave's whole step cycle (look-up, context writes, output capture,
hooks, formatter) between steps.  Start-up, parsing and connecting are not a
step of the exchange and are left out: each behave variant stamps
``time.perf_counter()`` first thing in ``before_step``, and a step's time is
the gap to the next step's stamp (the trailing "done" step closes the last
one).  Each run first plays a warm-up scenario of 20 exchanges.  The plain
script stamps before its send and after the matching reply.  All clients use
the same event loop kind: asyncio, wsbdd's default (``BENCH_LOOP=uvloop`` runs
every side on uvloop, wsbdd through its ``loop`` setting), no compression, no
proxy, pings every 20 s: wsbdd's defaults.

Reported: the scenario's time (first exchange step to the "done" step) as
ratios per round, median over rounds: wsbdd ÷ hand (goal ≤ 0.75), wsbdd ÷
plain (goal ≤ 1.6).  wsbdd's added cost per *step* over behave's floor, at a
quantile q of all rounds' exchanges: (q of wsbdd's exchange − q of plain's
exchange) / 2 − q of a no-op step that has the same speed-ups wsbdd
gives behave (so only wsbdd's own step code counts); goal at p50 ≤ 20 µs, p99
for the record, and the same over behave's no-op step as users have it (net).
Since a waiting step runs wsbdd's loop itself, behave's work between a send and
its receive (the end of one step, the start of the next) is done while the
server answers: the formula subtracts two whole no-op steps, so wsbdd's code
counts only where it is not hidden behind the network, and the row can come out
at or below 0.  behave's console is a pipe with Python's default buffering for
one (block-buffered) in every child, whatever ``PYTHONUNBUFFERED`` this shell has:
set, it makes every piece behave prints a write, which costs the no-op step about
10 µs here, and a result that hangs on the shell is no measurement.
And the floor before and after wsbdd's speed-ups.  The floor is behave
as a user has it: its ``re`` matcher works out the step function's location
again on every match (``os.getcwd`` + ``relpath``, roughly 10 µs), which wsbdd's
matcher (``wsbdd.glue.step_lookup``) does once, so that part of the floor is a cost
wsbdd's own steps do not pay.

Left out: connecting (see bench_groups), reports (wsbdd.html formatter off: behave's
``plain`` formatter into a pipe for all), several clients.  The machine is
shared: per-round ratios vary, read the median and the spread.  Bounded: each
behave run has a 120 s deadline; the default run (15 rounds) took 20–60 s here.

Run:  python bench/bench_steps.py [--exchanges 200] [--rounds 15] [--quick] [--json]
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WARMUP = 20
ROUNDS = 15  # a round of 200 exchanges is 1.5–3 s of six processes
DEADLINE = 120.0  # seconds, per behave run or script
VARIANTS = ("wsbdd", "hand", "plain", "noop", "noop+ctx", "wsbdd-ctx")

# --- the projects each behave run uses ------------------------------------------------

CLOCK = """
import json, os, time

_stamps = {}
_current = []


def _begin(scenario):
    global _current
    _current = _stamps.setdefault(scenario.name, [])


def _tick():
    _current.append(time.perf_counter())


def _save():
    with open(os.environ["BENCH_STEPS_OUT"], "w") as out:
        json.dump(_stamps, out)
"""

LOOP = """
def new_loop():
    # The loop kind wsbdd uses: asyncio (its default), or uvloop on every side with
    # BENCH_LOOP=uvloop (wsbdd then gets WSBDD_LOOP=uvloop).
    import os
    if os.environ.get("BENCH_LOOP") == "uvloop":
        import uvloop
        return uvloop.new_event_loop()
    import asyncio
    return asyncio.new_event_loop()
"""

ENVIRONMENTS = {
    "wsbdd": CLOCK
    + """
from wsbdd import environment as wsbdd_env
from wsbdd.environment import *  # noqa: F403


def before_scenario(context, scenario):
    _begin(scenario)
    wsbdd_env.before_scenario(context, scenario)


def before_step(context, step):
    _tick()
    wsbdd_env.before_step(context, step)


def after_all(context):
    wsbdd_env.after_all(context)
    _save()
""",
    "hand": CLOCK
    + LOOP
    + """
import asyncio, threading


def before_all(context):
    context.loop = new_loop()
    context.loop_thread = threading.Thread(target=context.loop.run_forever, daemon=True)
    context.loop_thread.start()


def before_scenario(context, scenario):
    _begin(scenario)
    context.clients = {}


def before_step(context, step):
    _tick()


def after_scenario(context, scenario):
    for ws in context.clients.values():
        asyncio.run_coroutine_threadsafe(ws.close(), context.loop).result(10)


def after_all(context):
    context.loop.call_soon_threadsafe(context.loop.stop)
    context.loop_thread.join(10)
    _save()
""",
    "noop": CLOCK
    + """

def before_scenario(context, scenario):
    _begin(scenario)


def before_step(context, step):
    _tick()


def after_all(context):
    _save()
""",
}
ENVIRONMENTS["noop+ctx"] = (
    ENVIRONMENTS["noop"]
    + """

def before_all(context):
    from wsbdd.glue.behave_speed import speed_up_context, speed_up_statuses
    speed_up_context(context)
    speed_up_statuses()
"""
)

DONE = """
from behave import step


@step("the exchanges are done")
def done(context):
    pass
"""

STEPS = {
    "wsbdd": "from wsbdd.steps import *  # noqa: F403\n" + DONE,
    "hand": DONE
    + """
import asyncio, json, os
from behave import given, when, then
from websockets.asyncio.client import connect


def run(context, coroutine):
    return asyncio.run_coroutine_threadsafe(coroutine, context.loop).result(5)


async def opened(url):
    return await connect(url, compression=None, proxy=None)


@given("{name} connects")
def connects(context, name):
    context.clients[name] = run(context, opened(os.environ["BENCH_STEPS_URL"] + "/"))


@when("{name} sends {payload}")
def sends(context, name, payload):
    run(context, context.clients[name].send(payload))


@then('{name} receives a message where $.type is "{kind}" and $.content is "{content}"')
def receives(context, name, kind, content):
    ws = context.clients[name]
    while True:
        message = json.loads(run(context, ws.recv()))
        if message.get("type") == kind and message.get("content") == content:
            return
""",
    "noop": DONE.replace("from behave import step", "from behave import step, use_step_matcher")
    + r"""
use_step_matcher("re")


@step(r"(?P<name>\w+) connects")
def connects(context, name):
    pass


@step(r"(?P<name>\w+) sends (?P<payload>.+)")
def sends(context, name, payload):
    pass


@step(r"(?P<name>\w+) receives a message where (?P<where>.+)")
def receives(context, name, where):
    pass
""",
}
STEPS["noop+ctx"] = STEPS["noop"]
# wsbdd with behave's own context and Status (its speed-ups off): what they save wsbdd.
ENVIRONMENTS["wsbdd-ctx"] = ENVIRONMENTS["wsbdd"].replace(
    "from wsbdd.environment import *  # noqa: F403\n",
    "from wsbdd.environment import *  # noqa: F403\n\n"
    # before_all looks these names up in wsbdd.glue.environment (wsbdd.environment re-exports).
    "import wsbdd.glue.environment as wsbdd_glue\n\n"
    "wsbdd_glue.speed_up_context = lambda context: None\n"
    "wsbdd_glue.speed_up_statuses = lambda: None\n",
)
STEPS["wsbdd-ctx"] = STEPS["wsbdd"]

PLAIN = (
    LOOP
    + """
import json, os, sys, time
from websockets.asyncio.client import connect


async def exchanges(ws, prefix, count, stamps):
    for n in range(count):
        content = f"{prefix} {n}"
        stamps.append(time.perf_counter())
        await ws.send(json.dumps({"type": "echo", "content": content}))
        while True:
            message = json.loads(await ws.recv())
            if message.get("type") == "echo" and message.get("content") == content:
                break
    stamps.append(time.perf_counter())


async def main(url, warmup, count):
    stamps = {"warm-up": [], "timed": []}
    async with connect(url + "/", compression=None, proxy=None) as ws:
        await exchanges(ws, "warm", warmup, stamps["warm-up"])
        await exchanges(ws, "bench", count, stamps["timed"])
    with open(os.environ["BENCH_STEPS_OUT"], "w") as out:
        json.dump(stamps, out)


url, warmup, count = os.environ["BENCH_STEPS_URL"], int(sys.argv[1]), int(sys.argv[2])
new_loop().run_until_complete(main(url, warmup, count))
"""
)


def scenario_lines(title: str, count: int, prefix: str) -> list[str]:
    """One scenario of ``count`` send→reply exchanges, every step text new."""
    lines = [f"  Scenario: {title}", "    Given Alice connects"]
    for n in range(count):
        lines.append(f'    When Alice sends {{"type": "echo", "content": "{prefix} {n}"}}')
        lines.append(
            '    Then Alice receives a message where $.type is "echo" and '
            f'$.content is "{prefix} {n}"'
        )
    return [*lines, "    Then the exchanges are done", ""]


def feature(exchanges: int, warmup: int) -> str:
    lines = ["Feature: send and reply", ""]
    for title, count, prefix in (("warm-up", warmup, "warm"), ("timed", exchanges, "bench")):
        lines += scenario_lines(title, count, prefix)
    return "\n".join(lines)


def write_projects(folder: Path, exchanges: int, warmup: int) -> dict[str, Path]:
    projects = {}
    for name in ("wsbdd", "hand", "noop", "noop+ctx", "wsbdd-ctx"):
        project = folder / name.replace("+", "_")
        (project / "features" / "steps").mkdir(parents=True)
        (project / "features" / "exchanges.feature").write_text(feature(exchanges, warmup))
        (project / "features" / "environment.py").write_text(ENVIRONMENTS[name])
        (project / "features" / "steps" / "bench_steps.py").write_text(STEPS[name])
        projects[name] = project
    (folder / "plain.py").write_text(PLAIN)
    projects["plain"] = folder
    return projects


# --- running ---------------------------------------------------------------------------


@contextmanager
def demo_server() -> Iterator[str]:
    """The demo server in its own process, rate limit off; yields its ws:// URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "wsbdd.demo", "--port", "0", "--no-rate-limit"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "wsbdd demo server listening on ws://127.0.0.1:PORT"
        if "listening on" not in line:
            raise SystemExit(f"demo server did not start: {line!r}")
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(10)


def child_environment(url: str, out: Path, *, unbuffered: bool = False) -> dict[str, str]:
    """The environment of a benchmark child: this one's, less wsbdd's settings, and with
    Python's default console for a pipe (block-buffered) whatever this shell says, unless
    ``unbuffered`` (``PYTHONUNBUFFERED=1``: every piece behave prints is a write)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("WSBDD_") and k != "PYTHONUNBUFFERED"
    }
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    env.update(
        BENCH_STEPS_URL=url,
        BENCH_STEPS_OUT=str(out),
        WSBDD_URL=url,
        WSBDD_LOOP=loop_kind(),  # wsbdd on the same loop as the baselines
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    return env


def run_child(
    command: list[str],
    cwd: Path,
    url: str,
    out: Path,
    what: str,
    deadline: float = DEADLINE,
    *,
    unbuffered: bool = False,
) -> dict:
    """Run one benchmark child (behave or a script) to its end; the JSON it wrote to ``out``.
    ``unbuffered``: with ``PYTHONUNBUFFERED=1`` (see :func:`child_environment`)."""
    out.unlink(missing_ok=True)
    result = subprocess.run(
        command,
        cwd=cwd,
        env=child_environment(url, out, unbuffered=unbuffered),
        capture_output=True,
        text=True,
        timeout=deadline,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0 or not out.exists():
        tail = (result.stdout + result.stderr)[-3000:]
        raise SystemExit(f"{what} failed (exit {result.returncode}):\n{tail}")
    return json.loads(out.read_text())


def run_one(variant: str, project: Path, url: str, exchanges: int, warmup: int) -> list[float]:
    """Run one variant once; the timed scenario's stamps (exchange steps, then "done")."""
    out = project / f"stamps-{variant.replace('+', '_')}.json"
    if variant == "plain":
        command = [sys.executable, str(project / "plain.py"), str(warmup), str(exchanges)]
    else:
        command = [sys.executable, "-m", "behave", "--no-color", "-f", "plain", "features"]
    stamps = run_child(command, project, url, out, f"{variant} run")["timed"]
    if variant != "plain":
        stamps = stamps[1:]  # the connect step's stamp: the first exchange starts at the next
    if len(stamps) != (exchanges + 1 if variant == "plain" else 2 * exchanges + 1):
        raise SystemExit(f"{variant}: {len(stamps)} stamps for {exchanges} exchanges")
    return stamps


def chunks(values: list[float], count: int) -> list[list[float]]:
    """``values`` cut into ``count`` equal runs (one per round)."""
    size = len(values) // count
    return [values[i * size : (i + 1) * size] for i in range(count)]


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(exchanges: int, rounds: int, warmup: int = WARMUP) -> dict[str, object]:
    """Run every variant ``rounds`` times, rotated; per-variant scenario times and
    exchange/step durations (seconds)."""
    totals: dict[str, list[float]] = {v: [] for v in VARIANTS}
    exchange_times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    step_times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="bench-steps-") as folder, demo_server() as url:
        projects = write_projects(Path(folder), exchanges, warmup)
        order = list(VARIANTS)
        for _ in range(rounds):
            for variant in order:
                stamps = run_one(variant, projects[variant], url, exchanges, warmup)
                totals[variant].append(stamps[-1] - stamps[0])
                gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
                if variant == "plain":
                    exchange_times[variant] += gaps
                else:
                    step_times[variant] += gaps
                    exchange_times[variant] += [
                        a + b for a, b in zip(gaps[::2], gaps[1::2], strict=True)
                    ]
            order = order[1:] + order[:1]  # each variant first, second, … in turn
    return {"totals": totals, "exchanges": exchange_times, "steps": step_times}


def ratios(totals: dict[str, list[float]], top: str, bottom: str) -> list[float]:
    return [a / b for a, b in zip(totals[top], totals[bottom], strict=True)]


def rows_from(data: dict[str, object], exchanges: int, rounds: int) -> tuple[list[dict], list[str]]:
    totals: dict[str, list[float]] = data["totals"]  # type: ignore[assignment]
    ex: dict[str, list[float]] = data["exchanges"]  # type: ignore[assignment]
    steps: dict[str, list[float]] = data["steps"]  # type: ignore[assignment]
    us = 1e6

    def added(q: float, floor: str = "noop+ctx") -> float:
        """wsbdd's own code per step: over the no-op step that has the same speed-ups
        (``floor="noop"``: over behave as users have it, which the speed-ups flatter)."""
        return (
            (quantile(ex["wsbdd"], q) - quantile(ex["plain"], q)) / 2 - quantile(steps[floor], q)
        ) * us

    def row(measure: str, value: float, unit: str, goal: str | None, met: bool | None) -> dict:
        return {
            "measure": measure,
            "value": round(value, 3),
            "unit": unit,
            "goal": goal,
            "met": met,
        }

    vs_hand = statistics.median(ratios(totals, "wsbdd", "hand"))
    vs_plain = statistics.median(ratios(totals, "wsbdd", "plain"))
    p50, p99 = added(0.5), added(0.99)
    per_round = [
        (statistics.median(w) - statistics.median(p)) / 2 * us - statistics.median(n) * us
        for w, p, n in zip(
            chunks(ex["wsbdd"], rounds),
            chunks(ex["plain"], rounds),
            chunks(steps["noop+ctx"], rounds),
            strict=True,
        )
    ]
    floor, floor_ctx = quantile(steps["noop"], 0.5) * us, quantile(steps["noop+ctx"], 0.5) * us
    rows = [
        row(f"{exchanges}-exchange scenario, wsbdd ÷ hand-written behave steps", vs_hand,
            "×", "≤ 0.75", vs_hand <= 0.75),
        row(f"{exchanges}-exchange scenario, wsbdd ÷ plain websockets script", vs_plain,
            "×", "≤ 1.6", vs_plain <= 1.6),
        row("wsbdd's added cost per step over a no-op behave step, p50", p50, "µs", "≤ 20",
            p50 <= 20),
        row("wsbdd's added cost per step over a no-op behave step, p99", p99, "µs", None, None),
        row("the same p50 over behave's no-op step without the speed-ups (net for a user)",
            added(0.5, "noop"), "µs", None, None),
        row("the same at p50, worst round", max(per_round), "µs", None, None),
        row("hand-written behave steps ÷ plain websockets script",
            statistics.median(ratios(totals, "hand", "plain")), "×", None, None),
        row("no-op behave step (behave's floor), p50", floor, "µs", None, None),
        row("no-op behave step with wsbdd's speed-ups, p50", floor_ctx, "µs", None, None),
        row("saved per step by wsbdd's speed-ups, p50", floor - floor_ctx, "µs", None,
            None),
        row("wsbdd's scenario with behave's own context and Status ÷ with the speed-ups",
            statistics.median(ratios(totals, "wsbdd-ctx", "wsbdd")), "×", None, None),
    ]  # fmt: skip
    for variant in VARIANTS:
        rows.append(
            row(f"scenario time, {variant} (median of rounds)",
                statistics.median(totals[variant]) * 1e3, "ms", None, None)
        )  # fmt: skip
    rounds_text = ", ".join(f"{r:.2f}" for r in ratios(totals, "wsbdd", "hand"))
    plain_text = ", ".join(f"{r:.2f}" for r in ratios(totals, "wsbdd", "plain"))
    notes = [
        f"{exchanges} exchanges × {rounds} rounds, order rotated per round; "
        "behave runs in subprocesses, timed from before_step stamps; demo server in its own "
        "process, rate limit off.",
        f"per-round wsbdd ÷ hand: {rounds_text}; wsbdd ÷ plain: {plain_text}",
        "added cost per step at q = (q of wsbdd exchange − q of plain exchange) / 2 − q of a "
        "no-op behave step with the same speed-ups wsbdd gives behave (so only wsbdd's "
        "own step code counts; the net row subtracts behave's step as users have it). "
        "Its p99 subtracts the tails of separate runs: scheduling stalls on a shared machine "
        "dominate it (it can come out negative); read the p50 and the worst round's p50. "
        "behave's work between a send and its receive overlaps the server's answer, so the "
        "p50 row, which subtracts two whole no-op steps, can be at or below 0 too.",
        f"event loop: {loop_kind()} on every side; behave's console: a pipe, block-buffered "
        "(Python's default for one; PYTHONUNBUFFERED is not passed on).",
    ]
    return rows, notes


def loop_kind() -> str:
    """The event loop every side uses: asyncio (wsbdd's default) unless BENCH_LOOP=uvloop."""
    return "uvloop" if os.environ.get("BENCH_LOOP") == "uvloop" else "asyncio"


def document(exchanges: int = 200, rounds: int = ROUNDS) -> dict[str, object]:
    """Run the benchmark: the JSON document ``--json`` prints."""
    started = time.monotonic()
    rows, notes = rows_from(measure(exchanges, rounds), exchanges, rounds)
    notes.append(f"took {time.monotonic() - started:.0f} s")
    return {"benchmark": "bench_steps", "rows": rows, "notes": notes}


def results(exchanges: int = 200, rounds: int = ROUNDS) -> list[dict]:
    """Run the benchmark; its rows ({measure, value, unit, goal, met})."""
    return document(exchanges, rounds)["rows"]  # type: ignore[return-value]


def show(found: dict, as_json: bool) -> None:
    """Print a benchmark's document: as one JSON document (``--json``, what run_all reads),
    or as a table with its notes."""
    if as_json:
        print(json.dumps(found, ensure_ascii=False))
    else:
        print_table(found["rows"], found["notes"])


def print_table(rows: list[dict], notes: list[str]) -> None:
    width = max(len(r["measure"]) for r in rows)
    print(f"{'measure':{width}}  {'value':>10}  unit  goal     met")
    for r in rows:
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        goal = r["goal"] or ""
        print(f"{r['measure']:{width}}  {r['value']:10.2f}  {r['unit']:4}  {goal:7}  {met}")
    for note in notes:
        print("  " + note)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exchanges", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 40 exchanges, 1 round")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    if args.quick:
        args.exchanges, args.rounds = 40, 1
    show(document(args.exchanges, args.rounds), args.json)


if __name__ == "__main__":
    main()
