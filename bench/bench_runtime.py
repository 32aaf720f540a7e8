"""Benchmark: does turn-taking pay for itself per step, measured where users feel a step?

Issue 13's rule: wsbdd's loop keeps turn-taking only if it buys at least 10 µs
per step at p50 over the plain bridge on asyncio's public contract, measured in
one run.  The two roads, both on wsbdd's own ``LoopThread``:

  turns   turn-taking (wsbdd's default): a step runs loop code itself, on its own
          thread, holding the loop's turn (``call_in_turn``), and a step that waits
          for a reply runs the loop's turns itself until the deciding callback
          delivers, on that same thread (``run_callback``); the loop's own thread
          rests meanwhile
  plain   the plain bridge (what uvloop and asyncio's debug mode get): every call
          goes through ``call_soon_threadsafe`` and the caller waits on such a
          lock (Python ≥ 3.12: ``run``'s task starts eagerly)

each with the pinnings wsbdd can ship: "loop pinned" (``same_cpu``, the default:
the loop thread on one CPU, behave's thread joining it only while it waits) and
"unpinned" (``same_cpu = false``).

What decides: behave.  bench_steps' send→reply exchanges (its step texts, hooks,
stamps and demo server, imported from it), run by ``python -m behave``.  Each
round runs, in an order rotated from round to round:

  alternating, <pinning>   one behave process playing a warm-up scenario, then
                           scenarios of N exchanges (default 200) in the order
                           turns, plain, plain, turns, turns, plain, …: a scenario
                           named "plain …" switches the loop's ``can_take_turns``
                           off, as a Python without asyncio's internals has it.
                           Neighbouring scenarios meet the machine in the same
                           state, which separate processes on a shared machine do
                           not (the one-road rows show how much that matters).
                           What differs from a loop built without turns: its
                           selector looks at who holds the turn before each
                           wait, well under a microsecond
  one road, <road>         one behave process per road (plain: ``WSBDD_TURNS=0``,
                           the shipped plain loop), loop pinned, bench_steps' own
                           feature: a check that the alternating rows tell the
                           truth about the road as shipped

A step's time is the gap between ``before_step`` stamps, so it holds behave's
whole step cycle (look-up, context, capture, hooks, formatter) as users have it;
an exchange is a send step plus its receive step.  Turn-taking buys, per step,
(p50 of the best plain variant's exchanges − p50 of the best turns variant's) ÷
2 over every alternating scenario of the run, "best" being the pinning with the
lower p50; the same per round, and per pair of neighbouring scenarios.  Each
scenario also reports the behave process's CPU time and context switches
(``getrusage``) from its first exchange step to its last, per exchange.

Explanation rows, measured directly through ``Session`` (no behave) in the same
rounds: ``send`` then ``receive`` against the same server, back to back, for
both roads and three pinnings ("both pinned", behave's thread on the loop's CPU
for the whole run, is what ``same_cpu`` did until it leaked that CPU into every
process a step started: never shippable), the send and receive timed apiece,
with the process's CPU time and context switches per exchange; the same on
"loop pinned" with 100 µs of pure-Python work after each step (``between``,
standing in for behave's own work between steps); a no-op ``call_in_turn`` (the
hand-over alone); and asyncio's textbook bridge
(``run_coroutine_threadsafe(...).result()``) for scale.

Why the direct back-to-back rows say less than behave (from 0 to 15 µs a step
in the runs here, against 22 to 39 through behave).  The plain road's extra
cost itself is the same kind everywhere: each call wakes the loop thread
through asyncio's self-pipe and the two threads pass the GIL, about twice the
context switches of turn-taking (``strace -c`` counts, per no-op call, about 9
futex calls, a send, an epoll wait, one or two receives and three affinity
calls, where a call in turn makes two ``getpid``, from asyncio's
``_set_running_loop``).  Three things make it look smaller back to back:

- noise: each round's value swings by tens of µs either way, so one run's p50
  is no decision; neighbouring behave scenarios meet the machine in the same
  state, and most pairs agree;
- overlap: back to back, a receive mostly waits for the server, and the plain
  road's slower send (the loop thread wrote the frame early in it, then hands
  back) gives the server a head start, so its receive waits less and part of
  the extra cost comes back.  Through behave the receive step is mostly
  behave's own work and takes about the same time on both roads, so nothing
  comes back: the slower send step is paid in full;
- size: the plain road's extra CPU per exchange was larger through behave than
  back to back in most runs here, with fewer extra context switches in all: a switch costs more once
  behave's own work has run between two of them (colder caches, likely; the
  VM measured here offers ``perf`` no hardware counters to show it).

The ``between`` rows (100 µs of Python work after each step) move the direct
measurement towards behave's.

Left out: connecting (outside the timed steps), several clients, uvloop (it
cannot take turns), reports (behave's ``plain`` formatter into a pipe), Python
versions other than the one running.  The machine may be shared: read the
per-round and per-pair values, not one absolute time.  Bounded: every behave run
has bench_steps' deadline; the default run (8 rounds) took about a minute here,
``--quick`` about 10 s.

Run:  python bench/bench_runtime.py [--rounds 8] [--exchanges 200] [--pairs 4] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_steps  # noqa: E402
from bench.bench_steps import demo_server  # noqa: E402
from wsbdd.facade.session import Run  # noqa: E402
from wsbdd.io.runtime import LoopThread  # noqa: E402
from wsbdd.match import where  # noqa: E402
from wsbdd.settings.config import Settings  # noqa: E402

ROUNDS = 8
EXCHANGES = 200  # per behave scenario, and per direct variant
NOOPS = 1000
WARMUP = 30  # direct exchanges and no-ops before timing (behave: bench_steps' warm-up scenario)
BETWEEN = 100.0  # µs of pure-Python work after each step in the "between" direct variants
KEEP_IF = 10.0  # µs per step turn-taking must buy at p50 to be kept
ROADS = ("turns", "plain")
SHIPPABLE = ("loop pinned", "unpinned")
"""The pinnings that leak no CPU into what a step starts: only these decide."""
BEHAVE = tuple(f"{road}, {pinning}" for road in ROADS for pinning in SHIPPABLE)
ONE_ROAD = tuple(f"{road}, loop pinned" for road in ROADS)
PAIRS = 4  # pairs of scenarios (one per road) in each alternating behave run
DIRECT = tuple(
    f"{road}, {pinning}" for road in ROADS for pinning in ("both pinned", *SHIPPABLE)
) + tuple(f"{road}, loop pinned, between" for road in ROADS)
TEXTBOOK = "run_coroutine_threadsafe().result()"
US = 1e6

# Added to bench_steps' wsbdd environment: the process's CPU time and context switches
# at the first exchange step and at the "done" step of each scenario.
USAGE = """

