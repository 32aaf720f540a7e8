"""The load path on wsbdd's event loop: paced sends, waiting for deliveries, watching ourselves.

Thin I/O around the pure parts: :mod:`wsbdd.load.schedule` says when each
client sends, :class:`~wsbdd.load.correlate.Ledger` keeps who got what, and
:class:`~wsbdd.load.metrics.LoadMetrics` is what a step reports.  Everything
here runs on the loop thread and is bounded in count (the schedule) and in
time (a deadline), so a load step always ends by itself.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

from wsbdd.codec import refused_intent
from wsbdd.io.client import Client, frames_from
from wsbdd.io.errors import ConnectionLost
from wsbdd.load.correlate import Ledger, Recipients, Tally
from wsbdd.load.metrics import format_latency
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.message import Message

__all__ = ["LoopLag", "Progress", "paced_sends", "closed_loop_sends", "await_deliveries"]


class LoopLag:
    """Measures how late the event loop wakes up: the test client's own saturation.

    A task asks to wake every ``interval`` seconds and notes how much later it
    actually ran.  When wsbdd's loop is that late, every timestamp it takes is
    late too, so latencies measured meanwhile say more about us than the server.
    """

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None
        self._due: float | None = None

    def start(self) -> LoopLag:
        self._due = time.monotonic() + self.interval
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="wsbdd-loop-lag")
        return self

    async def _watch(self) -> None:
        interval = self.interval
        while True:
            self._due = due = time.monotonic() + interval
            await asyncio.sleep(interval)
            late = time.monotonic() - due
            if late > self.worst:
                self.worst = late

    async def stop(self) -> float:
        # A stall that is still going on when the step ends never let the watcher
        # wake up to see it: count it too.
        late = time.monotonic() - self._due if self._due is not None else 0.0
        if late > self.worst:
            self.worst = late
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        return self.worst


def _terminal() -> TextIO | None:
    """The terminal to draw a progress line on, or None (CI, pipes, files, ``WSBDD_PROGRESS=0``)."""
    choice = os.environ.get("WSBDD_PROGRESS", "").strip().lower()
    if choice in ("0", "no", "off", "false"):
        return None
    stream = sys.__stderr__
    if stream is None:
        return None
    try:
        is_tty = stream.isatty()
    except (AttributeError, ValueError):
        return None
    if choice in ("1", "yes", "on", "true"):
        return stream if is_tty else None
    if not is_tty or os.environ.get("CI"):
        return None
    return stream


class Progress:
    """A live one-line status on the terminal for steps that run longer than ``after`` seconds.

    Silent when standard error is not a terminal (CI logs, pipes): nothing is
    written at all, so logs stay clean.  ``describe`` is called on the loop
    thread twice a second and returns the line's text.
    """

    def __init__(
        self, describe: Callable[[], str], *, after: float = 1.0, every: float = 0.5
    ) -> None:
        self.describe = describe
        self.after = after
        self.every = every
        self.stream = _terminal()
        self.shown = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> Progress:
        if self.stream is not None:
            self._task = asyncio.get_running_loop().create_task(self._draw(), name="wsbdd-progress")
        return self

    async def _draw(self) -> None:
        await asyncio.sleep(self.after)
        while True:
            self._write("\r\x1b[2K  " + self.describe())
            self.shown = True
            await asyncio.sleep(self.every)

    def _write(self, text: str) -> None:
        stream = self.stream
        if stream is None:
            return
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            self.stream = None

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self.shown:
            self._write("\r\x1b[2K")


async def _send_correlated(client: Client, ledger: Ledger, number: int, text: str) -> bool:
    """Send message ``number`` through the client's codec, stamped as it goes; False (the
    message lost) when the connection has closed."""
    ledger.mark_sent(number, time.monotonic())
    try:
        await client.send_counted(text)
    except ConnectionLost:
        ledger.sent_at[number] = math.nan
        return False
    except TypeError as exc:  # the codec's encode refused the text: nothing went out
        ledger.sent_at[number] = math.nan
        raise FeatureMistake(refused_intent(client.codec.name, text, exc)) from None
    return True


def _raise_refusal(results: Sequence[object]) -> None:
    """The senders' tasks end with their exceptions gathered: a codec that refused the
    step's text fails the step (every client's first send is refused the same way)."""
    for result in results:
        if isinstance(result, FeatureMistake):
            raise result


async def paced_sends(
    clients: Sequence[Client],
    ledger: Ledger,
    payloads: Sequence[str],
    placeholder: str,
    offsets: Sequence[float],
    *,
    think: float | None = None,
    deadline: float,
    stagger: bool = True,
) -> tuple[float, int]:
    """Every client sends its payload at its scheduled offsets, all clients at once.

    ``payloads[i]`` is client ``i``'s text with ``placeholder`` where the id
    goes.  With ``stagger`` the clients' schedules are spread evenly over the
    first interval, so a crowd does not fire in lock-step (the server sees a
    steady rate, as in real use).  ``think``: a pause after each send instead
    of a schedule.  Returns (worst lateness against the schedule, sends that
    failed because a connection had closed).
    """
    started = time.monotonic()
    gap = offsets[1] - offsets[0] if len(offsets) > 1 else 0.0
    count = len(clients)
    worst = 0.0
    failed = 0

    async def one(index: int, client: Client) -> None:
        nonlocal worst, failed
        shift = gap * index / count if stagger and gap > 0 and think is None else 0.0
        payload = payloads[index]
        if not client.opened:
            failed += len(offsets)
            return
        pause = 0.0
        for offset in offsets:
            now = time.monotonic()
            if now >= deadline:
                return
            if think is None:
                due = started + shift + offset
                if due > now:
                    await asyncio.sleep(due - now)
                else:
                    late = now - due
                    if late > worst:
                        worst = late
            elif pause:
                await asyncio.sleep(pause)
            number, ident = ledger.new_id(index)
            text = payload.replace(placeholder, ident)
            if not await _send_correlated(client, ledger, number, text):
                failed += 1
                return
            pause = think or 0.0

    tasks = [asyncio.ensure_future(one(i, c)) for i, c in enumerate(clients)]
    try:
        await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
    finally:
        for task in tasks:
            task.cancel()
        _raise_refusal(await asyncio.gather(*tasks, return_exceptions=True))
    return worst, failed


class _ReplyWait:
    """One client's wait for the reply to its message in flight, in a closed loop.

    Told of the client's frames and of its close (as a listener, like
    :class:`~wsbdd.io.client.Arrivals`), it wakes its sender through one future per
    message.  The deadline has one timer per client, not one per message: it fires
    at most once per ``wait`` seconds and is re-armed for the current deadline when
    replies have kept coming meanwhile.
    """

    __slots__ = ("future", "until", "timer", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[None] | None = None
        self.until = math.inf
        self.timer: asyncio.TimerHandle | None = None

    def note(self, client: Client | None = None) -> None:
        future = self.future
        if future is not None and not future.done():
            future.set_result(None)

    def arm(self, until: float) -> None:
        """The current message's deadline (monotonic): keep a timer no later than it."""
        self.until = until
        if self.timer is None:
            self.timer = self.loop.call_later(max(0.0, until - time.monotonic()), self._due)

    def _due(self) -> None:
        self.timer = None
        now = time.monotonic()
        if now >= self.until:
            self.note()
        elif self.until < math.inf:
            self.timer = self.loop.call_later(self.until - now, self._due)

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


