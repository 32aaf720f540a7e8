"""Benchmark: send→reply exchanges through wsbdd's step library vs a plain websockets script.

Both talk to the same demo server, started once in a separate process (rate limit
off) and kept off the client's CPU.

The two are interleaved exchange by exchange (plain, steps, steps without
recording, then the next exchange in another order, …), so that both meet the
machine in the same state: on a shared machine, conditions drift within
seconds, and rounds of hundreds of exchanges run one after the other compared
different moments more than different code (per-round ratios ranged from 0.8
to 1.7 in one run).  The plain side is an ordinary asyncio script whose loop
runs each exchange to completion; it is timed inside the exchange, from before
its send to the matching reply, as the steps are.  Medians, not sums: a thread
wake-up is now and then delayed by milliseconds on a virtual machine, and one
such stall would dominate a sum.

"Through the step library" means the real behave step functions, found in behave's
step registry from the step text and run with a scenario context, exactly as behave
runs them (minus behave's console output), every step text new:

    When Alice sends {"type": "echo", "content": "bench 17"}
    Then Alice receives a message where $.type is "echo" and $.content is "bench 17"

A third client, in its own scenario, runs the same steps with recording switched
off (no copy of sent frames, no step marks), to show what the report's
recording costs.

Run:  python bench/bench_steps.py [--exchanges 200] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "wsbdd.demo", "--port", "0", "--no-rate-limit"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "wsbdd demo server listening on ws://127.0.0.1:PORT"
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"demo server did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[1].strip()


class PlainScript:
    """The baseline: what a hand-written websockets test does for each exchange."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.ws = self.loop.run_until_complete(connect(url + "/", proxy=None, compression=None))
        self.loop.run_until_complete(self.ws.recv())  # welcome

    async def _exchange(self, content: str) -> float:
        ws = self.ws
        started = time.perf_counter()
        await ws.send(json.dumps({"type": "echo", "content": content}))
        while True:
            reply = json.loads(await ws.recv())
            if reply.get("type") == "echo" and reply.get("content") == content:
                break
        return time.perf_counter() - started

    def exchange(self, n: int) -> float:
        return self.loop.run_until_complete(self._exchange(f"bench {n}"))

    def close(self) -> None:
        self.loop.run_until_complete(self.ws.close())
        self.loop.close()


class StepRunner:
    """Runs steps through behave's registry with a wsbdd scenario context.

    Per step it does what behave's runner does that concerns wsbdd: wsbdd's
    ``before_step`` hook, the registry look-up and the step function.  Step
    objects are made beforehand, as behave makes them when it parses a file.
    """

    def __init__(self, session: object) -> None:
        from behave.model import Step

        import wsbdd.steps  # noqa: F401  (registers the steps)
        from wsbdd.environment import before_step
        from wsbdd.vocabulary.registration import step_registry

        self._step = Step
        self._registry = step_registry()
        self._before_step = before_step
        self.context = SimpleNamespace(
            wsbdd=session, text=None, table=None, use_with_user_mode=contextlib.nullcontext
        )

    def parse(self, keyword: str, text: str) -> object:
        return self._step("bench", 0, keyword, keyword.lower(), text)

    def run(self, step: object) -> None:
        self._before_step(self.context, step)
        match = self._registry.find_match(step)
        if match is None:
            raise SystemExit(f"no step matches: {step}")
        match.run(self.context)


class _Discard(list):  # type: ignore[type-arg]
    """A list that keeps nothing: recording switched off."""

    def append(self, item: object) -> None:
        pass


