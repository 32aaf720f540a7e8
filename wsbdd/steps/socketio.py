"""Socket.IO steps: choose the protocol, emit events, wait for events and acknowledgements,
answer the server's requests, namespaces and server disconnects.

In every step about an event, ``$`` is the event's first argument (``$.text``), and
``$args[1]``, ``$args``, ``$event``, ``$namespace`` reach the rest of the envelope (see
:mod:`wsbdd.expect.events`).  Arguments are written after "with", separated by commas:
JSON values (``{"room": "lobby"}``, ``"hi"``, ``3``), ``${variables}`` (bytes stay bytes),
and binary as ``hex "01 ff"`` or ``base64 "Af8="``.
"""

from __future__ import annotations

import json
from typing import Any

from behave import given, step, then, when

from wsbdd.codec.socketio import Emit
from wsbdd.expect.events import (
    EventCondition,
    EventMatcher,
    event_args,
    event_conditions,
    event_path,
)
from wsbdd.facade.session import Session
from wsbdd.load.driver import SENTINEL, LoadDriver
from wsbdd.load.schedule import parse_duration
from wsbdd.match.conditions import condition_from_cell
from wsbdd.match.grammar import (
    COUNT,
    NAME,
    NAMES,
    QUOTED,
    WITHIN,
    count_word,
    per_member,
    quoted,
    seconds,
    split_names,
)
from wsbdd.match.words import MATCHER_WORDS
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.variables import Variables
from wsbdd.steps.base import wsbdd_step
from wsbdd.steps.groups import EVERY, GROUP, _subject, _who
from wsbdd.steps.load import PACE, _offsets

EVENT = rf'"(?P<event>{QUOTED})"'
NAMESPACE = r'(?: (?:in|to|on) namespace "(?P<namespace>[^"]+)")?'
# "… 5 times at 2 per second" is the load step's, never an argument list of the plain emit.
_NOT_PACED = r"(?!.*\s(?:\d+ times?(?:$| at | with |,)|for [\d.]+ ?[a-z]+ at ))"
ARGS = r"(?: with (?P<args>" + _NOT_PACED + r".+?))?"
WHERE = r"(?: where (?P<where>(?!.*:$).+?))?"
ACK = (
    r"(?: (?P<asks>and asks for an acknowledgement)"
    r"| (?P<waits>and waits for the acknowledgement)" + WITHIN + r")?"
)
SIO_OPTIONS = (
    r'(?: to namespaces? (?P<namespaces>"[^"]+"(?:(?:, | and )"[^"]+")*))?'
    r"(?: with auth (?P<auth>[{].*))?"
)


def _where(text: str | None, session: Session) -> list[EventCondition]:
    return event_conditions(text, session.vars) if text else []


