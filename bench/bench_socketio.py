"""Benchmark: Socket.IO through wsbdd's steps against python-socketio's own client and raw frames.

Two measures, each side by side in one run against the same real Socket.IO server
(``tests/socketio_apps/``: Node socket.io 4 by default, ``--server python`` for
python-socketio on uvicorn), every side in a process of its own, the sides' order
rotated from round to round.

Round trips (``--exchanges``, default 200): one client emits ``echo`` with
``{"n": "bench 17"}`` asking for an acknowledgement, waits for it and checks it
(the server acks with the same argument, and emits an ``echo`` event back too):

  wsbdd      ``python -m behave`` on a generated feature, wsbdd's steps and hooks::

                 When Alice emits "echo" with {"n": "bench 17"} and waits for the acknowledgement
                 Then the acknowledgement is {"n": "bench 17"}
                 ...                                  (every step text new)
                 Then the exchanges are done

  official   python-socketio's ``AsyncClient`` (WebSocket transport), a script:
             ``assert await sio.call("echo", payload) == payload`` per exchange
  frames     a plain ``websockets`` script speaking Engine.IO/Socket.IO by hand:
             send ``42<id>["echo",{…}]``, read up to ``43<id>[…]``, ``json.loads``,
             compare (pings answered): the floor
  noop       the wsbdd feature again, every step a ``pass`` (behave's ``re`` matcher,
             wsbdd's speed-ups): behave's own cost, which the AsyncClient does
             not pay, so wsbdd's own share can be told from behave's
  session    wsbdd's Session API with no behave, a script doing what the two steps do:
             ``session.emit_and_wait_ack("Alice", "echo", [payload])``, then
             ``session.expect_ack_is(None, event_args('{…}', session.vars))`` (what the
             steps call, their text parsing included): wsbdd's own
             share measured rather than subtracted (the emit, the wait that runs the
             loop on the caller's thread, the codec, the inbox, the matchers)
  wsbdd, noop with behave's console unbuffered: the two behave sides again with
             ``PYTHONUNBUFFERED=1``, as many CI containers set it (every piece behave
             prints is then a write: wsbdd's paced console joins its steps' lines, up to
             ``console_hold``; the no-op steps print each line at once); the other
             behave sides get Python's default for a pipe, whatever the shell running
             the benchmark has

  Timed from inside, as bench/bench_steps.py does: behave stamps
  ``time.perf_counter()`` first thing in ``before_step`` (from the first exchange's
  step to the "done" step); the scripts stamp before the first emit and after the
  last check.  Each run first plays 20 exchanges to warm up.  Reported: wsbdd ÷
  official per round, median (goal ≤ 1.3), and the same with the console unbuffered
  (the same goal);
  (wsbdd − noop) ÷ official; wsbdd ÷ frames, official ÷ frames; behave's cost per
  step, both ways.

Fan-out (``--clients``, default 1,000): a group connected over Socket.IO; a host
client emits ``fanout {"count": 1}`` and the server emits ``tick {"n": 1}`` to
every client of the namespace; the time from the host's emit until every member
has received and checked its tick, ``--broadcasts`` times (default 5) per
connected group, median:

  wsbdd      ``python -m behave`` on a generated feature::

                 Given 1000 clients in group "crowd" are connected within 300 seconds
                 And Host is connected over Socket.IO
                 When Host emits "fanout" with {"count": 1}
                 Then every client in group "crowd" receives the event "tick" where $.n is 1
                 ...

  frames     a plain ``websockets`` script: N connections (at most 200 handshakes at
             a time, as wsbdd), each opened by hand (Engine.IO open, ``40``, its
             ack), per broadcast every client ``recv()`` until a ``42["tick",…]``,
             ``json.loads``, compare (pings answered)

  Reported: fan-out throughput frames ÷ wsbdd (median broadcast time; goal ≥ 0.8).

Both: the event loop is asyncio on every side (wsbdd's default; the official
client has no other), no compression (socket.io 4 offers none unless configured).
Not alike, and part of what is compared: the official client speaks WebSocket through
aiohttp (its frame reader compiled), wsbdd and the frames script through websockets
(its masking compiled); the official client is one thread, where wsbdd's steps run on
behave's thread and hand each wait to wsbdd's loop thread and back; the official
client decodes the server's ``echo`` event and drops it (no handler), wsbdd keeps it
in the inbox, unread.  Left out: connecting (bench_groups),
reports (behave's ``plain`` formatter into a pipe), the server's own cost (the
same server for all sides, in its own process).  The machine is shared: read the
median and the per-round spread in the notes.  Bounded: each process has a
deadline (300 s); the default run takes about a minute here; ``--quick`` (40
exchanges, 100 clients, one round) a few seconds.

The wsbdd sides need wsbdd's Socket.IO codec and steps; in a checkout without them
they are left out with a note, and the rows compare the baselines only.

Run:  python bench/bench_socketio.py [--exchanges 200] [--clients 1000] [--rounds 9]
                                     [--broadcasts 5] [--server node|python] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
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
from bench.bench_groups import open_file_room  # noqa: E402

DEADLINE = 300.0  # seconds, per process
UNBUFFERED = "unbuffered"  # a behave side with PYTHONUNBUFFERED=1
WARMUP = 20
ROUNDS = 9
BROADCASTS = 5
HANDSHAKES = 200  # at a time (wsbdd's ClientPool default)
GOALS = {
    "round trips": ("≤ 1.3", lambda r: r <= 1.3),
    "fan-out": ("≥ 0.8", lambda r: r >= 0.8),
}

# --- the baselines, each a script of its own -------------------------------------------------

FRAMES = """
import asyncio, json, os, sys, time
from websockets.asyncio.client import connect

