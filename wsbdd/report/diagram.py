"""A scenario's conversation as a sequence diagram: lanes and rows, no HTML.

One lane per client and one for the server, in the middle: the first half of
the clients on its left, the rest on its right.  Rows come in time order:

* ``step``: a step started (the step that caused what follows);
* ``message``: a frame, an arrow from the client to the server (``sent``) or
  back (``received``), with its time offset, a one-line payload and the whole
  payload pretty-printed for the detail view (a codec's message with a label, a
  Socket.IO event, shows its label on the arrow, ``chat {"text": "hi"}``, and its
  frame when opened; an acknowledgement links to the emit it answers and back);
  an HTTP request and its answer are arrows too (``frame`` is ``http``: ``POST
  http://…`` out, ``HTTP 202 Accepted in 4 ms`` back, each with its body);
* ``mark``: something happened to a connection (connected, rejected with a
  status, could not connect, closed with code and reason; a codec's protocol
  message too, such as a Socket.IO namespace connected or refused);
* ``failure``: the failed step's explanation, at the moment it failed.

Received messages the ``ignore`` setting names (heartbeats, the demo's greeting) are
folded: each run of one client's is one ``mark`` row, ``+ 4 heartbeats ignored``, that
opens to their list.

Pure: the HTML template draws it, tests read it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wsbdd.model.failures import ignored_line
from wsbdd.model.json_text import read_json
from wsbdd.model.message import render_value, wall_clock
from wsbdd.model.transcript import Event, StepMark
from wsbdd.report.collect import IGNORED, Conversation
from wsbdd.report.labels import (
    connection_text,
    headline,
    is_protocol,
    read_labels,
)
from wsbdd.report.model import StepReport
from wsbdd.report.text import (
    ack_note,
    describe_event,
    describe_http,
    format_offset,
    format_size,
    frame_line,
    label_line,
    payload_text,
    pretty_payload,
    visible,
)

__all__ = ["Lane", "Row", "Diagram", "build_diagram", "FIRST_LANE"]

_RAW = object()
"""No decoded value: the frame is the message (raw WebSocket)."""

FIRST_LANE = 2
"""Grid column of the first lane; column 1 holds the time offsets."""

LABEL_CAP = 300
"""Characters of a codec's label drawn on an arrow (a long GraphQL query is cut with
``…``; the whole frame is laid out when the row is opened)."""

MAX_ROWS = 2000
"""Frames drawn per scenario; a load scenario's thousands more are counted, not drawn."""


@dataclass(frozen=True)
class Lane:
    name: str
    column: int
    server: bool = False


@dataclass(slots=True)  # thousands per report: slots make each one quicker to make
class Row:
    kind: str
    """``step``, ``message``, ``mark``, ``failure`` or ``note``."""
    offset: str = ""
    clock: str = ""
    client: str = ""
    direction: str = ""
    """``sent`` (client → server) or ``received`` (server → client)."""
    frame: str = ""
    summary: str = ""
    """What a step, mark, failure or note row says."""
    text: str = ""
    """A message's payload, whole up to the cap: one line on the arrow, laid out when opened."""
    full: str = ""
    """More about a mark (the response to a rejected handshake, the address)."""
    cut: int = 0
    """Characters of the payload left out (over ``payload_cap``)."""
    json: bool = False
    """The payload is a JSON document (the report indents it when opened)."""
    value: str = ""
    """A codec's message: what it decoded the frame into (what the matchers saw), as JSON."""
    size: str = ""
    start: int = 0
    """First grid column the arrow covers (message rows)."""
    end: int = 0
    """Grid column after the last one it covers (CSS ``grid-column: start / end``)."""
    points: str = ""
    """``right`` or ``left``: where the arrowhead is."""
    column: int = 0
    """The client's grid column (mark rows)."""
    mark: str = ""
    """``connected``, ``rejected``, ``failed`` or ``closed`` (mark rows)."""
    where: str = ""
    """The address a client connected to (mark rows)."""
    status: str = ""
    """The step's outcome (step rows)."""
    step: str = ""
    """The step that was running, in the writer's words."""
    labelled: bool = False
    """A codec's message with a label: the arrow shows the label, ``frame_text`` the frame."""
    frame_text: str = ""
    """A labelled message's frame (the arrow shows the label; the frame is shown opened)."""
    value_json: bool = False
    """``value`` is a JSON document (the report indents it when opened)."""
    frame_json: bool = False
    """A labelled message with no decoded value (a sent operation): its frame is a JSON
    document, laid out when opened (a GraphQL query in full, though the label cuts it)."""
    anchor: str = ""
    """The row's element id, when another row links to it (an ack and its emit)."""
    link: str = ""
    """The id of the row this one links to (``#…``)."""
    link_text: str = ""
    """What the link says: ``↩ ack 7 of chat``, ``↪ acknowledged at +12 ms``."""

    @property
    def span(self) -> int:
        return self.end - self.start