class StepsScript:
    """One scenario's client exchanging through the steps.

    ``record=False``: the client keeps no copy of what it sends and the session no
    step marks, the two things wsbdd records only for the report (what a client
    receives is kept either way: the steps match on it)."""

    def __init__(self, run: object, *, record: bool = True) -> None:
        self.runner = StepRunner(run.session())  # type: ignore[attr-defined]
        session = self.runner.context.wsbdd
        session.connect("Alice")
        if not record:
            session.client("Alice").sent = _Discard()
            session.step_marks = _Discard()

    def exchange(self, n: int) -> float:
        runner = self.runner
        send = runner.parse("When", f'Alice sends {{"type": "echo", "content": "bench {n}"}}')
        receive = runner.parse(
            "Then", f'Alice receives a message where $.type is "echo" and $.content is "bench {n}"'
        )
        started = time.perf_counter()
        runner.run(send)
        runner.run(receive)
        return time.perf_counter() - started

    def close(self) -> None:
        self.runner.context.wsbdd.close()


def keep_server_apart(pid: int, cpu: int | None) -> None:
    """Keep the server off the CPU the test client uses (both tools run there), as if it
    ran on another machine: otherwise the scheduler now and then puts the two on one
    CPU for a round, and that round's ratio says more about the scheduler."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return
    others = os.sched_getaffinity(pid) - {cpu}
    if others:
        os.sched_setaffinity(pid, others)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exchanges", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--block", type=int, default=10, help="exchanges in a row on one side before the next"
    )
    args = parser.parse_args()

    from wsbdd.config import Settings
    from wsbdd.session import Run

    proc, url = start_server()
    try:
        run = Run.start(Settings(url=url, ping_interval=None))
        keep_server_apart(proc.pid, run.loop_thread.cpu)
        try:
            times: dict[str, list[float]] = {"plain": [], "steps": [], "unrecorded": []}
            ratios, recording = [], []
            n = 0
            for counted in [False] + [True] * args.rounds:  # one warm-up round
                sides = {
                    "plain": PlainScript(url),
                    "steps": StepsScript(run),
                    "unrecorded": StepsScript(run, record=False),
                }
                order = list(sides)
                this_round: dict[str, list[float]] = {side: [] for side in sides}
                for _ in range(0, args.exchanges if counted else 20, args.block):
                    order = order[1:] + order[:1]  # each side first, second and third in turn
                    for side in order:
                        for _ in range(args.block):
                            n += 1
                            this_round[side].append(sides[side].exchange(n))
                for script in sides.values():
                    script.close()
                if counted:
                    for side, values in this_round.items():
                        times[side] += values
                    median = {side: statistics.median(v) for side, v in this_round.items()}
                    ratios.append(median["steps"] / median["plain"])
                    recording.append(median["steps"] / median["unrecorded"])
        finally:
            run.close()
    finally:
        proc.terminate()
        proc.wait(10)
    plain_all, steps_all, unrecorded_all = times["plain"], times["steps"], times["unrecorded"]

    us = 1e6
    p50_plain, p50_steps = pct(plain_all, 0.5) * us, pct(steps_all, 0.5) * us
    print(
        f"{args.exchanges} send→reply exchanges × {args.rounds} rounds, interleaved "
        "exchange by exchange, demo server in its own process"
    )
    print(f"{'':28}{'p50 µs':>10}{'p90 µs':>10}{'p99 µs':>10}")
    for label, values in (
        ("plain websockets script", plain_all),
        ("wsbdd step library", steps_all),
        ("  the same, recording off", unrecorded_all),
    ):
        print(
            f"{label:28}{pct(values, 0.5) * us:10.0f}{pct(values, 0.9) * us:10.0f}"
            f"{pct(values, 0.99) * us:10.0f}"
        )
    print(f"ratio of p50 exchange times steps/plain: {p50_steps / p50_plain:.2f}x   (goal <= 1.3x)")
    ratio = statistics.median(ratios)
    print(
        f"median of per-round p50 ratios: {ratio:.2f}x "
        f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    print(
        f"recording on/off, median of per-round p50 ratios: "
        f"{statistics.median(recording):.3f}x   (goal <= 1.05x)"
    )
    added = (p50_steps - p50_plain) / 2
    print(f"added latency per step at p50 (2 steps per exchange): {added:.0f} µs   (goal <= 50 µs)")


if __name__ == "__main__":
    main()
