"""Payloads and times as a person reads them: one line, pretty-printed, or a plain-text transcript.

Everything here is pure.  Text that came off the wire is made *visible* first:
control characters, bidirectional overrides and zero-width characters are
shown as ``⟨U+202E⟩`` instead of being allowed to reorder or hide what a reader
sees (a payload must not be able to make ``evil`` read as ``live``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from wsbdd.model.json_text import read_json
from wsbdd.model.message import render_value, wall_clock
from wsbdd.model.secrets import LINE_MARKS
from wsbdd.model.transcript import Event
from wsbdd.report.labels import (
    AckLink,
    connection_text,
    headline,
    is_protocol,
    read_labels,
)

__all__ = [
    "visible",
    "one_line",
    "frame_line",
    "label_line",
    "pretty_payload",
    "payload_text",
    "format_offset",
    "format_duration",
    "format_size",
    "describe_event",
    "describe_http",
    "transcript_text",
    "ack_note",
]

# C0/C1 controls except tab and newline, bidi embeddings/overrides/isolates,
# zero-width characters, line/paragraph separators, BOM and interlinear marks.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f-\x9f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb]"
)


def visible(text: str) -> str:
    """``text`` with invisible and direction-changing characters written out as ``⟨U+XXXX⟩``."""
    return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def one_line(text: str, limit: int) -> str:
    """Whitespace collapsed to single spaces, cut to ``limit`` characters with ``…``."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(1, limit - 1)] + "…"


_LINE_MARKS = str.maketrans({char: mark for mark, char in LINE_MARKS.items()})


def frame_line(text: str, limit: int | None = None) -> str:
    """A frame of several lines on one line, readably: ``CONNECT⏎login:guest⏎⏎␀`` (``⏎``
    a newline, ``␀`` NUL, ``␍`` a carriage return), other invisible characters written
    out (:func:`visible`), cut to ``limit`` characters with ``…``.

    Mask first: the masker reads ``⏎`` as the newline it stands for, but a cut may
    leave half a field."""
    flat = visible(text.translate(_LINE_MARKS))
    if limit is not None and len(flat) > limit:
        return flat[: max(1, limit - 1)] + "…"
    return flat


def label_line(label: str, limit: int) -> str:
    """A codec's label as one line (a label is one line; a codec that put a newline in
    one still cannot break a transcript line or an arrow), invisible characters written
    out, cut to ``limit`` characters with ``…``."""
    return one_line(visible(label), limit)


def payload_text(payload: str | bytes | None) -> str:
    """A payload as text: text frames as they are, binary frames as hex."""
    if payload is None:
        return ""
    if isinstance(payload, bytes | bytearray):
        return "0x" + bytes(payload).hex()
    return payload


def pretty_payload(text: str, cap: int) -> tuple[str, int]:
    """A JSON payload indented for reading (other text as it is), cut at ``cap`` characters.

    Returns the text and how many characters were left out.
    """
    pretty = text
    stripped = text.lstrip()
    if stripped[:1] in ("{", "[") and len(text) <= cap:
        try:
            pretty = json.dumps(read_json(text), indent=2, ensure_ascii=False)
        except (ValueError, RecursionError):  # nested deeper than Python can read
            pretty = text
    if len(pretty) > cap:
        return pretty[:cap], len(pretty) - cap
    return pretty, 0


def format_offset(seconds: float) -> str:
    """``+12 ms``, ``+1.234 s``: time since the scenario started."""
    if seconds < 0:
        seconds = 0.0
    if seconds < 1:
        return f"+{seconds * 1000:.0f} ms"
    return f"+{seconds:.3f} s"


def format_duration(seconds: float | None) -> str:
    """``4 ms``, ``1.2 s``, ``2 min 5 s``."""
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes" if size != 1 else "1 byte"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"


def describe_event(event: Event) -> str:
    """What happened to the connection, in words: ``connected``, ``rejected with HTTP 401 …``."""
    detail = event.detail
    if event.kind == "connecting":
        return f"connecting to {detail.get('url', '')}"
    if event.kind == "connected":
        text = "connected"
        if detail.get("subprotocol"):
            text += f" (subprotocol {detail['subprotocol']})"
        if detail.get("transport") == "polling":
            text += " over long-polling"
        return text
    if event.kind == "transport":
        return f"transport: {detail.get('from')} → {detail.get('to')}"
    if event.kind == "rejected":
        reason = f" {detail['reason']}" if detail.get("reason") else ""
        return f"rejected with HTTP {detail.get('status')}{reason}"
    if event.kind == "failed":
        return f"could not connect: {detail.get('error') or 'unknown error'}"
    if event.kind == "http":
        return describe_http(event)
    if event.kind in ("lost", "reconnect_failed", "reconnected", "gave_up"):
        return str(detail.get("text") or event.kind)  # worded by wsbdd.model.reconnection
    if event.kind == "closed":
        code = detail.get("code")
        if detail.get("lost"):
            # Neither side closed: saying "by the client" would blame the wrong side.
            lost = f"the connection was lost without a closing handshake ({code or 1006})"
            app = detail.get("app_reason")
            return f"{lost} ({app})" if app else lost
        text = f"closed with code {code}" if code is not None else "closed without a close code"
        if detail.get("reason"):
            text += f' and reason "{detail["reason"]}"'
        if detail.get("by"):
            text += f" by the {detail['by']}"
        if detail.get("clean") is False:
            text += " (not cleanly)"
        if detail.get("app_reason"):  # Socket.IO's own words: io server disconnect, …
            text += f" ({detail['app_reason']})"
        return text
    return event.kind


