"""Steps about losing a connection and reconnecting (docs/socketio.md, "Reconnection and
recovery"): connect with reconnection, drop the connection as the network would, wait
for the client to reconnect, and check whether the server recovered its session."""

from __future__ import annotations

from typing import Any

from behave import given, step, then, when

from wsbdd.facade.session import Session
from wsbdd.match.grammar import NAME, NAMES, WITHIN, seconds, split_names
from wsbdd.steps.base import wsbdd_step
from wsbdd.steps.connection import OPTIONS, _connect

WITH_RECONNECTION = r" with reconnection"


@given(NAME + r" is connected" + WITH_RECONNECTION + OPTIONS)
@when(NAME + r" is connected" + WITH_RECONNECTION + OPTIONS)
@wsbdd_step
def connected_with_reconnection(session: Session, context: Any, name: str, **options: Any) -> None:
    """Connect the client (as "is connected" does, with the same options after it); when
    its connection is lost later (not closed by a step, not ended by the app on purpose)
    it reconnects by itself, keeping its inbox, as the ``reconnection`` settings say."""
    _connect(session, context, [name], require=True, alone=True, reconnection=True, **options)


@given(rf"clients (?P<names>{NAMES}) are connected" + WITH_RECONNECTION + OPTIONS)
@when(rf"clients (?P<names>{NAMES}) are connected" + WITH_RECONNECTION + OPTIONS)
@wsbdd_step
def all_connected_with_reconnection(
    session: Session, context: Any, names: str, **options: Any
) -> None:
    """Connect several clients at once, each reconnecting by itself when its connection is
    lost."""
    _connect(session, context, split_names(names), require=True, reconnection=True, **options)


@step(NAME + r"'s connection drops")
@wsbdd_step
def connection_drops(session: Session, context: Any, name: str) -> None:
    """Cut the client's TCP connection as a network failure would: no closing handshake,
    so the server sees its transport close (Socket.IO: ``transport close``), and a client
    connected with reconnection reconnects."""
    session.drop(name)


@then(NAME + r" reconnects" + WITHIN + r"(?P<new_sid> and has a new session id)?")
@wsbdd_step
def reconnects(
    session: Session,
    context: Any,
    name: str,
    amount: str | None,
    unit: str | None,
    new_sid: str | None,
) -> None:
    """The client lost its connection and has reconnected (waiting up to the timeout for
    both); "and has a new session id": the server gave it a new session (Socket.IO's sid),
    which a recovered session does not.  Each such step claims one loss."""
    session.expect_reconnected(name, seconds(amount, unit), new_sid=bool(new_sid))


@then(NAME + r"'s connection is (?P<negated>not )?recovered")
@wsbdd_step
def recovered(session: Session, context: Any, name: str, negated: str | None) -> None:
    """On its latest reconnection the server restored the client's session (Socket.IO's
    connection-state recovery: the same sid, the events missed during the gap replayed),
    or, with "not", started a new one."""
    session.expect_recovered(name, recovered=not negated)
