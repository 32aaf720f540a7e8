"""Load steps' synchronous face: crowds with a ramp, paced sends, metrics and their verdicts.

A :class:`LoadDriver` sits on one scenario's :class:`~wsbdd.session.Session`
(the same clients, groups and event loop the functional steps use) and adds
what a load test needs: connecting N clients at a rate, sending at a rate for a
count or a duration, waiting for the deliveries with a deadline, and judging
percentiles, ratios and throughput with a sentence and the metrics table.
Usable from Python without behave; here three fans in one room of the bundled
demo server each send two chat messages, and each message reaches all three:

>>> import json
>>> from wsbdd.config import Settings
>>> from wsbdd.load.driver import SENTINEL, LoadDriver
>>> from wsbdd.load.schedule import count_offsets
>>> from wsbdd.match import where
>>> from wsbdd.session import Run
>>> fans = ["fan1", "fan2", "fan3"]
>>> join = json.dumps({"type": "join", "room": "stage"})
>>> chat = json.dumps({"type": "message", "room": "stage", "content": f"go {SENTINEL}"})
>>> with Run.start(Settings(ignore=('$.type is "welcome"',))) as run, run.session() as s:
...     load = LoadDriver.of(s)
...     _ = load.connect("crowd", fans, rate=200)
...     s.send_each(fans, [join] * 3)
...     _ = s.receive_each(fans, [where('$.type is "joined"')] * 3)
...     _ = load.send("crowd", fans, load.payloads(fans, [chat] * 3), count_offsets(2, 10.0))
...     metrics = load.expect_delivered("crowd")
...     _ = load.expect_percentile("delivery", 95, 5.0)
>>> (metrics.sent, metrics.delivered, metrics.lost)
(6, 18, 0)
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from wsbdd.expect import Outcome
from wsbdd.facade.session import Session
from wsbdd.io.client import Client
from wsbdd.load.correlate import PLACEHOLDER, Ledger, Recipients, Tally
from wsbdd.load.engine import (
    LoopLag,
    Progress,
    await_deliveries,
    closed_loop_sends,
    live_status,
    paced_sends,
)
from wsbdd.load.metrics import LoadMetrics, format_latency, format_percent, percentile_words
from wsbdd.load.schedule import MAX_TOTAL_DURATION, count_offsets
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.model.failures import Failure
from wsbdd.model.message import Message, wall_clock

__all__ = ["LoadDriver", "SENTINEL"]

CHANNEL_VARIABLE = "WSBDD_CROWD_CHANNEL"
"""Set in a process that runs one Locust worker's share of a crowd: see wsbdd.load.shard."""

SENTINEL = "wsbdd-correlation-id"
"""What ``${correlation_id}`` renders to until each send puts the message's own id there."""


@dataclass
class _LoadRun:
    """The last paced send of a scenario, and the metrics it is judged by."""

    group: str
    names: list[str]
    clients: list[Client]
    ledger: Ledger
    metrics: LoadMetrics
    tallied: tuple[str, ...] | None = None
    tally: Tally | None = None