ENDPOINT = "/socket.io/?EIO=4&transport=websocket"


async def opened(url):
    # Engine.IO open ("0{...}"), then connect to "/" ("40") and wait for its ack ("40{...}").
    ws = await connect(url.replace("http://", "ws://") + ENDPOINT, compression=None,
                       proxy=None, ping_interval=None, open_timeout=120, max_queue=None)
    frame = await ws.recv()
    assert frame.startswith("0{"), frame
    await ws.send("40")
    while True:
        frame = await ws.recv()
        if frame.startswith("40{"):
            return ws
        assert frame == "2", frame
        await ws.send("3")


async def event(ws, name, check):
    # The next event `name` (pings answered, other events passed over); its args checked.
    while True:
        frame = await ws.recv()
        if frame == "2":
            await ws.send("3")
        elif frame.startswith("42["):
            args = json.loads(frame[2:])
            if args[0] == name:
                assert check(args[1:]), frame
                return


async def ack(ws, id, payload):
    want = f"43{id}["
    while True:
        frame = await ws.recv()
        if frame == "2":
            await ws.send("3")
        elif frame.startswith(want):
            assert json.loads(frame[len(want) - 1:]) == [payload], frame
            return


async def exchanges(ws, prefix, count, stamps, first_id):
    for n in range(count):
        payload = {"n": f"{prefix} {n}"}
        stamps.append(time.perf_counter())
        await ws.send(f"42{first_id + n}" + json.dumps(["echo", payload]))
        await ack(ws, first_id + n, payload)
    stamps.append(time.perf_counter())


async def round_trips(url, warmup, count):
    stamps = {"warm-up": [], "timed": []}
    ws = await opened(url)
    await exchanges(ws, "warm", warmup, stamps["warm-up"], 0)
    await exchanges(ws, "bench", count, stamps["timed"], warmup)
    await ws.close()
    return stamps


async def fan_out(url, size, broadcasts):
    bound = asyncio.Semaphore(200)

    async def one():
        async with bound:
            return await opened(url)

    crowd = await asyncio.gather(*(one() for _ in range(size)))
    host = await opened(url)
    stamps = []
    trigger = "42" + json.dumps(["fanout", {"count": 1}])
    for _ in range(broadcasts):
        waiting = [asyncio.ensure_future(event(ws, "tick", lambda a: a[0]["n"] == 1))
                   for ws in crowd]
        started = time.perf_counter()
        await host.send(trigger)
        await asyncio.wait_for(asyncio.gather(*waiting), 120)
        stamps.append([started, time.perf_counter()])
        await event(host, "tick", lambda a: True)  # the host gets one too
    await asyncio.gather(*(ws.close() for ws in [*crowd, host]))
    return {"broadcasts": stamps}


