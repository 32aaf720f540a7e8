"""Benchmark: wsbdd's load path (LoadDriver) vs plain websockets and Artillery, in one run.

What it measures
  A "echo" (request/reply): C clients (default 100) each send M messages (default 200)
    at R per second per client (default 20/s), ``{"type":"echo","content":"<id>"}``;
    every reply is matched back to its send by the id.  Reported: replies per second,
    round-trip latency p50/p95/p99/max, lost replies.
  B "fan-out" (delivery latency): C clients (default 50) join room "bench" and each
    sends K chat messages (default 10) at 2/s; the demo server delivers every message
    to all C members.  Reported: deliveries per second (every copy, the sender's own
    included), delivery latency to the *other* members p50/p95/p99/max, lost copies.

  Tools, interleaved within each repetition (the order rotates from one repetition to
  the next, so no tool always runs first or last):
    wsbdd      ``Run(Settings(url=…))`` + a session + ``LoadDriver``: ``connect``,
               ``send`` with ``count_offsets(M, R)``, ``measure`` (``None`` for A: each
               reply back to its sender; the group for B).  Numbers are read from
               ``LoadMetrics``.  wsbdd runs as it does by default: its own event-loop
               thread, pinned to the CPU of the calling thread (``same_cpu``).
    plain      a hand-written websockets asyncio script (``compression=None``,
               ``proxy=None``, ``ping_interval=None``): one sender task per client on
               the same absolute schedule (t0 + shift + k/R, shift = (1/R)·i/C, as wsbdd
               staggers), one reader task per client stamping ``time.monotonic()`` on
               receipt, ``json.loads`` and correlation by the id in ``content``.
    artillery  (workload A only, optional) Artillery 2's ``ws`` engine, installed with
               ``npm install --ignore-scripts`` into ~/.cache/wsbdd-bench/artillery (reused
               when present).  C VUs arrive over 1 s; each waits for the server's
               welcome, then loops M times: a processor function waits until the VU's
               next send instant (VU start + k/R, i.e. ``think`` without drift), ``send``
               with a ``match`` on ``$.content`` (the id), and a function that records
               the round trip (``events.emit('histogram', 'ws.round_trip_ms', ms)``, and
               every exact sample to a side file, so its percentiles use the same
               nearest-rank method as the others; Artillery's own summary p99 is shown
               too).  Artillery's fixed start-up cost (~15 s) is reported apart: "wall s"
               is the whole ``artillery run``, while its throughput uses its load window.

  Every tool gets a fresh demo server, ``python -m wsbdd.demo --port 0 --no-rate-limit``,
  in its own process on 127.0.0.1 (so rooms and sessions never carry over), stopped
  with SIGTERM afterwards.  uvloop is used by wsbdd when installed; the plain script
  then uses it too, so both run on the same kind of loop.

  Definitions (identical for every tool):
    throughput  completed replies (A) or deliveries (B) / send window, where the send
                window is the last send minus the first send of the run (wsbdd:
                ``LoadMetrics.sending_took``).  Artillery's send window spans its 1 s
                arrival ramp too, so a paced Artillery run reads lower by about
                (M/R + 1)/(M/R): 1.1x at the defaults, from the ramp, not from speed.
    active s    first send to the last receipt (wsbdd: ``LoadMetrics.took``, which ends
                when ``measure`` sees the last delivery, at most one 20 ms poll later).
    wall s      the tool's whole run: starting wsbdd's loop or the script or
                ``artillery run``, connecting, sending, waiting, closing.
    percentiles nearest rank (the sample at rank ceil(p/100·n)), in milliseconds.

How to run
  python bench/bench_load.py --quick --no-artillery     # smoke run, a few seconds
  python bench/bench_load.py                            # full: 3 repetitions, about 3 min
  python bench/bench_load.py --clients 100 --messages 200 --rate 20 --repetitions 5

How to read it
  The machine is shared and noisy (throughput can swing 2x between identical runs and
  tail latency more), so compare tools by the per-repetition ratios and their median,
  never by one run's absolute numbers.  Goals: wsbdd/plain throughput >= 0.8 and
  p50/p95/p99 <= 1.2; against Artillery at 100 clients, throughput >= 1.2 and a lower
  p99.  With the paced default workload every tool is asked for the same C·R messages
  per second, so throughput ratios near 1.0 mean "kept up with the schedule"; the
  latency ratios and lost counts are where the tools differ.  A wsbdd row flagged
  "saturated" means wsbdd's own loop fell behind (its numbers describe wsbdd, not
  the server).  The benchmark prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
ALL_CPUS = set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set()
ARTILLERY_DIR = Path.home() / ".cache" / "wsbdd-bench" / "artillery"
ARTILLERY_BIN = ARTILLERY_DIR / "node_modules" / ".bin" / "artillery"
SERVER_START_LIMIT = 20.0  # seconds to wait for the demo server's first line
NPM_INSTALL_LIMIT = 300.0
ROOM = "bench"
PERCENTILES = (("p50", 50.0), ("p95", 95.0), ("p99", 99.0), ("max", 100.0))


# -- results ---------------------------------------------------------------------------


def nearest_rank(ordered: list[float], p: float) -> float | None:
    """The sample at rank ceil(p/100 · n) of an ascending list (p=0: the minimum)."""
    if not ordered:
        return None
    rank = math.ceil(Fraction(str(p)) * len(ordered) / 100)
    return ordered[max(rank, 1) - 1]


@dataclass
class Result:
    """One tool's run of one workload."""

    tool: str
    sent: int = 0
    expected: int = 0
    delivered: int = 0
    window: float = 0.0  # last send − first send, s
    active: float = 0.0  # first send → last receipt, s
    wall: float = 0.0  # the tool's whole run, s
    latency: dict[str, float | None] = field(default_factory=dict)  # s, nearest rank
    samples: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return max(self.expected - self.delivered, 0)

    @property
    def throughput(self) -> float | None:
        return self.delivered / self.window if self.window > 0 else None

    def set_latencies(self, values: list[float]) -> None:
        ordered = sorted(values)
        self.samples = len(ordered)
        self.latency = {key: nearest_rank(ordered, p) for key, p in PERCENTILES}

    def ms(self, key: str) -> float | None:
        value = self.latency.get(key)
        return None if value is None else value * 1000


