"""Steps about connections: the protocol spoken, connect, rejection, close codes, keep-alive
pings."""

from __future__ import annotations

from typing import Any

from behave import given, step, then, when

from wsbdd.facade.session import Session
from wsbdd.match import unescape
from wsbdd.match.grammar import (
    NAME,
    NAMES,
    QUOTED,
    WITHIN,
    body_condition,
    per_client_words,
    quoted,
    seconds,
    split_names,
)
from wsbdd.model.errors import FeatureMistake
from wsbdd.steps.base import wsbdd_step

OPTIONS = (
    rf'(?: to "(?P<target>{QUOTED})")?'
    rf'(?: with token "(?P<token>{QUOTED})")?'
    rf'(?: with (?:subprotocols? "(?P<subprotocols>{QUOTED})"|(?P<no_subprotocol>no subprotocol)))?'
    r"(?P<with_headers> with headers:)?"
)


def _headers(context: Any, session: Session, with_headers: str | None) -> dict[str, str] | None:
    if not with_headers:
        return None
    table = context.table
    if table is None:
        raise FeatureMistake(
            "Put the headers in a table under the step:\n"
            "  | name    | value |\n  | X-Trace | 42    |"
        )
    rows = [list(table.headings)] + [list(row.cells) for row in table.rows]
    # Filled in per client by the session (${client}, ${index}, ${tokens.${client}}).
    return {
        cells[0].strip(): cells[1].strip()
        for cells in rows
        if len(cells) >= 2 and cells[0].strip().lower() not in ("name", "header")
    }


def _connect(
    session: Session,
    context: Any,
    names: list[str],
    target: str | None,
    token: str | None,
    subprotocols: str | None,
    no_subprotocol: str | None,
    with_headers: str | None,
    require: bool,
    alone: bool = False,
    reconnection: bool | None = None,
) -> None:
    offered: list[str] | None = None  # None: the configured subprotocols
    if no_subprotocol:
        offered = []
    elif subprotocols:
        offered = [p.strip() for p in quoted(subprotocols, session.vars).split(",")]
    headers = _headers(context, session, with_headers)
    if alone:
        texts = [target, token, *(headers or {}).keys(), *(headers or {}).values()]
        per_client_words(texts, names[0])
    # Escapes are read here; the session fills in ${…} for each client (${client} is its
    # name, ${index} its place), after the escapes, as quoted() does for one text.
    session.connect_all(
        names,
        unescape(target) if target else None,
        token=unescape(token) if token is not None else None,
        headers=headers,
        subprotocols=offered,
        require=require,
        reconnection=reconnection,
    )


@given(r"the server speaks (?P<protocol>[A-Za-z][\w.\- ]*)")
@wsbdd_step
def server_speaks(session: Session, context: Any, protocol: str) -> None:
    """Clients connected from now on in this scenario speak this protocol: Socket.IO, GraphQL,
    STOMP, plain WebSocket, or a codec's registered name (a tag such as @socket.io does the
    same for a whole scenario or feature)."""
    session.use_protocol(protocol)


@given(NAME + r" is connected" + OPTIONS)
@when(NAME + r" is connected" + OPTIONS)
@wsbdd_step
def connected(session: Session, context: Any, name: str, **options: Any) -> None:
    """Connect the client to the configured URL, or to an address joined to it like a link in
    a browser; fails the step if the server refuses or rejects it.

    Without ``to "…"`` it connects to the configured URL as written. An address is joined
    to that URL as a browser joins a link: ``/chat`` replaces the path, ``chat`` sits next
    to it, ``?room=2`` keeps the path with a new query, and a full ``ws://``, ``wss://`` or
    ``http(s)://`` URL is used as it is."""
    _connect(session, context, [name], require=True, alone=True, **options)