async def main(what, url, a, b):
    found = await (round_trips(url, a, b) if what == "round-trips" else fan_out(url, a, b))
    with open(os.environ["BENCH_STEPS_OUT"], "w") as out:
        json.dump(found, out)


what, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
asyncio.run(main(what, os.environ["BENCH_STEPS_URL"], a, b))
"""

OFFICIAL = """
import asyncio, json, os, sys, time
import socketio


async def exchanges(sio, prefix, count, stamps):
    for n in range(count):
        payload = {"n": f"{prefix} {n}"}
        stamps.append(time.perf_counter())
        assert await sio.call("echo", payload, timeout=60) == payload
    stamps.append(time.perf_counter())


async def main(url, warmup, count):
    stamps = {"warm-up": [], "timed": []}
    sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
    await sio.connect(url, transports=["websocket"], wait_timeout=60, retry=False)
    await exchanges(sio, "warm", warmup, stamps["warm-up"])
    await exchanges(sio, "bench", count, stamps["timed"])
    await sio.disconnect()
    with open(os.environ["BENCH_STEPS_OUT"], "w") as out:
        json.dump(stamps, out)


asyncio.run(main(os.environ["BENCH_STEPS_URL"], int(sys.argv[1]), int(sys.argv[2])))
"""

SESSION = """
import json, os, sys, time
from pathlib import Path

from wsbdd.expect.events import event_args
from wsbdd.facade.session import Run
from wsbdd.settings.config import load_settings


def exchanges(session, prefix, count, stamps):
    for n in range(count):
        text = json.dumps({"n": f"{prefix} {n}"})
        stamps.append(time.perf_counter())
        session.emit_and_wait_ack("Alice", "echo", event_args(text, session.vars))
        session.expect_ack_is(None, event_args(text, session.vars))
    stamps.append(time.perf_counter())


def main(warmup, count):
    stamps = {"warm-up": [], "timed": []}
    settings = load_settings(Path.cwd(), environ=os.environ)  # WSBDD_URL, WSBDD_LOOP
    with Run.start(settings) as run, run.session() as session:
        session.connect_socketio(["Alice"])
        exchanges(session, "warm", warmup, stamps["warm-up"])
        exchanges(session, "bench", count, stamps["timed"])
    with open(os.environ["BENCH_STEPS_OUT"], "w") as out:
        json.dump(stamps, out)


main(int(sys.argv[1]), int(sys.argv[2]))
"""

# --- wsbdd's side: behave on generated features -----------------------------------------------

DONE = """
from behave import step


@step("the {what} are done")
def done(context, what):
    pass
"""


NOOP_STEPS = r"""
from behave import step, use_step_matcher

use_step_matcher("re")


@step(r"the server speaks Socket\.IO")
def speaks(context):
    pass


@step(r"(?P<name>\w+) is connected over Socket\.IO")
def connected(context, name):
    pass


@step(r'(?P<name>\w+) emits "(?P<event>[^"]+)" with (?P<args>.+) and waits for the acknowledgement')
def emits(context, name, event, args):
    pass


@step(r"the acknowledgement is (?P<args>.+)")
def acknowledged(context, args):
    pass


@step(r"the (?P<what>\w+) are done")
def done(context, what):
    pass
"""
"""The round-trip feature's steps as no-ops (behave's ``re`` matcher, the cheapest), with
wsbdd's speed-ups: behave's own cost per step, the floor under wsbdd's side."""


