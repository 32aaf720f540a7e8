"""Which close codes and reasons a client may send (RFC 6455 §7.4 and §5.5.1).

Pure: a step that closes a connection asks first, so a code no client may send is a
mistake named at once, rather than a close that fails inside the WebSocket library
and leaves the step waiting.
"""

from __future__ import annotations

__all__ = ["SENDABLE", "unsendable_close"]

SENDABLE = frozenset({1000, 1001, 1002, 1003, *range(1007, 1015)})
"""The registered codes a client may send; 3000–4999 (libraries', apps') may be sent too.
1004 is reserved, and 1005, 1006 and 1015 are only ever reported, never sent."""

_REASON_BYTES = 123
"""A close frame's body is at most 125 bytes: the code's two, and the reason's."""


def unsendable_close(code: int, reason: str = "") -> str | None:
    """The sentence for a close a client may not send, or None when it may."""
    if code not in SENDABLE and not 3000 <= code <= 4999:
        reported = " (it is only ever reported, never sent)" if code in (1005, 1006, 1015) else ""
        return (
            f"A client cannot close with code {code}{reported}: write 1000 (normal), 1001 "
            "(going away), another of 1002–1003 and 1007–1014, or an app's own code from "
            "3000 to 4999."
        )
    size = len(reason.encode("utf-8"))
    if size > _REASON_BYTES:
        return (
            f"A close reason is at most {_REASON_BYTES} bytes of UTF-8, and this one has {size}: "
            "write a shorter reason."
        )
    return None
