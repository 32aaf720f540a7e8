"""The Socket.IO steps' failure sentences, pinned whole: on data where they are pure, else
against the real python-socketio app (tests/socketio_apps) through the session and the
steps, as a tester reaches them.  The same sentences against the Node app are pinned through
behave in tests/test_socketio_features.py."""

from __future__ import annotations

import types

import pytest

from tests.sentences import assert_raises_sentence, run_step
from wsbdd.expect.events import Answer, ProtocolMatcher, event_conditions
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.model.failures import render
from wsbdd.model.inbox import Inbox
from wsbdd.model.variables import Variables

# -- on data -------------------------------------------------------------------------------


def test_an_event_condition_that_is_no_path():
    assert_raises_sentence(
        'The condition "text is "hi"" does not start with a path; in an event step $ is the '
        'first argument: write e.g. $.text is "hi", or $args[1] is 3 for the second.',
        event_conditions,
        'text is "hi"',
        kind=FeatureMistake,
    )


def test_a_namespace_that_never_answers():
    wait = Answer("Mallory", ProtocolMatcher("/admin", ("connect", "connect_error")), 0.5, 0)
    wait.start(Inbox(), 0.0)
    assert render(wait.expire(Inbox(), 1.0).why) == (  # type: ignore[arg-type]
        'Mallory expected the answer of namespace "/admin" within 500 ms, but none came.'
    )


def test_arguments_written_wrong():
    from wsbdd.expect.events import event_args

    assert_raises_sentence(
        'The arguments {"a": 1},, 2 have an empty one; separate the arguments with single '
        'commas, e.g. with {"room": "lobby"}, "hi", 3.',
        event_args,
        '{"a": 1},, 2',
        Variables(),
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'Write binary as hex "…" (in quotes).',
        event_args,
        'hex 01"',
        Variables(),
        kind=FeatureMistake,
    )


def _table(headings, *rows):
    return types.SimpleNamespace(
        headings=headings, rows=[types.SimpleNamespace(cells=list(r)) for r in rows]
    )


def test_an_events_table_written_wrong():
    from wsbdd.steps.socketio import event_rows

    assert_raises_sentence(
        "Put the expected events in a table under the step, the event's name first:\n"
        "  | event | $.text |\n  | chat  | one    |\n  | chat  | two    |",
        event_rows,
        _table(["$.text"], ["one"]),
        Variables(),
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'The column "text" is not a path; head each column after "event" with a path like '
        "$.text ($ is the first argument).",
        event_rows,
        _table(["event", "text"], ["chat", "one"]),
        Variables(),
        kind=FeatureMistake,
    )


# -- against the demo (plain WebSocket) ---------------------------------------------------------


def test_an_unknown_protocol(s):
    assert_raises_sentence(
        'wsbdd does not know the protocol "mqtt"; write "Socket.IO", "GraphQL", "GraphQL over '
        'graphql-ws", "STOMP" or "plain WebSocket", or the name of a codec of your own '
        "(docs/codecs.md).",
        s.use_protocol,
        "mqtt",
        kind=FeatureMistake,
    )


def test_an_event_step_on_a_plain_websocket_client(s):
    s.connect("Alice")
    assert_raises_sentence(
        "Alice is connected over plain WebSocket, so there are no Socket.IO events to emit or "
        'wait for: add "Given the server speaks Socket.IO" before connecting, or connect with '
        '"Given Alice is connected over Socket.IO".',
        s.emit,
        "Alice",
        "chat",
        kind=FeatureMistake,
    )


def test_the_acknowledgement_before_any_emit_asked(s):
    assert_raises_sentence(
        "No client has asked for an acknowledgement yet; emit with "
        '"… and waits for the acknowledgement" first.',
        s.expect_ack,
        None,
        [],
        kind=FeatureMistake,
    )


# -- against python-socketio ----------------------------------------------------------------------


@pytest.fixture
def sio(sio_run):
    with sio_run.session() as session:
        yield session


def test_waiting_for_an_acknowledgement_nobody_asked_for(sio):
    sio.connect("Alice")
    assert_raises_sentence(
        "Alice has not asked for an acknowledgement yet; write "
        '"Alice emits "chat" with {…} and waits for the acknowledgement" or "… and asks for '
        'an acknowledgement" first.',
        sio.wait_ack,
        "Alice",
        kind=FeatureMistake,
    )


def test_an_acknowledgement_that_never_comes(sio):
    sio.connect("Alice")
    sio.emit("Alice", "nobody-listens", ({},), wants_ack=True)
    assert_raises_sentence(
        'Alice expected the acknowledgement 0 of "nobody-listens" within 200 ms, but received '
        "no message in that time.",
        sio.wait_ack,
        "Alice",
        0.2,
        kind=ExpectationFailed,
    )


