"""Benchmark: memory per client, wsbdd vs raw websockets clients, idle and after traffic.

What it measures.  N clients (default 1,000) connect to the same minimal
websockets broadcast server, which runs in its own process.  Then the server
broadcasts 200-byte JSON messages to every client, in bursts of 10 (each
awaited by every client), until each client has received 10 and then 1,000
messages.  Each side runs in a fresh subprocess of its own, so the resident
set (RSS, from /proc/self/status after ``gc.collect()``) holds that side
alone.  The sides, in an order rotated from round to round, are:

  raw       websockets clients, each reading with ``async for`` and ``json.loads``
            (keeping nothing, as a hand-written script would)
  wsbdd     a wsbdd group (``Session.connect_group``) with the default settings:
            every message stays in the inbox for the whole scenario
  bounded   the same with ``inbox_limit`` set (``--limit``, default 5): claimed
            messages beyond the limit are dropped

Every wsbdd client claims each message as it arrives, the way a group step
does (``every client in group "crowd" receives a message where $.type is
"news"``: wsbdd's own ``Receive`` expectation watched on each client, the next
one started when the last is met, all on the loop thread without behave's
bridge), so the bounded inbox can drop what was claimed.  For each side it
prints KB per client (ΔRSS / N, 1 KB = 1,000 bytes) idle, after 10 and after
1,000 messages, the median over rounds, and wsbdd's extra KB per client over
raw.  Goal (issue 12): ≤ 24 KB per client after 1,000 messages in bounded
mode.  ``--tracemalloc`` also reports Python allocations traced per client
(slower; run it alone when you need it).

What it leaves out.  Speed (see bench_groups.py: this one waits for each
burst, so its timings mean nothing); the server's memory; kernel socket
buffers, which RSS does not count; the report and transcript built at
scenario end (a bounded inbox leaves the dropped messages out of it); behave
itself (the steps' work is called directly, without behave's runner).  RSS
does not shrink when Python frees memory inside its arenas: the figures are
the high-water marks a load run would see, and they are noisy on a shared
machine (±1 KB per client between runs).  Bigger bursts raise every side
(bursts of 110 added about 9 KB per client to raw websockets too).

Run:  python bench/bench_memory.py [--clients 1000] [--rounds 1] [--limit 5] [--quick] [--json]
Bounded: each worker stops after 240 s.  The default run (one round, three
workers) takes about 2–3 minutes (a worker needs about a minute on a busy
machine); ``--quick`` (200 clients) about 20 s; ``--rounds 3`` puts each side
once in every position of the order.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

BURST = {10: 10, 1000: 10}
"""Messages per burst on the way to each point (see "What it leaves out")."""
POINTS = (("idle", 0), ("after 10 messages", 10), ("after 1,000 messages", 1000))
SIDES = ("raw", "wsbdd", "bounded")
GOAL_KB = 24.0


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class _Meter:
    """RSS (and traced Python memory) growth of this process since :meth:`start`."""

    def __init__(self, traced: bool) -> None:
        self.traced = traced
        self.rss0 = 0
        self.traced0 = 0

    def start(self) -> None:
        gc.collect()
        self.rss0 = rss_kib()
        if self.traced:
            import tracemalloc

            self.traced0 = tracemalloc.get_traced_memory()[0]

    def read(self, n: int) -> dict[str, float]:
        gc.collect()
        point = {"kb": (rss_kib() - self.rss0) * 1.024 / n}
        if self.traced:
            import tracemalloc

            point["traced_kb"] = (tracemalloc.get_traced_memory()[0] - self.traced0) / 1000 / n
        return point


# -- the workers (each in its own process) ----------------------------------------------------


async def _raw(url: str, n: int, meter: _Meter) -> list[dict[str, float]]:
    from websockets.asyncio.client import connect

    def opened() -> Any:
        return connect(url + "/", proxy=None, compression=None, ping_interval=None, open_timeout=60)

    received = 0
    wanted = 0
    arrived = asyncio.Event()

    async def read(ws: Any) -> None:
        nonlocal received
        async for text in ws:
            json.loads(text)
            received += 1
            if received == wanted:
                arrived.set()

    control = await connect(url + "/control", proxy=None, compression=None)
    warm = await opened()  # pages in the code a connection runs, before the baseline
    meter.start()
    bound = asyncio.Semaphore(200)

    async def one() -> Any:
        async with bound:
            return await opened()

    clients = await asyncio.gather(*(one() for _ in range(n)))
    readers = [asyncio.ensure_future(read(ws)) for ws in clients]
    points = [meter.read(n)]
    done = 0
    for _, upto in POINTS[1:]:
        while done < upto:
            wanted = n * (done + BURST[upto])
            arrived.clear()
            await control.send(f"burst {BURST[upto]}")
            await asyncio.wait_for(arrived.wait(), 120)
            await control.recv()
            done += BURST[upto]
        points.append(meter.read(n))
    await asyncio.gather(*(ws.close() for ws in [*clients, warm, control]))
    for reader in readers:
        reader.cancel()
    return points


async def _claim_burst(clients: list[Any], control: Any, matcher: Any, burst: int) -> None:
    """Send one burst and claim every message as it arrives, as a group step does.

    For each client, ``burst`` times over: "every client in group "crowd" receives a
    message where $.type is "news"" (wsbdd's own Receive, watched on the client,
    the next one started the moment the last one is met), all on the loop thread.
    """
    from wsbdd.expect import Receive

    finished = asyncio.get_running_loop().create_future()
    remaining = len(clients)

    def chain(client: Any, left: int) -> None:
        def deliver(result: Any) -> None:
            nonlocal remaining
            if isinstance(result, BaseException) or not result.met:
                if not finished.done():
                    finished.set_exception(AssertionError(f"a burst went missing: {result}"))
                return
            if left > 1:
                chain(client, left - 1)
                return
            remaining -= 1
            if remaining == 0:
                finished.set_result(None)

        client.watch(Receive(client.name, matcher, 120), deliver)

    for client in clients:
        chain(client, burst)
    await control.send(f"burst {burst}")
    await finished


def _wsbdd(url: str, n: int, limit: int | None, meter: _Meter) -> list[dict[str, float]]:
    from wsbdd.facade.session import Run
    from wsbdd.match import where
    from wsbdd.settings.config import Settings

    extra = {} if limit is None else {"inbox_limit": limit}
    run = Run.start(Settings(url=url, ping_interval=None, connect_timeout=60, **extra))
    session = run.session()
    session.connect("control", "/control")
    session.connect("warm-up")
    names = [f"m{i}" for i in range(n)]
    meter.start()
    session.connect_group("crowd", names)
    clients = [session.client(name) for name in names]
    control = session.client("control")
    news = where('$.type is "news"')
    points = [meter.read(n)]
    done = 0
    for _, upto in POINTS[1:]:
        while done < upto:
            session.run_on_loop(_claim_burst(clients, control, news, BURST[upto]), 130)
            session.receive("control", timeout=30)
            done += BURST[upto]
        points.append(meter.read(n))
    session.close()
    run.close()
    return points


def worker(side: str, url: str, n: int, limit: int, traced: bool) -> None:
    if traced:
        import tracemalloc

        tracemalloc.start()
    meter = _Meter(traced)
    if side == "raw":
        points = asyncio.run(_raw(url, n, meter))
    else:
        points = _wsbdd(url, n, limit if side == "bounded" else None, meter)
        import wsbdd

        points[0]["from"] = os.path.dirname(os.path.dirname(wsbdd.__file__))  # type: ignore[assignment]
    print(json.dumps(points))


# -- the driver -----------------------------------------------------------------------------


def run_side(side: str, url: str, args: argparse.Namespace) -> list[dict[str, float]]:
    command = [sys.executable, os.path.abspath(__file__), "--worker", side, "--url", url]
    command += ["--clients", str(args.clients), "--limit", str(args.limit)]
    if args.tracemalloc:
        command.append("--tracemalloc")
    env = dict(os.environ)
    root = args.wsbdd_from or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False, env=env
    )
    if result.returncode != 0:
        raise SystemExit(f"the {side} worker failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1, help="rotating the order")
    parser.add_argument("--limit", type=int, default=5, help="inbox_limit of the bounded side")
    parser.add_argument("--sides", nargs="+", choices=SIDES, default=list(SIDES))
    parser.add_argument("--quick", action="store_true", help="200 clients, one round")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python memory")
    parser.add_argument("--wsbdd-from", help="import wsbdd from this checkout (before/after)")
    parser.add_argument("--worker", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.url, args.clients, args.limit, args.tracemalloc)
        return
    if args.quick:
        args.clients, args.rounds = min(args.clients, 200), 1

    # bench_groups' broadcast server (its "burst K" sends the 200-byte messages); imported
    # here, not at the top, so the measured workers load nothing of bench_groups.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from bench.bench_groups import SERVER

    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    url = f"ws://127.0.0.1:{server.stdout.readline().strip()}"
    results: dict[str, list[list[dict[str, float]]]] = {side: [] for side in args.sides}
    started = time.monotonic()
    try:
        for r in range(args.rounds):
            order = args.sides[r % len(args.sides) :] + args.sides[: r % len(args.sides)]
            for side in order:
                results[side].append(run_side(side, url, args))
    finally:
        server.terminate()
        server.wait(10)
    report(results, args, time.monotonic() - started)


def _label(side: str, limit: int) -> str:
    return {
        "raw": "raw websockets",
        "wsbdd": "wsbdd (default)",
        "bounded": f"wsbdd (inbox_limit = {limit})",
    }[side]


def report(results: dict[str, list[list[dict[str, float]]]], args: Any, took: float) -> None:
    rows: list[dict[str, Any]] = []
    keys = ["kb", "traced_kb"] if args.tracemalloc else ["kb"]
    median: dict[tuple[str, int, str], float] = {}
    for side, rounds in results.items():
        for p, (point, _) in enumerate(POINTS):
            for key in keys:
                value = statistics.median(points[p][key] for points in rounds)
                median[side, p, key] = value
                what = "KB per client (RSS)" if key == "kb" else "KB per client (tracemalloc)"
                goal = met = None
                if side == "bounded" and p == 2 and key == "kb":
                    goal, met = f"<= {GOAL_KB:g} KB", value <= GOAL_KB
                rows.append(
                    {
                        "measure": f"{what}, {_label(side, args.limit)}, {point}",
                        "value": round(value, 2),
                        "unit": "KB",
                        "goal": goal,
                        "met": met,
                    }
                )
    if "raw" in results:
        for side in ("wsbdd", "bounded"):
            if side not in results:
                continue
            for p, (point, _) in enumerate(POINTS):
                extra = median[side, p, "kb"] - median["raw", p, "kb"]
                rows.append(
                    {
                        "measure": f"extra KB per client over raw, {_label(side, args.limit)}, "
                        f"{point}",
                        "value": round(extra, 2),
                        "unit": "KB",
                        "goal": None,
                        "met": None,
                    }
                )
    checkouts = {p[0]["from"] for rounds in results.values() for p in rounds if "from" in p[0]}
    notes = [
        f"wsbdd imported from {', '.join(sorted(checkouts))}",
        f"{args.clients} clients, {args.rounds} round(s) in rotated order, each side in its own "
        f"process; 200-byte JSON messages in bursts of {BURST[10]}; took {took:.0f} s",
        "RSS growth / clients after gc.collect(); 1 KB = 1,000 bytes; medians over rounds",
        "noisy on a shared machine: compare sides within one run",
    ]
    if args.json:
        print(json.dumps({"benchmark": "memory", "rows": rows, "notes": notes}, indent=2))
        return
    for note in notes:
        print(f"# {note}")
    for row in rows:
        goal = (
            f"  (goal {row['goal']}: {'met' if row['met'] else 'NOT met'})" if row["goal"] else ""
        )
        print(f"{row['value']:9.2f} {row['unit']}  {row['measure']}{goal}")


if __name__ == "__main__":
    main()
