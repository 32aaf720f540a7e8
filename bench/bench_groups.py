"""Benchmark: a group of 1,000 / 5,000 / 10,000 clients through wsbdd vs a plain websockets script.

What it measures, for each size, in one run, both sides against the same server:

  ramp       connect N clients, at most 200 handshakes at a time on both sides
             (wsbdd: ``Session.connect_group``, as ``Given N clients in group … are
             connected``; plain: ``websockets.connect`` under a semaphore).
  fan-out    the server sends one message to all N; time from the moment the
             trigger is sent until the driver knows that every client has received
             it and checked it.  wsbdd builds the step's matchers the way the group
             step does (``per_member``) and waits with ``Session.receive_each``, as
             ``Then every client in group … receives a message where $.type is
             "news"``; plain runs recv + ``json.loads`` + a comparison per client.
             Several broadcasts per connected group, their median kept: a single one
             lasts tens of milliseconds, and one scheduling hiccup on a shared
             machine moved single-broadcast ratios between 0.4 and 1.9.
  closing    close all N with closing handshakes (wsbdd: ``Session.close``, i.e.
             ``ClientPool.close_all``, what ``after_scenario`` does; plain:
             ``gather(ws.close() …)``), the same close timeout on both sides.
  transcript (wsbdd only) building the scenario's transcript after closing, what the
             report hooks do at every scenario end; seconds, no baseline.
  KB/client  RSS growth per idle connected wsbdd client, in a fresh process with
             wsbdd's default loop (kept as it was; memory after traffic is
             bench/bench_memory.py's).

Garbage collection: wsbdd pauses Python's cyclic collector while a crowd (500+
clients) connects, receives or closes, and freezes a connected crowd until the
scenario closes (docs/load.md, "Crowds and the garbage collector"); the plain
script keeps Python's defaults, as a script a user writes would.  The crowd stays
frozen until the next round's pool is made, so the one full collection that frees
it lands in no timed column (a user meets it when the next scenario starts).

Fairness: the order of the two sides alternates from round to round; both run the
same event loop, chosen explicitly (``--loop asyncio``, the default, even when uvloop
is installed; ``--loop uvloop`` runs both on uvloop); the plain script runs in the
main thread, unpinned, and wsbdd gets a fresh ``Run`` per round (its loop thread
pinned to one CPU as in a behave run; the caller, which runs the loop while it waits,
unpinned).  Before each timed part the
server is asked, untimed, until it counts exactly the clients of that side, so no
broadcast goes to a client of the other side or misses a late one.  Ratios are taken
per round (wsbdd/plain for times; plain/wsbdd for fan-out throughput), then the
median.

What it leaves out: behave itself (step lookup, hooks, formatters: see
bench/bench_steps.py and the scenario benchmarks), the server's own cost (one plain
websockets broadcast server in its own process, on asyncio in both modes), TLS,
compression, keep-alive pings, and memory after traffic.

Goals (issue 12): ramp to 10,000 ≤ 1.15× plain; fan-out ≥ 0.8× plain; closing 5,000
≤ 1.1× plain.

Bounded: the default run (sizes 1,000, 5,000, 10,000; 2 rounds each, 4 for 1,000) takes
about 1–3 minutes; ``--quick`` (300 clients) a few seconds.  10,000 clients need about
10,300 open files: the soft limit is raised when the hard limit allows, else the
sizes that do not fit are skipped with a note saying why.

Run:  python bench/bench_groups.py [--sizes 1000 5000 10000] [--rounds 2] [--broadcasts 5]
                                   [--loop asyncio|uvloop] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.sync.client import connect as sync_connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = textwrap.dedent(
    """
    import asyncio, json, sys
    from websockets.asyncio.server import serve, broadcast

    members = set()
    changed = asyncio.Condition()
    sent = 0

    def padded(n):
        # A 200-byte JSON message (bench_memory's bursts).
        body = {"type": "news", "seq": n, "content": ""}
        body["content"] = "x" * (200 - len(json.dumps(body)))
        return json.dumps(body)

    async def until_members(n, limit):
        async with changed:
            await asyncio.wait_for(changed.wait_for(lambda: len(members) == n), limit)

    async def handler(ws):
        global sent
        if ws.request.path == "/control":
            async for text in ws:
                word, _, arg = text.partition(" ")
                if text == "count":
                    await ws.send(str(len(members)))
                elif word == "wait":        # "wait N S": answer once N members, at most S s
                    n, limit = arg.split()
                    try:
                        await until_members(int(n), float(limit))
                        await ws.send("ok")
                    except TimeoutError:
                        await ws.send(f"timeout {len(members)}")
                elif word == "burst":       # "burst K": K 200-byte messages to every member
                    for _ in range(int(arg)):
                        sent += 1
                        broadcast(members, padded(sent))
                    await ws.send("sent")
                else:
                    broadcast(members, text)
                    await ws.send("sent")
            return
        async with changed:
            members.add(ws)
            changed.notify_all()
        try:
            await ws.wait_closed()
        finally:
            async with changed:
                members.discard(ws)
                changed.notify_all()

    async def main():
        async with serve(handler, "127.0.0.1", 0, compression=None, ping_interval=None,
                         backlog=4096) as server:
            print(server.sockets[0].getsockname()[1], flush=True)
            await asyncio.wait_for(asyncio.Event().wait(), 900)  # bounded: 15 minutes

    asyncio.run(main())
    """
)
"""The broadcast server every crowd benchmark uses, in its own process.  On ``/control``:
``count``; ``wait N S`` (answers ``ok`` once exactly N members are connected, or
``timeout COUNT`` after S seconds); ``burst K`` (K 200-byte messages to every member);
any other text is broadcast to every member as it is."""

GC_NOTE = (
    "garbage collector: wsbdd pauses it while a crowd of 500+ connects, receives or closes "
    "and freezes a connected crowd until the next scenario (docs/load.md); the plain "
    "script keeps Python's defaults, as a script a user writes does"
)
NEWS = json.dumps({"type": "news", "content": "one broadcast for everyone", "id": 1})
WHERE = '$.type is "news"'
HANDSHAKES = 200  # at a time, both sides (wsbdd's ClientPool default)
CLOSE_TIMEOUT = 10.0  # websockets' default; the same on both sides
GOALS = {  # measure → (size it applies to or None for every size, text, test)
    "ramp": (10_000, "<= 1.15x", lambda r: r <= 1.15),
    "fan-out": (None, ">= 0.8x", lambda r: r >= 0.8),
    "closing": (5_000, "<= 1.1x", lambda r: r <= 1.1),
}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# -- the event loop, chosen explicitly on both sides -------------------------------------------


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop]:
    if name == "uvloop":
        import uvloop  # type: ignore[import-not-found]

        return uvloop.new_event_loop
    return asyncio.SelectorEventLoop


@contextlib.contextmanager
def wsbdd_loop(name: str) -> Iterator[None]:
    """While an older wsbdd makes its loop: hide uvloop for ``asyncio`` (before issue 13
    its LoopThread took uvloop whenever it could be imported; since then ``loop`` is a
    setting, given above, and hiding changes nothing)."""
    if name == "uvloop":
        yield
        return
    saved = sys.modules.get("uvloop", ...)
    sys.modules["uvloop"] = None  # type: ignore[assignment]  # import uvloop → ImportError
    try:
        yield
    finally:
        if saved is ...:
            del sys.modules["uvloop"]
        else:
            sys.modules["uvloop"] = saved  # type: ignore[assignment]


def loop_kind(loop: asyncio.AbstractEventLoop) -> str:
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


# -- the server ------------------------------------------------------------------------------


class Server:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.url = f"ws://127.0.0.1:{self.proc.stdout.readline().strip()}"
        self._open = contextlib.ExitStack()
        self._control = self._open.enter_context(
            sync_connect(self.url + "/control", proxy=None, compression=None)
        )

    def count(self) -> int:
        self._control.send("count")
        return int(self._control.recv(timeout=30))

    def wait_for_members(self, n: int, limit: float = 30.0) -> None:
        """Untimed: until the server counts exactly ``n`` group members (handlers that have
        started, or of the other side, not yet ended)."""
        self._control.send(f"wait {n} {limit}")
        answer = self._control.recv(timeout=limit + 10)
        if answer != "ok":
            now = answer.split()[-1]
            raise RuntimeError(f"the server counts {now} members, not {n}, after {limit} s")

    def close(self) -> None:
        self._open.close()
        self.proc.terminate()
        self.proc.wait(10)


# -- one round of each side ----------------------------------------------------------------------


def plain_round(server: Server, n: int, broadcasts: int, loop: str) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        bound = asyncio.Semaphore(HANDSHAKES)

        async def one() -> Any:
            async with bound:
                return await connect(
                    server.url + "/",
                    proxy=None,
                    compression=None,
                    ping_interval=None,
                    open_timeout=60,
                    close_timeout=CLOSE_TIMEOUT,
                )

        started = time.perf_counter()
        clients = await asyncio.gather(*(one() for _ in range(n)))
        ramp = time.perf_counter() - started
        await asyncio.to_thread(server.wait_for_members, n)

        async def receive(ws: Any) -> None:
            while True:
                message = json.loads(await ws.recv())
                if message.get("type") == "news":
                    return

        fan_outs = []
        # The control connection that triggers the broadcast is opened before the clock
        # starts, on both sides.
        async with connect(server.url + "/control", proxy=None, compression=None) as control:
            for _ in range(broadcasts):
                started = time.perf_counter()
                waiting = [asyncio.ensure_future(receive(ws)) for ws in clients]
                await control.send(NEWS)
                await asyncio.wait_for(asyncio.gather(*waiting), 60)
                fan_outs.append(time.perf_counter() - started)
                await control.recv()
        started = time.perf_counter()
        await asyncio.gather(*(ws.close() for ws in clients))
        closing = time.perf_counter() - started
        unclean = sum(1 for ws in clients if ws.protocol.close_rcvd is None)
        return {
            "ramp": ramp,
            "fan-out": statistics.median(fan_outs),
            "closing": closing,
            "unclean": unclean,
            "loop": loop_kind(asyncio.get_running_loop()),
        }

    with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        result = runner.run(main())
    server.wait_for_members(0)
    return result


def wsbdd_round(server: Server, n: int, broadcasts: int, loop: str) -> dict[str, Any]:
    from wsbdd.settings.config import Settings

    try:
        from wsbdd.match.grammar import conditions, per_member
    except ImportError:  # a wsbdd from before issue 13, measured side by side with this one
        from wsbdd.steps.grammar import conditions, per_member
    from wsbdd.facade.session import Run

    fields = dict(
        url=server.url, ping_interval=None, connect_timeout=60, close_timeout=CLOSE_TIMEOUT
    )
    try:
        settings = Settings(**fields, loop=loop)  # the loop is a setting since issue 13
    except TypeError:  # an older wsbdd, measured side by side: it picks the loop itself
        settings = Settings(**fields)
    with wsbdd_loop(loop):
        run = Run(settings)
    run.open()
    try:
        session = run.session()
        names = [f"member{i}" for i in range(1, n + 1)]
        started = time.perf_counter()
        session.connect_group("crowd", names)
        ramp = time.perf_counter() - started
        server.wait_for_members(n)
        session.connect("control", "/control")  # as a feature would: "When control sends …"
        fan_outs = []
        for _ in range(broadcasts):
            started = time.perf_counter()
            session.send("control", NEWS)
            # What the group step does: its matchers, then one wait over every member.
            members = session.group_members("crowd")
            matchers = per_member(members, WHERE, session.vars, conditions)
            session.receive_each(members, matchers, timeout=60, subject='client in group "crowd"')
            fan_outs.append(time.perf_counter() - started)
        session.disconnect("control")
        started = time.perf_counter()
        session.close()
        closing = time.perf_counter() - started
        started = time.perf_counter()
        session.transcript()
        transcript = time.perf_counter() - started
        outcomes = [session.client(name).outcome for name in names]
        unclean = sum(1 for o in outcomes if o is None or not o.clean)
        kind = loop_kind(run.loop_thread.loop)
    finally:
        run.close()
    server.wait_for_members(0)
    return {
        "ramp": ramp,
        "fan-out": statistics.median(fan_outs),
        "closing": closing,
        "transcript": transcript,
        "unclean": unclean,
        "loop": kind,
    }


def memory_per_client(url: str, n: int) -> float:
    """KiB of RSS per connected wsbdd client, measured in a fresh process."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from bench.bench_groups import rss_kib
        from wsbdd.settings.config import Settings
        from wsbdd.facade.session import Run
        run = Run.start(Settings(url={url!r}, ping_interval=None, connect_timeout=60))
        session = run.session()
        session.connect("warm-up")
        before = rss_kib()
        session.connect_group("crowd", [f"m{{i}}" for i in range({n})])
        print((rss_kib() - before) / {n})
        session.close()
        run.close()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    return float(result.stdout.strip().splitlines()[-1])