import resource as _resource

_usage = {}
_before_step = before_step
_after_all = after_all


def before_step(context, step):
    if len(_current) == 1 or step.name == "the exchanges are done":
        now = _resource.getrusage(_resource.RUSAGE_SELF)
        _usage.setdefault(context.scenario.name, []).append(
            [time.process_time(), now.ru_nvcsw, now.ru_nivcsw]
        )
    _before_step(context, step)


def after_all(context):
    _stamps["usage"] = _usage
    _after_all(context)
"""

# Added for the alternating feature: each scenario takes the road its name starts with.
# A turn-taking loop whose ``can_take_turns`` is off takes the plain road for every call
# (what a Python without asyncio's internals gets); its selector still lets go of and
# takes back an uncontended lock around each wait, well under a microsecond.
ROAD_PER_SCENARIO = """

from wsbdd.io.runtime import current_loop_thread as _loop_thread

_before_scenario = before_scenario
_can = []


def before_scenario(context, scenario):
    loop = _loop_thread().loop
    if not _can:
        _can.append(getattr(loop, "can_take_turns", False))
    loop.can_take_turns = _can[0] and not scenario.name.startswith("plain")
    _before_scenario(context, scenario)
"""


class PinnedAlways:
    """behave's thread on the loop's one CPU from start to stop (not shippable)."""

    def __init__(self, loop_thread: LoopThread) -> None:
        self.loop_thread = loop_thread
        self.before: set[int] | None = None

    def __enter__(self) -> None:
        if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
            return
        self.before = os.sched_getaffinity(0)
        cpu = {min(self.before)}
        os.sched_setaffinity(self.loop_thread._thread.native_id, cpu)
        os.sched_setaffinity(0, cpu)

    def __exit__(self, *exc: object) -> None:
        if self.before is not None:
            os.sched_setaffinity(0, self.before)


# --- through behave ------------------------------------------------------------------------


def alternating_feature(pairs: int, exchanges: int) -> str:
    """A warm-up scenario, then ``2 × pairs`` scenarios named after the road they run on,
    in the order turns, plain, plain, turns, turns, plain, … (drift cancels out)."""
    names = ["warm-up"]
    for pair in range(pairs):
        roads = ROADS if pair % 2 == 0 else ROADS[::-1]
        names += [f"{road} {pair}" for road in roads]
    lines = ["Feature: both roads, scenario by scenario", ""]
    for name in names:
        count = bench_steps.WARMUP if name == "warm-up" else exchanges
        lines += bench_steps.scenario_lines(name, count, name)
    return "\n".join(lines)


def behave_projects(folder: Path, pairs: int, exchanges: int) -> dict[str, Path]:
    """bench_steps' wsbdd project, with its process's CPU time and switches recorded:
    "alternating" takes the road each scenario's name gives; "one road" is bench_steps'
    own feature (a warm-up scenario, then one timed scenario) on the process's road."""
    projects = {}
    for kind, sub in (("alternating", "alternating"), ("one road", "one_road")):
        project = bench_steps.write_projects(folder / sub, exchanges, bench_steps.WARMUP)["wsbdd"]
        environment = project / "features" / "environment.py"
        environment.write_text(environment.read_text() + USAGE)
        if kind == "alternating":
            (project / "features" / "exchanges.feature").write_text(
                alternating_feature(pairs, exchanges)
            )
            environment.write_text(environment.read_text() + ROAD_PER_SCENARIO)
        projects[kind] = project
    return projects


