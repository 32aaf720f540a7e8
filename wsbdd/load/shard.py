"""One Locust worker's share of a load scenario, and how the shares meet.

``wsbdd load FEATURE --workers N`` (see :mod:`wsbdd.crowd`) runs the feature's
``@load`` scenarios on N Locust workers at once.  Each worker has a companion
process: plain asyncio, no gevent, running behave on the feature exactly as
``wsbdd run`` would, with this driver in place of :class:`LoadDriver`.  The
companion talks to its Locust worker over a pair of pipes (the **channel**, one
JSON object a line), and through it to the Locust master, which gathers what
every share says at each meeting point and hands all of it back to each.

What a share does differently from a one-process run:

- A crowd step connects every N-th member only (worker k: members k, k+N, …), at
  1/N of the rate, so the crowd as a whole ramps as the step says.  Then the
  shares swap their counts and connection-time histograms: the connection verdict
  judges the whole crowd.
- A load send step starts on every worker at once (after every share has
  connected and done the scenario's steps before it).  Every id it sends carries
  the worker and the send instant (``wsbdd-<run>w2-17.1733368000123456``, wall
  clock in µs), so a message from worker 1 that reaches a client of worker 2 is
  timed there too: on one machine the clocks are the same clock; on several,
  they are as close as NTP keeps them.
- A verdict step waits until each share's clients got what every share sent, or
  the deadline; then the shares swap counts and HdrHistograms
  (:class:`~wsbdd.load.metrics.HdrLatencies`), and every share judges the same
  merged numbers with the same sentences as a one-process run.
- A worker that stops answering (killed, crashed) is *gone*: the master says so
  at every later meeting point, with what it last reported; its members count as
  connections lost and the deliveries due to them as lost.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import select
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from wsbdd.facade.session import Session
from wsbdd.io.client import Client, frames_from
from wsbdd.load.correlate import Ledger, Tally
from wsbdd.load.driver import CHANNEL_VARIABLE, LoadDriver, _describe, _verdict, delivered
from wsbdd.load.metrics import HdrLatencies, LoadMetrics
from wsbdd.load.schedule import MAX_TOTAL_DURATION
from wsbdd.model.errors import ConnectionProblem, FeatureMistake

__all__ = ["Channel", "ShardDriver", "StampedLedger", "channel", "SAMPLES_VARIABLE"]

SAMPLES_VARIABLE = "WSBDD_SHARD_SAMPLES"
"""A folder: each share writes its raw delivery latencies there (bench/bench_locust.py)."""


class Channel:
    """A companion's line of JSON objects to and from its Locust worker."""

    def __init__(self, reader: int, writer: int, worker: int, workers: int, scope: str) -> None:
        self.reader = reader
        self.writer = writer
        self.worker = worker
        """This share's number, 1 … :attr:`workers`."""
        self.workers = workers
        self.scope = scope
        """The run's tag in every id: the same on every worker."""
        self._buffer = b""

    @classmethod
    def from_environ(cls, text: str) -> Channel:
        spec = json.loads(text)
        return cls(
            int(spec["in"]),
            int(spec["out"]),
            int(spec["worker"]),
            int(spec["workers"]),
            str(spec["scope"]),
        )

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        while data:
            written = os.write(self.writer, data)
            data = data[written:]

    def _line(self, deadline: float) -> dict[str, Any]:
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConnectionProblem(
                    "The Locust master did not answer this share of the crowd in time."
                )
            ready, _, _ = select.select([self.reader], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(self.reader, 65536)
            if not chunk:
                raise ConnectionProblem("The Locust worker that ran this share has gone.")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def meet(self, key: list[Any], kind: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Tell the master this share reached meeting point ``key``; return every share's data.

        Each entry has ``worker``; a gone worker's entry has ``gone`` and ``last``
        (its latest data of each kind).  Bounded: an hour at most.
        """
        self.send({"op": "meet", "key": key, "kind": kind, "data": {**data, "key": key}})
        deadline = time.monotonic() + MAX_TOTAL_DURATION + 60
        while True:
            reply = self._line(deadline)
            if reply.get("key") == key:
                entries: list[dict[str, Any]] = reply["entries"]
                return entries

    def events(self, items: list[list[Any]]) -> None:
        """Per-message request events for Locust's statistics: [type, name, ms, length, error]."""
        for start in range(0, len(items), 2000):
            self.send({"op": "events", "items": items[start : start + 2000]})


_channel: Channel | None = None


def channel() -> Channel:
    """This process's channel (from ``WSBDD_CROWD_CHANNEL``), opened once."""
    global _channel
    if _channel is None:
        text = os.environ.get(CHANNEL_VARIABLE, "")
        if not text:
            raise RuntimeError(
                f"{CHANNEL_VARIABLE} is not set, so this process is no share of a crowd: "
                "run the feature with wsbdd load, which starts the shares."
            )
        _channel = Channel.from_environ(text)
    return _channel


class StampedLedger(Ledger):
    """Ids that carry their worker and their send instant, so any share can time them."""

    def new_id(self, sender: int) -> tuple[int, str]:
        number = len(self.sender)
        self.sender.append(sender)
        self.sent_at.append(math.nan)
        return number, f"{self.prefix}{number}.{time.time_ns() // 1000}"


def _wall_offset() -> float:
    """Add to a ``time.monotonic()`` instant to get wall-clock seconds."""
    return time.time() - time.monotonic()


class _Receipts:
    """Every id of the run one share's clients got, from any worker: counted once each."""

    def __init__(self, scope: str, worker: int, ledger: Ledger, clients: Sequence[Client]) -> None:
        self.pattern = re.compile(re.escape(f"wsbdd-{scope}w") + r"(\d+)-(\d+)\.(\d+)")
        self.marker = f"wsbdd-{scope}w"
        self.worker = worker
        self.ledger = ledger
        self.clients = list(clients)
        self.position = {name: i for i, name in enumerate(ledger.clients)}
        self.seen: list[set[tuple[int, int]]] = [set() for _ in self.clients]
        self.scanned = [0] * len(self.clients)
        self.where = {id(client): i for i, client in enumerate(self.clients)}
        self.own = 0  # first copies of this share's messages back at their senders
        self.others = 0  # first copies of any message at a client that did not send it
        self.duplicates = 0
        self.unexpected = 0
        self.delivery = HdrLatencies()
        self.round_trip = HdrLatencies()
        self.events: list[list[Any]] = []
        self.samples: list[float] | None = [] if os.environ.get(SAMPLES_VARIABLE) else None
        """Every delivery latency, kept only for bench/bench_locust.py (exact vs merged)."""

    async def scan(
        self,
        sender_only: bool,
        name: str,
        fresh: Iterable[Client] | None = None,
        deadline: float = math.inf,
    ) -> None:
        """Read the new frames of the ``fresh`` clients (all: None); every 500 frames, let
        the readers stamp what arrives meanwhile (a long scan would make the last messages
        look late) until ``deadline``: past it, what has arrived is read in one go."""
        offset = _wall_offset()
        budget = 500
        sender_of = self.ledger.sender
        where = self.where
        for client in self.clients if fresh is None else fresh:
            i = where.get(id(client), -1)
            if i < 0:
                continue
            inbox = client.inbox
            end = len(inbox)
            if self.scanned[i] >= end:
                continue
            index = self.position.get(client.name, -1)
            seen = self.seen[i]
            for message in inbox.since(self.scanned[i]):
                budget -= 1
                if budget <= 0:
                    budget = 500
                    if time.monotonic() < deadline:
                        await asyncio.sleep(0)
                raw = message.raw
                text = raw if isinstance(raw, str) else raw.decode("latin-1")
                if self.marker not in text:
                    continue
                for match in self.pattern.finditer(text):
                    key = (int(match[1]), int(match[2]))
                    own = (
                        key[0] == self.worker
                        and key[1] < len(sender_of)
                        and sender_of[key[1]] == index
                    )
                    if sender_only and not own:
                        self.unexpected += 1
                        continue
                    if key in seen:
                        self.duplicates += 1
                        continue
                    seen.add(key)
                    latency = message.at + offset - int(match[3]) / 1e6
                    if own:
                        self.own += 1
                        self.round_trip.add(latency)
                        kind = "WS round trip"
                    else:
                        self.others += 1
                        self.delivery.add(latency)
                        if self.samples is not None:
                            self.samples.append(latency)
                        kind = "WS delivery"
                    self.events.append([kind, name, round(latency * 1000, 3), len(raw), None])
                inbox.consume(message, by_load=True)
            self.scanned[i] = end

    @property
    def delivered(self) -> int:
        return self.own + self.others


def _message_type(payloads: Sequence[str]) -> str:
    """The name Locust's statistics file a load step's messages under: their ``type``."""
    try:
        value = json.loads(payloads[0]) if payloads else None
    except ValueError:
        return "text"
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return str(value["type"])
    return "json" if value is not None else "text"


def _merge(entries: Iterable[dict[str, Any]], field: str) -> HdrLatencies:
    merged = HdrLatencies()
    for entry in entries:
        encoded = entry.get(field)
        if encoded:
            merged.merge(HdrLatencies.decode(encoded))
    return merged


def _last(entry: dict[str, Any], kind: str, location: Sequence[Any]) -> dict[str, Any]:
    """A gone worker's latest data of ``kind``, if it was about this scenario; else {}."""
    data: dict[str, Any] = entry.get("last", {}).get(kind, {})
    return data if list(data.get("key", [None, None])[:2]) == list(location) else {}


def _live(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in entries if not e.get("gone")]


def _gone(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in entries if e.get("gone")]


class ShardDriver(LoadDriver):
    """A :class:`LoadDriver` for one worker's share of a crowd: see the module's text."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.channel = channel()
        self._meetings = 0
        self._connected_here = 0
        self._kind = "text"

    def _meet(self, kind: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        self._meetings += 1
        file, line = self.session.location or ("", 0)
        entries = self.channel.meet([file, line, self._meetings], kind, data)
        self._lost_since(entries)
        return entries

    def _lost_since(self, entries: list[dict[str, Any]]) -> None:
        """A worker gone since the crowd connected: its open connections are lost now."""
        connections = self.connections
        if connections is None:
            return
        where = self.session.location or ("", 0)
        lost = sum(int(_last(e, "connected", where).get("connected", 0)) for e in _gone(entries))
        counted = getattr(connections, "_lost_counted", 0)
        if lost > counted:
            connections.connected -= lost - counted
            connections._lost_counted = lost  # type: ignore[attr-defined]
            if self.last is not None:
                self.last.metrics.connected = connections.connected

    # -- connecting ----------------------------------------------------------------------

    def connect(
        self,
        group: str,
        names: Sequence[str],
        target: str | None = None,
        *,
        rate: float | None = None,
        over: float | None = None,
        concurrency: int | None = None,
        require: bool = True,
        **options: Any,
    ) -> LoadMetrics:
        k, n = self.channel.worker, self.channel.workers
        if len(names) < n:
            raise FeatureMistake(
                f"A crowd spread over {n} Locust workers needs at least {n} clients; "
                f'group "{group}" has {len(names)}: connect more clients, or use fewer workers.'
            )
        share = list(names)[k - 1 :: n]
        self._meet("connecting", {"members": len(share)})
        failure: BaseException | None = None
        started = time.monotonic()
        lag = 0.0
        try:
            local = super().connect(
                group,
                share,
                target,
                rate=rate / n if rate else rate,
                over=over,
                concurrency=max(1, math.ceil(concurrency / n)) if concurrency else concurrency,
                require=require,
                **options,
            )
            lag = local.loop_lag_max
        except Exception as exc:  # told to the other shares first, then raised
            failure = exc
        took = time.monotonic() - started
        # Counted from the clients themselves: a required crowd that failed raised above.
        events, times, connected = [], HdrLatencies(), 0
        for name in share:
            client = self.session.pool.get(name)
            outcome = client.outcome if client is not None else None
            if outcome is None or outcome.finished_at is None:
                continue
            seconds = outcome.finished_at - outcome.started_at
            times.add(seconds)
            error = None
            if outcome.opened_at is not None:
                connected += 1
            else:
                error = outcome.describe_failure()
            events.append(["WS connect", group, round(seconds * 1000, 3), 0, error])
        self.channel.events(events)
        first = self._failures[0] if self._failures else None
        entries = self._meet(
            "connected",
            {
                "members": len(share),
                "connected": connected,
                "times": times.encode(),
                "took": took,
                "lag": lag,
                "first": list(first) if first else None,
            },
        )
        live = _live(entries)
        merged = LoadMetrics(
            clients=len(names),
            # Every member of the crowd was due to connect: a gone worker's never did.
            connect_attempts=len(names),
            connected=sum(int(e.get("connected", 0)) for e in live),
            connect_times=_merge(live, "times"),
            started_at=started,
            took=max(float(e.get("took", 0.0)) for e in live),
            loop_lag_max=max(float(e.get("lag", 0.0)) for e in live),
            lag_threshold=self.lag_threshold,
        )
        others = [e["first"] for e in live if e.get("first")]
        if not self._failures and others:
            self._failures = [(str(others[0][0]), str(others[0][1]))]
        self.connections = merged
        if failure is None and self.session.measurements:  # the step's own, just recorded
            index, _ = self.session.measurements[-1]
            self.session.measurements[-1] = (index, merged)
        if failure is not None:
            raise failure
        return merged

    # -- sending -------------------------------------------------------------------------

    def _new_ledger(self, names: list[str]) -> Ledger:
        channel = self.channel
        return StampedLedger(names, scope=f"{channel.scope}w{channel.worker}")

    def send(
        self,
        group: str,
        names: Sequence[str],
        payloads: Sequence[str],
        offsets: Sequence[float],
        *,
        think: float | None = None,
        phases: Sequence[str] = (),
    ) -> LoadMetrics:
        self._meet("sending", {})
        self._kind = _message_type(payloads)
        started = time.time()
        metrics = super().send(group, names, payloads, offsets, think=think, phases=phases)
        self._sending_window(started)
        return metrics

    def send_closed(
        self,
        group: str,
        names: Sequence[str],
        payloads: Sequence[str],
        count: int,
        **kw: Any,
    ) -> LoadMetrics:
        self._meet("sending", {})
        self._kind = _message_type(payloads)
        started = time.time()
        metrics = super().send_closed(group, names, payloads, count, **kw)
        self._sending_window(started)
        return metrics

    def _sending_window(self, started: float) -> None:
        run = self.last
        assert run is not None
        offset = _wall_offset()
        times = [t for t in run.ledger.sent_at if not math.isnan(t)]
        run.window = (  # type: ignore[attr-defined]
            started,
            min(times) + offset if times else started,
            max(times) + offset if times else started,
        )

    # -- measuring -----------------------------------------------------------------------

    def measure(self, recipients: Sequence[str] | str | None, timeout: float | None) -> LoadMetrics:
        run = self._need_run()
        session = self.session
        sender_only = recipients is None
        names: list[str] = []
        if isinstance(recipients, str):
            names = session.group_members(recipients)
        elif recipients is not None:
            names = list(recipients)
        key = ("sender",) if sender_only else tuple(names)
        if run.tallied == key and run.tally is not None:
            return run.metrics
        members = [session.client(n) for n in names]
        opened = [c for c in members if c.outcome is not None and c.outcome.opened_at is not None]
        sending = {id(c) for c in run.clients}
        watched = list(run.clients) + [c for c in opened if id(c) not in sending]
        local_sent = run.ledger.sent
        totals = self._meet("sent", {"sent": local_sent, "members": len(opened)})
        total_sent = sum(int(e.get("sent", 0)) for e in _live(totals))
        total_members = sum(int(e.get("members", 0)) for e in _live(totals))
        where = session.location or ("", 0)
        for entry in _gone(totals):  # what it sent, and its members: their deliveries are lost
            total_sent += int(_last(entry, "sent", where).get("sent", 0))
            if not sender_only:
                total_members += int(_last(entry, "connected", where).get("connected", 0))
        due_here = local_sent if sender_only else total_sent * len(opened)
        limit = session.settings.timeout if timeout is None else timeout
        receipts = _Receipts(self.channel.scope, self.channel.worker, run.ledger, watched)
        kind = self._kind

        async def wait() -> None:
            deadline = time.monotonic() + limit
            with frames_from(watched) as arrivals:
                fresh: Iterable[Client] | None = None  # every client first, then who got frames
                while True:
                    await receipts.scan(sender_only, kind, fresh, deadline)
                    if receipts.delivered >= due_here:
                        return
                    if time.monotonic() >= deadline or not await arrivals.wait(
                        deadline - time.monotonic()
                    ):
                        await receipts.scan(sender_only, kind, arrivals.take(), deadline)
                        return
                    fresh = arrivals.take()

        session.run_on_loop(wait(), limit)
        ended = time.time()
        self.channel.events(receipts.events)
        started, first, last = getattr(run, "window", (ended, ended, ended))
        metrics = run.metrics
        entries = self._meet(
            "tally",
            {
                "delivered": receipts.delivered,
                "duplicates": receipts.duplicates,
                "unexpected": receipts.unexpected,
                "delivery": receipts.delivery.encode(),
                "round_trip": receipts.round_trip.encode(),
                "started": started,
                "first": first,
                "last": last,
                "ended": ended,
                "lag": metrics.loop_lag_max,
                "late": metrics.schedule_lag_max,
                "clients": metrics.clients,
            },
        )
        live = _live(entries)
        metrics.sent = total_sent
        metrics.clients = sum(int(e.get("clients", 0)) for e in live)
        metrics.expected = total_sent if sender_only else total_sent * total_members
        metrics.delivered = sum(int(e.get("delivered", 0)) for e in live)
        metrics.duplicates = sum(int(e.get("duplicates", 0)) for e in live)
        metrics.unexpected = sum(int(e.get("unexpected", 0)) for e in live)
        metrics.delivery = _merge(live, "delivery")
        metrics.round_trip = _merge(live, "round_trip")
        if live:
            metrics.sending_took = max(float(e["last"]) for e in live) - min(
                float(e["first"]) for e in live
            )
            metrics.took = max(float(e["ended"]) for e in live) - min(
                float(e["started"]) for e in live
            )
            metrics.loop_lag_max = max(float(e.get("lag", 0.0)) for e in live)
            metrics.schedule_lag_max = max(float(e.get("late", 0.0)) for e in live)
        if self.connections is not None:
            metrics.connected = self.connections.connected
            metrics.connect_attempts = self.connections.connect_attempts
        tally = Tally(sent=metrics.sent)
        tally.take_deliveries(metrics)
        if receipts.samples is not None:
            self._keep_samples(receipts.samples, metrics)
        run.tallied, run.tally = key, tally
        return metrics

    def _keep_samples(self, samples: list[float], metrics: LoadMetrics) -> None:
        """For bench/bench_locust.py: this share's raw delivery latencies and the merged
        metrics, so the merged percentiles can be set against the exact ones."""
        folder = Path(os.environ[SAMPLES_VARIABLE])
        folder.mkdir(parents=True, exist_ok=True)
        name = f"share{self.channel.worker}-{self._meetings}.json"
        data = {"samples": samples, "merged": metrics.as_dict()}
        (folder / name).write_text(json.dumps(data), encoding="utf-8")

    def expect_delivered(
        self,
        recipients: Sequence[str] | str | None,
        *,
        at_least: float = 100.0,
        timeout: float | None = None,
    ) -> LoadMetrics:
        metrics = self.measure(recipients, timeout)
        limit = self.session.settings.timeout if timeout is None else timeout
        back = bool(metrics.delivered or metrics.unexpected or metrics.duplicates)
        _verdict(
            delivered(
                metrics, _describe(recipients), limit, at_least=at_least, any_back=back, heard=back
            )
        )
        return metrics

    def expect_connections(self, at_least: float) -> LoadMetrics:
        # Asked of every share at once: a worker gone since its crowd connected is known
        # to all of them here, and its connections count as lost.
        if self.connections is not None:
            self._meet("connections", {})
        return super().expect_connections(at_least)