# -- open files -------------------------------------------------------------------------------


def open_file_room(sizes: list[int], notes: list[str]) -> list[int]:
    """Raise the soft open-file limit for the largest size that fits; drop those that do not.

    Raised before the server starts, so its process (which holds the other end of every
    connection) inherits it.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = {n: n + 300 for n in sizes}  # the clients, plus the interpreter's and the control's
    fitting = [n for n in sizes if hard == resource.RLIM_INFINITY or need[n] <= hard]
    for n in sizes:
        if n not in fitting:
            notes.append(
                f"skipped {n:,} clients: they need about {need[n]:,} open files and the hard "
                f"limit is {hard:,} (raise it, e.g. `ulimit -Hn {need[n]}` as root)"
            )
    wanted = max((need[n] for n in fitting), default=0)
    if soft != resource.RLIM_INFINITY and wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        notes.append(f"raised the soft open-file limit from {soft:,} to {wanted:,}")
    return fitting


# -- the run ----------------------------------------------------------------------------------


def ratio(measure: str, plain: dict[str, Any], wsbdd: dict[str, Any]) -> float:
    if measure == "fan-out":  # throughput: how many deliveries a second, relative to plain
        return float(plain[measure] / wsbdd[measure])
    return float(wsbdd[measure] / plain[measure])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--rounds", type=int, default=2, help="per size (1,000: twice that)")
    parser.add_argument("--broadcasts", type=int, default=5, help="per connected group")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--quick", action="store_true", help="300 clients, a few seconds")
    parser.add_argument("--no-memory", action="store_true", help="skip the KB/client column")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    if args.loop == "uvloop" and importlib.util.find_spec("uvloop") is None:
        parser.error("--loop uvloop needs uvloop installed (pip install 'wsbdd[uvloop]')")
    if args.quick:
        args.sizes, args.rounds, args.broadcasts = [300], 2, 3

    notes: list[str] = []
    sizes = open_file_room(args.sizes, notes)
    server = Server()
    rows: list[dict[str, Any]] = []
    out = log if args.json else print
    try:
        out(f"server: a plain websockets broadcast server in its own process ({server.url})")
        if not args.quick:  # the first connections of a process cost more: both warm up
            plain_round(server, 200, 1, args.loop)
            wsbdd_round(server, 200, 1, args.loop)
        out(
            f"{'clients':>8} {'':6} {'ramp s':>8} {'fan-out s':>10} {'msgs/s':>9} "
            f"{'closing s':>10} {'transcript s':>13} {'KB/client':>10}"
        )
        for n in sizes:
            results: dict[str, list[dict[str, Any]]] = {"plain": [], "wsbdd": []}
            rounds = args.rounds * 2 if n <= 1000 else args.rounds
            for index in range(rounds):
                order = ("plain", "wsbdd") if index % 2 == 0 else ("wsbdd", "plain")
                for side in order:
                    measure = plain_round if side == "plain" else wsbdd_round
                    results[side].append(measure(server, n, args.broadcasts, args.loop))
            loops = {r["loop"] for side in results.values() for r in side}
            if loops != {args.loop}:
                raise RuntimeError(f"the two sides ran on different loops: {sorted(loops)}")
            kib = None if args.no_memory else memory_per_client(server.url, n) * 1.024
            for side, values in results.items():
                ramp = statistics.median(v["ramp"] for v in values)
                fan = statistics.median(v["fan-out"] for v in values)
                closing = statistics.median(v["closing"] for v in values)
                transcript = (
                    f"{statistics.median(v['transcript'] for v in values):13.3f}"
                    if side == "wsbdd"
                    else ""
                )
                memory = f"{kib:10.1f}" if side == "wsbdd" and kib is not None else ""
                out(
                    f"{n:8d} {side:6} {ramp:8.3f} {fan:10.3f} {n / fan:9.0f} "
                    f"{closing:10.3f} {transcript:>13} {memory:>10}"
                )
                for measure, value in (("ramp", ramp), ("fan-out", fan), ("closing", closing)):
                    rows.append(row(f"{measure} {n} clients, {side}", value, "s"))
                unclean = sum(v["unclean"] for v in values)
                if unclean:
                    notes.append(
                        f"{side}: {unclean} of {n * rounds} closes at {n:,} were not clean"
                    )
            parts = []
            for measure in ("ramp", "fan-out", "closing"):
                value = statistics.median(
                    ratio(measure, p, w)
                    for p, w in zip(results["plain"], results["wsbdd"], strict=True)
                )
                applies, goal, test = GOALS[measure]
                goal_here = goal if applies in (None, n) else None
                label = "throughput wsbdd/plain" if measure == "fan-out" else "wsbdd/plain"
                rows.append(
                    row(
                        f"{measure} {n} clients, {label}",
                        value,
                        "x",
                        goal_here,
                        test(value) if goal_here else None,
                    )
                )
                shown = (
                    "fan-out wsbdd/plain throughput" if measure == "fan-out" else measure
                ) + f" {value:.2f}x"
                parts.append(shown + (f" (goal {goal_here})" if goal_here else ""))
            transcript_s = statistics.median(v["transcript"] for v in results["wsbdd"])
            rows.append(row(f"transcript {n} clients, wsbdd", transcript_s, "s"))
            if kib is not None:
                rows.append(row(f"idle memory {n} clients, wsbdd", kib, "KB/client"))
            out(f"{n:8d} ratios  " + ", ".join(parts))
        notes.append(
            f"loop: {args.loop} on both sides; order alternated each round; "
            f"{args.broadcasts} broadcasts per connected group (median); close timeout "
            f"{CLOSE_TIMEOUT:g} s on both sides; machine: {os.cpu_count()} CPUs"
        )
        notes.append(
            "left out: behave itself, the server's cost, TLS, compression, keep-alive pings, "
            "memory after traffic (bench/bench_memory.py)"
        )
        notes.append(GC_NOTE)
    finally:
        server.close()
    if args.json:
        print(json.dumps({"benchmark": "groups", "rows": rows, "notes": notes}, indent=2))
    else:
        for note in notes:
            print(f"note: {note}")


def row(
    measure: str, value: float, unit: str, goal: str | None = None, met: bool | None = None
) -> dict[str, Any]:
    return {"measure": measure, "value": round(value, 4), "unit": unit, "goal": goal, "met": met}


if __name__ == "__main__":
    main()
