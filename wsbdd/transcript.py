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
from typing import Any, Literal

__all__ = ["Event", "StepMark", "build_transcript"]

EventKind = Literal[
    "connecting", "connected", "rejected", "failed", "sent", "received", "closed", "http"
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
    data, ``seq`` the inbox number for received frames), ``closed`` (``detail``:
    code, reason, clean, by, and ``lost`` when no close frame went either way and
    nobody closed it), ``http`` (an HTTP request, ``detail["phase"]`` is
    ``request``: ``method``, ``url``, ``payload`` the body sent; or its answer,
    ``response``: ``status``, ``reason``, ``elapsed``, ``content_type`` or ``error``,
    ``payload`` the body received; ``client`` is ``I`` for anonymous requests).
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


def _step_at(marks: Sequence[StepMark], times: list[float], at: float) -> StepMark | None:
    index = bisect.bisect_right(times, at) - 1
    return marks[index] if index >= 0 else None


def build_transcript(
    clients: Iterable[Any], marks: Sequence[StepMark] = (), exchanges: Iterable[Any] = ()
) -> list[Event]:
    """Merge the clients' records into one time-ordered list of events.

    ``clients`` are :class:`wsbdd.client.Client` objects (anything with ``name``,
    ``outcome``, ``sent`` and ``inbox``); ``exchanges`` the HTTP requests made
    (:class:`wsbdd.http.Exchange`: two events each, the request and its answer).
    """
    raw: list[tuple[float, int, Event]] = []
    order = 0

    def add(event: Event) -> None:
        nonlocal order
        raw.append((event.at, order, event))
        order += 1

    for client in clients:
        name = client.name
        outcome = client.outcome
        if outcome is not None:
            started = outcome.started_at
            add(Event(started, name, "connecting", detail={"url": outcome.url}))
            if outcome.opened_at is not None:
                add(
                    Event(
                        outcome.opened_at,
                        name,
                        "connected",
                        detail={
                            "url": outcome.url,
                            "status": outcome.status,
                            "subprotocol": outcome.subprotocol,
                        },
                    )
                )
            elif outcome.rejected:
                add(
                    Event(
                        outcome.finished_at or started,
                        name,
                        "rejected",
                        detail={
                            "url": outcome.url,
                            "status": outcome.status,
                            "reason": outcome.reason_phrase,
                            "body": outcome.body,
                        },
                    )
                )
            else:
                add(
                    Event(
                        outcome.finished_at or started,
                        name,
                        "failed",
                        detail={"url": outcome.url, "error": outcome.error},
                    )
                )
        for sent in client.sent:
            add(Event(sent.at, name, "sent", sent.kind, sent.payload))
        inbox = client.inbox
        load_counted = getattr(inbox, "counted_by_load", None)
        for message in inbox:
            if load_counted is not None and load_counted(message):
                continue  # a load step's traffic: its metrics table stands for it
            add(Event(message.at, name, "received", message.kind, message.raw, message.seq))
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
                    },
                )
            )
    for exchange in exchanges:
        asked = {"phase": "request", "method": exchange.method, "url": exchange.url}
        add(Event(exchange.sent_at, exchange.client, "http", "text", exchange.body, detail=asked))
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
            )
        )
    raw.sort(key=lambda item: (item[0], item[1]))
    times = [mark.at for mark in marks]
    return [
        Event(
            e.at,
            e.client,
            e.kind,
            e.frame,
            e.payload,
            e.seq,
            e.detail,
            _step_at(marks, times, e.at),
        )
        for _, _, e in raw
    ]