# A list of names only ("Alice, Bob and Carol"): "clients … in group "x" are connected"
# is the group step (steps/groups.py), never this one with "in group" read as a name.
@given(rf"clients (?P<names>{NAMES}) are connected" + OPTIONS)
@when(rf"clients (?P<names>{NAMES}) are connected" + OPTIONS)
@wsbdd_step
def all_connected(session: Session, context: Any, names: str, **options: Any) -> None:
    """Connect several clients at once: ``clients Alice, Bob and Carol are connected``.

    Each has its own handshake: ``${client}`` (its name) and ``${index}`` (1, 2, …)
    may be used in the path, the token and the headers, e.g. ``to "/ws?user=${client}"``.
    """
    _connect(session, context, split_names(names), require=True, **options)


@step(NAME + r" (?:connects|tries to connect)" + OPTIONS)
@wsbdd_step
def connects(session: Session, context: Any, name: str, **options: Any) -> None:
    """Attempt to connect; the outcome (accepted or rejected) is checked by later steps."""
    _connect(session, context, [name], require=False, alone=True, **options)


@step(r"clients (?P<names>.+?) (?:connect|try to connect)" + OPTIONS)
@wsbdd_step
def all_connect(session: Session, context: Any, names: str, **options: Any) -> None:
    _connect(session, context, split_names(names), require=False, **options)


@then(NAME + r" is (?:still )?connected")
@wsbdd_step
def is_connected(session: Session, context: Any, name: str) -> None:
    """The connection is open right now."""
    session.expect_connected(name)


@step(
    NAME
    + r"'s connection is rejected(?: with status (?P<status>\d+))?"
    + r"(?: and the body (?P<body>.+))?"
)
@wsbdd_step
def rejected(
    session: Session, context: Any, name: str, status: str | None, body: str | None
) -> None:
    """The server refused the WebSocket handshake (HTTP 401, 403, …); "and the body" with any
    matcher (contains, is, starts with, matches, …) checks what its body said.  The refusal
    becomes "the response", whose headers and status later steps can check."""
    check = body_condition(body, session.vars) if body else None
    session.expect_rejected(name, int(status) if status else None, body=check)


@step(NAME + r"'s connection is accepted")
@wsbdd_step
def accepted(session: Session, context: Any, name: str) -> None:
    session.expect_connected(name)


@step(
    NAME
    + r"""'s connection uses (?:subprotocol "(?P<subprotocol>[^"]+)"|(?P<none>no subprotocol))"""
)
@wsbdd_step
def uses_subprotocol(
    session: Session, context: Any, name: str, subprotocol: str | None, none: str | None
) -> None:
    session.expect_subprotocol(name, None if none else subprotocol)


@step(NAME + r" disconnects")
@wsbdd_step
def disconnects(session: Session, context: Any, name: str) -> None:
    """Close the connection normally (code 1000)."""
    session.disconnect(name)


@step(
    NAME
    + rf' closes the connection(?: with code (?P<code>\d+))?(?: and reason "(?P<reason>{QUOTED})")?'
)
@wsbdd_step
def closes(session: Session, context: Any, name: str, code: str | None, reason: str | None) -> None:
    session.disconnect(name, int(code) if code else 1000, quoted(reason or "", session.vars))


@step(
    NAME
    + r" is disconnected(?: with code (?P<code>\d+))?"
    + rf'(?: (?:and|with) reason "(?P<reason>{QUOTED})")?(?P<how> cleanly| abruptly)?'
    + WITHIN
)
@wsbdd_step
def disconnected(
    session: Session,
    context: Any,
    name: str,
    code: str | None,
    reason: str | None,
    how: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """The connection has ended (waiting up to the timeout), optionally with code and/or reason."""
    clean = None if not how else how.strip() == "cleanly"
    session.expect_disconnected(
        name,
        int(code) if code else None,
        quoted(reason, session.vars) if reason is not None else None,
        seconds(amount, unit),
        clean,
    )


@step(NAME + r" pings the server")
@wsbdd_step
def pings(session: Session, context: Any, name: str) -> None:
    """Send a WebSocket ping frame (protocol level, not an application message)."""
    session.ping(name)


@step(NAME + r" receives a pong" + WITHIN)
@wsbdd_step
def pong(session: Session, context: Any, name: str, amount: str | None, unit: str | None) -> None:
    session.expect_pong(name, seconds(amount, unit))