def test_an_acknowledgement_that_differs_and_one_that_should_not_come(sio):
    sio.connect("Alice")
    run_step(sio, 'When Alice emits "join" with {"room": "x"} and waits for the acknowledgement')
    assert_raises_sentence(
        'Alice expected the acknowledgement of "join" where $.ok is false, but it was ack 0 '
        '{"ok": true, "room": "x"}: $.ok was true.',
        run_step,
        sio,
        "Then the acknowledgement where $.ok is false",
        kind=ExpectationFailed,
    )
    assert_raises_sentence(
        'Alice expected its emit of "join" not to be acknowledged within 300 ms, but the server '
        'acknowledged it: ack 0 {"ok": true, "room": "x"}.',
        run_step,
        sio,
        "Then Alice's emit is not acknowledged within 300 ms",
        kind=ExpectationFailed,
    )


def _first_line_and_note(line: str) -> tuple[str, str]:
    """A sentence's first line and the note ending its first candidate: the candidate lines
    themselves (clock, frame or label) are the report's to draw, pinned there."""
    error = pytest.raises(ExpectationFailed, run_step, *_CALL[line]).value
    lines = str(error).splitlines()
    return lines[0], lines[1].rsplit("   ", 1)[-1] if len(lines) > 1 else ""


_CALL: dict[str, tuple] = {}


def _fails(sio, line: str) -> tuple[str, str]:
    _CALL[line] = (sio, line)
    return _first_line_and_note(line)


def test_events_that_do_not_come_or_come_when_they_should_not(sio):
    sio.connect_all(["Ann", "Ben"])
    sio.groups["pair"] = dict.fromkeys(["Ann", "Ben"])
    run_step(sio, 'When Ann emits "echo" with "hi"')
    assert _fails(sio, 'Then Ann receives the event "echo" where $ is "ho" within 300 ms') == (
        'Ann expected the event "echo" where $ is "ho" within 300 ms, but had 1 unread '
        "message, it did not match:",
        '($ was "hi")',
    )
    assert _fails(sio, 'Then Ann receives no event "echo" within 200 ms')[0] == (
        'Ann expected no event "echo" within 200 ms, but received:'
    )
    assert _fails(sio, 'Then Ann has received exactly 2 events "echo" within 200 ms')[0] == (
        'Ann expected exactly 2 events "echo", but received 1:'
    )
    table = _table(["event", "$"], ["echo", "hi"], ["echo", "again"])
    error = pytest.raises(
        ExpectationFailed,
        run_step,
        sio,
        "Then Ann receives these events in order within 200 ms:",
        table=table,
    ).value
    assert str(error).splitlines()[:3] == [
        "Ann expected 2 events in this order within 200 ms:",
        '  1. the event "echo" where $ is "hi"',
        '  2. the event "echo" where $ is "again"',
    ]
    assert str(error).splitlines()[3].startswith("but matched row 1 by #")
    run_step(sio, 'When Ann emits "echo" with "hi"')
    error = pytest.raises(
        ExpectationFailed,
        run_step,
        sio,
        'Then no client in group "pair" receives the event "echo" within 200 ms',
    ).value
    assert str(error).splitlines()[0] == 'Ann expected no event "echo" within 200 ms, but received:'
    error = pytest.raises(
        ExpectationFailed,
        run_step,
        sio,
        'Then every client in group "pair" receives the event "nothing" within 200 ms',
    ).value
    assert str(error).splitlines()[0] == (
        'Every client in group "pair" was expected to receive the event "nothing" within '
        "200 ms, but 2 of 2 did not:"
    )


def test_answering_when_the_server_asked_nothing(sio):
    sio.connect("Alice")
    assert_raises_sentence(
        "Alice expected the event that asks for an acknowledgement within 200 ms, but received "
        "no message in that time.",
        sio.acknowledge,
        "Alice",
        ("yes",),
        timeout=0.2,
        kind=ExpectationFailed,
    )