def _namespaces(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [part.strip().strip('"') for part in text.replace(" and ", ", ").split(",")]


def _auth(text: str | None, session: Session) -> Any:
    return session.vars.render_json(text) if text else None


# -- the protocol -----------------------------------------------------------------------------


@given(NAME + r" is connected over Socket\.IO" + SIO_OPTIONS)
@when(NAME + r" is connected over Socket\.IO" + SIO_OPTIONS)
@wsbdd_step
def connected_over_socketio(
    session: Session, context: Any, name: str, namespaces: str | None, auth: str | None
) -> None:
    """Connect one client over Socket.IO, to the configured namespaces (or these), with the
    configured auth payload (or this one); every namespace must accept it."""
    session.connect_socketio(
        [name], namespaces=_namespaces(namespaces), auth=_auth(auth, session), require=True
    )


@given(rf"clients (?P<names>{NAMES}) are connected over Socket\.IO" + SIO_OPTIONS)
@when(rf"clients (?P<names>{NAMES}) are connected over Socket\.IO" + SIO_OPTIONS)
@wsbdd_step
def all_connected_over_socketio(
    session: Session, context: Any, names: str, namespaces: str | None, auth: str | None
) -> None:
    """Connect several clients over Socket.IO at once (``${client}`` in the auth payload is
    each one's name)."""
    listed = split_names(names)
    if auth and "${client}" in auth or (auth and "${index}" in auth):
        for index, name in enumerate(listed, 1):
            member = session.vars.child(client=name, index=index)
            session.connect_socketio(
                [name], namespaces=_namespaces(namespaces), auth=member.render_json(auth)
            )
        return
    session.connect_socketio(listed, namespaces=_namespaces(namespaces), auth=_auth(auth, session))


# -- emitting ---------------------------------------------------------------------------------


@step(NAME + r" emits " + EVENT + NAMESPACE + ARGS + ACK)
@wsbdd_step
def emits(
    session: Session,
    context: Any,
    name: str,
    event: str,
    namespace: str | None,
    args: str | None,
    asks: str | None,
    waits: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """Emit an event with arguments (JSON values, ${variables}, hex "…" or base64 "…"
    binary, separated by commas) or none; "and waits for the acknowledgement" asks the
    server to acknowledge it and waits for that."""
    values = event_args(args, session.vars)
    if waits:
        limit = seconds(amount, unit)
        session.emit_and_wait_ack(
            name, quoted(event, session.vars), values, namespace=namespace or "/", timeout=limit
        )
        return
    session.emit(
        name, quoted(event, session.vars), values, namespace=namespace or "/", wants_ack=bool(asks)
    )


@step(NAME + r" emits " + EVENT + NAMESPACE + r"(?P<asks> asking for an acknowledgement)? with:")
@wsbdd_step
def emits_docstring(
    session: Session, context: Any, name: str, event: str, namespace: str | None, asks: str | None
) -> None:
    """Emit an event whose arguments are the docstring (a JSON value, or several separated
    by commas, over as many lines as they need); "asking for an acknowledgement" asks the
    server to acknowledge it ("… waits for the acknowledgement" then waits)."""
    if context.text is None:
        raise FeatureMistake(
            'This step needs the arguments in a docstring under it (between """ lines), '
            'e.g. {"room": "lobby", "text": "hi"}.'
        )
    session.emit(
        name,
        quoted(event, session.vars),
        event_args(context.text, session.vars),
        namespace=namespace or "/",
        wants_ack=bool(asks),
    )


@step(NAME + r" waits for the acknowledgement(?: of " + EVENT + r")?" + WITHIN)
@wsbdd_step
def waits_for_ack(
    session: Session,
    context: Any,
    name: str,
    event: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """Wait for the acknowledgement of the client's latest emit that asked for one."""
    session.wait_ack(name, seconds(amount, unit), event=event)


@then(r"the acknowledgement (?P<how>is|where) (?P<expected>.+)")
@wsbdd_step
def the_ack(session: Session, context: Any, how: str, expected: str) -> None:
    """The acknowledgement a step waited for last: "is" compares its arguments with the
    values (one value: the first argument), "where" checks conditions ($ its first argument)."""
    if how == "is":
        session.expect_ack_is(None, event_args(expected, session.vars))
        return
    session.expect_ack(None, _where(expected, session))


@then(NAME + r"'s acknowledgement (?P<how>is|where) (?P<expected>.+?)" + WITHIN)
@wsbdd_step
def clients_ack(
    session: Session,
    context: Any,
    name: str,
    how: str,
    expected: str,
    amount: str | None,
    unit: str | None,
) -> None:
    """The acknowledgement of the client's latest emit that asked for one, waited for if it
    has not come yet."""
    limit = seconds(amount, unit)
    if how == "is":
        session.expect_ack_is(name, event_args(expected, session.vars), limit)
        return
    session.expect_ack(name, _where(expected, session), limit)


@then(NAME + r"'s emit(?: of " + EVENT + r")? is not acknowledged" + WITHIN)
@wsbdd_step
def not_acknowledged(
    session: Session,
    context: Any,
    name: str,
    event: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """The server does not acknowledge the client's latest emit that asked, within the time."""
    session.expect_no_ack(name, seconds(amount, unit), event=event)


# -- receiving events -------------------------------------------------------------------------


@step(NAME + r" receives the event " + EVENT + NAMESPACE + WHERE + WITHIN)
@wsbdd_step
def receives_event(
    session: Session,
    context: Any,
    name: str,
    event: str,
    namespace: str | None,
    where: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """Wait for an event meeting every condition ($ is its first argument; $args[1],
    $event and $namespace reach the rest) and claim it."""
    session.expect_event(
        name,
        quoted(event, session.vars),
        _where(where, session),
        seconds(amount, unit),
        namespace=namespace,
    )


@step(NAME + r" receives no event " + EVENT + NAMESPACE + WHERE + WITHIN)
@wsbdd_step
def receives_no_event(
    session: Session,
    context: Any,
    name: str,
    event: str,
    namespace: str | None,
    where: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """A quiet window: no unread event of that name (meeting the conditions) is there or
    comes within the time."""
    session.expect_no_event(
        name,
        quoted(event, session.vars),
        _where(where, session),
        seconds(amount, unit),
        namespace=namespace,
    )


@step(
    NAME
    + r" has received (?:(?P<op>exactly|at least|at most) )?(?P<count>"
    + COUNT
    + r") events? "
    + EVENT
    + WHERE
    + WITHIN
)
@wsbdd_step
def has_received_events(
    session: Session,
    context: Any,
    name: str,
    op: str | None,
    count: str,
    event: str,
    where: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """Count the events of that name since connecting (or since the client forgot)."""
    session.count_events(
        name,
        op or "exactly",  # type: ignore[arg-type]  # the regex admits only CountOp words
        count_word(count),
        quoted(event, session.vars),
        _where(where, session),
        seconds(amount, unit),
    )


def _cell_condition(path: str, cell: str, variables: Variables) -> EventCondition:
    lowered = cell.lower()
    words, value = "is", cell
    for phrase in MATCHER_WORDS:
        if lowered == phrase or lowered.startswith(phrase + " "):
            words, value = phrase, cell[len(phrase) :].strip()
            break
    return EventCondition(path, condition_from_cell(event_path(path), words, value, variables))


def event_rows(table: Any, variables: Variables) -> list[EventMatcher]:
    """A table whose first column is ``event`` and whose other headings are paths (``$`` the
    first argument): one matcher per row."""
    headings = [str(h).strip() for h in table.headings] if table is not None else []
    if not headings or headings[0].lower() != "event":
        raise FeatureMistake(
            "Put the expected events in a table under the step, the event's name first:\n"
            "  | event | $.text |\n  | chat  | one    |\n  | chat  | two    |"
        )
    for path in headings[1:]:
        if not path.startswith("$"):
            raise FeatureMistake(
                f'The column "{path}" is not a path; head each column after "event" with a '
                "path like $.text ($ is the first argument)."
            )
    matchers = []
    for row in table.rows:
        cells = [str(cell).strip() for cell in row.cells]
        conditions = [
            _cell_condition(path, cell, variables)
            for path, cell in zip(headings[1:], cells[1:], strict=True)
            if cell != ""
        ]
        matchers.append(EventMatcher(variables.render_text(cells[0]), conditions))
    return matchers


@step(NAME + r" receives these events in (?P<order>order|any order)" + WITHIN + r":")
@wsbdd_step
def receives_these_events(
    session: Session, context: Any, name: str, order: str, amount: str | None, unit: str | None
) -> None:
    """Several events, one per table row (the event's name, then a column per path)."""
    session.expect_events(
        name,
        event_rows(context.table, session.vars),
        seconds(amount, unit),
        in_order=order == "order",
    )


# -- the server's acknowledgement requests ------------------------------------------------------


@step(NAME + r" answers the acknowledgement(?: of (?:the )?event " + EVENT + r")?" + ARGS)
@wsbdd_step
def answers_ack(
    session: Session, context: Any, name: str, event: str | None, args: str | None
) -> None:
    """Acknowledge the latest event the server sent asking for an acknowledgement (of that
    name), with these arguments (or none); waits for such an event if none came yet."""
    session.acknowledge(
        name,
        event_args(args, session.vars),
        event=quoted(event, session.vars) if event is not None else None,
    )


# -- namespaces -------------------------------------------------------------------------------


@step(NAME + r' connects to namespace "(?P<namespace>[^"]+)"(?: with auth (?P<auth>[{].*))?')
@wsbdd_step
def connects_to_namespace(
    session: Session, context: Any, name: str, namespace: str, auth: str | None
) -> None:
    """Ask to join a namespace (with an auth payload), connecting over Socket.IO first if
    needed; the answer is checked by the next steps (a refusal does not fail this one)."""
    session.join_namespace(name, namespace, _auth(auth, session))


@step(NAME + r' leaves namespace "(?P<namespace>[^"]+)"')
@wsbdd_step
def leaves_namespace(session: Session, context: Any, name: str, namespace: str) -> None:
    session.leave_namespace(name, namespace)


@then(
    NAME
    + r'\'s connection to namespace "(?P<namespace>[^"]+)" is refused'
    + rf'(?: with message "(?P<message>{QUOTED})")?'
    + WITHIN
)
@wsbdd_step
def namespace_refused(
    session: Session,
    context: Any,
    name: str,
    namespace: str,
    message: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """The server refused the client's connection to the namespace (with this message)."""
    session.expect_namespace_refused(
        name,
        namespace,
        quoted(message, session.vars) if message is not None else None,
        seconds(amount, unit),
    )


@then(NAME + r'\'s connection to namespace "(?P<namespace>[^"]+)" is accepted' + WITHIN)
@wsbdd_step
def namespace_accepted(
    session: Session, context: Any, name: str, namespace: str, amount: str | None, unit: str | None
) -> None:
    """The server accepted the client's connection to the namespace."""
    session.expect_namespace_connected(name, namespace, seconds(amount, unit))


@then(
    NAME
    + r' is disconnected(?: from namespace "(?P<namespace>[^"]+)")? by the server'
    + rf'(?: with reason "(?P<reason>{QUOTED})")?'
    + WITHIN
)
@wsbdd_step
def disconnected_by_server(
    session: Session,
    context: Any,
    name: str,
    namespace: str | None,
    reason: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """The server ended the client's Socket.IO session (or its place in a namespace), with
    this reason: "io server disconnect", "ping timeout", "transport close"."""
    session.expect_server_disconnect(
        name,
        quoted(reason, session.vars) if reason is not None else None,
        seconds(amount, unit),
        namespace=namespace or "/",
    )


# -- groups -----------------------------------------------------------------------------------


@step(EVERY + r" emits " + EVENT + NAMESPACE + ARGS)
@wsbdd_step
def every_emits(
    session: Session,
    context: Any,
    group: str,
    others: str | None,
    event: str,
    namespace: str | None,
    args: str | None,
) -> None:
    """Every member emits the event at the same moment; ${client} and ${index} differ per
    member."""
    names = _who(session, group, others)
    values = per_member(names, args or "", session.vars, event_args)
    session.emit_each(names, quoted(event, session.vars), values, namespace=namespace or "/")


@step(EVERY + r" receives? the event " + EVENT + NAMESPACE + WHERE + WITHIN)
@wsbdd_step
def every_receives_event(
    session: Session,
    context: Any,
    group: str,
    others: str | None,
    event: str,
    namespace: str | None,
    where: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """Every member (and any named clients) receives a matching event."""
    names = _who(session, group, others)
    name = quoted(event, session.vars)

    def build(text: str | None, variables: Variables) -> EventMatcher:
        found = event_conditions(text, variables) if text else []
        return EventMatcher(name, found, namespace)

    matchers = per_member(names, where, session.vars, build)
    session.receive_event_each(
        names, matchers, seconds(amount, unit), subject=_subject(group, others)
    )


@step(r"no client in " + GROUP + r" receives (?:the|an) event " + EVENT + WHERE + WITHIN)
@wsbdd_step
def nobody_receives_event(
    session: Session,
    context: Any,
    group: str,
    event: str,
    where: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """A quiet window for every member at once: no such event."""
    session.expect_no_event_each(
        session.group_members(group),
        quoted(event, session.vars),
        _where(where, session),
        seconds(amount, unit),
    )


# -- load -------------------------------------------------------------------------------------


@step(r"every client in " + GROUP + r" emits " + EVENT + NAMESPACE + r" with (?P<args>.+?)" + PACE)
@wsbdd_step
def every_emits_paced(
    session: Session,
    context: Any,
    group: str,
    event: str,
    namespace: str | None,
    args: str,
    **words: Any,
) -> None:
    """Every member emits the event N times (at a rate, or with think time), or for a
    duration; each carries its correlation id (${correlation_id} in an argument, or an
    "id" field added to the first argument), so delivery is timed."""
    _emit_paced(session, group, session.group_members(group), event, namespace, args, words)


@step(NAME + r" emits " + EVENT + NAMESPACE + r" with (?P<args>.+?)" + PACE)
@wsbdd_step
def emits_paced(
    session: Session,
    context: Any,
    name: str,
    event: str,
    namespace: str | None,
    args: str,
    **words: Any,
) -> None:
    """One client emits the event N times at a rate (or for a duration), each with its
    correlation id, for "every message comes back to its sender" and the latency steps."""
    _emit_paced(session, name, [name], event, namespace, args, words)


def _emit_paced(
    session: Session,
    group: str,
    names: list[str],
    event: str,
    namespace: str | None,
    args: str,
    words: dict[str, Any],
) -> None:
    variables = session.vars.child(correlation_id=SENTINEL)
    name = quoted(event, session.vars)
    values = per_member(names, args, variables, event_args)
    texts = [
        _load_frame(session, member, name, member_args, namespace or "/")
        for member, member_args in zip(names, values, strict=True)
    ]
    think = parse_duration(words["think"]) if words.get("think") else None
    LoadDriver.of(session).send(group, names, texts, _offsets(words), think=think)


def _load_frame(
    session: Session, member: str, event: str, values: tuple[Any, ...], namespace: str
) -> str:
    """The one text frame that carries a member's event, with the correlation id's marker."""
    args = list(values)
    if SENTINEL not in json.dumps(args, default=str):
        if not args or not isinstance(args[0], dict) or "id" in args[0]:
            raise FeatureMistake(
                "A load step marks every event it emits so it can time its delivery: put "
                "${correlation_id} in an argument the server sends back, e.g. "
                'with {"text": "hello ${correlation_id}"}.'
            )
        args[0] = {**args[0], "id": SENTINEL}
    client = session.socketio_client(member)
    frames = client.codec.encode(Emit(event, tuple(args), namespace))
    if len(frames) != 1 or not isinstance(frames[0], str):
        raise FeatureMistake(
            "A load step emits events of JSON arguments only (binary arguments take several "
            "frames, which a load step cannot time); leave the bytes out."
        )
    return frames[0]