@dataclass
class Diagram:
    lanes: list[Lane]
    rows: list[Row] = field(default_factory=list)
    messages: int = 0
    clients: list[str] = field(default_factory=list)

    @property
    def server_column(self) -> int:
        return next(lane.column for lane in self.lanes if lane.server)


def _size(event: Event) -> int:
    """A message's size in bytes: as it came, also when the kept payload was cut short
    (:mod:`wsbdd.report.retention` notes the size in ``detail``)."""
    size = event.detail.get("size")
    if isinstance(size, int):
        return size
    payload = event.payload
    return (
        len(payload.encode("utf-8", "surrogatepass"))
        if isinstance(payload, str)
        else len(payload or b"")
    )


def _kept_text(event: Event) -> str:
    """A message's payload as text, with ``…`` where the run kept only its beginning: written
    before masking, so that a secret the cut went through is masked too."""
    text = payload_text(event.payload)
    return text + "…" if event.detail.get("cut") else text


def _cut(event: Event, shown: str, cap: int) -> int:
    """How many characters of a payload the row leaves out: what the run did not keep,
    and what is over ``cap`` of what it kept."""
    left_out = event.detail.get("cut", 0)
    kept = shown[:-1] if left_out and shown.endswith("…") else shown
    return (left_out if isinstance(left_out, int) else 0) + max(0, len(kept) - cap)


def _is_json(text: str) -> bool:
    if text.lstrip()[:1] not in ("{", "["):
        return False
    try:
        read_json(text)
    except (ValueError, RecursionError):  # nested deeper than Python can read: shown as text
        return False
    return True


def _lanes(clients: Sequence[str]) -> list[Lane]:
    left = (len(clients) + 1) // 2
    names = [*clients[:left], None, *clients[left:]]
    return [
        Lane(visible(name) if name is not None else "Server", FIRST_LANE + i, server=name is None)
        for i, name in enumerate(names)
    ]


def _assign_steps(marks: Sequence[StepMark], steps: Sequence[StepReport]) -> dict[int, StepReport]:
    """Which reported step each transcript mark belongs to (marks only exist for run steps)."""
    found: dict[int, StepReport] = {}
    position = 0
    for mark in marks:
        for i in range(position, len(steps)):
            if steps[i].full_text == mark.text:
                found[mark.index] = steps[i]
                position = i + 1
                break
    return found


