"""STOMP steps: connect to a broker, subscribe, send to destinations, wait for MESSAGE and
ERROR frames, check headers, acknowledge, and run transactions.

In every STOMP step ``$`` is the whole frame view ``{"command", "headers", "body"}``: the
body is parsed when its content type is JSON (``$.body.text``), else it is text (``$.body is
"hi"``); headers are ``$.headers.destination``, ``$.headers['message-id']``.  A body is
written as JSON (``{"text": "hi"}``: sent as ``application/json``) or as quoted text
(``"hi"``: sent as ``text/plain``), a header in the step's words wins.

A subscription (and an unsubscription) waits for the broker's RECEIPT, so a frame sent by
another client in the next step finds the subscription in place; "tries to subscribe" does
not wait (for a destination the broker refuses with an ERROR).
"""

from __future__ import annotations

import re
from typing import Any

from behave import given, step, then, when

from wsbdd.expect.frames import ack_mode
from wsbdd.facade.session import Session
from wsbdd.match.grammar import (
    DURATION,
    NAME,
    NAMES,
    QUOTED,
    WITHIN,
    conditions,
    parse_duration,
    quoted,
    seconds,
    split_names,
)
from wsbdd.model.errors import FeatureMistake
from wsbdd.steps.base import wsbdd_step

DESTINATION = r'"(?P<destination>[^"]+)"'
FROM = r'(?: from "(?P<destination>[^"]+)")?'
WHERE = r"(?: where (?P<where>(?!.*:$).+?))?"
STOMP_OPTIONS = (
    rf'(?: as "(?P<login>{QUOTED})"(?: with passcode "(?P<passcode>{QUOTED})")?)?'
    rf'(?: on virtual host "(?P<host>{QUOTED})")?'
    rf"(?: with heart-beats every (?P<beat>{DURATION}))?"
)
HEADERS = rf'(?P<headers>(?: (?:with|and) header "[^"]+" "{QUOTED}")*)'
TRANSACTION = r'(?: in transaction "(?P<transaction>[^"]+)")?'
RECEIPT = r"(?P<receipt> and waits for the receipt" + WITHIN + r")?"
BODY = rf'(?P<body>[\[{{].*?[\]}}]|"{QUOTED}")'
ACK_MODE = r'(?: with ack "(?P<ack>[^"]+)")?'

_HEADER = re.compile(rf' (?:with|and) header "([^"]+)" "({QUOTED})"')


def _headers(text: str | None, session: Session) -> dict[str, str]:
    """`` with header "a" "1" and header "b" "2"`` → ``{"a": "1", "b": "2"}``."""
    if not text:
        return {}
    return {
        session.vars.render_text(name): quoted(value, session.vars)
        for name, value in _HEADER.findall(text)
    }


def _table_headers(context: Any, session: Session) -> dict[str, str]:
    table = context.table
    if table is None:
        raise FeatureMistake(
            "Put the headers in a table under the step:\n"
            "  | header       | value            |\n"
            "  | content-type | application/json |"
        )
    rows = [list(table.headings)] + [list(row.cells) for row in table.rows]
    return {
        session.vars.render_text(cells[0].strip()): session.vars.render_text(cells[1].strip())
        for cells in rows
        if len(cells) >= 2 and cells[0].strip().lower() not in ("name", "header")
    }


def _body(text: str, session: Session) -> Any:
    """A body written on the step line: JSON (a value), or quoted text (a ``str``)."""
    if text.startswith('"'):
        return quoted(text[1:-1], session.vars)
    return session.vars.render_json(text)


def _docstring_body(context: Any, session: Session) -> Any:
    text = context.text
    if text is None:
        raise FeatureMistake(
            'This step needs the body in a docstring under it (between """ lines): JSON such '
            'as {"text": "hi"}, or any text.'
        )
    if text.strip().startswith(("{", "[")):
        return session.vars.render_json(text.strip())
    return session.vars.render_text(text)


def _heart_beat(beat: str | None) -> tuple[int, int] | None:
    if not beat:
        return None
    ms = round(parse_duration(beat) * 1000)
    return (ms, ms)


def _connect(session: Session, names: list[str], require: bool, **words: Any) -> None:
    login, passcode, host = words.get("login"), words.get("passcode"), words.get("host")
    session.connect_stomp(
        names,
        login=quoted(login, session.vars) if login is not None else None,
        passcode=quoted(passcode, session.vars) if passcode is not None else None,
        host=quoted(host, session.vars) if host is not None else None,
        heart_beat=_heart_beat(words.get("beat")),
        require=require,
    )


# -- connecting -------------------------------------------------------------------------------


