"""What reconnection asks of a codec: optional methods, with defaults for codecs that have none.

A client connected with reconnection (:mod:`wsbdd.io.client`) that loses its
connection asks its codec whether to reconnect at all, takes what the codec wants to
carry over to the next connection, makes a fresh codec for that connection and hands
it that state.  A codec may define any of these methods; one that defines none
reconnects like raw WebSocket (always, with nothing carried over, no session id):

``may_reconnect() -> bool``
    After the connection ended without a step closing it: False when the app ended
    the session on purpose (Socket.IO's ``io server disconnect``: the official clients
    do not reconnect then).
``resumption() -> object``
    What the next connection's codec starts from (Socket.IO: each namespace's ``pid``
    and the offset of the last event received, for connection-state recovery).
``resume(state) -> None``
    Called on the fresh codec, before its connection opens, with ``resumption()``'s
    value from the codec of the lost connection.
``session_id() -> str | None``
    The app's id for this session (Socket.IO's ``sid`` on the main namespace), for
    "reconnected (attempt 2, new sid …)".
``recovered() -> bool | None``
    Whether the server restored the old session on this connection; None when the
    server does not offer recovery at all.
``renewed() -> Codec``
    A fresh codec configured as this one (Socket.IO: the same namespaces, auth and
    path), for a client that was given a codec object rather than a way to make one.

Sans-I/O like every codec: these only look at and set the codec's own state.  A codec
wrapped by ``auto_reply`` rules is looked through.
"""

from __future__ import annotations

from typing import Any

from wsbdd.codec.base import Codec

__all__ = ["may_reconnect", "resumption", "resume", "session_id", "recovered", "renewed"]


def _inner(codec: Codec) -> Any:
    """The codec that does the protocol's work (through an ``auto_reply`` wrapper)."""
    seen = 0
    while hasattr(codec, "inner") and seen < 8:  # bounded: a wrapper of a wrapper at most
        codec = codec.inner
        seen += 1
    return codec


def may_reconnect(codec: Codec) -> bool:
    method = getattr(_inner(codec), "may_reconnect", None)
    return True if method is None else bool(method())


def resumption(codec: Codec) -> Any:
    method = getattr(_inner(codec), "resumption", None)
    return None if method is None else method()


def resume(codec: Codec, state: Any) -> None:
    method = getattr(_inner(codec), "resume", None)
    if method is not None and state is not None:
        method(state)


def session_id(codec: Codec) -> str | None:
    method = getattr(_inner(codec), "session_id", None)
    return None if method is None else method()


def recovered(codec: Codec) -> bool | None:
    method = getattr(_inner(codec), "recovered", None)
    return None if method is None else method()


def renewed(codec: Codec) -> Codec | None:
    """A fresh codec configured as ``codec`` (None: it cannot say; not through a wrapper,
    whose rules it would lose)."""
    method = getattr(codec, "renewed", None)
    return None if method is None else method()