Runner = Callable[[str], Result]
"""Runs one tool against the server at a URL."""


def failed(tool: str, why: str) -> Result:
    return Result(tool, notes=[f"FAILED: {why}"])


# -- the demo server -------------------------------------------------------------------


def _read_line(fd: int, deadline: float) -> bytes:
    """Bytes up to the first newline, waiting on the pipe with a deadline (no sleeps)."""
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise TimeoutError(f"no line within the deadline (got {buffer!r})")
            chunk = os.read(fd, 4096)
            if not chunk:
                break  # end of file: the process has gone
            buffer += chunk
    return buffer.split(b"\n", 1)[0]


def _drain(fd: int) -> None:
    """Read a pipe until its end so a chatty child can never block on a full pipe."""
    with contextlib.suppress(OSError):
        while os.read(fd, 65536):
            pass


def _free_affinity(pid: int) -> None:
    # wsbdd pins the calling thread while its loop runs; a child must not inherit that.
    if ALL_CPUS and hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, ALL_CPUS)


def _stop(proc: subprocess.Popen[Any], *, group: bool = False, grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; always reaps the process."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(proc.pid, signal.SIGTERM)
            else:
                proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                if group:
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
            proc.wait(grace)


@contextlib.contextmanager
def demo_server() -> Iterator[str]:
    """A fresh demo server in its own process; yields its ws:// URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "wsbdd.demo", "--host", HOST, "--port", "0", "--no-rate-limit"],
        stdout=subprocess.PIPE,
        bufsize=0,
        cwd=ROOT,
    )
    try:
        _free_affinity(proc.pid)
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        line = _read_line(fd, time.monotonic() + SERVER_START_LIMIT).decode(errors="replace")
        if "listening on" not in line:
            raise RuntimeError(f"the demo server did not start: {line!r}")
        threading.Thread(target=_drain, args=(fd,), daemon=True).start()
        url = line.rsplit(" ", 1)[1].strip().rstrip("/")
        if not url.startswith(f"ws://{HOST}:"):
            raise RuntimeError(f"unexpected demo server address: {url!r}")
        yield url
    finally:
        _stop(proc)


# -- wsbdd -----------------------------------------------------------------------------

ECHO_TEXT = '{"type":"echo","content":"%s"}'
CHAT_TEXT = '{"type":"message","room":"' + ROOM + '","content":"%s"}'
JOIN_TEXT = '{"type":"join","room":"' + ROOM + '"}'


def loop_kind() -> str:
    """What kind of event loop wsbdd's LoopThread creates here ("uvloop" or "asyncio")."""
    from wsbdd.runtime import LoopThread

    loop = LoopThread().loop
    try:
        return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"
    finally:
        loop.close()


def _wsbdd_result(metrics: Any, kind: str, wall: float) -> Result:
    samples = metrics.round_trip if kind == "round-trip" else metrics.delivery
    result = Result(
        "wsbdd",
        sent=metrics.sent,
        expected=metrics.expected,
        delivered=metrics.delivered,
        window=metrics.sending_took,
        active=metrics.took,
        wall=wall,
        samples=len(samples),
        latency={key: samples.percentile(p) for key, p in PERCENTILES},
    )
    if metrics.saturated:
        result.notes.append(
            f"saturated (loop lag {metrics.loop_lag_max * 1000:.0f} ms, "
            f"schedule lag {metrics.schedule_lag_max * 1000:.0f} ms)"
        )
    if metrics.duplicates or metrics.unexpected:
        result.notes.append(f"{metrics.duplicates} duplicates, {metrics.unexpected} unexpected")
    return result


def wsbdd_run(
    url: str, workload: str, clients: int, count: int, rate: float, timeout: float
) -> Result:
    from wsbdd.config import Settings
    from wsbdd.load.driver import SENTINEL, LoadDriver
    from wsbdd.load.schedule import count_offsets
    from wsbdd.match import where
    from wsbdd.session import Run

    started = time.monotonic()
    run = Run.start(Settings(url=url, ping_interval=None, timeout=timeout))
    try:
        session = run.session()
        try:
            load = LoadDriver.of(session)
            names = [f"c{i}" for i in range(clients)]
            load.connect("crowd", names)
            if workload == "echo":
                payloads = load.payloads(names, [ECHO_TEXT % SENTINEL] * clients)
                load.send("crowd", names, payloads, count_offsets(count, rate))
                metrics = load.measure(None, timeout)
                kind = "round-trip"
            else:
                session.send_each(names, [JOIN_TEXT] * clients)
                session.receive_each(names, [where('$.type is "joined"')] * clients, timeout)
                payloads = load.payloads(names, [CHAT_TEXT % SENTINEL] * clients)
                load.send("crowd", names, payloads, count_offsets(count, rate))
                metrics = load.measure("crowd", timeout)
                kind = "delivery"
        finally:
            session.close()
    finally:
        run.close()
    return _wsbdd_result(metrics, kind, time.monotonic() - started)


# -- plain websockets ------------------------------------------------------------------


def new_loop_factory(kind: str) -> Callable[[], asyncio.AbstractEventLoop]:
    if kind == "uvloop":
        import uvloop  # type: ignore[import-not-found]

        return uvloop.new_event_loop  # type: ignore[no-any-return]
    return asyncio.new_event_loop


async def plain_run(
    url: str, workload: str, clients: int, count: int, rate: float, timeout: float
) -> Result:
    """The baseline: what a hand-written websockets load script does, on the same schedule."""
    started = time.monotonic()
    fan_out = workload == "fanout"
    tag = os.urandom(3).hex()
    prefix = f"p{tag}-"
    gate = asyncio.Semaphore(200)

    async def open_one() -> Any:
        async with gate:
            return await connect(
                url + "/", compression=None, proxy=None, ping_interval=None, open_timeout=timeout
            )

    conns = await asyncio.wait_for(
        asyncio.gather(*(open_one() for _ in range(clients))), timeout + clients / 50
    )
    total = clients * count
    sent_at = [math.nan] * total  # message number = sender * count + k
    got: list[dict[int, float]] = [{} for _ in range(clients)]  # per receiver: number → time
    joined = [asyncio.Event() for _ in range(clients)]
    expected = total * clients if fan_out else total
    received = 0
    all_in = asyncio.Event()
    monotonic = time.monotonic
    loads = json.loads

    async def reader(index: int, ws: Any) -> None:
        nonlocal received
        mine = got[index]
        async for raw in ws:
            at = monotonic()
            value = loads(raw)
            content = value.get("content") if isinstance(value, dict) else None
            if isinstance(content, str) and content.startswith(prefix):
                sender, _, k = content[len(prefix) :].partition("-")
                number = int(sender) * count + int(k)
                if (fan_out or int(sender) == index) and number not in mine:
                    mine[number] = at
                    received += 1
                    if received >= expected:
                        all_in.set()
            elif fan_out and isinstance(value, dict) and value.get("type") == "joined":
                joined[index].set()

    readers = [asyncio.ensure_future(reader(i, ws)) for i, ws in enumerate(conns)]
    late = 0.0
    template = CHAT_TEXT if fan_out else ECHO_TEXT
    gap = 1.0 / rate
    try:
        if fan_out:
            await asyncio.gather(*(ws.send(JOIN_TEXT) for ws in conns))
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in joined)), timeout)

        t0 = monotonic()

        async def sender(index: int, ws: Any) -> None:
            nonlocal late
            shift = gap * index / clients
            base = index * count
            for k in range(count):
                now = monotonic()
                due = t0 + shift + k * gap
                if due > now:
                    await asyncio.sleep(due - now)
                elif now - due > late:
                    late = now - due
                text = template % f"{prefix}{index}-{k}"
                sent_at[base + k] = monotonic()
                await ws.send(text)

        schedule = (count - 1) * gap + gap
        await asyncio.wait_for(
            asyncio.gather(*(sender(i, ws) for i, ws in enumerate(conns))), schedule + timeout
        )
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(all_in.wait(), timeout)
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True), 10
            )

    sends = [t for t in sent_at if t == t]
    latencies: list[float] = []
    last = max(sends) if sends else 0.0
    delivered = 0
    for index, mine in enumerate(got):
        for number, at in mine.items():
            delivered += 1
            last = max(last, at)
            if fan_out and number // count == index:
                continue  # the sender's own copy: a round trip, not a delivery
            latencies.append(at - sent_at[number])
    result = Result(
        "plain",
        sent=len(sends),
        expected=len(sends) * clients if fan_out else len(sends),
        delivered=delivered,
        window=(max(sends) - min(sends)) if sends else 0.0,
        active=(last - min(sends)) if sends else 0.0,
        wall=time.monotonic() - started,
    )
    result.set_latencies(latencies)
    if late > 0.1:
        result.notes.append(f"saturated (sends up to {late * 1000:.0f} ms behind schedule)")
    return result


