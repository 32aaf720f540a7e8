"""A scenario's conversation: every frame and connection event, in time order, with its step.

Nothing is recorded on the hot path.  Clients already keep what they received
(the inbox), what they sent and how their connection went; the session keeps
the time each step started.  :func:`build_transcript` merges those afterwards
into one list of :class:`Event` — pure, so reports and tests use it freely.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal

from wsbdd.model.message import DecodedMessage

__all__ = ["Event", "StepMark", "build_transcript"]

EventKind = Literal[
    "connecting",
    "connected",
    "rejected",
    "failed",
    "sent",
    "received",
    "closed",
    "http",
    "transport",
    "lost",
    "reconnect_failed",
    "reconnected",
    "gave_up",
]


@dataclass(frozen=True, slots=True)
class StepMark:
    """A step started at monotonic time ``at``; ``index`` counts steps in the scenario from 0."""

    at: float
    index: int
    text: str


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to one client.

    ``kind``: ``connecting`` (handshake started), ``connected``, ``rejected``
    (HTTP status in ``detail``), ``failed`` (never opened: ``detail["error"]``),
    ``sent`` / ``received`` (``frame`` is ``text`` or ``binary``, ``payload`` the
    data on the wire, ``seq`` the inbox number for received frames; for a message a
    codec decoded, ``detail["value"]`` is what the codec made of the frame, what
    JSONPath and the matchers saw, ``detail["label"]`` its one-line summary when the codec
    gave one (``chat {"text": "hi"}``; a sent intent's too: ``emit chat {…} (ack 3)``), and
    ``detail["protocol"]`` is True for a connection event of the app protocol, such as a
    Socket.IO namespace connect or refusal), ``closed`` (``detail``:
    code, reason, clean, by, ``lost`` when no close frame went either way and
    nobody closed it, and ``app_reason``, the app protocol's own reason such as
    Socket.IO's ``io server disconnect``), ``http`` (an HTTP request, ``detail["phase"]`` is
    ``request``: ``method``, ``url``, ``payload`` the body sent; or its answer,
    ``response``: ``status``, ``reason``, ``elapsed``, ``content_type`` or ``error``,
    ``payload`` the body received; ``client`` is ``I`` for anonymous requests).
    ``transport`` (an Engine.IO session that began on long-polling moved to its
    WebSocket: ``detail`` ``from`` and ``to``, the transports' names; frames before it
    went by polling, frames after it by WebSocket).
    For a client connected with reconnection (:mod:`wsbdd.model.reconnection`):
    ``lost`` (``detail["why"]``), ``reconnect_failed`` (``attempt``, ``error``),
    ``reconnected`` (``attempt``, ``sid``, ``recovered``) and ``gave_up``, each with
    ``detail["text"]`` saying it in words.
    ``step`` is the mark of the step in progress.
    """

    at: float
    client: str
    kind: EventKind
    frame: Literal["text", "binary"] | None = None
    payload: str | bytes | None = None
    seq: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    step: StepMark | None = None