class LoadDriver:
    """One scenario's load state: the last crowd connected and the last paced send."""

    def __init__(self, session: Session) -> None:
        self.session = session
        options = session.settings.extras.get("load", {}) if session.settings.extras else {}
        self.id_field = str(options.get("id_field", "id"))
        self.lag_threshold = float(options.get("saturation_lag", 0.1))
        self.connections: LoadMetrics | None = None
        self.last: _LoadRun | None = None
        self._failures: list[tuple[str, str]] = []

    @classmethod
    def of(cls, session: Session) -> LoadDriver:
        driver = getattr(session, "load_driver", None)
        if driver is None:
            if cls is LoadDriver and os.environ.get(CHANNEL_VARIABLE):
                # A share of a crowd spread over Locust workers (wsbdd load --workers N).
                from wsbdd.load.shard import ShardDriver

                driver = ShardDriver(session)
            else:
                driver = cls(session)
            session.load_driver = driver  # type: ignore[attr-defined]
        return driver

    def _record(self, metrics: LoadMetrics) -> None:
        marks = self.session.step_marks
        self.session.measurements.append((marks[-1].index if marks else 0, metrics))

    @asynccontextmanager
    async def _watching(
        self, what: str, clients: Callable[[], list[Client]], ledger: Ledger | None, lag: LoopLag
    ) -> AsyncIterator[None]:
        progress = Progress(live_status(clients, ledger, what))
        lag.start()
        progress.start()
        try:
            yield
        finally:
            await progress.stop()
            await lag.stop()

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
        """Connect ``names`` into ``group``: ``rate`` per second, or spread ``over`` seconds."""
        count = len(names)
        if rate is not None and rate <= 0 or over is not None and over < 0:
            raise FeatureMistake('A connection rate must be above 0, e.g. "at 100 per second".')
        offsets: list[float] | None = None
        if rate is not None:
            offsets = [i / rate for i in range(count)]
        elif over is not None and count > 1:
            offsets = [over * i / (count - 1) for i in range(count)]
        lag = LoopLag()

        def watch(clients: Callable[[], list[Client]]) -> Any:
            return self._watching(f'connecting group "{group}"', clients, None, lag)

        started = time.monotonic()
        try:
            outcomes = self.session.connect_group(
                group,
                list(names),
                target,
                require=require,
                offsets=offsets,
                concurrency=concurrency,
                watch=watch,
                **options,
            )
        finally:
            took = time.monotonic() - started
        metrics = LoadMetrics(
            clients=count,
            connect_attempts=count,
            connected=sum(1 for o in outcomes if o.opened_at is not None),
            started_at=started,
            took=took,
            loop_lag_max=lag.worst,
            lag_threshold=self.lag_threshold,
        )
        metrics.connect_times.extend(
            o.finished_at - o.started_at for o in outcomes if o.finished_at is not None
        )
        self._failures = [
            (name, o.describe_failure())
            for name, o in zip(names, outcomes, strict=True)
            if o.opened_at is None
        ]
        self.connections = metrics
        self._record(metrics)
        return metrics

    # -- sending -------------------------------------------------------------------------

    def payloads(self, names: Sequence[str], rendered: Sequence[str]) -> list[str]:
        """Put the id placeholder into each member's payload, adding it to JSON if missing."""
        result = []
        for text in rendered:
            if SENTINEL in text:
                result.append(text)
                continue
            try:
                value = json.loads(text)
            except ValueError:
                value = None
            if not isinstance(value, dict):
                raise FeatureMistake(
                    f"A load step marks every message it sends so it can time its delivery: put "
                    f"{PLACEHOLDER} in the text where the server will send it back, e.g. "
                    f'"hello {PLACEHOLDER}".'
                )
            if self.id_field in value:
                raise FeatureMistake(
                    f'The message already has the field "{self.id_field}", where wsbdd would put '
                    f"its correlation id: put {PLACEHOLDER} in a field the server sends back, "
                    f'e.g. "content": "hello {PLACEHOLDER}".'
                )
            value[self.id_field] = SENTINEL
            result.append(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
        return result

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
        """Every connected member sends its payload at ``offsets`` (or with ``think`` pauses)."""
        session = self.session
        clients, texts = self._live(group, names, payloads)
        ledger = self._new_ledger([c.name for c in clients])
        schedule = (offsets[-1] if offsets else 0.0) + (think or 0.0) * len(offsets)
        deadline_after = schedule + session.settings.timeout
        metrics = LoadMetrics(
            clients=len(clients), phases=list(phases), lag_threshold=self.lag_threshold
        )
        if self.connections is not None:
            self._carry_connections(metrics)
        lag = LoopLag()

        async def drive() -> tuple[float, int, float]:
            async with self._watching(f'group "{group}"', lambda: clients, ledger, lag):
                first = time.monotonic()
                late, failed = await paced_sends(
                    clients,
                    ledger,
                    texts,
                    SENTINEL,
                    offsets,
                    think=think,
                    deadline=first + deadline_after,
                )
            return late, failed, first

        started = time.monotonic()
        late, failed, first = session.run_on_loop(drive(), deadline_after)
        self._finish_sending(group, clients, ledger, metrics, started, late, lag, failed)
        return metrics

    def send_closed(
        self,
        group: str,
        names: Sequence[str],
        payloads: Sequence[str],
        count: int,
        *,
        reply: Callable[[Message], bool] | None = None,
        wait: float | None = None,
    ) -> LoadMetrics:
        """Every connected member sends its payload ``count`` times, waiting for each reply.

        A closed loop (one message in flight per client): the next send goes as
        soon as the reply to the last one arrived, so the rate is what the server
        and the client sustain, not a schedule.  The reply carries the message's
        correlation id and, with ``reply``, also matches it.  Each reply is awaited
        for at most ``wait`` seconds (default: the configured timeout); a client
        whose reply does not come stops there, and that message counts as lost.
        """
        count_offsets(count, None)  # the same bounds on a count as a paced step's
        session = self.session
        clients, texts = self._live(group, names, payloads)
        ledger = self._new_ledger([c.name for c in clients])
        patience = session.settings.timeout if wait is None else wait
        # Each reply has its own deadline; this one bounds the step as a whole.
        limit = min(count * patience, MAX_TOTAL_DURATION) + patience
        metrics = LoadMetrics(clients=len(clients), lag_threshold=self.lag_threshold)
        if self.connections is not None:
            self._carry_connections(metrics)
        lag = LoopLag()

        async def drive() -> tuple[int, int]:
            async with self._watching(f'group "{group}"', lambda: clients, ledger, lag):
                return await closed_loop_sends(
                    clients,
                    ledger,
                    texts,
                    SENTINEL,
                    count,
                    reply=reply,
                    wait=patience,
                    deadline=time.monotonic() + limit,
                )

        started = time.monotonic()
        _, failed = session.run_on_loop(drive(), limit)
        self._finish_sending(group, clients, ledger, metrics, started, 0.0, lag, failed)
        return metrics

    def _new_ledger(self, names: list[str]) -> Ledger:
        """The bookkeeping of one load step's sends and receipts."""
        return Ledger(names)

    def _live(
        self, group: str, names: Sequence[str], payloads: Sequence[str]
    ) -> tuple[list[Client], list[str]]:
        """The connected members and their payloads; a sentence when none is connected."""
        session = self.session
        pairs = [(session.client(name), text) for name, text in zip(names, payloads, strict=True)]
        live = [(c, p) for c, p in pairs if c.connected]
        if not live:
            first = pairs[0][0]
            outcome = first.outcome
            # A crowd that never opened did not "close with code 1006": say why it never did.
            why = (
                f"{first.name} was never connected: {outcome.describe_failure()}"
                if outcome is not None and outcome.opened_at is None
                else f"{first.name}'s connection {first.how_it_ended()}"
            )
            raise ConnectionProblem(
                f'No client in group "{group}" is connected, so none can send; '
                f"connect them first. {why}."
            )
        return [c for c, _ in live], [p for _, p in live]

    def _finish_sending(
        self,
        group: str,
        clients: list[Client],
        ledger: Ledger,
        metrics: LoadMetrics,
        started: float,
        late: float,
        lag: LoopLag,
        failed: int,
    ) -> None:
        sent_times = [t for t in ledger.sent_at if not math.isnan(t)]
        metrics.started_at = started
        metrics.sent = len(sent_times)
        metrics.sending_took = (max(sent_times) - min(sent_times)) if sent_times else 0.0
        metrics.took = time.monotonic() - started
        metrics.schedule_lag_max = late
        metrics.loop_lag_max = lag.worst
        self.last = _LoadRun(group, [c.name for c in clients], clients, ledger, metrics)
        self._record(metrics)
        if failed and not metrics.sent:
            raise ConnectionProblem(
                f'No message could be sent: the connections of group "{group}" had closed.'
            )

    def _carry_connections(self, metrics: LoadMetrics) -> None:
        c = self.connections
        assert c is not None
        metrics.connect_attempts = c.connect_attempts
        metrics.connected = c.connected
        metrics.connect_times = c.connect_times

    # -- measuring -----------------------------------------------------------------------

    def _need_run(self) -> _LoadRun:
        if self.last is None:
            raise FeatureMistake(
                "No load step has sent anything in this scenario yet: add one first, e.g. "
                '"When every client in group "crowd" sends {…} 5 times at 2 per second".'
            )
        return self.last

    def measure(self, recipients: Sequence[str] | str | None, timeout: float | None) -> LoadMetrics:
        """Wait (up to ``timeout``) for the deliveries to ``recipients`` and fill in the metrics.

        ``recipients``: client names, a group name, or ``None`` (each message back
        to its own sender: echo, request/reply).
        """
        run = self._need_run()
        session = self.session
        names: list[str] | None
        if isinstance(recipients, str):
            names = session.group_members(recipients)
        else:
            names = list(recipients) if recipients is not None else None
        key = ("sender",) if names is None else tuple(names)
        if run.tallied == key and run.tally is not None:
            return run.metrics
        clients = run.clients
        wanted: Recipients = None
        if names is not None:
            for name in names:
                if name not in run.ledger.clients:  # a receiver that sent nothing: watch it too
                    clients.append(session.client(name))
                    run.ledger.add_client(name)
            index = {name: i for i, name in enumerate(run.ledger.clients)}
            wanted = [index[n] for n in names if _opened(session.client(n))]
        limit = session.settings.timeout if timeout is None else timeout
        lag = LoopLag()

        async def drive() -> Tally:
            async with self._watching("waiting for deliveries", lambda: clients, run.ledger, lag):
                return await await_deliveries(clients, run.ledger, wanted, time.monotonic() + limit)

        tally = session.run_on_loop(drive(), limit)
        metrics = run.metrics
        metrics.take_deliveries(tally)
        metrics.took = time.monotonic() - metrics.started_at
        metrics.loop_lag_max = max(metrics.loop_lag_max, lag.worst)
        run.tallied, run.tally = key, tally
        return metrics

    def _metrics_for(self, kind: str) -> LoadMetrics:
        run = self._need_run()
        if run.tally is None:
            self.measure(None if kind == "round-trip" else run.group, None)
        return run.metrics

    # -- verdicts ------------------------------------------------------------------------

    def expect_delivered(
        self,
        recipients: Sequence[str] | str | None,
        *,
        at_least: float = 100.0,
        timeout: float | None = None,
    ) -> LoadMetrics:
        """Every (or at least ``at_least`` %) of the expected deliveries arrived in time."""
        metrics = self.measure(recipients, timeout)
        run = self._need_run()
        tally = run.tally
        assert tally is not None
        limit = self.session.settings.timeout if timeout is None else timeout
        example = ""
        if tally.missing:
            number, client = tally.missing[0]
            ledger = run.ledger
            sender = ledger.clients[ledger.sender[number]]
            example = (
                f"{ledger.clients[client]} never got message {number + 1} from {sender} "
                f"(sent at {wall_clock(ledger.sent_at[number])})"
            )
        _verdict(
            delivered(
                metrics,
                _describe(recipients),
                limit,
                at_least=at_least,
                any_back=bool(run.ledger.total_received),
                example=example,
                heard=self._heard_since_first_send(run.ledger),
            )
        )
        return metrics

    def _heard_since_first_send(self, ledger: Any) -> bool:
        """Whether the load's clients got any frame at all once the first message went out
        (asked only when none came back with its id: a server that stopped answering is
        told apart from one that drops the ids)."""
        times = [at for at in ledger.sent_at if not math.isnan(at)]
        if not times:
            return False
        first = min(times)
        for name in ledger.clients:
            client = self.session.pool.get(name)
            if client is not None and any(m.at >= first for m in client.inbox.since(0)):
                return True
        return False

    def expect_percentile(self, kind: str, percentile: float, bound: float) -> LoadMetrics:
        """The ``percentile`` of ``kind`` latency (delivery, round-trip, connection) < ``bound``."""
        if kind == "connection":
            metrics = self.connections or self._metrics_for(kind)
        else:
            metrics = self._metrics_for(kind)
        _verdict(latency_below(metrics, kind, percentile, bound))
        return metrics

    def expect_connections(self, at_least: float) -> LoadMetrics:
        """At least ``at_least`` % of the last crowd's connections opened."""
        metrics = self.connections
        if metrics is None:
            raise FeatureMistake(
                "No crowd has connected in this scenario yet: add one first, e.g. "
                '"Given 100 clients in group "crowd" try to connect at 50 per second".'
            )
        first = self._failures[0] if self._failures else None
        _verdict(connections_opened(metrics, at_least, first))
        return metrics

    def expect_throughput(self, what: str, bound: float) -> LoadMetrics:
        """``what`` ``sent`` or ``delivered`` messages per second is at least ``bound``."""
        metrics = self._metrics_for("delivery")
        _verdict(throughput_at_least(metrics, what, bound))
        return metrics


# -- verdicts: pure, over the metrics ------------------------------------------------------
#
# Each returns an Outcome as the expectations of wsbdd.expect do: the failure as data
# (who is the run itself: "Expected …, but …"), the metrics table as its last note.


def _blame(metrics: LoadMetrics) -> str:
    note = metrics.saturation_note()
    return f" {note}" if note else ""


def _load_failure(metrics: LoadMetrics, expected: str, observed: str) -> Outcome:
    """``Expected <expected>, but <observed>.`` then the metrics table."""
    observed = observed if observed.endswith(".") else observed + "."
    return Outcome(
        False, why=Failure("", expected, observed + _blame(metrics), notes=(metrics.table(),))
    )


def delivered(
    metrics: LoadMetrics,
    who: str,
    timeout: float,
    *,
    at_least: float = 100.0,
    any_back: bool = True,
    example: str = "",
    heard: bool = True,
) -> Outcome:
    """Every (or ``at_least`` %) of the expected deliveries reached ``who`` in ``timeout``;
    ``heard``: whether anything at all came from the server once the sending began."""
    if metrics.sent and not any_back and not heard:
        sentence = (
            f"None of the {metrics.sent:,} messages came back within "
            f"{format_latency(timeout)}, and the server sent nothing else in that time either: "
            "it is not answering (it may have stopped reading what the clients send)."
        )
        return Outcome(False, why=Failure(sentence=sentence, notes=(metrics.table(),)))
    if metrics.sent and not any_back:
        sentence = (
            f"None of the {metrics.sent:,} messages came back with its correlation id "
            f"within {format_latency(timeout)}, so no delivery could be timed: the server must "
            f"send the id back in what it delivers. Put {PLACEHOLDER} in a field it echoes "
            f'(e.g. "content": "hi {PLACEHOLDER}"), or set [tool.wsbdd.load] id_field.'
        )
        return Outcome(False, why=Failure(sentence=sentence, notes=(metrics.table(),)))
    share = 100.0 * metrics.delivered / metrics.expected if metrics.expected else 100.0
    if share + 1e-9 >= at_least and not (at_least >= 100.0 and metrics.lost):
        return Outcome(True)
    wanted = "every message" if at_least >= 100.0 else f"at least {at_least:g}% of messages"
    return _load_failure(
        metrics,
        f"{wanted} to reach {who} within {format_latency(timeout)}",
        f"only {format_percent(metrics.delivered, metrics.expected)} of the deliveries arrived "
        f"({metrics.lost:,} lost)" + (f"; e.g. {example}" if example else ""),
    )


def latency_below(metrics: LoadMetrics, kind: str, percentile: float, bound: float) -> Outcome:
    """The ``percentile`` of ``kind`` latency (delivery, round-trip, connection) < ``bound``."""
    samples = metrics.latencies(kind)
    expected = f"the {percentile_words(percentile)} {kind} latency below {format_latency(bound)}"
    if not len(samples):
        return Outcome(
            False,
            why=Failure(
                "",
                expected,
                f"no {kind} latency was measured: {_why_no_samples(kind)}",
                notes=(metrics.table(),),
            ),
        )
    value = samples.percentile(percentile)
    assert value is not None
    if value < bound:
        return Outcome(True)
    return _load_failure(
        metrics, expected, f"it was {format_latency(value)} over {len(samples):,} samples"
    )


def connections_opened(
    metrics: LoadMetrics, at_least: float, first: tuple[str, str] | None = None
) -> Outcome:
    """At least ``at_least`` % of a crowd's connections opened; ``first`` failure: (who, why)."""
    share = 100.0 * metrics.connected / metrics.connect_attempts
    if share + 1e-9 >= at_least:
        return Outcome(True)
    tail = f"; the first to fail was {first[0]}: {first[1]}" if first else ""
    return _load_failure(
        metrics,
        f"at least {at_least:g}% of connections to succeed",
        f"{format_percent(metrics.connected, metrics.connect_attempts)} did{tail}",
    )


def throughput_at_least(metrics: LoadMetrics, what: str, bound: float) -> Outcome:
    """``what`` (``sent`` or ``delivered``) messages per second reached at least ``bound``."""
    rate = metrics.send_rate if what == "sent" else metrics.delivery_rate
    if rate is not None and rate >= bound:
        return Outcome(True)
    shown = "nothing measurable" if rate is None else f"{rate:,.0f} per second"
    return _load_failure(
        metrics, f"at least {bound:,g} {what} messages per second", f"the run reached {shown}"
    )


def _verdict(outcome: Outcome) -> None:
    if outcome.why is not None:
        raise ExpectationFailed(outcome.why)


def _opened(client: Client) -> bool:
    return client.outcome is not None and client.outcome.opened_at is not None


def _describe(recipients: Sequence[str] | str | None) -> str:
    """Who the messages had to reach, in words: a group, a few names, or the senders."""
    if recipients is None:
        return "its sender"
    if isinstance(recipients, str):
        return f'every client in group "{recipients}"'
    names = list(recipients)
    return " and ".join(names) if len(names) <= 3 else f"{len(names)} clients"


def _why_no_samples(kind: str) -> str:
    if kind == "round-trip":
        return "no message came back to the client that sent it."
    if kind == "connection":
        return "no client connected in a crowd step."
    return "no message reached a client other than its sender."