def behave_run(
    project: Path, url: str, exchanges: int, *, pinning: str, road: str = "turns"
) -> dict[str, dict[str, Any]]:
    """One behave run: per timed scenario, its exchange times (s), CPU (s) and switches."""
    command = [
        "env",  # bench_steps' child environment drops WSBDD_ variables; the road goes here
        f"WSBDD_TURNS={1 if road == 'turns' else 0}",
        sys.executable,
        "-m",
        "behave",
        "--no-color",
        "-f",
        "plain",
        "-D",
        f"wsbdd.same_cpu={'true' if pinning == 'loop pinned' else 'false'}",
        "features",
    ]
    out = project / "stamps-runtime.json"
    found = bench_steps.run_child(command, project, url, out, f"behave, {road}, {pinning}")
    usage = found.pop("usage")
    scenarios = {}
    for name, stamps in found.items():
        if name == "warm-up":
            continue
        stamps = stamps[1:]  # the connect step's stamp: the first exchange starts at the next
        if len(stamps) != 2 * exchanges + 1:
            raise SystemExit(f"behave, {name}: {len(stamps)} stamps for {exchanges} exchanges")
        gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
        (cpu0, vol0, invol0), (cpu1, vol1, invol1) = usage[name]
        scenarios[name] = {
            "send": gaps[0::2],
            "receive": gaps[1::2],
            "exchange": [a + b for a, b in zip(gaps[0::2], gaps[1::2], strict=True)],
            "cpu": (cpu1 - cpu0) / exchanges,
            "switches": (vol1 - vol0 + invol1 - invol0) / exchanges,
        }
    return scenarios


# --- directly through Session --------------------------------------------------------------


def make_run(variant: str, url: str) -> Run:
    settings = Settings(url=url, ignore=('$.type is "welcome"',), timeout=10.0)
    run = Run(settings)
    run.loop_thread = LoopThread(
        same_cpu=", loop pinned" in variant, turns=variant.startswith("turns")
    )
    return run.open()


def busy(microseconds: float) -> None:
    """Pure-Python work for ``microseconds`` (the caller holds the GIL all along)."""
    clock = time.perf_counter
    end = clock() + microseconds / US
    while clock() < end:
        pass