def build_transcript(
    clients: Iterable[Any], marks: Sequence[StepMark] = (), exchanges: Iterable[Any] = ()
) -> list[Event]:
    """Merge the clients' records into one time-ordered list of events.

    ``clients`` are :class:`wsbdd.io.client.Client` objects (anything with ``name``,
    ``outcome``, ``sent`` and ``inbox``); ``exchanges`` the HTTP requests made
    (:class:`wsbdd.http.Exchange`: two events each, the request and its answer).
    Events at the same moment keep the order they are gathered in (clients in order,
    each one's connection, sent frames, received frames, close).
    """
    # Each event is made once, with its step (a crowd's scenario has tens of thousands:
    # making them twice, and a tuple each to sort them by, cost more than the merge).
    times = [mark.at for mark in marks]
    before_first = times[0] if times else float("inf")
    step_index = bisect.bisect_right

    def step_at(at: float) -> StepMark | None:
        return marks[step_index(times, at) - 1] if at >= before_first else None

    events: list[Event] = []
    add = events.append  # each Event built in place: a helper call per event cost a quarter more
    for client in clients:
        name = client.name
        outcome = client.outcome
        # A client that reconnected had several connections: the first one's opening is
        # shown as usual, each later one as "reconnected", and only the last one's close.
        earlier = client.earlier if hasattr(client, "earlier") else ()
        latest = outcome
        if earlier:
            outcome = earlier[0]
        if outcome is not None:
            started = outcome.started_at
            add(
                Event(
                    started, name, "connecting", detail={"url": outcome.url}, step=step_at(started)
                )
            )
            upgraded_at = getattr(outcome, "upgraded_at", None)
            if outcome.opened_at is not None:
                opened = {
                    "url": outcome.url,
                    "status": outcome.status,
                    "subprotocol": outcome.subprotocol,
                }
                if upgraded_at is not None or getattr(outcome, "transport", "") == "polling":
                    opened["transport"] = "polling"
                add(
                    Event(
                        outcome.opened_at,
                        name,
                        "connected",
                        detail=opened,
                        step=step_at(outcome.opened_at),
                    )
                )
            elif outcome.rejected:
                at = outcome.finished_at or started
                add(
                    Event(
                        at,
                        name,
                        "rejected",
                        detail={
                            "url": outcome.url,
                            "status": outcome.status,
                            "reason": outcome.reason_phrase,
                            "body": outcome.body,
                        },
                        step=step_at(at),
                    )
                )
            else:
                at = outcome.finished_at or started
                add(
                    Event(
                        at,
                        name,
                        "failed",
                        detail={"url": outcome.url, "error": outcome.error},
                        step=step_at(at),
                    )
                )
            if upgraded_at is not None:
                moved = {"from": "polling", "to": outcome.transport}
                add(Event(upgraded_at, name, "transport", detail=moved, step=step_at(upgraded_at)))
        outcome = latest
        reconnects = client.reconnects if hasattr(client, "reconnects") else ()
        if reconnects:
            _reconnections(client, add, step_at)
            if outcome is not None and (
                outcome.opened_at is None or outcome.closed_at == reconnects[-1].lost_at
            ):
                # A failed attempt ("gave up reconnecting" says it), or the loss itself
                # ("lost the connection" says it).
                outcome = None
        for sent in client.sent:
            event = Event(sent.at, name, "sent", sent.kind, sent.payload, step=step_at(sent.at))
            label = sent.label
            if label is not None:  # a codec's intent: what the step meant, for the reader
                event.detail["label"] = label
            add(event)
        inbox = client.inbox
        load_counted = getattr(inbox, "counted_by_load", None)
        for message in inbox:
            if load_counted is not None and load_counted(message):
                continue  # a load step's traffic: its metrics table stands for it
            at = message.at
            event = Event(
                at, name, "received", message.kind, message.raw, message.seq, step=step_at(at)
            )
            if type(message) is DecodedMessage:  # raw WebSocket's value is its frame: no copy
                detail = event.detail
                detail["value"] = message.value
                if message.label is not None:
                    detail["label"] = message.label
                if message.protocol:
                    detail["protocol"] = True
            add(event)
        if outcome is not None and outcome.closed_at is not None:
            add(
                Event(
                    outcome.closed_at,
                    name,
                    "closed",
                    detail={
                        "code": outcome.close_code,
                        "reason": outcome.close_reason,
                        "clean": outcome.clean,
                        "by": outcome.closed_by,
                        "lost": outcome.lost,
                        # Socket.IO's own reason (io server disconnect, ping timeout): None
                        # for raw WebSocket, whose close code and reason say it all.
                        "app_reason": getattr(outcome, "app_reason", None),
                    },
                    step=step_at(outcome.closed_at),
                )
            )
    for exchange in exchanges:
        asked = {"phase": "request", "method": exchange.method, "url": exchange.url}
        add(
            Event(
                exchange.sent_at,
                exchange.client,
                "http",
                "text",
                exchange.body,
                detail=asked,
                step=step_at(exchange.sent_at),
            )
        )
        if exchange.answered_at is None:
            continue
        answered = {
            **asked,
            "phase": "response",
            "status": exchange.status,
            "reason": exchange.reason,
            "elapsed": exchange.elapsed,
            "content_type": exchange.content_type,
            "error": exchange.error,
        }
        add(
            Event(
                exchange.answered_at,
                exchange.client,
                "http",
                "text",
                exchange.answer,
                detail=answered,
                step=step_at(exchange.answered_at),
            )
        )
    events.sort(key=attrgetter("at"))  # stable: events at the same moment keep their order
    return events


def _reconnections(client: Any, add: Any, step_at: Any) -> None:
    """The events of a client's losses and reconnections (``Client.reconnects``)."""
    name = client.name
    for record in client.reconnects:
        lost = {"why": record.why, "text": record.describe_lost()}
        add(Event(record.lost_at, name, "lost", detail=lost, step=step_at(record.lost_at)))
        for attempt in record.failed:
            text = f"reconnect attempt {attempt.number} failed: {attempt.error}"
            failed = {"attempt": attempt.number, "error": attempt.error, "text": text}
            add(
                Event(attempt.at, name, "reconnect_failed", detail=failed, step=step_at(attempt.at))
            )
        if record.at is not None:
            detail = {
                "attempt": record.attempt,
                "sid": record.sid,
                "recovered": record.recovered,
                "text": record.describe_reconnected(),
            }
            add(Event(record.at, name, "reconnected", detail=detail, step=step_at(record.at)))
        elif record.gave_up_at is not None:
            gave_up = {"attempts": len(record.failed), "text": record.describe_gave_up()}
            at = record.gave_up_at
            add(Event(at, name, "gave_up", detail=gave_up, step=step_at(at)))
