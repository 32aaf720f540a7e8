"""Benchmark: wsbdd's load path (LoadDriver) vs plain websockets and Artillery, in one run.

What it measures (every mode against the bundled demo server's echo or chat room)
  closed      closed loop at saturation: C clients (default 100) each send M requests
              (default 200), ``{"type":"echo","content":"<id>"}``, each one only after the
              reply to the previous one came back (one message in flight per client, no
              pacing).  The rate is whatever server and client sustain, so the throughput
              ratio is a real measure.  wsbdd: ``LoadDriver.send_closed`` (the step "sends
              {…} M times, each waiting for its reply").  Goals: throughput wsbdd/plain
              >= 0.9, wsbdd/Artillery >= 1.2.
  saturation  open loop, unpaced: the same C × M requests, but each client sends all M as
              fast as its connection takes them without waiting for replies (wsbdd: "sends
              {…} M times" with no rate, ``count_offsets(M, None)``); replies are counted
              and timed as they come.  The latency here is mostly queueing (the later a
              message in the burst, the longer it waits), so it compares how the tools
              queue, not a reply time.
  paced       the old workload: C × M' requests (default 40) at R per second per client
              (default 20/s).  Every tool is asked for the same C·R messages per second, so
              its throughput is FIXED BY CONSTRUCTION (not reported as a ratio); the
              latency ratios are what it is for.
  fanout      C' clients (default 50) in one room each send K chat messages (default 4) at
              2/s; the server delivers every one to all C' members.  Delivery latency to
              the other members; throughput again fixed by the schedule (not a ratio).

  Tools, rotated within each repetition (the order shifts by one per repetition, so no
  tool always runs first or last):
    wsbdd      ``Run(Settings(url=…))`` + a session + ``LoadDriver`` (connect, send, measure),
               as a load step runs it: the calling thread runs wsbdd's loop while it
               waits for the load (wsbdd's loop thread, pinned to one CPU by
               ``same_cpu``, rests meanwhile), unpinned like the plain script.
    plain      a hand-written websockets asyncio script (``compression=None``, ``proxy=None``,
               ``ping_interval=None``) doing the same exchanges: closed loop = send then
               ``recv()`` until its reply in one task per client; open loop = one sender
               and one reader task per client; paced = the same absolute schedule as wsbdd.
               Each reply is matched by ``json.loads`` and its id.
    artillery  (closed and saturation only, optional) Artillery 2's ``ws`` engine, from npm
               (``npm install --ignore-scripts artillery@2`` into ~/.cache/wsbdd-bench/
               artillery, reused when present; skipped with a note when npm cannot install
               it).  closed: a ``loop`` of ``send`` with a ``match`` on ``$.content`` = the id:
               Artillery's engine then waits for the next frame and matches it before the
               next step, i.e. a true closed loop.  saturation: a ``loop`` of ``send``
               without ``match``: Artillery waits only for the socket write's callback, not a
               reply, i.e. an open loop; replies are counted by a ``message`` listener.
               VUs arrive over 1 s as Artillery does, then wait at a barrier (a file every
               VU appends to) until all C are connected, so the measured window has no ramp
               in it, as for the others.  Artillery's fixed start-up (~15 s) is left out of
               its throughput and shown apart ("wall s").  It runs in the first two
               repetitions only (``--artillery-repetitions``), to keep the run bounded.

  Stamp point: the SAME on every side, the moment the client library has parsed a frame.
    wsbdd stamps in its connection's ``process_event`` (websockets has parsed the frame;
    one loop turn before a ``recv()`` caller would see it); the plain script uses a
    ``ClientConnection`` subclass whose ``process_event`` stamps each whole data frame
    there too, and ``recv()`` takes the stamps in order; Artillery stamps in a ``ws``
    ``message`` listener (Node's ws has parsed the frame) registered before Artillery's own.
    A send is stamped right before the library is handed the frame, on every side.
  Event loop: the same on both Python sides: uvloop when installed (wsbdd then uses it),
    else asyncio; the plain script is given the same kind (Artillery is Node's loop).
  Server: a fresh ``python -m wsbdd.demo --port 0 --no-rate-limit`` process per tool run on
    127.0.0.1 (rooms never carry over), stopped with SIGTERM afterwards.

  Definitions (identical for every tool):
    throughput  completed replies (deliveries for fanout) / active window, where the active
                window is the first send to the last receipt.
    percentiles nearest rank (the sample at rank ceil(p/100·n)), in milliseconds.
    ratios      per repetition (wsbdd / other, same repetition), then the median of those.
    wall s      the tool's whole run: starting wsbdd's loop, the script, or ``artillery run``.

  What it leaves out: behave's own cost per step (bench_steps measures that), connection
  ramp time (bench_groups), CPU and memory, server-side cost (the same server for all),
  and loads larger than one process on two cores holds.

How to run (bounded: every wait has a deadline; the default run takes about 3 minutes with
Artillery, under 2 without, on a quiet machine; ``--quick`` takes about 45 s with Artillery,
a few seconds without)
  python bench/bench_load.py --quick --no-artillery     # smoke run
  python bench/bench_load.py                            # full: 5 repetitions
  python bench/bench_load.py --modes closed --repetitions 9
  python bench/bench_load.py --json                     # ONE JSON document on stdout

How to read it
  The machine is shared and noisy (throughput can swing 2x between identical runs, tail
  latency more), so compare by the per-repetition ratios and their median, never one run's
  absolute numbers.  A wsbdd row noting "saturated" means wsbdd's own loop fell behind.
  The benchmark prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
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
from websockets.asyncio.client import ClientConnection, connect
from websockets.frames import Frame, Opcode

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
MODES = ("closed", "saturation", "paced", "fanout")
ARTILLERY_MODES = ("closed", "saturation")


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
    active: float = 0.0  # first send → last receipt, s: the throughput's denominator
    wall: float = 0.0  # the tool's whole run, s
    latency: dict[str, float | None] = field(default_factory=dict)  # s, nearest rank
    samples: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return max(self.expected - self.delivered, 0)

    @property
    def throughput(self) -> float | None:
        """Completed replies (or deliveries) per second of the active window."""
        return self.delivered / self.active if self.active > 0 else None

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


@dataclass(frozen=True)
class Workload:
    """One mode's sizes: ``rate`` None means unpaced."""

    mode: str
    clients: int
    count: int
    rate: float | None


