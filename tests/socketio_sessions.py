"""Socket.IO sessions for the reconnection tests: a Run against one of the real test servers
(tests/socketio_apps), and the few exchanges those tests make through the Session API."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest

from wsbdd.codec import Emit
from wsbdd.facade.session import Run, Session
from wsbdd.match import where
from wsbdd.model.reconnection import ReconnectPolicy
from wsbdd.report.text import transcript_text
from wsbdd.settings.config import Settings, SocketIOSettings

TIMES = re.compile(r"^\+\S+ \S+\s+\d\d:\d\d:\d\d\.\d{3}  ")
FAST = ReconnectPolicy(attempts=3, delay=0.05, max_delay=0.2)
# Slow enough that what the test does right after a drop happens during the gap.
GAP = ReconnectPolicy(attempts=3, delay=0.6, max_delay=1.0)


@contextlib.contextmanager
def recovering_node_server() -> Iterator[Any]:
    """Node socket.io 4 with connection-state recovery on (a server of this module's own)."""
    from socketio_servers import SocketIOServerError, node_socketio_server

    try:
        with node_socketio_server(recovery=True) as server:
            yield server
    except SocketIOServerError as error:
        pytest.fail(str(error), pytrace=False)


@contextlib.contextmanager
def session_for(server: Any, policy: ReconnectPolicy = FAST) -> Iterator[Session]:
    settings = Settings(
        url=server.url,
        codec="socket.io",
        timeout=5.0,
        reconnection=policy,
        socketio=SocketIOSettings(auth={"name": "tester"}),
    )
    with Run.start(settings) as run, run.session() as s:
        yield s


def lines(s: Session) -> list[str]:
    return [TIMES.sub("", line).strip() for line in transcript_text(s.transcript()).splitlines()]


def emit(s: Session, name: str, event: str, *args: Any) -> None:
    s.send(name, Emit(event, args))


def ask(s: Session, name: str, event: str, *args: Any) -> Any:
    """Emit asking for an acknowledgement; its first argument."""
    s.send(name, Emit(event, args, wants_ack=True))
    ack = s.receive(name, where(f'$.type is "ack" and $.event is "{event}"'))
    return ack.value["args"][0]


def chat(s: Session, name: str, text: str) -> Any:
    """Wait for the chat event ``text``; its value."""
    condition = f'$.type is "event" and $.event is "chat" and $.args[0].text is "{text}"'
    return s.receive(name, where(condition)).value