def round_trip_feature(exchanges: int, warmup: int) -> str:
    lines = ["Feature: Socket.IO round trips", ""]
    for title, count, prefix in (("warm-up", warmup, "warm"), ("timed", exchanges, "bench")):
        lines += [
            f"  Scenario: {title}",
            "    Given the server speaks Socket.IO",
            "    And Alice is connected over Socket.IO",
        ]
        for n in range(count):
            payload = json.dumps({"n": f"{prefix} {n}"})
            lines.append(
                f'    When Alice emits "echo" with {payload} and waits for the acknowledgement'
            )
            lines.append(f"    Then the acknowledgement is {payload}")
        lines += ["    Then the exchanges are done", ""]
    return "\n".join(lines)


def fan_out_feature(size: int, broadcasts: int) -> str:
    lines = [
        "Feature: Socket.IO fan-out",
        "",
        "  Scenario: timed",
        "    Given the server speaks Socket.IO",
        f'    And {size} clients in group "crowd" are connected within 300 seconds',
        "    And Host is connected over Socket.IO",
    ]
    for _ in range(broadcasts):
        lines.append('    When Host emits "fanout" with {"count": 1}')
        lines.append(
            '    Then every client in group "crowd" receives the event "tick" where $.n is 1 '
            "within 60 seconds"
        )
    lines += ["    Then the broadcasts are done", ""]
    return "\n".join(lines)


def write_project(folder: Path, name: str, feature: str, noop: bool = False) -> Path:
    project = folder / name
    (project / "features" / "steps").mkdir(parents=True)
    (project / "features" / f"{name}.feature").write_text(feature)
    environment = bench_steps.ENVIRONMENTS["noop+ctx" if noop else "wsbdd"]
    (project / "features" / "environment.py").write_text(environment)
    steps = NOOP_STEPS if noop else "from wsbdd.steps import *  # noqa: F403\n" + DONE
    (project / "features" / "steps" / "bench_steps.py").write_text(steps)
    return project


def wsbdd_speaks_socketio() -> bool:
    """Whether this checkout has wsbdd's Socket.IO codec and steps (the wsbdd sides need both)."""
    return all(
        importlib.util.find_spec(module) is not None
        for module in ("wsbdd.codec.socketio", "wsbdd.steps.socketio")
    )


# --- running ------------------------------------------------------------------------------------


@contextlib.contextmanager
def socketio_server(kind: str) -> Iterator[str]:
    """The test server of tests/socketio_apps in its own process; yields its http:// URL."""
    from socketio_servers import SocketIOServerError, node_socketio_server, python_socketio_server

    start = node_socketio_server if kind == "node" else python_socketio_server
    try:
        with start() as server:
            yield server.url
    except SocketIOServerError as error:
        raise SystemExit(str(error)) from None


def behave_command() -> list[str]:
    return [sys.executable, "-m", "behave", "--no-color", "-f", "plain", "features"]


def timed_stamps(found: dict[str, list[float]], skip: int) -> list[float]:
    """The timed scenario's stamps; ``skip`` leading ones (steps before the first exchange)."""
    return found["timed"][skip:]


def round_trip_round(side: str, folder: Path, url: str, exchanges: int) -> float:
    """One run of one side; the seconds of its ``exchanges`` timed exchanges."""
    out = folder / f"stamps-{side}.json"
    if side.split()[0] in ("wsbdd", "noop"):
        noop = side.startswith("noop")
        project = folder / ("round_trips_noop" if noop else "round_trips")
        found = bench_steps.run_child(
            behave_command(),
            project,
            url,
            folder / f"stamps-{side.replace(' ', '-')}.json",
            f"{side} round trips",
            DEADLINE,
            unbuffered=side.endswith(UNBUFFERED),
        )
        stamps = timed_stamps(found, 2)  # "speaks Socket.IO" and "is connected"
        expected = 2 * exchanges + 1
    else:
        script = folder / f"{side}.py"
        args = ["round-trips"] if side == "frames" else []
        command = [sys.executable, str(script), *args, str(WARMUP), str(exchanges)]
        found = bench_steps.run_child(command, folder, url, out, f"{side} round trips", DEADLINE)
        stamps = found["timed"]
        expected = exchanges + 1
    if len(stamps) != expected:
        raise SystemExit(f"{side}: {len(stamps)} stamps for {exchanges} exchanges")
    return stamps[-1] - stamps[0]