def plain(
    url: str, workload: str, clients: int, count: int, rate: float, timeout: float, loop: str
) -> Result:
    with asyncio.Runner(loop_factory=new_loop_factory(loop)) as runner:
        return runner.run(plain_run(url, workload, clients, count, rate, timeout))


# -- Artillery -------------------------------------------------------------------------

PROCESSOR_JS = textwrap.dedent(
    """\
    'use strict';
    // Generated by bench/bench_load.py: pacing and exact round-trip samples per VU.
    const fs = require('fs');
    const { performance } = require('perf_hooks');
    const { threadId } = require('worker_threads');
    const OUT = __OUT__;
    const GAP_MS = __GAP_MS__;
    let vus = 0;
    const now = () => performance.timeOrigin + performance.now();

    function pace(context, events, done) {
      let b = context.bench;
      if (!b) {
        vus += 1;
        b = context.bench = { id: `${threadId}-${vus}`, k: 0, start: now(), rtts: [] };
      }
      const go = () => {
        context.vars.rid = `art-${b.id}-${b.k}`;
        b.t0 = now();
        if (b.first === undefined) b.first = b.t0;
        b.last = b.t0;
        done();
      };
      const wait = b.start + b.k * GAP_MS - now();
      if (wait > 0) setTimeout(go, wait); else go();
    }

    function record(context, events, done) {
      const b = context.bench;
      const t = now();
      const ms = t - b.t0;
      b.rtts.push(ms);
      b.lastReply = t;
      b.k += 1;
      events.emit('histogram', 'ws.round_trip_ms', ms);
      done();
    }

    function finish(context, events, done) {
      const b = context.bench || { rtts: [] };
      const line = { first: b.first, last: b.last, lastReply: b.lastReply, rtts: b.rtts };
      fs.appendFileSync(OUT, JSON.stringify(line) + '\\n');
      done();
    }

    module.exports = { pace, record, finish };
    """
)


