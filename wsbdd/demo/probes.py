"""Commands that exist so tests can probe a client: ping, echo, whoami, delays,
server-initiated updates, closing with a chosen code and dropping the TCP line.

Each command is ``async def command(session, frame)``; it answers the client
directly or raises :class:`ChatError`. None of them touches rooms.
"""

from __future__ import annotations

import asyncio

from .handshake import query_of, x_headers
from .protocol import ChatError, Frame, int_field, timestamp
from .session import Session

__all__ = [
    "close",
    "crash",
    "delay",
    "echo",
    "ping",
    "subscribe",
    "unsubscribe",
    "whoami",
]

# Close codes a client may ask for: normal closure, or the registered and
# private-use ranges (1001-2999 are reserved for the protocol itself).
_ALLOWED_CLOSE_CODES = range(3000, 5000)
_MAX_REASON_BYTES = 123  # a close frame's payload is at most 125 bytes, 2 for the code


async def ping(session: Session, frame: Frame) -> None:
    """``ping`` -> ``pong``, copying the request's ``id`` when there is one."""
    reply: Frame = {"type": "pong"}
    if "id" in frame:
        reply["id"] = frame["id"]
    reply["server_time"] = timestamp()
    await session.send(reply)


async def echo(session: Session, frame: Frame) -> None:
    """``echo`` -> the same content back, ``times`` times (1 to 10)."""
    if "content" not in frame:
        raise ChatError("invalid_message", 'An echo needs a "content" field.')
    times = int_field(frame, "times", 1, 1, 10)
    for n in range(1, times + 1):
        await session.send({"type": "echo", "content": frame["content"], "n": n})


async def whoami(session: Session, frame: Frame) -> None:
    """``whoami`` -> ``you``: identity, rooms, subprotocol, X- headers and query."""
    request = session.connection.request
    assert request is not None  # the handshake is over by the time a command runs
    await session.send(
        {
            "type": "you",
            "client_id": session.client_id,
            "name": session.name,
            "rooms": sorted(session.rooms),
            "subprotocol": session.connection.subprotocol,
            "headers": x_headers(request),
            "query": query_of(request),
        }
    )


async def delay(session: Session, frame: Frame) -> None:
    """``delay`` -> ``delayed`` after ``ms`` milliseconds (0 to 10000).

    The wait runs in the background: the client's other requests are answered
    meanwhile.
    """
    ms = int_field(frame, "ms", 0, 0, 10_000)
    reply = {"type": "delayed", "content": frame.get("content")}

    async def answer_later() -> None:
        await asyncio.sleep(ms / 1000)
        await session.send(reply)

    session.start_task(answer_later(), "delay")


async def subscribe(session: Session, frame: Frame) -> None:
    """``subscribe`` -> ``subscribed``, then ``count`` ``update`` frames, one per interval."""
    topic = frame.get("topic")
    if not isinstance(topic, str) or not topic:
        raise ChatError("invalid_message", 'A subscription needs a non-empty "topic" string.')
    if topic in session.subscriptions:
        raise ChatError("already_subscribed", f'You are already subscribed to "{topic}".')
    count = int_field(frame, "count", 3, 1, 50)
    interval = int_field(frame, "interval_ms", 50, 10, 1000) / 1000

    async def publish() -> None:
        try:
            for n in range(1, count + 1):
                await asyncio.sleep(interval)
                await session.send(
                    {
                        "type": "update",
                        "topic": topic,
                        "n": n,
                        "last": n == count,
                        "server_time": timestamp(),
                    }
                )
        finally:
            if session.subscriptions.get(topic) is asyncio.current_task():
                del session.subscriptions[topic]

    await session.send({"type": "subscribed", "topic": topic})
    session.subscriptions[topic] = session.start_task(publish(), f"updates on {topic!r}")


async def unsubscribe(session: Session, frame: Frame) -> None:
    """``unsubscribe`` -> stops the topic's updates, then ``unsubscribed``."""
    topic = frame.get("topic")
    task = session.subscriptions.pop(topic, None) if isinstance(topic, str) else None
    if task is None:
        raise ChatError("not_subscribed", f"You are not subscribed to {_quoted(topic)}.")
    task.cancel()
    await asyncio.wait([task])
    await session.send({"type": "unsubscribed", "topic": topic})


async def close(session: Session, frame: Frame) -> None:
    """``close`` -> the server closes the connection with the code and reason asked for."""
    code = frame.get("code", 1000)
    if (
        isinstance(code, bool)
        or not isinstance(code, int)
        or not (code == 1000 or code in _ALLOWED_CLOSE_CODES)
    ):
        raise ChatError(
            "invalid_close_code", f"Close code {code!r} is not 1000 or between 3000 and 4999."
        )
    reason = frame.get("reason", "")
    if not isinstance(reason, str) or len(reason.encode()) > _MAX_REASON_BYTES:
        raise ChatError(
            "invalid_message",
            f'A close "reason" must be a string of at most {_MAX_REASON_BYTES} bytes.',
        )
    await session.connection.close(code, reason)


async def crash(session: Session, frame: Frame) -> None:
    """``crash`` -> the server drops the TCP connection without a close frame (1006)."""
    session.connection.transport.abort()


def _quoted(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)