def build_diagram(
    conversation: Conversation | None,
    steps: Sequence[StepReport] = (),
    *,
    scenario_error: str = "",
    mask: Callable[[str], str] = lambda text: text,
    payload_cap: int = 64 * 1024,
    max_rows: int = MAX_ROWS,
    anchor_prefix: str = "m",
) -> Diagram | None:
    """The diagram of one scenario; ``None`` when no client ever connected.

    ``anchor_prefix`` makes the ids of linked rows (an ack and its emit) unique in a page
    of many scenarios."""
    if conversation is None or not conversation.events:
        return None
    events = conversation.events
    marks = conversation.marks
    t0 = conversation.start if conversation.start is not None else events[0].at
    clients = list(dict.fromkeys(e.client for e in events))
    lanes = _lanes(clients)
    left = (len(clients) + 1) // 2
    column = {name: FIRST_LANE + i + (i >= left) for i, name in enumerate(clients)}
    server = next(lane.column for lane in lanes if lane.server)
    diagram = Diagram(lanes=lanes, clients=clients)
    by_mark = _assign_steps(marks, steps)

    failed = next((s for s in steps if s.outcome == "failed" and s.error), None)
    fail_at: float | None = None
    ends_at: float | None = None
    if marks:
        last = marks[-1]
        last_step = by_mark.get(last.index)
        ends_at = last.at + (last_step.duration or 0.0 if last_step else 0.0)
    for mark in marks:
        if failed is not None and by_mark.get(mark.index) is failed:
            fail_at = mark.at + (failed.duration or 0.0)

    rows = diagram.rows
    # Whether any message has a codec's label: raw WebSocket conversations (none) skip
    # every test for labels below, so their diagrams cost what they did.
    coded = any("label" in event.detail for event in events)
    links, parts = read_labels(events) if coded else ({}, {})

    def step_row(mark: StepMark) -> None:
        step = by_mark.get(mark.index)
        rows.append(
            Row(
                kind="step",
                offset=format_offset(mark.at - t0),
                clock=wall_clock(mark.at),
                # The step as it ran (its ${variables} filled in), as the step list shows it.
                summary=visible(
                    mask(f"{step.keyword} {step.shown}" if step and step.shown else mark.text)
                ),
                status=step.outcome if step else "passed",
            )
        )

    def failure_row() -> None:
        assert failed is not None
        rows.append(
            Row(
                kind="failure",
                offset=format_offset((fail_at or t0) - t0) if fail_at else "",
                summary=visible(mask(failed.error)),
                step=visible(mask(failed.full_text)),
            )
        )

    def labelled_row(i: int, event: Event, base: dict[str, Any]) -> Row:
        """A codec's message with a label: the label on the arrow, the frame when opened."""
        if is_protocol(event):  # a namespace connected or refused: a connection event
            frame = frame_line(mask(payload_text(event.payload)), payload_cap)
            value = mask(render_value(event.detail.get("value"), payload_cap))
            return Row(
                kind="mark",
                mark="protocol",
                column=column[event.client],
                summary=label_line(mask(connection_text(event)), LABEL_CAP),
                full=f"frame: {frame}\ndecoded: {visible(value)}",
                **base,
            )
        label = mask(headline(event) or "") if i not in parts else f"↳ {parts[i]}"
        text = label_line(label, min(LABEL_CAP, payload_cap))
        frame = mask(_kept_text(event))
        size = _size(event)
        if event.frame == "binary":
            frame = f"binary, {format_size(size)}: {frame}"
        cut = _cut(event, frame, payload_cap)
        decoded = event.detail.get("value", _RAW)
        value = "" if decoded is _RAW else mask(render_value(decoded, payload_cap))
        client_col = column[event.client]
        source, target = (client_col, server) if event.kind == "sent" else (server, client_col)
        row = Row(
            kind="message",
            labelled=True,
            direction=event.kind,
            frame=event.frame or "text",
            text=text,
            frame_text=frame_line(frame[:payload_cap]),
            frame_json=not value and not cut and frame[:1] in ("{", "[") and _is_json(frame),
            value=visible(value),
            value_json=value[:1] in ("{", "[") and _is_json(value),
            cut=cut,
            size=format_size(size),
            start=min(source, target),
            end=max(source, target) + 1,
            points="right" if target > source else "left",
            **base,
        )
        link = links.get(i)
        if link is not None:
            row.anchor = f"{anchor_prefix}{i}"
            row.link = f"{anchor_prefix}{link.partner}"
            row.link_text = ack_note(link, events, t0)
        return row

    def event_row(i: int, event: Event) -> Row | None:
        step = visible(mask(event.step.text)) if event.step else ""
        base: dict[str, Any] = {
            "offset": format_offset(event.at - t0),
            "clock": wall_clock(event.at),
            "client": visible(event.client),
            "step": step,
        }
        if coded and event.kind in ("sent", "received") and ("label" in event.detail or i in parts):
            return labelled_row(i, event, base)
        if event.kind in ("sent", "received"):
            text = mask(_kept_text(event))
            size = _size(event)
            if event.frame == "binary":
                text = f"binary, {format_size(size)}: {text}"
            cut = _cut(event, text, payload_cap)
            if cut:
                text = text[:payload_cap]
            client_col = column[event.client]
            source, target = (client_col, server) if event.kind == "sent" else (server, client_col)
            decoded = event.detail.get("value", _RAW)
            return Row(
                kind="message",
                direction=event.kind,
                frame=event.frame or "text",
                # A frame with a NUL (STOMP) on one line, readably; other text as it is.
                text=frame_line(text) if "\x00" in text else visible(text),
                value="" if decoded is _RAW else visible(mask(render_value(decoded, payload_cap))),
                cut=cut,
                json=event.frame != "binary" and not cut and _is_json(text),
                size=format_size(size),
                start=min(source, target),
                end=max(source, target) + 1,
                points="right" if target > source else "left",
                **base,
            )
        if event.kind == "http":
            return http_row(event, base)
        if event.kind == "connecting":
            return None
        detail = ""
        if event.kind == "rejected":
            body = event.detail.get("body") or ""
            detail = f"The server answered the handshake with HTTP {event.detail.get('status')}"
            if event.detail.get("reason"):
                detail += f" {event.detail['reason']}"
            detail += f".\nAddress: {event.detail.get('url', '')}"
            if body:
                body_text, cut = pretty_payload(mask(str(body)), payload_cap)
                detail += f"\nResponse body:\n{body_text}"
        elif event.kind == "failed":
            detail = f"Address: {event.detail.get('url', '')}"
        return Row(
            kind="mark",
            mark=event.kind,
            where=visible(mask(str(event.detail.get("url") or ""))),
            column=column[event.client],
            summary=visible(mask(describe_event(event))),
            full=visible(mask(detail)),
            **base,
        )

    def http_row(event: Event, base: dict[str, Any]) -> Row:
        """An HTTP request (client → server) or its answer (server → client) as an arrow."""
        answer = event.detail.get("phase") == "response"
        said = describe_http(event)
        body = mask(payload_text(event.payload))
        size = len(body.encode("utf-8", "surrogatepass"))
        cut = max(0, len(body) - payload_cap)
        if cut:
            body = body[:payload_cap]
        text = mask(said) + (f" {body}" if body else "")
        client_col = column[event.client]
        source, target = (server, client_col) if answer else (client_col, server)
        return Row(
            kind="message",
            direction="received" if answer else "sent",
            frame="http",
            text=visible(text),
            cut=cut,
            size=format_size(size),
            start=min(source, target),
            end=max(source, target) + 1,
            points="right" if target > source else "left",
            **base,
        )

    # One timeline: steps start, frames and connection events happen, the failed
    # step fails, the scenario ends.  At equal times a step comes before what it
    # caused, and a failure after what arrived in time.
    timeline: list[tuple[float, int, int, object]] = []
    for i, mark in enumerate(marks):
        timeline.append((mark.at, 0, i, mark))
    for i, event in enumerate(events):
        timeline.append((event.at, 1, i, event))
    if failed is not None:
        timeline.append((fail_at if fail_at is not None else float("inf"), 2, 0, "failure"))
    if ends_at is not None and events[-1].at > ends_at:
        timeline.append((ends_at, 3, 0, "after"))
    timeline.sort(key=lambda item: item[:3])

    # Messages the ignore setting names (heartbeats) are folded: each run of one client's
    # is one line on its lane.
    folding: list[tuple[Event, str]] = []

    def fold() -> None:
        first = folding[0][0]
        kinds: dict[str, int] = {}
        for _, kind in folding:
            kinds[kind] = kinds.get(kind, 0) + 1
        lines = [
            f"{format_offset(event.at - t0)}  {visible(event.client)}  "
            f"{frame_line(mask(_kept_text(event)), min(payload_cap, LABEL_CAP))}"
            for event, _ in folding
        ]
        rows.append(
            Row(
                kind="mark",
                mark="ignored",
                offset=format_offset(first.at - t0),
                clock=wall_clock(first.at),
                client=visible(first.client),
                column=column[first.client],
                summary=ignored_line(kinds),
                full="\n".join(lines),
            )
        )
        folding.clear()

    drawn = hidden = 0
    for _, _, index, item in timeline:
        kind = item.detail.get(IGNORED) if isinstance(item, Event) else None
        if isinstance(item, Event) and isinstance(kind, str) and item.kind == "received":
            if folding and folding[0][0].client != item.client:
                fold()  # one line per client: it is drawn on that client's lane
            diagram.messages += 1
            folding.append((item, kind))
            continue
        if folding:
            fold()
        if isinstance(item, StepMark):
            step_row(item)
        elif item == "failure":
            failure_row()
        elif item == "after":
            rows.append(
                Row(kind="note", summary="After the last step: wsbdd closes every connection")
            )
        elif isinstance(item, Event):
            if item.kind in ("sent", "received", "http") and not (
                coded and "protocol" in item.detail
            ):
                diagram.messages += 1
                if drawn >= max_rows:
                    hidden += 1
                    continue
                drawn += 1
            row = event_row(index, item)
            if row is not None:
                rows.append(row)
    if folding:
        fold()
    if hidden:
        rows.append(
            Row(
                kind="note",
                summary=f"{hidden} more frames are not drawn (see the JUnit transcript)",
            )
        )
    if scenario_error:
        rows.append(Row(kind="failure", summary=visible(mask(scenario_error))))
    return diagram