async def closed_loop_sends(
    clients: Sequence[Client],
    ledger: Ledger,
    payloads: Sequence[str],
    placeholder: str,
    count: int,
    *,
    reply: Callable[[Message], bool] | None = None,
    wait: float,
    deadline: float,
) -> tuple[int, int]:
    """Every client sends its payload ``count`` times, each time waiting for its reply first.

    A closed loop: a client has one message in flight, and sends the next one as
    soon as the reply to the last one arrived.  The reply is the first frame
    after the send that carries the message's own correlation id (and, with
    ``reply``, also matches it).  A client whose reply does not come within
    ``wait`` seconds stops there (that message is lost).  Frames are looked at
    once each, as they arrive: a client's wake-up reads only its new frames.
    Returns (clients that stopped for a missing reply, sends that failed
    because a connection had closed).
    """
    stalled = 0
    failed = 0
    loop = asyncio.get_running_loop()

    async def one(index: int, client: Client, waiting: _ReplyWait) -> None:
        nonlocal stalled, failed
        payload = payloads[index]
        if not client.opened:
            failed += count
            return
        carries = ledger.carries
        monotonic = time.monotonic
        for _ in range(count):
            if monotonic() >= deadline:
                return
            number, ident = ledger.new_id(index)
            text = payload.replace(placeholder, ident)
            looked = len(client.inbox)  # frames received so far; the reply comes after them
            waiting.future = None
            if not await _send_correlated(client, ledger, number, text):
                failed += 1
                return
            until = min(deadline, monotonic() + wait)
            waiting.arm(until)
            while True:
                # By sequence number, not list position: a bounded inbox (inbox_limit)
                # drops old claimed frames and compacts its list.
                inbox = client.inbox
                end = len(inbox)
                answered = False
                for message in inbox.since(looked):
                    if carries(message, number) and (reply is None or reply(message)):
                        answered = True
                        break
                looked = end
                if answered:
                    break
                if client.finished:
                    return
                if monotonic() >= until:
                    stalled += 1
                    return
                waiting.future = loop.create_future()
                await waiting.future

    waits = [_ReplyWait(loop) for _ in clients]
    for client, waiting in zip(clients, waits, strict=True):
        client.listen(waiting)
    tasks = [
        asyncio.ensure_future(one(i, c, w))
        for i, (c, w) in enumerate(zip(clients, waits, strict=True))
    ]
    try:
        await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
    finally:
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for client, waiting in zip(clients, waits, strict=True):
            client.unlisten(waiting)
            waiting.stop()
        _raise_refusal(results)
    return stalled, failed