def artillery_install(log: Callable[[str], None]) -> str | None:
    """Path of the artillery executable, installing it into the cache when missing."""
    if ARTILLERY_BIN.exists():
        return str(ARTILLERY_BIN)
    npm = shutil.which("npm")
    if npm is None:
        log("Artillery skipped: npm is not installed.")
        return None
    ARTILLERY_DIR.mkdir(parents=True, exist_ok=True)
    package = ARTILLERY_DIR / "package.json"
    if not package.exists():
        package.write_text('{"name": "wsbdd-bench-artillery", "private": true}\n')
    log(f"installing Artillery 2 into {ARTILLERY_DIR} (about a minute) …")
    proc = subprocess.Popen(
        [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", "artillery@2"],
        cwd=ARTILLERY_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=NPM_INSTALL_LIMIT)
    except subprocess.TimeoutExpired:
        log(f"Artillery skipped: npm install took over {NPM_INSTALL_LIMIT:.0f} s.")
        return None
    finally:
        _stop(proc, group=True)
    if proc.returncode != 0 or not ARTILLERY_BIN.exists():
        tail = output.decode(errors="replace").strip().splitlines()[-5:]
        log("Artillery skipped: npm install failed:\n    " + "\n    ".join(tail))
        return None
    return str(ARTILLERY_BIN)


def artillery_version(binary: str) -> str:
    package = Path(binary).resolve().parent.parent / "package.json"
    with contextlib.suppress(OSError, ValueError, KeyError):
        return str(json.loads(package.read_text())["version"])
    return "?"


def artillery_run(
    binary: str, url: str, clients: int, count: int, rate: float, timeout: float
) -> Result:
    with tempfile.TemporaryDirectory(prefix="wsbdd-bench-artillery-") as folder:
        work = Path(folder)
        samples_file = work / "samples.jsonl"
        samples_file.touch()
        processor = PROCESSOR_JS.replace("__OUT__", json.dumps(str(samples_file))).replace(
            "__GAP_MS__", repr(1000.0 / rate)
        )
        (work / "proc.js").write_text(processor)
        script = {
            "config": {
                "target": url,
                "phases": [{"duration": 1, "arrivalCount": clients}],
                "processor": "./proc.js",
                "ws": {"perMessageDeflate": False},
                "timeout": timeout,
            },
            "scenarios": [
                {
                    "engine": "ws",
                    "flow": [
                        {"wait": {"match": {"json": "$.type", "value": "welcome"}}},
                        {
                            "loop": [
                                {"function": "pace"},
                                {
                                    "send": {
                                        "payload": ECHO_TEXT % "{{ rid }}",
                                        "match": {"json": "$.content", "value": "{{ rid }}"},
                                    }
                                },
                                {"function": "record"},
                            ],
                            "count": count,
                        },
                        {"function": "finish"},
                    ],
                }
            ],
        }
        # JSON is YAML: the file is a valid Artillery YAML script without a YAML writer.
        (work / "script.yml").write_text(json.dumps(script, indent=2) + "\n")
        env = dict(os.environ, ARTILLERY_DISABLE_TELEMETRY="true", NO_COLOR="1")
        limit = 90.0 + count / rate + 2 * timeout
        started = time.monotonic()
        proc = subprocess.Popen(
            [binary, "run", "--output", "out.json", "script.yml"],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _free_affinity(proc.pid)
            try:
                output, _ = proc.communicate(timeout=limit)
            except subprocess.TimeoutExpired:
                return failed("artillery", f"artillery run took over {limit:.0f} s")
        finally:
            _stop(proc, group=True)
        wall = time.monotonic() - started
        text = output.decode(errors="replace")
        if proc.returncode != 0 or not (work / "out.json").exists():
            tail = " | ".join(text.strip().splitlines()[-5:])
            return failed("artillery", f"exit code {proc.returncode}: {tail}")
        aggregate = json.loads((work / "out.json").read_text()).get("aggregate", {})
        lines = [json.loads(line) for line in samples_file.read_text().splitlines() if line]

    rtts = [ms / 1000 for line in lines for ms in line["rtts"]]
    firsts = [line["first"] for line in lines if line.get("first") is not None]
    lasts = [line["last"] for line in lines if line.get("last") is not None]
    replies = [line["lastReply"] for line in lines if line.get("lastReply") is not None]
    counters = aggregate.get("counters", {})
    sent = int(counters.get("websocket.messages_sent", 0))
    result = Result(
        "artillery",
        sent=sent,
        expected=clients * count,
        delivered=len(rtts),
        window=(max(lasts) - min(firsts)) / 1000 if firsts and lasts else 0.0,
        active=(max(replies) - min(firsts)) / 1000 if firsts and replies else 0.0,
        wall=wall,
    )
    result.set_latencies(rtts)
    summary = aggregate.get("summaries", {}).get("ws.round_trip_ms") or aggregate.get(
        "histograms", {}
    ).get("ws.round_trip_ms")
    if summary:
        result.notes.append(
            f"own summary p50 {summary.get('median', summary.get('p50'))} ms, "
            f"p99 {summary.get('p99')} ms"
        )
    errors = {k: v for k, v in counters.items() if k.startswith("errors.")}
    if errors or counters.get("vusers.failed"):
        result.notes.append(f"vusers.failed {counters.get('vusers.failed', 0)} {errors}")
    return result


# -- reporting -------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


HEADER = (
    f"{'tool':10}{'sent':>8}{'delivered':>10}{'lost':>6}{'per s':>9}"
    f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'active s':>9}{'wall s':>8}  notes"
)


def row(result: Result) -> str:
    return (
        f"{result.tool:10}{result.sent:8,}{result.delivered:10,}{result.lost:6,}"
        f"{fmt(result.throughput, 0):>9}{fmt(result.ms('p50')):>9}{fmt(result.ms('p95')):>9}"
        f"{fmt(result.ms('p99')):>9}{fmt(result.ms('max')):>9}{fmt(result.active):>9}"
        f"{fmt(result.wall, 1):>8}  {'; '.join(result.notes)}"
    )


def spread(values: list[float | None], digits: int = 2) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "–"
    median = statistics.median(present)
    if len(present) == 1:
        return fmt(median, digits)
    return f"{fmt(median, digits)} ({fmt(min(present), digits)}–{fmt(max(present), digits)})"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def ratio_line(
    label: str, reps: list[dict[str, Result]], top: str, bottom: str, key: str, goal: str
) -> str:
    values = []
    for rep in reps:
        if top in rep and bottom in rep:
            a, b = rep[top], rep[bottom]
            if key == "throughput":
                values.append(ratio(a.throughput, b.throughput))
            else:
                values.append(ratio(a.ms(key), b.ms(key)))
    present = [v for v in values if v is not None]
    if not present:
        return f"  {label:34} –"
    each = ", ".join(fmt(v) for v in present)
    return (
        f"  {label:34} {statistics.median(present):5.2f}   (per repetition: {each})   goal {goal}"
    )


def summarise(title: str, reps: list[dict[str, Result]], tools: list[str]) -> list[str]:
    lines = [
        f"{title}: median (min–max) over {len(reps)} repetition(s)",
        f"{'tool':10}{'per s':>22}{'p50 ms':>20}{'p95 ms':>20}{'p99 ms':>20}"
        f"{'max ms':>22}{'lost':>7}{'wall s':>8}",
    ]
    for tool in tools:
        results = [rep[tool] for rep in reps if tool in rep]
        if not results:
            continue
        lines.append(
            f"{tool:10}{spread([r.throughput for r in results], 0):>22}"
            f"{spread([r.ms('p50') for r in results]):>20}"
            f"{spread([r.ms('p95') for r in results]):>20}"
            f"{spread([r.ms('p99') for r in results]):>20}"
            f"{spread([r.ms('max') for r in results], 1):>22}"
            f"{sum(r.lost for r in results):7,}"
            f"{statistics.median(r.wall for r in results):8.1f}"
        )
    return lines


# -- main ------------------------------------------------------------------------------


def machine(loop: str, artillery: str | None) -> str:
    cpus = len(ALL_CPUS) if ALL_CPUS else os.cpu_count()
    node = shutil.which("node")
    node_version = "none"
    if node:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            node_version = subprocess.run(
                [node, "--version"], capture_output=True, text=True, timeout=10
            ).stdout.strip()
    parts = [
        f"nproc {cpus}",
        f"Python {platform.python_version()} ({platform.machine()})",
        f"websockets {websockets.__version__}",
        f"event loop {loop} ({'uvloop in use' if loop == 'uvloop' else 'uvloop not installed'})",
        f"Node {node_version}",
        f"Artillery {artillery_version(artillery) if artillery else 'not used'}",
    ]
    return "machine: " + ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=100, help="echo clients (default 100)")
    parser.add_argument("--messages", type=int, default=200, help="echo messages per client")
    parser.add_argument("--rate", type=float, default=20.0, help="echo sends per second per client")
    parser.add_argument("--fanout-clients", type=int, default=50, help="room members (default 50)")
    parser.add_argument("--fanout-messages", type=int, default=10, help="chat messages per member")
    parser.add_argument("--fanout-rate", type=float, default=2.0, help="chat sends/s per member")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=10.0, help="wait for stragglers, s")
    parser.add_argument("--no-artillery", action="store_true", help="skip the Artillery runs")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.messages = min(args.clients, 10), min(args.messages, 20)
        args.fanout_clients, args.fanout_messages = min(args.fanout_clients, 5), 4
        args.repetitions = 1
    if min(args.clients, args.messages, args.fanout_clients, args.fanout_messages) < 1:
        parser.error("client and message counts must be at least 1")
    if args.rate <= 0 or args.fanout_rate <= 0 or args.repetitions < 1:
        parser.error("rates must be above 0 and repetitions at least 1")

    def log(text: str) -> None:
        print(text, flush=True)

    artillery = None if args.no_artillery else artillery_install(log)
    if args.no_artillery:
        log("Artillery skipped (--no-artillery).")
    loop = loop_kind()
    log(machine(loop, artillery))
    log(
        f"A echo: {args.clients} clients × {args.messages} messages at {args.rate:g}/s each "
        f"({args.clients * args.rate:,.0f} msgs/s offered);  B fan-out: {args.fanout_clients} "
        f"clients × {args.fanout_messages} messages at {args.fanout_rate:g}/s each, every one to "
        f"all {args.fanout_clients} members"
    )
    log("server: a fresh `python -m wsbdd.demo --no-rate-limit` process for every tool run")

    def both(kind: str, clients: int, messages: int, rate: float) -> dict[str, Runner]:
        return {
            "wsbdd": lambda url: wsbdd_run(url, kind, clients, messages, rate, args.timeout),
            "plain": lambda url: plain(url, kind, clients, messages, rate, args.timeout, loop),
        }

    runners: dict[str, dict[str, Runner]] = {
        "echo": both("echo", args.clients, args.messages, args.rate),
        "fanout": both("fanout", args.fanout_clients, args.fanout_messages, args.fanout_rate),
    }
    if artillery is not None:
        runners["echo"]["artillery"] = lambda url: artillery_run(
            artillery, url, args.clients, args.messages, args.rate, args.timeout
        )

    reps: dict[str, list[dict[str, Result]]] = {"echo": [], "fanout": []}
    for rep in range(args.repetitions):
        for workload, tools in runners.items():
            order = list(tools)
            shift = rep % len(order)
            order = order[shift:] + order[:shift]
            log(
                f"\nrepetition {rep + 1}/{args.repetitions}, {workload} (order: {', '.join(order)})"
            )
            log(HEADER)
            results: dict[str, Result] = {}
            for tool in order:
                try:
                    with demo_server() as url:
                        result = tools[tool](url)
                except Exception as exc:  # report and carry on: one failure must not end the run
                    result = failed(tool, f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
                if result.notes and result.notes[0].startswith("FAILED"):
                    log(row(result))
                    continue
                results[tool] = result
                log(row(result))
            reps[workload].append(results)

    log("\n" + "=" * 100)
    log("\n".join(summarise("A echo (round trip)", reps["echo"], list(runners["echo"]))))
    log("")
    log("\n".join(summarise("B fan-out (delivery)", reps["fanout"], list(runners["fanout"]))))
    log("\nratios: median of the per-repetition ratios")
    goals = (("throughput", ">= 0.8"), ("p50", "<= 1.2"), ("p95", "<= 1.2"), ("p99", "<= 1.2"))
    for workload, name in (("echo", "A echo"), ("fanout", "B fan-out")):
        for key, goal in goals:
            label = f"{name} wsbdd/plain {key}"
            log(ratio_line(label, reps[workload], "wsbdd", "plain", key, goal))
    if artillery is not None:
        echo = reps["echo"]
        label = "A echo wsbdd/artillery throughput"
        log(ratio_line(label, echo, "wsbdd", "artillery", "throughput", ">= 1.2"))
        log(ratio_line("A echo wsbdd/artillery p99", echo, "wsbdd", "artillery", "p99", "< 1"))
        pairs = [
            f"{fmt(rep['wsbdd'].ms('p99'))} vs {fmt(rep['artillery'].ms('p99'))}"
            for rep in echo
            if "wsbdd" in rep and "artillery" in rep
        ]
        log(f"  A echo p99 ms, wsbdd vs artillery:  {'; '.join(pairs) or '–'}   (goal: lower)")
        overhead = [r["artillery"].wall - r["artillery"].active for r in echo if "artillery" in r]
        if overhead:
            walls = [r["wsbdd"].wall for r in echo if "wsbdd" in r]
            art_walls = [r["artillery"].wall for r in echo if "artillery" in r]
            log(
                f"  Artillery fixed overhead (wall − active load window): {spread(overhead, 1)} s;"
                f" wall s artillery {spread(art_walls, 1)}"
                f" vs wsbdd {spread(walls, 1)}"
            )


if __name__ == "__main__":
    main()