def loop_kind() -> str:
    """What kind of event loop wsbdd's LoopThread creates here ("uvloop" or "asyncio")."""
    from wsbdd.io.runtime import LoopThread

    loop = LoopThread().loop
    try:
        return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"
    finally:
        loop.close()


def wsbdd_run(url: str, work: Workload, timeout: float) -> Result:
    from wsbdd.facade.session import Run
    from wsbdd.load.driver import SENTINEL, LoadDriver
    from wsbdd.load.schedule import count_offsets
    from wsbdd.match import where
    from wsbdd.settings.config import Settings

    started = time.monotonic()
    run = Run.start(Settings(url=url, ping_interval=None, timeout=timeout))
    try:
        session = run.session()
        try:
            load = LoadDriver.of(session)
            names = [f"c{i}" for i in range(work.clients)]
            load.connect("crowd", names)
            template = CHAT_TEXT if work.mode == "fanout" else ECHO_TEXT
            payloads = load.payloads(names, [template % SENTINEL] * work.clients)
            if work.mode == "closed":
                load.send_closed("crowd", names, payloads, work.count)
            else:
                if work.mode == "fanout":
                    session.send_each(names, [JOIN_TEXT] * work.clients)
                    joined = [where('$.type is "joined"')] * work.clients
                    session.receive_each(names, joined, timeout)
                offsets = count_offsets(work.count, work.rate)
                load.send("crowd", names, payloads, offsets)
            metrics = load.measure("crowd" if work.mode == "fanout" else None, timeout)
            assert load.last is not None
            ledger = load.last.ledger
        finally:
            session.close()
    finally:
        run.close()
    samples = metrics.delivery if work.mode == "fanout" else metrics.round_trip
    sends = [t for t in ledger.sent_at if t == t]
    # The last receipt itself, not when ``measure`` noticed it: the same end as the others.
    arrivals = [max(ats) for ats in ledger._got_at if len(ats)]
    result = Result(
        "wsbdd",
        sent=metrics.sent,
        expected=metrics.expected,
        delivered=metrics.delivered,
        window=metrics.sending_took,
        active=(max(arrivals) - min(sends)) if sends and arrivals else 0.0,
        wall=time.monotonic() - started,
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


# -- plain websockets ------------------------------------------------------------------


class StampedConnection(ClientConnection):
    """websockets' client connection, stamping each whole data frame when it is parsed.

    The same point wsbdd stamps at (its connection's ``process_event``), so latencies
    compare the tools, not where each takes the time.  ``recv()`` returns the frames
    in order; the caller pops one stamp per message.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stamps: collections.deque[float] = collections.deque()

    def process_event(self, event: Any) -> None:
        if isinstance(event, Frame) and event.fin and event.opcode in _DATA:
            self.stamps.append(time.monotonic())
        super().process_event(event)


_DATA = (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)


def new_loop_factory(kind: str) -> Callable[[], asyncio.AbstractEventLoop]:
    if kind == "uvloop":
        import uvloop  # type: ignore[import-not-found]

        return uvloop.new_event_loop  # type: ignore[no-any-return]
    return asyncio.new_event_loop


async def plain_run(url: str, work: Workload, timeout: float) -> Result:
    """The baseline: what a hand-written websockets load script does, the same exchanges."""
    started = time.monotonic()
    clients, count, rate = work.clients, work.count, work.rate
    fan_out = work.mode == "fanout"
    prefix = f"p{os.urandom(3).hex()}-"
    gate = asyncio.Semaphore(200)

    async def open_one() -> StampedConnection:
        async with gate:
            return await connect(  # type: ignore[return-value]
                url + "/",
                compression=None,
                proxy=None,
                ping_interval=None,
                open_timeout=timeout,
                create_connection=StampedConnection,
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
    late = 0.0
    template = CHAT_TEXT if fan_out else ECHO_TEXT

    async def closed(index: int, ws: StampedConnection) -> None:
        # Send, then read until this message's reply: one message in flight.
        nonlocal received
        mine, stamps, base = got[index], ws.stamps, index * count
        for k in range(count):
            ident = f"{prefix}{index}-{k}"
            sent_at[base + k] = monotonic()
            await ws.send(template % ident)
            while True:
                raw = await ws.recv()
                at = stamps.popleft()
                value = loads(raw)
                if isinstance(value, dict) and value.get("content") == ident:
                    mine[base + k] = at
                    received += 1
                    break

    async def reader(index: int, ws: StampedConnection) -> None:
        nonlocal received
        mine, stamps = got[index], ws.stamps
        async for raw in ws:
            at = stamps.popleft()
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

    readers: list[asyncio.Future[None]] = []
    try:
        if work.mode == "closed":
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(
                    asyncio.gather(*(closed(i, ws) for i, ws in enumerate(conns))),
                    count * timeout,
                )
        else:
            readers = [asyncio.ensure_future(reader(i, ws)) for i, ws in enumerate(conns)]
            if fan_out:
                await asyncio.gather(*(ws.send(JOIN_TEXT) for ws in conns))
                await asyncio.wait_for(asyncio.gather(*(e.wait() for e in joined)), timeout)
            t0 = monotonic()
            gap = 1.0 / rate if rate else 0.0

            async def sender(index: int, ws: Any) -> None:
                nonlocal late
                shift = gap * index / clients
                base = index * count
                for k in range(count):
                    if gap:
                        now = monotonic()
                        due = t0 + shift + k * gap
                        if due > now:
                            await asyncio.sleep(due - now)
                        elif now - due > late:
                            late = now - due
                    text = template % f"{prefix}{index}-{k}"
                    sent_at[base + k] = monotonic()
                    await ws.send(text)

            schedule = count * gap
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


def plain(url: str, work: Workload, timeout: float, loop: str) -> Result:
    with asyncio.Runner(loop_factory=new_loop_factory(loop)) as runner:
        return runner.run(plain_run(url, work, timeout))


# -- Artillery -------------------------------------------------------------------------

PROCESSOR_JS = textwrap.dedent(
    """\
    'use strict';
    // Generated by bench/bench_load.py: a start barrier, parse-time stamps, exact samples.
    const fs = require('fs');
    const { performance } = require('perf_hooks');
    const { threadId } = require('worker_threads');
    const OUT = __OUT__;
    const READY = __READY__;
    const CLIENTS = __CLIENTS__;
    const OPEN = __OPEN__;  // true: send without waiting for replies (saturation)
    const LIMIT_MS = __LIMIT_MS__;
    let vus = 0;
    const now = () => performance.timeOrigin + performance.now();

    // After the welcome: stamp every frame at the ws 'message' event (registered before
    // Artillery's own handler), then wait until all VUs are connected.
    function ready(context, events, done) {
      vus += 1;
      const b = context.bench = { id: `${threadId}-${vus}`, k: 0, rtts: [], stamp: 0,
                                  pending: new Map(), want: -1, written: false };
      context.ws.on('message', (data) => {
        const t = now();
        b.stamp = t;
        if (!OPEN) return;
        let content;
        try { content = JSON.parse(data).content; } catch (e) { return; }
        const sent = b.pending.get(content);
        if (sent === undefined) return;
        b.pending.delete(content);
        b.rtts.push(t - sent);
        b.lastReply = t;
        if (b.rtts.length === b.want && b.wake) b.wake();
      });
      fs.appendFileSync(READY, '.');
      const until = now() + LIMIT_MS;
      const check = () => {
        if (fs.statSync(READY).size >= CLIENTS || now() > until) done();
        else setTimeout(check, 2);
      };
      check();
    }

    function before(context, events, done) {
      const b = context.bench;
      const rid = `art-${b.id}-${b.k}`;
      context.vars.rid = rid;
      b.t0 = now();
      if (b.first === undefined) b.first = b.t0;
      b.last = b.t0;
      if (OPEN) b.pending.set(rid, b.t0);
      b.k += 1;
      done();
    }

    // Closed loop only: runs after Artillery matched the reply.
    function record(context, events, done) {
      const b = context.bench;
      b.rtts.push(b.stamp - b.t0);
      b.lastReply = b.stamp;
      done();
    }

    function finish(context, events, done) {
      const b = context.bench;
      const write = () => {
        if (b.written) return;
        b.written = true;
        const line = { first: b.first, last: b.last, lastReply: b.lastReply, rtts: b.rtts,
                       sent: b.k };
        fs.appendFileSync(OUT, JSON.stringify(line) + '\\n');
        done();
      };
      if (OPEN && b.rtts.length < b.k) {
        b.want = b.k;
        const timer = setTimeout(write, LIMIT_MS);
        b.wake = () => { clearTimeout(timer); write(); };
        return;
      }
      write();
    }

    module.exports = { ready, before, record, finish };
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


def artillery_run(binary: str, url: str, work: Workload, timeout: float) -> Result:
    open_loop = work.mode == "saturation"
    with tempfile.TemporaryDirectory(prefix="wsbdd-bench-artillery-") as folder:
        place = Path(folder)
        samples_file = place / "samples.jsonl"
        samples_file.touch()
        ready_file = place / "ready"
        ready_file.touch()
        processor = (
            PROCESSOR_JS.replace("__OUT__", json.dumps(str(samples_file)))
            .replace("__READY__", json.dumps(str(ready_file)))
            .replace("__CLIENTS__", str(work.clients))
            .replace("__OPEN__", "true" if open_loop else "false")
            .replace("__LIMIT_MS__", repr(timeout * 1000))
        )
        (place / "proc.js").write_text(processor)
        payload = ECHO_TEXT % "{{ rid }}"
        if open_loop:
            send: dict[str, Any] = {"send": payload}  # no match: Artillery waits for no reply
        else:
            match = {"json": "$.content", "value": "{{ rid }}"}
            send = {"send": {"payload": payload, "match": match}}
        body = [{"function": "before"}, send] + ([] if open_loop else [{"function": "record"}])
        script = {
            "config": {
                "target": url,
                "phases": [{"duration": 1, "arrivalCount": work.clients}],
                "processor": "./proc.js",
                "ws": {"perMessageDeflate": False},
                "timeout": timeout,
            },
            "scenarios": [
                {
                    "engine": "ws",
                    "flow": [
                        {"wait": {"match": {"json": "$.type", "value": "welcome"}}},
                        {"function": "ready"},
                        {"loop": body, "count": work.count},
                        {"function": "finish"},
                    ],
                }
            ],
        }
        # JSON is YAML: the file is a valid Artillery YAML script without a YAML writer.
        (place / "script.yml").write_text(json.dumps(script, indent=2) + "\n")
        env = dict(os.environ, ARTILLERY_DISABLE_TELEMETRY="true", NO_COLOR="1")
        limit = 90.0 + 3 * timeout + work.count * work.clients / 500
        started = time.monotonic()
        proc = subprocess.Popen(
            [binary, "run", "--output", "out.json", "script.yml"],
            cwd=place,
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
        if proc.returncode != 0 or not (place / "out.json").exists():
            tail = " | ".join(text.strip().splitlines()[-5:])
            return failed("artillery", f"exit code {proc.returncode}: {tail}")
        aggregate = json.loads((place / "out.json").read_text()).get("aggregate", {})
        lines = [json.loads(line) for line in samples_file.read_text().splitlines() if line]

    rtts = [ms / 1000 for line in lines for ms in line["rtts"]]
    firsts = [line["first"] for line in lines if line.get("first") is not None]
    replies = [line["lastReply"] for line in lines if line.get("lastReply") is not None]
    lasts = [line["last"] for line in lines if line.get("last") is not None]
    counters = aggregate.get("counters", {})
    sent = int(counters.get("websocket.messages_sent", 0))
    result = Result(
        "artillery",
        sent=sent,
        expected=work.clients * work.count,
        delivered=len(rtts),
        window=(max(lasts) - min(firsts)) / 1000 if firsts and lasts else 0.0,
        active=(max(replies) - min(firsts)) / 1000 if firsts and replies else 0.0,
        wall=wall,
    )
    result.set_latencies(rtts)
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


def per_rep_ratios(reps: list[dict[str, Result]], top: str, bottom: str, key: str) -> list[float]:
    values = []
    for rep in reps:
        if top in rep and bottom in rep:
            a, b = rep[top], rep[bottom]
            if key == "throughput":
                x, y = a.throughput, b.throughput
            else:
                x, y = a.ms(key), b.ms(key)
            if x is not None and y:
                values.append(x / y)
    return values


def met(value: float, goal: str | None) -> bool | None:
    if goal is None:
        return None
    op, _, bound = goal.partition(" ")
    limit = float(bound)
    return {">=": value >= limit, "<=": value <= limit, "<": value < limit, ">": value > limit}[op]


@dataclass
class Row:
    """One line of the results: a ratio or a measured value, with its goal if it has one."""

    measure: str
    value: float
    unit: str
    goal: str | None = None
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "value": round(self.value, 4),
            "unit": self.unit,
            "goal": self.goal,
            "met": met(self.value, self.goal),
        }


# (mode, other tool, key, goal); None: the ratio is reported without a goal.
RATIOS: tuple[tuple[str, str, str, str | None], ...] = (
    ("closed", "plain", "throughput", ">= 0.9"),
    ("closed", "plain", "p50", "<= 1.2"),
    ("closed", "plain", "p95", "<= 1.2"),
    ("closed", "plain", "p99", "<= 1.2"),
    ("closed", "artillery", "throughput", ">= 1.2"),
    ("closed", "artillery", "p50", None),
    ("closed", "artillery", "p95", None),
    ("closed", "artillery", "p99", "< 1.0"),
    ("saturation", "plain", "throughput", None),
    ("saturation", "plain", "p50", None),
    ("saturation", "plain", "p95", None),
    ("saturation", "plain", "p99", None),
    ("saturation", "artillery", "throughput", None),
    ("saturation", "artillery", "p50", None),
    ("saturation", "artillery", "p95", None),
    ("saturation", "artillery", "p99", None),
    # paced and fanout: throughput is fixed by the schedule, so only latency is compared.
    ("paced", "plain", "p50", "<= 1.2"),
    ("paced", "plain", "p95", "<= 1.2"),
    ("paced", "plain", "p99", "<= 1.2"),
    ("fanout", "plain", "p50", "<= 1.2"),
    ("fanout", "plain", "p95", "<= 1.2"),
    ("fanout", "plain", "p99", "<= 1.2"),
)


def result_rows(reps: dict[str, list[dict[str, Result]]]) -> list[Row]:
    rows: list[Row] = []
    for mode, other, key, goal in RATIOS:
        values = per_rep_ratios(reps.get(mode, []), "wsbdd", other, key)
        if values:
            each = ", ".join(fmt(v) for v in values)
            rows.append(
                Row(
                    f"{mode}: wsbdd/{other} {key}",
                    statistics.median(values),
                    "ratio",
                    goal,
                    f"per repetition: {each}",
                )
            )
    for mode, results in reps.items():
        unit = "deliveries/s" if mode == "fanout" else "replies/s"
        for tool in ("wsbdd", "plain", "artillery"):
            values = [r.throughput for rep in results if tool in rep for r in [rep[tool]]]
            present = [v for v in values if v is not None]
            if present:
                what = f"{mode}: {tool} throughput"
                if mode in ("paced", "fanout"):
                    what += " (set by the schedule)"
                rows.append(Row(what, statistics.median(present), unit))
    art = [
        rep["artillery"]
        for mode in ARTILLERY_MODES
        for rep in reps.get(mode, [])
        if "artillery" in rep
    ]
    if art:
        overhead = statistics.median(r.wall - r.active for r in art)
        rows.append(Row("artillery: fixed overhead (wall − active window)", overhead, "s"))
    return rows


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
    parser.add_argument("--modes", default=",".join(MODES), help=f"of {', '.join(MODES)}")
    parser.add_argument("--clients", type=int, default=100, help="echo clients (default 100)")
    parser.add_argument("--messages", type=int, default=200, help="closed/saturation, per client")
    parser.add_argument("--paced-messages", type=int, default=40, help="paced, per client")
    parser.add_argument("--rate", type=float, default=20.0, help="paced sends/s per client")
    parser.add_argument("--fanout-clients", type=int, default=50, help="room members (default 50)")
    parser.add_argument("--fanout-messages", type=int, default=4, help="chat messages per member")
    parser.add_argument("--fanout-rate", type=float, default=2.0, help="chat sends/s per member")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument(
        "--artillery-repetitions",
        type=int,
        default=2,
        help="Artillery runs in the first N repetitions only (default 2: ~20 s each)",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="wait for stragglers, s")
    parser.add_argument("--no-artillery", action="store_true", help="skip the Artillery runs")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--json", action="store_true", help="print ONE JSON document on stdout")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in MODES for m in modes):
        parser.error(f"--modes takes a comma-separated list of {', '.join(MODES)}")
    if args.quick:
        args.clients, args.messages = min(args.clients, 10), min(args.messages, 20)
        args.paced_messages = min(args.paced_messages, 10)
        args.fanout_clients, args.fanout_messages = min(args.fanout_clients, 5), 4
        args.repetitions = 1
    if min(args.clients, args.messages, args.paced_messages) < 1:
        parser.error("client and message counts must be at least 1")
    if min(args.fanout_clients, args.fanout_messages) < 1:
        parser.error("client and message counts must be at least 1")
    if args.rate <= 0 or args.fanout_rate <= 0 or args.repetitions < 1:
        parser.error("rates must be above 0 and repetitions at least 1")

    out = sys.stderr if args.json else sys.stdout
    notes: list[str] = []

    def log(text: str) -> None:
        print(text, file=out, flush=True)

    def note(text: str) -> None:
        notes.append(text)
        log(text)

    artillery = None
    if args.no_artillery:
        note("Artillery skipped (--no-artillery).")
    elif any(m in ARTILLERY_MODES for m in modes):
        artillery = artillery_install(note)
    loop = loop_kind()
    # Import wsbdd's load path now, so the first wsbdd run does not pay for it.
    import wsbdd.facade.session  # noqa: F401
    import wsbdd.load.driver  # noqa: F401

    note(machine(loop, artillery))
    works = {
        "closed": Workload("closed", args.clients, args.messages, None),
        "saturation": Workload("saturation", args.clients, args.messages, None),
        "paced": Workload("paced", args.clients, args.paced_messages, args.rate),
        "fanout": Workload("fanout", args.fanout_clients, args.fanout_messages, args.fanout_rate),
    }
    for mode in modes:
        w = works[mode]
        pace = f"at {w.rate:g}/s each" if w.rate else "unpaced"
        note(f"{mode}: {w.clients} clients × {w.count} messages, {pace}")
    note(
        "stamp point: parse time on every side (wsbdd's process_event, the plain script's "
        "process_event, Artillery's ws 'message' listener); event loop: "
        f"{loop} for wsbdd and the plain script"
    )
    note("server: a fresh `python -m wsbdd.demo --no-rate-limit` process for every tool run")
    note(
        "wsbdd runs as a load step does by default: the calling thread runs wsbdd's loop "
        "while the load runs (its loop thread, pinned to one CPU, rests); neither it nor "
        "the plain script is pinned"
    )
    if artillery is not None:
        shown = min(args.artillery_repetitions, args.repetitions)
        note(f"Artillery runs in {shown} of {args.repetitions} repetition(s)")

    def tools_for(mode: str) -> dict[str, Runner]:
        work = works[mode]
        tools: dict[str, Runner] = {
            "wsbdd": lambda url: wsbdd_run(url, work, args.timeout),
            "plain": lambda url: plain(url, work, args.timeout, loop),
        }
        if artillery is not None and mode in ARTILLERY_MODES:
            tools["artillery"] = lambda url: artillery_run(artillery, url, work, args.timeout)
        return tools

    runners = {mode: tools_for(mode) for mode in modes}
    reps: dict[str, list[dict[str, Result]]] = {mode: [] for mode in modes}
    for rep in range(args.repetitions):
        for mode, tools in runners.items():
            order = list(tools)
            if rep >= args.artillery_repetitions and "artillery" in order:
                order.remove("artillery")
            shift = rep % len(order)
            order = order[shift:] + order[:shift]
            log(f"\nrepetition {rep + 1}/{args.repetitions}, {mode} (order: {', '.join(order)})")
            log(HEADER)
            results: dict[str, Result] = {}
            for tool in order:
                try:
                    with demo_server() as url:
                        result = tools[tool](url)
                except Exception as exc:  # report and carry on: one failure must not end the run
                    result = failed(tool, f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
                log(row(result))
                if result.notes and result.notes[0].startswith("FAILED"):
                    notes.append(f"{mode}, repetition {rep + 1}: {tool} {result.notes[0]}")
                    continue
                results[tool] = result
            reps[mode].append(results)

    log("\n" + "=" * 100)
    for mode in modes:
        log("\n".join(summarise(mode, reps[mode], list(runners[mode]))))
        log("")
    notes.append(
        "paced and fanout throughput is fixed by their schedule: only their latency is compared"
    )
    rows = result_rows(reps)
    log("results (ratios: median of the per-repetition wsbdd/other ratios)")
    for r in rows:
        goal = (
            f"   goal {r.goal} ({'met' if met(r.value, r.goal) else 'NOT met'})" if r.goal else ""
        )
        detail = f"   ({r.detail})" if r.detail else ""
        log(f"  {r.measure:46} {fmt(r.value, 2):>10} {r.unit}{goal}{detail}")
    if args.json:
        document = {
            "benchmark": "load",
            "rows": [r.as_json() for r in rows],
            "notes": notes,
        }
        print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