def test_namespace_refusals_and_acceptances(sio):
    run_step(sio, 'When Mallory connects to namespace "/admin" with auth {"password": "no"}')
    assert_raises_sentence(
        'Mallory expected its connection to namespace "/admin" to be accepted, but it was '
        'refused with message "authentication failed".',
        run_step,
        sio,
        'Then Mallory\'s connection to namespace "/admin" is accepted',
        kind=ExpectationFailed,
    )
    assert_raises_sentence(
        'Mallory expected its connection to namespace "/admin" to be refused with message '
        '"go away", but it was refused with message "authentication failed".',
        sio.expect_namespace_refused,
        "Mallory",
        "/admin",
        "go away",
        kind=ExpectationFailed,
    )
    run_step(
        sio,
        'When Root connects to namespace "/admin" with auth '
        '{"username": "admin", "password": "secret"}',
    )
    assert_raises_sentence(
        'Root expected its connection to namespace "/admin" to be refused, but the server '
        "accepted it.",
        sio.expect_namespace_refused,
        "Root",
        "/admin",
        kind=ExpectationFailed,
    )
    assert_raises_sentence(
        'Root expected its connection to namespace "/other" to be refused, but the server has '
        "not answered its connect.",
        sio.expect_namespace_refused,
        "Root",
        "/other",
        timeout=0.1,
        kind=ExpectationFailed,
    )
    assert_raises_sentence(
        'Root expected its connection to namespace "/other" to be accepted, but the server has '
        "not answered its connect.",
        sio.expect_namespace_connected,
        "Root",
        "/other",
        timeout=0.1,
        kind=ExpectationFailed,
    )


def test_a_client_refused_at_connect_time(sio):
    sio.connect_socketio(["Eve"], namespaces=["/admin"], auth={"password": "no"}, require=False)
    assert_raises_sentence(
        'Eve expected its connection to namespace "/admin" to be refused with message "go '
        'away", but it could not connect: '
        + sio.client("Eve").outcome.describe_failure()  # the codec's sentence, pinned there
        + ".",
        sio.expect_namespace_refused,
        "Eve",
        "/admin",
        "go away",
        kind=ExpectationFailed,
    )


def test_server_disconnects_that_did_not_happen_or_differ(sio):
    sio.connect("Alice")
    assert_raises_sentence(
        "Alice expected to be disconnected by the server within 200 ms, but it is still connected.",
        sio.expect_server_disconnect,
        "Alice",
        timeout=0.2,
        kind=ExpectationFailed,
    )
    run_step(
        sio,
        'When Alice connects to namespace "/admin" with auth '
        '{"username": "admin", "password": "secret"}',
    )
    assert_raises_sentence(
        'Alice expected to be disconnected from namespace "/admin" by the server within '
        "200 ms, but it is still connected.",
        sio.expect_server_disconnect,
        "Alice",
        timeout=0.2,
        namespace="/admin",
        kind=ExpectationFailed,
    )
    sio.connect("Carl")
    run_step(sio, 'When Carl emits "kick"')
    assert_raises_sentence(
        'Carl expected to be disconnected by the server with reason "ping timeout", but the '
        'reason was "io server disconnect".',
        run_step,
        sio,
        'Then Carl is disconnected by the server with reason "ping timeout"',
        kind=ExpectationFailed,
    )
    sio.connect("Bob")
    sio.disconnect("Bob")
    assert_raises_sentence(
        "Bob expected to be disconnected by the server, but Bob closed the connection itself.",
        sio.expect_server_disconnect,
        "Bob",
        kind=ExpectationFailed,
    )


def test_a_load_step_needs_a_place_for_its_ids_and_no_bytes(sio):
    sio.connect("Alice")
    assert_raises_sentence(
        'In the step "When Alice emits "echo" with "plain" 2 times at 10 per second": '
        "A load step marks every event it emits so it can time its delivery: put "
        "${correlation_id} in an argument the server sends back, e.g. with "
        '{"text": "hello ${correlation_id}"}.',
        run_step,
        sio,
        'When Alice emits "echo" with "plain" 2 times at 10 per second',
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'In the step "When Alice emits "echo" with {"t": "${correlation_id}"}, hex "01" 2 '
        'times at 10 per second": '
        "A load step emits events of JSON arguments only (binary arguments take several "
        "frames, which a load step cannot time); leave the bytes out.",
        run_step,
        sio,
        'When Alice emits "echo" with {"t": "${correlation_id}"}, hex "01" 2 times at 10 per '
        "second",
        kind=FeatureMistake,
    )


def test_an_emit_with_arguments_below_but_no_docstring(sio):
    sio.connect("Alice")
    assert_raises_sentence(
        'In the step "When Alice emits "echo" with:": This step needs the arguments in a '
        'docstring under it (between """ lines), e.g. {"room": "lobby", "text": "hi"}.',
        run_step,
        sio,
        'When Alice emits "echo" with:',
        kind=FeatureMistake,
    )


def test_an_emit_whose_acknowledgement_never_comes(sio):
    sio.connect("Alice")
    assert_raises_sentence(
        'Alice expected the acknowledgement 0 of "nobody-listens" within 200 ms, but received '
        "no message in that time.",
        run_step,
        sio,
        'When Alice emits "nobody-listens" with {} and waits for the acknowledgement within 200 ms',
        kind=ExpectationFailed,
    )
    # The emit that asked is remembered all the same: "is not acknowledged" finds it.
    run_step(sio, 'Then Alice\'s emit of "nobody-listens" is not acknowledged within 100 ms')
