"""The demo chat's wire format: JSON text frames, timestamps and error replies.

Every frame the demo server sends is a JSON object with a ``"type"``. This
module turns Python dicts into frames and back, and defines :class:`ChatError`,
the exception a command raises to answer with an ``error`` frame. It holds no
sockets, so it is easy to read and to test.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from wsbdd.model.json_text import opens_deeper_than, plain_error

__all__ = [
    "MAX_NAME",
    "ChatError",
    "Frame",
    "decode",
    "encode",
    "error_frame",
    "int_field",
    "timestamp",
]

MAX_NAME = 64
"""The longest client name, in characters, on every route of the demo."""

Frame = dict[str, Any]

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class ChatError(Exception):
    """A request the server refuses, answered with ``{"type": "error", ...}``.

    ``code`` is a stable machine word (``not_in_room``); ``message`` is one
    sentence for people.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def timestamp() -> str:
    """Return the current time as ISO 8601 UTC with milliseconds and "Z"."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def encode(frame: Frame) -> str:
    """Serialise a frame as compact JSON text."""
    return _encoder.encode(frame)


def decode(text: str) -> Frame:
    """Parse a client's text frame; raise :class:`ChatError` unless it is a typed object."""
    try:
        frame = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        # Text that opens more than MAX_DEPTH levels before the parser's error is refused
        # for its depth, whichever error Python met first: 3.13 reads 1,500 unclosed "["
        # to their end ("Expecting value"), 3.11 gives up on the depth (RecursionError).
        read = text[: exc.pos] if isinstance(exc, json.JSONDecodeError) else text
        if opens_deeper_than(read, MAX_DEPTH):
            raise ChatError("invalid_json", _TOO_DEEP) from None
        if isinstance(exc, json.JSONDecodeError):
            exc = plain_error(exc)  # the same words on every Python
        raise ChatError("invalid_json", f"Invalid JSON: {exc}") from None
    except RecursionError:  # Python 3.11 and 3.12 give up on their own, later ones do not
        raise ChatError("invalid_json", _TOO_DEEP) from None
    if opens_deeper_than(text, MAX_DEPTH):  # its nesting, read from the text it came as
        raise ChatError("invalid_json", _TOO_DEEP)
    if not isinstance(frame, dict):
        raise ChatError("invalid_message", "A message must be a JSON object.")
    if not isinstance(frame.get("type"), str):
        raise ChatError("missing_type", 'A message needs a "type" field holding a string.')
    # "\ud800" decodes to a lone surrogate, which cannot be sent back as UTF-8.
    if "\\u" in text:
        try:
            encode(frame).encode()
        except UnicodeEncodeError:
            raise ChatError(
                "invalid_message", "A message must not contain unpaired surrogates like \\ud800."
            ) from None
    return frame


MAX_DEPTH = 100
"""Arrays and objects nested deeper than this are refused, whatever Python's own limit."""
_TOO_DEEP = "Invalid JSON: nested too deeply"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def error_frame(code: str, message: str, request_type: str | None = None) -> Frame:
    """Build an ``error`` frame; ``request_type`` names the request when it is known."""
    frame: Frame = {"type": "error", "code": code, "message": message}
    if request_type is not None:
        frame["request_type"] = request_type
    return frame


def int_field(frame: Frame, name: str, default: int, low: int, high: int) -> int:
    """Read an optional integer field within ``low..high`` or raise ``invalid_message``."""
    value = frame.get(name, default)
    # bool is an int in Python, but `true` is not a count in JSON.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ChatError("invalid_message", f'"{name}" must be an integer from {low} to {high}.')
    return value