@given(NAME + r" is connected over STOMP" + STOMP_OPTIONS)
@when(NAME + r" is connected over STOMP" + STOMP_OPTIONS)
@wsbdd_step
def connected_over_stomp(session: Session, context: Any, name: str, **words: Any) -> None:
    """Connect one client to the broker over STOMP with the configured login (or this one and
    its passcode), virtual host and heart-beats; the broker must accept it."""
    _connect(session, [name], True, **words)


@given(rf"clients (?P<names>{NAMES}) are connected over STOMP" + STOMP_OPTIONS)
@when(rf"clients (?P<names>{NAMES}) are connected over STOMP" + STOMP_OPTIONS)
@wsbdd_step
def all_connected_over_stomp(session: Session, context: Any, names: str, **words: Any) -> None:
    """Connect several clients over STOMP at once, each with the same login."""
    _connect(session, split_names(names), True, **words)


@step(NAME + r" tries to connect over STOMP" + STOMP_OPTIONS)
@wsbdd_step
def tries_stomp(session: Session, context: Any, name: str, **words: Any) -> None:
    """Attempt to connect over STOMP; a refusal is checked by the next steps."""
    _connect(session, [name], False, **words)


@then(
    NAME
    + r"'s connection is refused by the broker"
    + rf'(?: with a message (?P<containing>containing )?"(?P<message>{QUOTED})")?'
)
@wsbdd_step
def refused_by_broker(
    session: Session, context: Any, name: str, containing: str | None, message: str | None
) -> None:
    """The broker answered the client's CONNECT with an ERROR (a wrong login, an unknown
    virtual host); "with a message" is the ERROR's message, "containing" a part of it or of
    its body."""
    session.expect_broker_refused(
        name,
        quoted(message, session.vars) if message is not None else None,
        containing=bool(containing),
    )


# -- subscriptions ----------------------------------------------------------------------------


@step(rf"(?P<names>{NAMES}) subscribes? to " + DESTINATION + ACK_MODE + HEADERS)
@wsbdd_step
def subscribes(
    session: Session,
    context: Any,
    names: str,
    destination: str,
    ack: str | None,
    headers: str | None,
) -> None:
    """Each client subscribes to the destination (acknowledging "auto", "client" or
    "client-individual") and waits for the broker's receipt, so the subscription is in place
    when the step ends."""
    session.stomp_subscribe(
        split_names(names),
        quoted(destination, session.vars),
        ack=ack_mode(ack),
        headers=_headers(headers, session),
    )


@step(NAME + r" tries to subscribe to " + DESTINATION + ACK_MODE + HEADERS)
@wsbdd_step
def tries_to_subscribe(
    session: Session,
    context: Any,
    name: str,
    destination: str,
    ack: str | None,
    headers: str | None,
) -> None:
    """Subscribe without waiting for the receipt: for a destination the broker refuses with an
    ERROR ("Then Ann receives an ERROR where …")."""
    session.stomp_subscribe(
        [name],
        quoted(destination, session.vars),
        ack=ack_mode(ack),
        headers=_headers(headers, session),
        receipt=False,
    )


@step(NAME + r" unsubscribes from " + DESTINATION)
@wsbdd_step
def unsubscribes(session: Session, context: Any, name: str, destination: str) -> None:
    """End the client's subscription to the destination (waiting for the broker's receipt)."""
    session.stomp_unsubscribe(name, quoted(destination, session.vars))


# -- sending ----------------------------------------------------------------------------------


def _send(
    session: Session,
    name: str,
    destination: str,
    body: Any,
    headers: dict[str, str],
    words: dict[str, Any],
) -> None:
    transaction = words.get("transaction")
    session.stomp_send(
        name,
        quoted(destination, session.vars),
        body,
        headers=headers,
        transaction=quoted(transaction, session.vars) if transaction else None,
        receipt=bool(words.get("receipt")),
        timeout=seconds(words.get("amount"), words.get("unit")),
    )


@step(
    NAME
    + r" sends "
    + BODY
    + r" to "
    + DESTINATION
    + HEADERS
    + TRANSACTION
    + RECEIPT
    + r"(?P<table> with headers:)?"
)
@wsbdd_step
def sends_to(
    session: Session,
    context: Any,
    name: str,
    body: str,
    destination: str,
    headers: str | None,
    table: str | None,
    **words: Any,
) -> None:
    """Send a body to a destination: JSON (sent as application/json) or quoted text (sent as
    text/plain), with headers (on the line, or in a table under "with headers:"), in a
    transaction, and waiting for the broker's receipt when asked."""
    sent = _headers(headers, session)
    if table:
        sent.update(_table_headers(context, session))
    _send(session, name, destination, _body(body, session), sent, words)