async def await_deliveries(
    clients: Sequence[Client],
    ledger: Ledger,
    recipients: Recipients,
    deadline: float,
) -> Tally:
    """Wait until every expected delivery has arrived or ``deadline`` passes; return the tally.

    Woken by the clients' frames, it reads only the inboxes that got something
    (each frame once).  A cheap count decides when a full tally is worth making.
    """
    expected = ledger.expected(recipients)
    index = {client: i for i, client in enumerate(clients)}
    with frames_from(clients) as arrivals:
        fresh: Iterable[Client] = clients
        while True:
            scanned = 0
            for client in fresh:
                position = index[client]
                scanned += len(client.inbox) - ledger.scanned(position)
                ledger.scan(position, client.inbox)
                if scanned >= 500:
                    # Let the readers stamp frames that arrive meanwhile: a long scan
                    # without a break would make the last messages look late.
                    scanned = 0
                    await asyncio.sleep(0)
            if ledger.total_received >= expected:
                tally = ledger.tally(recipients)
                if tally.delivered >= tally.expected:
                    return tally
            if not await arrivals.wait(deadline - time.monotonic()):
                return ledger.tally(recipients)
            fresh = arrivals.take()


def live_status(
    clients: Callable[[], Sequence[Client]], ledger: Ledger | None, what: str
) -> Callable[[], str]:
    """A ``describe`` function for :class:`Progress` during a load step.

    ``clients`` is asked afresh each time: while a crowd connects, it grows.
    """
    started = time.monotonic()

    def describe() -> str:
        members = clients()
        connected = sum(1 for c in members if c.connected)
        parts = [f"{what}: {connected:,}/{len(members):,} connected"]
        if ledger is not None:
            for index, client in enumerate(members):
                ledger.scan(index, client.inbox)
            parts.append(f"sent {ledger.sent:,}")
            parts.append(f"received {ledger.total_received:,}")
            p95 = ledger.recent_latencies().percentile(95)
            if p95 is not None:
                parts.append(f"p95 {format_latency(p95)}")
        parts.append(f"{time.monotonic() - started:.0f} s")
        return " · ".join(parts)

    return describe