def fan_out_round(side: str, folder: Path, url: str, size: int, broadcasts: int) -> float:
    """One run of one side; the median seconds of its broadcasts."""
    out = folder / f"fan-out-{side}.json"
    if side == "wsbdd":
        found = bench_steps.run_child(
            behave_command(), folder / "fan_out", url, out, "wsbdd fan-out", DEADLINE
        )
        # Stamps: speaks, crowd, host, then per broadcast the emit and the receive, then done.
        stamps = timed_stamps(found, 3)
        if len(stamps) != 2 * broadcasts + 1:
            raise SystemExit(f"wsbdd fan-out: {len(stamps)} stamps for {broadcasts} broadcasts")
        times = [stamps[i + 2] - stamps[i] for i in range(0, 2 * broadcasts, 2)]
    else:
        command = [sys.executable, str(folder / "frames.py"), "fan-out", str(size), str(broadcasts)]
        found = bench_steps.run_child(command, folder, url, out, "frames fan-out", DEADLINE)
        times = [end - start for start, end in found["broadcasts"]]
    return statistics.median(times)


def rotated(sides: list[str], index: int) -> list[str]:
    shift = index % len(sides)
    return sides[shift:] + sides[:shift]


def measure(options: argparse.Namespace, notes: list[str]) -> dict[str, dict[str, list[float]]]:
    with_wsbdd = wsbdd_speaks_socketio()
    if not with_wsbdd:
        notes.append(
            "wsbdd sides not run: this checkout has no Socket.IO codec and steps "
            "(wsbdd.codec.socketio, wsbdd.steps.socketio); the baselines only"
        )
    trips = ["wsbdd", "official", "frames", "noop", "session", f"wsbdd {UNBUFFERED}",
             f"noop {UNBUFFERED}"]  # fmt: skip
    if not with_wsbdd:
        trips = ["official", "frames"]
    fans = ["wsbdd", "frames"] if with_wsbdd else ["frames"]
    results: dict[str, dict[str, list[float]]] = {
        "round trips": {side: [] for side in trips},
        "fan-out": {side: [] for side in fans},
    }
    open_file_room([options.clients], notes)
    with tempfile.TemporaryDirectory(prefix="bench-socketio-") as name:
        folder = Path(name)
        (folder / "frames.py").write_text(FRAMES)
        (folder / "official.py").write_text(OFFICIAL)
        (folder / "session.py").write_text(SESSION)
        trip_feature = round_trip_feature(options.exchanges, WARMUP)
        write_project(folder, "round_trips", trip_feature)
        write_project(folder, "round_trips_noop", trip_feature, noop=True)
        write_project(folder, "fan_out", fan_out_feature(options.clients, options.broadcasts))
        with socketio_server(options.server) as url:
            for index in range(options.rounds):
                for side in rotated(trips, index):
                    seconds = round_trip_round(side, folder, url, options.exchanges)
                    results["round trips"][side].append(seconds)
                for side in rotated(fans, index):
                    results["fan-out"][side].append(
                        fan_out_round(side, folder, url, options.clients, options.broadcasts)
                    )
    return results


def row(measure: str, value: float, unit: str, goal: str | None = None, met: bool | None = None):
    return {"measure": measure, "value": round(value, 4), "unit": unit, "goal": goal, "met": met}


def per_round(values: dict[str, list[float]], top: str, bottom: str) -> list[float]:
    return [a / b for a, b in zip(values[top], values[bottom], strict=True)]