@step(NAME + r" sends to " + DESTINATION + HEADERS + TRANSACTION + RECEIPT + r":")
@wsbdd_step
def sends_docstring_to(
    session: Session,
    context: Any,
    name: str,
    destination: str,
    headers: str | None,
    **words: Any,
) -> None:
    """Send the docstring to a destination: JSON when it starts with { or [, text otherwise."""
    body = _docstring_body(context, session)
    _send(session, name, destination, body, _headers(headers, session), words)


# -- receiving --------------------------------------------------------------------------------


@step(NAME + r" receives a MESSAGE" + FROM + WHERE + WITHIN)
@wsbdd_step
def receives_message(
    session: Session,
    context: Any,
    name: str,
    destination: str | None,
    where: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """Wait for a MESSAGE (from the destination) meeting every condition ($ is the whole frame:
    $.body.text, $.headers.destination) and claim it: it becomes the client's last message."""
    session.expect_stomp_message(
        name,
        quoted(destination, session.vars) if destination else None,
        conditions(where, session.vars).conditions if where else (),
        seconds(amount, unit),
    )


@step(NAME + r" receives no MESSAGE" + FROM + WHERE + WITHIN)
@wsbdd_step
def receives_no_message(
    session: Session,
    context: Any,
    name: str,
    destination: str | None,
    where: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """A quiet window: no unread MESSAGE (from the destination, meeting the conditions) is
    there or comes within the time."""
    session.expect_no_stomp_message(
        name,
        quoted(destination, session.vars) if destination else None,
        conditions(where, session.vars).conditions if where else (),
        seconds(amount, unit),
    )


@step(NAME + r" receives an ERROR" + WHERE + WITHIN)
@wsbdd_step
def receives_error(
    session: Session,
    context: Any,
    name: str,
    where: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """Wait for the broker's ERROR frame ($.headers.message, $.body); the broker closes the
    connection after it ("Then Ann is disconnected")."""
    session.expect_stomp_error(
        name,
        conditions(where, session.vars).conditions if where else (),
        seconds(amount, unit),
    )


@then(NAME + rf'\'s last message has header "(?P<header>[^"]+)"(?: "(?P<value>{QUOTED})")?')
@wsbdd_step
def last_message_header(
    session: Session, context: Any, name: str, header: str, value: str | None
) -> None:
    """The client's last MESSAGE has the header (with this value)."""
    session.expect_last_header(
        name,
        quoted(header, session.vars),
        quoted(value, session.vars) if value is not None else None,
    )


@step(NAME + r' keeps the last message as "(?P<label>[^"]+)"')
@wsbdd_step
def keeps_message(session: Session, context: Any, name: str, label: str) -> None:
    """Keep the client's last MESSAGE under a name, to acknowledge it later (its frame is also
    the variable ${label}: ${label.headers.message-id})."""
    session.keep_message(name, quoted(label, session.vars))


# -- acknowledging and transactions ---------------------------------------------------------------


@step(
    NAME
    + r" (?P<verb>acknowledges|nacks|does not acknowledge)"
    + r' (?:the last message|the message kept as "(?P<kept>[^"]+)")'
    + TRANSACTION
)
@wsbdd_step
def acknowledges(
    session: Session,
    context: Any,
    name: str,
    verb: str,
    kept: str | None,
    transaction: str | None,
) -> None:
    """ACK the client's last MESSAGE (or the one kept under a name) with its own headers;
    "does not acknowledge" (or "nacks") sends a NACK, and the broker delivers it again."""
    session.acknowledge_message(
        name,
        kept=quoted(kept, session.vars) if kept else None,
        transaction=quoted(transaction, session.vars) if transaction else None,
        nack=verb != "acknowledges",
    )


@step(NAME + r' (?P<verb>begins|commits|aborts) transaction "(?P<transaction>[^"]+)"' + RECEIPT)
@wsbdd_step
def transaction_step(
    session: Session,
    context: Any,
    name: str,
    verb: str,
    transaction: str,
    receipt: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """BEGIN, COMMIT or ABORT a transaction: frames sent in it ("… in transaction "tx1"")
    reach their destinations at the COMMIT, never after an ABORT."""
    action = {
        "begins": session.stomp_begin,
        "commits": session.stomp_commit,
        "aborts": session.stomp_abort,
    }[verb]
    action(
        name,
        quoted(transaction, session.vars),
        receipt=bool(receipt),
        timeout=seconds(amount, unit),
    )