def describe_http(event: Event) -> str:
    """``POST http://h/api/x`` (a request) or ``HTTP 202 Accepted in 4 ms`` (its answer)."""
    detail = event.detail
    asked = f"{detail.get('method', '')} {detail.get('url', '')}"
    if detail.get("phase") != "response":
        return asked
    if detail.get("error"):
        return f"{asked} failed: {detail['error']}"
    text = f"HTTP {detail.get('status')}"
    if detail.get("reason"):
        text += f" {detail['reason']}"
    if detail.get("elapsed") is not None:
        text += f" in {format_duration(detail['elapsed'])}"
    return text


def ack_note(link: AckLink, events: Sequence[Event], t0: float) -> str:
    """``↩ ack 7 of chat`` on an acknowledgement; ``↪ acknowledged at +12 ms`` on what asked
    for it."""
    if link.role == "ack":
        of = f" of {link.event}" if link.event else ""
        return f"↩ ack {link.ack}{of}"
    when = format_offset(events[link.partner].at - t0)
    verb = "answered" if events[link.partner].kind == "sent" else "acknowledged"
    return f"↪ {verb} at {when}"


def transcript_text(
    events: Sequence[Event],
    mask: Callable[[str], str] = lambda text: text,
    *,
    limit: int = 1000,
    start: float | None = None,
) -> str:
    """The conversation as plain text lines, for JUnit ``system-out`` and Cucumber JSON.

    ::

        WebSocket conversation (2 clients, 3 frames)
        -- Given clients Alice and Bob are connected
        +3 ms      12:00:01.003  Alice  connected
        +5 ms      12:00:01.005  Alice  -> {"type": "join", "room": "lobby"}

    A codec's message with a label (Socket.IO) is written as its label, the frame after
    it; an acknowledgement names what it answers; a namespace connect or refusal reads
    as a connection event::

        +6 ms  …  Alice  -> emit chat {"text": "hi"} (ack 0)  ↪ acknowledged at +8 ms   (frame: …)
        +8 ms  …  Alice  <- ack 0 {"ok": true}  ↩ ack 0 of chat   (frame: 430[{"ok":true}])
        +9 ms  …  Mallory  namespace /admin refused the connection: authentication failed
    """
    if not events:
        return "WebSocket conversation: no connections in this scenario."
    t0 = start if start is not None else events[0].at
    clients = list(dict.fromkeys(e.client for e in events))
    frames = sum(1 for e in events if e.kind in ("sent", "received"))
    width = max(len(c) for c in clients)
    requests = sum(1 for e in events if e.kind == "http" and e.detail.get("phase") == "request")
    http = f", {requests} HTTP request{'s' * (requests != 1)}" if requests else ""
    lines = [
        f"WebSocket conversation ({len(clients)} client{'s' * (len(clients) != 1)}, "
        f"{frames} frame{'s' * (frames != 1)}{http})"
    ]
    links, parts = read_labels(events)
    step = None
    for i, event in enumerate(events):
        if event.step is not None and event.step is not step:
            step = event.step
            lines.append(f"-- {visible(mask(step.text))}")
        head = f"{format_offset(event.at - t0):<10} {wall_clock(event.at)}  {event.client:<{width}}"
        if event.kind in ("sent", "received"):
            detail = event.detail
            if "label" in detail:  # a codec's message: said as the reader knows it
                if is_protocol(event):  # a namespace connected, a receipt: a connection event
                    lines.append(f"{head}  {label_line(mask(connection_text(event)), limit)}")
                    continue
                arrow = "->" if event.kind == "sent" else "<-"
                body = label_line(mask(headline(event) or ""), limit)
                link = links.get(i)
                if link is not None:
                    body += "  " + ack_note(link, events, t0)
                frame = frame_line(mask(payload_text(event.payload)), limit)
                lines.append(f"{head}  {arrow} {body}   (frame: {frame})")
                continue
            if i in parts:  # a binary emit's attachment: part of the send above
                frame = frame_line(mask(payload_text(event.payload)), limit)
                lines.append(f"{head}  -> ↳ {parts[i]}   (frame: {frame})")
                continue
            arrow = "->" if event.kind == "sent" else "<-"
            said = mask(payload_text(event.payload))
            # A frame with a NUL (STOMP) keeps its lines readable; other text is one line.
            body = frame_line(said, limit) if "\x00" in said else visible(one_line(said, limit))
            if "value" in detail:  # a codec's message: what the matchers saw, too
                value = visible(one_line(mask(render_value(detail["value"], limit)), limit))
                body = f"{body}  (decoded: {value})"
            lines.append(f"{head}  {arrow} {body}")
        elif event.kind == "http":
            arrow = "<-" if event.detail.get("phase") == "response" else "->"
            said = describe_http(event)
            body = one_line(payload_text(event.payload), limit)
            line = f"{said} {body}" if body else said
            lines.append(f"{head}  {arrow} {visible(one_line(mask(line), limit))}")
        else:
            lines.append(f"{head}  {visible(mask(describe_event(event)))}")
    return "\n".join(lines)
