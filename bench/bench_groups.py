"""Benchmark: a group of 1,000 / 5,000 clients through wsbdd vs a plain websockets script.

For each size, in one run and alternately:
  ramp       connect N clients (at most 200 handshakes at a time, both sides)
  broadcast  the server sends one message to all N; time until every client has
             received it and checked it (wsbdd: `every client in group … receives a
             message where $.type is "news"`; plain: recv + json.loads + compare).
             Several broadcasts per connected group, their median kept: a single
             one lasts tens of milliseconds, and one scheduling hiccup on a shared
             machine moved single-broadcast ratios between 0.4 and 1.9.
  memory     RSS growth of this process per connected wsbdd client

The server is a minimal websockets broadcast server in its own process, so both
sides are measured against the same thing.  Goals (issue 3): ramp ≤ 1.2× plain,
receive-and-match throughput ≥ 0.8× plain, ≤ 20 KB per client.

Run:  python bench/bench_groups.py [--sizes 1000 5000] [--rounds 3] [--broadcasts 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time

from websockets.asyncio.client import connect

SERVER = textwrap.dedent(
    """
    import asyncio, sys
    from websockets.asyncio.server import serve, broadcast

    members = set()

    async def handler(ws):
        if ws.request.path == "/control":
            async for text in ws:
                broadcast(members, text)
                await ws.send("sent")
            return
        members.add(ws)
        try:
            await ws.wait_closed()
        finally:
            members.discard(ws)

    async def main():
        async with serve(handler, "127.0.0.1", 0, compression=None, ping_interval=None,
                         backlog=4096) as server:
            print(server.sockets[0].getsockname()[1], flush=True)
            await asyncio.wait_for(asyncio.Event().wait(), 900)  # bounded: 15 minutes

    asyncio.run(main())
    """
)

NEWS = json.dumps({"type": "news", "content": "one broadcast for everyone", "id": 1})


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def plain(url: str, n: int, broadcasts: int) -> tuple[float, float]:
    bound = asyncio.Semaphore(200)

    async def one() -> object:
        async with bound:
            return await connect(
                url + "/", proxy=None, compression=None, ping_interval=None, open_timeout=60
            )

    started = time.perf_counter()
    clients = await asyncio.gather(*(one() for _ in range(n)))
    ramp = time.perf_counter() - started

    async def receive(ws: object) -> None:
        while True:
            message = json.loads(await ws.recv())  # type: ignore[attr-defined]
            if message.get("type") == "news":
                return

    # The control connection that triggers the broadcast is opened before the clock
    # starts, on both sides.
    fan_outs = []
    async with connect(url + "/control", proxy=None, compression=None) as control:
        for _ in range(broadcasts):
            started = time.perf_counter()
            waiting = [asyncio.ensure_future(receive(ws)) for ws in clients]
            await control.send(NEWS)
            await asyncio.wait_for(asyncio.gather(*waiting), 60)
            fan_outs.append(time.perf_counter() - started)
            await control.recv()
    await asyncio.gather(*(ws.close() for ws in clients))  # type: ignore[attr-defined]
    return ramp, statistics.median(fan_outs)


def memory_per_client(url: str, n: int) -> float:
    """KiB of RSS per connected wsbdd client, measured in a fresh process."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {os.getcwd()!r})
        from bench.bench_groups import rss_kib
        from wsbdd.config import Settings
        from wsbdd.session import Run
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


def wsbdd_round(run: object, url: str, n: int, broadcasts: int) -> tuple[float, float]:
    from wsbdd.match import where

    session = run.session()  # type: ignore[attr-defined]
    names = [f"member{i}" for i in range(1, n + 1)]
    started = time.perf_counter()
    session.connect_group("crowd", names)
    ramp = time.perf_counter() - started
    matcher = where('$.type is "news"')
    session.connect("control", "/control")  # as a feature would: "When control sends …"
    fan_outs = []
    for _ in range(broadcasts):
        started = time.perf_counter()
        session.send("control", NEWS)
        session.receive_each(names, [matcher] * n, timeout=60, subject='client in group "crowd"')
        fan_outs.append(time.perf_counter() - started)
    session.close()
    return ramp, statistics.median(fan_outs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--broadcasts", type=int, default=7, help="per connected group")
    args = parser.parse_args()

    from wsbdd.config import Settings
    from wsbdd.session import Run

    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    url = f"ws://127.0.0.1:{server.stdout.readline().strip()}"
    run = Run.start(Settings(url=url, ping_interval=None, connect_timeout=60))
    try:
        print(f"server: plain websockets broadcast server in its own process ({url})")
        print(
            f"{'clients':>8} {'':6} {'ramp s':>8} {'fan-out s':>10} {'msgs/s':>9} {'KB/client':>10}"
        )
        for n in args.sizes:
            rows: dict[str, list[tuple[float, ...]]] = {"plain": [], "wsbdd": []}
            rounds = args.rounds if n <= 1000 else max(1, args.rounds - 1)
            for _ in range(rounds):
                rows["plain"].append(asyncio.run(plain(url, n, args.broadcasts)))
                rows["wsbdd"].append(wsbdd_round(run, url, n, args.broadcasts))
            for label, values in rows.items():
                ramp = statistics.median(v[0] for v in values)
                fan = statistics.median(v[1] for v in values)
                kib = f"{memory_per_client(url, n) * 1.024:10.1f}" if label == "wsbdd" else ""
                print(f"{n:8d} {label:6} {ramp:8.3f} {fan:10.3f} {n / fan:9.0f} {kib:>10}")
            ramp_ratio = statistics.median(
                w[0] / p[0] for w, p in zip(rows["wsbdd"], rows["plain"], strict=True)
            )
            tput_ratio = statistics.median(
                p[1] / w[1] for w, p in zip(rows["wsbdd"], rows["plain"], strict=True)
            )
            print(
                f"{n:8d} ratios  ramp wsbdd/plain {ramp_ratio:.2f}x (goal <= 1.2x), "
                f"receive+match throughput wsbdd/plain {tput_ratio:.2f}x (goal >= 0.8x)"
            )
    finally:
        run.close()
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