def direct_round(variant: str, url: str, exchanges: int, noops: int, tag: str) -> dict[str, Any]:
    """One direct variant's samples for one round, in seconds."""
    run = make_run(variant, url)
    pin = PinnedAlways(run.loop_thread) if "both pinned" in variant else None
    between = BETWEEN if variant.endswith("between") else 0.0
    samples: dict[str, Any] = {"send": [], "receive": [], "exchange": [], "no-op": []}
    clock = time.perf_counter
    echo = where('$.type is "echo"')
    try:
        if pin is not None:
            pin.__enter__()
        session = run.session()
        session.connect("Alice")
        for n in range(WARMUP + exchanges):
            if n == WARMUP:
                cpu, usage = time.process_time(), resource.getrusage(resource.RUSAGE_SELF)
            payload = f'{{"type": "echo", "content": "{tag} {n}"}}'
            start = clock()
            session.send("Alice", payload)
            sent = clock()
            if between:
                busy(between)
            asked = clock()
            session.receive("Alice", echo)
            done = clock()
            if between:
                busy(between)
            if n >= WARMUP:
                samples["send"].append(sent - start)
                samples["receive"].append(done - asked)
                samples["exchange"].append(sent - start + done - asked)
        now = resource.getrusage(resource.RUSAGE_SELF)
        samples["cpu"] = (time.process_time() - cpu - 2 * between / US * exchanges) / exchanges
        samples["switches"] = (
            now.ru_nvcsw - usage.ru_nvcsw + now.ru_nivcsw - usage.ru_nivcsw
        ) / exchanges
        if not between:
            call = run.loop_thread.call_in_turn
            for n in range(WARMUP + noops):
                start = clock()
                call(_noop)
                if n >= WARMUP:
                    samples["no-op"].append(clock() - start)
        session.close()
    finally:
        if pin is not None:
            pin.__exit__()
        run.close()
    return samples


def _noop() -> None:
    return None


def textbook_round(noops: int) -> list[float]:
    """The no-op call as most code bridges: run_coroutine_threadsafe(...).result()."""

    async def nothing() -> None:
        return None

    samples = []
    clock = time.perf_counter
    with LoopThread(same_cpu=False, turns=False) as loop_thread:
        loop = loop_thread.loop
        for n in range(WARMUP + noops):
            start = clock()
            asyncio.run_coroutine_threadsafe(nothing(), loop).result(10)
            if n >= WARMUP:
                samples.append(clock() - start)
    return samples


# --- the run -------------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rotated(variants: tuple[str, ...], r: int) -> tuple[str, ...]:
    return variants[r % len(variants) :] + variants[: r % len(variants)]