def rows_from(
    results: dict[str, dict[str, list[float]]], options: argparse.Namespace, notes: list[str]
) -> list[dict[str, Any]]:
    rows = []
    trips, fans = results["round trips"], results["fan-out"]
    n, size = options.exchanges, options.clients
    if "wsbdd" in trips:
        ratios = per_round(trips, "wsbdd", "official")
        value = statistics.median(ratios)
        goal, test = GOALS["round trips"]
        rows.append(row(f"{n} round trips, wsbdd ÷ python-socketio's AsyncClient", value, "×",
                        goal, test(value)))  # fmt: skip
        rows.append(row(f"{n} round trips, wsbdd ÷ raw frames", statistics.median(
            per_round(trips, "wsbdd", "frames")), "×"))  # fmt: skip
        notes.append("per-round wsbdd ÷ official: " + ", ".join(f"{r:.2f}" for r in ratios))
        # What is wsbdd's own, once behave's cost per step (the no-op run) is taken off.
        own = [
            (w - f) / o
            for w, f, o in zip(trips["wsbdd"], trips["noop"], trips["official"], strict=True)
        ]
        rows.append(row(f"{n} round trips, (wsbdd − behave's no-op steps) ÷ AsyncClient",
                        statistics.median(own), "×"))  # fmt: skip
        alone = statistics.median(per_round(trips, "session", "official"))
        rows.append(row(f"{n} round trips, wsbdd's Session API (no behave) ÷ AsyncClient",
                        alone, "×"))  # fmt: skip
        floor = statistics.median(trips["noop"]) / (2 * n) * 1e6
        rows.append(row("behave's own cost per step (no-op steps, wsbdd's speed-ups)",
                        floor, "µs"))  # fmt: skip
        loud = per_round(trips, f"wsbdd {UNBUFFERED}", "official")
        value = statistics.median(loud)  # the same goal: CI containers often run this way
        rows.append(row(f"{n} round trips, wsbdd ÷ AsyncClient, behave's console unbuffered "
                        "(PYTHONUNBUFFERED=1)", value, "×", goal, test(value)))  # fmt: skip
        floor = statistics.median(trips[f"noop {UNBUFFERED}"]) / (2 * n) * 1e6
        rows.append(row("behave's own cost per step, console unbuffered", floor, "µs"))
        notes.append("per-round wsbdd ÷ official, console unbuffered: "
                     + ", ".join(f"{r:.2f}" for r in loud))  # fmt: skip
    rows.append(row(f"{n} round trips, python-socketio's AsyncClient ÷ raw frames",
                    statistics.median(per_round(trips, "official", "frames")), "×"))  # fmt: skip
    if "wsbdd" in fans:
        ratios = per_round(fans, "frames", "wsbdd")  # throughput: wsbdd's relative to frames
        value = statistics.median(ratios)
        goal, test = GOALS["fan-out"]
        rows.append(row(f"fan-out to {size} clients, throughput wsbdd ÷ raw frames", value, "×",
                        goal, test(value)))  # fmt: skip
        notes.append("per-round fan-out wsbdd ÷ frames: " + ", ".join(f"{r:.2f}" for r in ratios))
    for side, values in trips.items():
        rows.append(row(f"{n} round trips, {side} (median of rounds)",
                        statistics.median(values) * 1e3, "ms"))  # fmt: skip
    for side, values in fans.items():
        rows.append(row(f"fan-out to {size} clients, {side} (median broadcast, median of rounds)",
                        statistics.median(values) * 1e3, "ms"))  # fmt: skip
    return rows


def document(options: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    notes: list[str] = []
    results = measure(options, notes)
    rows = rows_from(results, options, notes)
    notes.append(
        f"server: tests/socketio_apps ({options.server}), its own process; {options.rounds} "
        f"rounds, sides rotated per round; {options.broadcasts} broadcasts per connected group; "
        "event loop asyncio on every side; behave timed from before_step stamps"
    )
    notes.append(f"took {time.monotonic() - started:.0f} s")
    return {"benchmark": "bench_socketio", "rows": rows, "notes": notes}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exchanges", type=int, default=200)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--broadcasts", type=int, default=BROADCASTS)
    parser.add_argument("--server", choices=["node", "python"], default="node")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 40 exchanges, 100 clients, 1 round"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    options = parser.parse_args(argv)
    if options.quick:
        options.exchanges, options.clients, options.rounds, options.broadcasts = 40, 100, 1, 2
    bench_steps.show(document(options), options.json)


if __name__ == "__main__":
    main()