def measure(rounds: int, exchanges: int, noops: int, pairs: int) -> dict[str, Any]:
    """Every round: one alternating behave run per pinning, one behave run per road on
    its own (loop pinned), every direct variant, the textbook no-op; orders rotated."""
    kinds = ("send", "receive", "exchange", "no-op", "cpu", "switches")
    # behave[variant] = one entry per round: that round's scenarios of the variant
    behave: dict[str, list[list[dict[str, Any]]]] = {v: [] for v in BEHAVE}
    one_road: dict[str, list[dict[str, Any]]] = {v: [] for v in ONE_ROAD}
    direct: dict[str, dict[str, list[float]]] = {v: {k: [] for k in kinds} for v in DIRECT}
    per_round: dict[str, list[float]] = {v: [] for v in DIRECT}  # direct exchange p50s
    textbook: list[float] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as folder, demo_server() as url:
        projects = behave_projects(Path(folder), pairs, exchanges)
        runs = tuple(f"alternating, {p}" for p in SHIPPABLE) + tuple(
            f"one road, {v}" for v in ONE_ROAD
        )
        for r in range(rounds):
            for run in rotated(runs, r):
                kind, rest = run.split(", ", 1)
                if kind == "alternating":
                    scenarios = behave_run(projects[kind], url, exchanges, pinning=rest)
                    for road in ROADS:
                        behave[f"{road}, {rest}"].append(
                            [found for name, found in scenarios.items() if name.startswith(road)]
                        )
                else:
                    road, pinning = rest.split(", ")
                    scenarios = behave_run(
                        projects[kind], url, exchanges, pinning=pinning, road=road
                    )
                    one_road[rest].append(scenarios["timed"])
            for variant in rotated(DIRECT, r):
                samples = direct_round(variant, url, exchanges, noops, f"r{r}")
                for kind in ("send", "receive", "exchange", "no-op"):
                    direct[variant][kind].extend(samples[kind])
                direct[variant]["cpu"].append(samples["cpu"])
                direct[variant]["switches"].append(samples["switches"])
                per_round[variant].append(statistics.median(samples["exchange"]))
            textbook.extend(textbook_round(noops))
    return {
        "behave": behave,
        "one_road": one_road,
        "direct": direct,
        "per_round": per_round,
        "textbook": textbook,
        "rounds": rounds,
        "exchanges": exchanges,
        "pairs": pairs,
        "noops": noops,
        "took": time.monotonic() - started,
        "load": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def bought_per_step(p50s: dict[str, float], suffix: str = "") -> tuple[float, str, str]:
    """µs per step turn-taking buys: (best plain − best turns exchange p50) ÷ 2."""

    def best(road: str) -> tuple[float, str]:
        return min((p50s[f"{road}, {pinning}{suffix}"], pinning) for pinning in SHIPPABLE)

    (turns, turns_pinning), (plain, plain_pinning) = best("turns"), best("plain")
    return (plain - turns) / 2 * US, plain_pinning, turns_pinning


def rows_from(data: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    behave, direct, rounds = data["behave"], data["direct"], data["rounds"]
    one_road = data["one_road"]
    rows: list[dict[str, Any]] = []

    def row(measure: str, value: float, unit: str = "µs", goal: Any = None, met: Any = None):
        rows.append(
            {"measure": measure, "value": round(value, 2), "unit": unit, "goal": goal, "met": met}
        )

    def every(scenarios: list[dict[str, Any]], kind: str) -> list[float]:
        return [value for found in scenarios for value in found[kind]]

    def all_rounds(variant: str) -> list[dict[str, Any]]:
        return [found for this_round in behave[variant] for found in this_round]

    p50s = {v: quantile(every(all_rounds(v), "exchange"), 0.5) for v in BEHAVE}
    bought, plain_pinning, turns_pinning = bought_per_step(p50s)
    per_round = [
        bought_per_step({v: quantile(every(behave[v][r], "exchange"), 0.5) for v in BEHAVE})[0]
        for r in range(rounds)
    ]
    # Scenario by scenario: each plain scenario against the turns scenario beside it.
    pairs = [
        (quantile(p["exchange"], 0.5) - quantile(t["exchange"], 0.5)) / 2 * US
        for pinning in SHIPPABLE
        for r in range(rounds)
        for t, p in zip(behave[f"turns, {pinning}"][r], behave[f"plain, {pinning}"][r], strict=True)
    ]
    row(
        "turn-taking buys per step through behave, p50 ((best plain − best turns exchange) ÷ 2)",
        bought,
        "µs",
        f"keep turns if ≥ {KEEP_IF:g}",
        bought >= KEEP_IF,
    )
    row("the same, median of the rounds' values", statistics.median(per_round))
    row("the same, lowest round", min(per_round))
    row("the same, median over neighbouring scenario pairs", statistics.median(pairs))
    for variant in BEHAVE:
        scenarios = all_rounds(variant)
        row(f"behave, {variant}: exchange (two steps), p50", p50s[variant] * US)
        row(f"behave, {variant}: send step, p50", quantile(every(scenarios, "send"), 0.5) * US)
        row(
            f"behave, {variant}: receive step, p50",
            quantile(every(scenarios, "receive"), 0.5) * US,
        )
        row(
            f"behave, {variant}: process CPU per exchange (median of scenarios)",
            statistics.median(found["cpu"] for found in scenarios) * US,
        )
        row(
            f"behave, {variant}: context switches per exchange (median of scenarios)",
            statistics.median(found["switches"] for found in scenarios),
            "",
        )
    one_p50 = {v: quantile(every(one_road[v], "exchange"), 0.5) for v in ONE_ROAD}
    one_bought = (one_p50["plain, loop pinned"] - one_p50["turns, loop pinned"]) / 2 * US
    one_rounds = [
        (quantile(p["exchange"], 0.5) - quantile(t["exchange"], 0.5)) / 2 * US
        for t, p in zip(one_road["turns, loop pinned"], one_road["plain, loop pinned"], strict=True)
    ]
    row("behave, one road per process (plain: WSBDD_TURNS=0), loop pinned: turns buy", one_bought)
    for variant in ONE_ROAD:
        row(f"behave, one road per process, {variant}: exchange, p50", one_p50[variant] * US)
        row(
            f"behave, one road per process, {variant}: process CPU per exchange (median)",
            statistics.median(found["cpu"] for found in one_road[variant]) * US,
        )
    direct_p50s = {v: quantile(direct[v]["exchange"], 0.5) for v in DIRECT}
    direct_bought = bought_per_step(direct_p50s)[0]
    row("direct (no behave): turn-taking buys per step, p50, back to back", direct_bought)
    between = (
        direct_p50s["plain, loop pinned, between"] - direct_p50s["turns, loop pinned, between"]
    ) / 2
    row(
        f"direct: the same, loop pinned, {BETWEEN:g} µs of Python work after each step",
        between * US,
    )
    for variant in DIRECT:
        found = direct[variant]
        row(f"direct, {variant}: exchange, p50", direct_p50s[variant] * US)
        row(f"direct, {variant}: send, p50", quantile(found["send"], 0.5) * US)
        row(f"direct, {variant}: receive, p50", quantile(found["receive"], 0.5) * US)
        row(
            f"direct, {variant}: process CPU per exchange (median of rounds)",
            statistics.median(found["cpu"]) * US,
        )
        row(
            f"direct, {variant}: context switches per exchange (median of rounds)",
            statistics.median(found["switches"]),
            "",
        )
        if found["no-op"]:
            row(f"direct, {variant}: no-op call, p50", quantile(found["no-op"], 0.5) * US)
    row(f"{TEXTBOOK}: no-op, p50", quantile(data["textbook"], 0.5) * US)
    direct_rounds = [
        bought_per_step({v: data["per_round"][v][r] for v in DIRECT})[0] for r in range(rounds)
    ]
    verdict = "keep turn-taking" if bought >= KEEP_IF else "turn-taking does not pay for itself"
    load = data["load"]

    def listed(values: list[float]) -> str:
        return ", ".join(f"{v:.1f}" for v in values)

    notes = [
        f"through behave: per round, one behave process per pinning playing {data['pairs']} "
        f"pairs of scenarios (turns, plain, plain, turns, …) of {data['exchanges']} exchanges "
        f"each, and one process per road on its own (loop pinned); × {rounds} rounds, order "
        f"rotated; bench_steps' project, asyncio loop, timed from before_step stamps; demo "
        f"server in its own process; Python {sys.version.split()[0]}.",
        f"verdict by the issue's rule (≥ {KEEP_IF:g} µs per step at p50, through behave): "
        f"{verdict} ({bought:.1f} µs: plain {plain_pinning} − turns {turns_pinning}).",
        f"through behave, turn-taking buys per step, per round (p50s): {listed(per_round)} µs.",
        f"scenario pairs: {len(pairs)}, {sum(v >= KEEP_IF for v in pairs)} of them "
        f"≥ {KEEP_IF:g} µs, {sum(v < 0 for v in pairs)} below 0.",
        f"one road per process, per round: {listed(one_rounds)} µs.",
        f"direct, back to back, per round (p50s): {listed(direct_rounds)} µs (explanation "
        "only: see the docstring for why it differs).",
        f"took {data['took']:.0f} s"
        + (f"; load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}" if load else ""),
    ]
    return rows, notes


def print_table(rows: list[dict[str, Any]], notes: list[str]) -> None:
    width = max(len(r["measure"]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>9}  unit  goal")
    for r in rows:
        print(f"{r['measure']:<{width}}  {r['value']:>9.2f}  {r['unit']:<4}  {r['goal'] or ''}")
    for note in notes:
        print("  " + note)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--exchanges", type=int, default=EXCHANGES)
    parser.add_argument("--noops", type=int, default=NOOPS)
    parser.add_argument("--pairs", type=int, default=PAIRS)
    parser.add_argument("--quick", action="store_true", help="2 rounds of 50: checks it runs")
    parser.add_argument("--json", action="store_true", help="one JSON document (bench/run_all)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.exchanges, args.noops, args.pairs = 2, 50, 200, 2
    data = measure(args.rounds, args.exchanges, args.noops, args.pairs)
    rows, notes = rows_from(data)
    if args.json:
        print(json.dumps({"benchmark": "runtime", "rows": rows, "notes": notes}))
    else:
        print_table(rows, notes)


if __name__ == "__main__":
    main()
