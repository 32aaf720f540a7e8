"""The words of the Socket.IO steps, on data: paths in event steps, arguments, matchers and
the failure sentences they make (no server: the steps themselves run in
tests/test_socketio_features.py against both real servers)."""

from __future__ import annotations

import pytest

from wsbdd.expect import Count, InOrder, Quiet, Receive
from wsbdd.expect.events import (
    AckMatcher,
    Answer,
    EventMatcher,
    ProtocolMatcher,
    event_conditions,
    event_label,
    event_path,
    event_words,
)
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.failures import render
from wsbdd.model.inbox import Inbox
from wsbdd.model.variables import Variables


def _event(inbox: Inbox, event: str, *args: object, ack: int | None = None, ns: str = "/"):
    value: dict[str, object] = {
        "type": "event",
        "namespace": ns,
        "event": event,
        "args": list(args),
    }
    if ack is not None:
        value["ack"] = ack
    return inbox.append_value("text", f"42{event}", value, 1.0)


@pytest.mark.parametrize(
    ("written", "path"),
    [
        ("$", "$.args[0]"),
        ("$.text", "$.args[0].text"),
        ("$[1]", "$.args[0][1]"),
        ("$..name", "$.args[0]..name"),
        ("$args", "$.args"),
        ("$args[1].x", "$.args[1].x"),
        ("$event", "$.event"),
        ("$namespace", "$.namespace"),
        ("$ack", "$.ack"),
    ],
)
def test_dollar_is_the_first_argument_and_the_envelope_is_named(written, path):
    assert event_path(written) == path


def test_conditions_read_the_envelope_and_say_the_path_as_written():
    inbox = Inbox()
    message = _event(inbox, "chat", {"text": "ho", "from": "Alice"}, 2)
    matcher = EventMatcher(
        "chat",
        event_conditions('$.text is "hi" and $args[1] is 2 and $event is "chat" and $.from exists'),
    )
    assert not matcher.matches(message)
    assert matcher.mismatch(message) == '$.text was "ho"'
    assert matcher.describe() == (
        'event "chat" where $.text is "hi" and $args[1] is 2 and $event is "chat" and $.from exists'
    )


def test_a_bare_dollar_is_the_whole_first_argument():
    inbox = Inbox()
    message = _event(inbox, "echo", "in admin", 2)
    matcher = EventMatcher("echo", event_conditions('$ is "in admin" and $args[1] is 3'))
    assert not matcher.matches(message)
    assert matcher.mismatch(message) == "$args[1] was 2"
    assert EventMatcher("echo", event_conditions('$ is "in admin"')).matches(message)


def test_an_event_of_another_name_is_never_closer_than_one_of_the_same_name():
    inbox = Inbox()
    other = _event(inbox, "joined", {"text": "hi"})
    same = _event(inbox, "chat", {"text": "ho"})
    matcher = EventMatcher("chat", event_conditions('$.text is "hi"'))
    assert matcher.score(same) > matcher.score(other) == 0.0
    assert matcher.mismatch(other) == 'the event "joined"'


def test_a_condition_that_is_no_path_names_the_fix():
    with pytest.raises(FeatureMistake, match=r"in an event step \$ is the first argument"):
        event_conditions('text is "hi"')


def test_variables_fill_in_event_conditions():
    variables = Variables()
    variables.set("room", "lobby")
    inbox = Inbox()
    message = _event(inbox, "chat", {"room": "lobby"})
    assert EventMatcher("chat", event_conditions("$.room is ${room}", variables)).matches(message)


def test_a_failed_wait_for_an_event_names_the_client_the_event_and_the_argument():
    inbox = Inbox()
    _event(inbox, "chat", {"text": "ho"})
    wait = Receive("Bob", EventMatcher("chat", event_conditions('$.text is "hi"')), 1.0)
    wait.start(inbox, 0.0)
    assert wait.feed(inbox, 0.0) is None
    failure = event_words(wait.expire(inbox, 1.0).why)  # type: ignore[arg-type]
    assert render(failure).splitlines()[0] == (
        'Bob expected the event "chat" where $.text is "hi" within 1.0 s, but had 1 unread '
        "message, it did not match:"
    )
    assert render(failure).splitlines()[1].endswith('($.text was "ho")')


def test_quiet_count_and_order_speak_of_events():
    inbox = Inbox()
    _event(inbox, "chat", {"text": "a"})
    quiet = Quiet("Carol", EventMatcher("chat"), 0.3)
    quiet.start(inbox, 0.0)
    failed = quiet.feed(inbox, 0.0)
    assert failed is not None
    assert event_words(failed.why).headline.startswith(  # type: ignore[arg-type]
        'Carol expected no event "chat" within 300 ms, but received:'
    )
    count = Count("Bob", "exactly", 2, EventMatcher("chat"), 0.1, 0.0)
    count.start(inbox, 0.0)
    count.feed(inbox, 0.0)
    assert event_words(count.expire(inbox, 1.0).why).headline.startswith(  # type: ignore[arg-type]
        'Bob expected exactly 2 events "chat", but received 1:'
    )
    order = InOrder("Bob", [EventMatcher("chat"), EventMatcher("bye")], 0.1)
    order.start(inbox, 0.0)
    order.feed(inbox, 0.0)
    text = render(event_words(order.expire(inbox, 1.0).why))  # type: ignore[arg-type]
    assert "2 events in this order within 100 ms:" in text
    assert '  2. the event "bye"' in text


def test_an_ack_matcher_takes_its_own_acknowledgement_only():
    inbox = Inbox()
    mine = inbox.append_value(
        "text", "431[{}]", {"type": "ack", "namespace": "/", "ack": 1, "args": [{"ok": True}]}, 1.0
    )
    other = inbox.append_value(
        "text", "432[{}]", {"type": "ack", "namespace": "/", "ack": 2, "args": [{"ok": False}]}, 1.0
    )
    matcher = AckMatcher(1, event_conditions("$.ok is true"), "/", "chat")
    assert matcher.matches(mine) and not matcher.matches(other)
    assert matcher.describe() == 'acknowledgement 1 of "chat" where $.ok is true'


def test_an_event_that_asks_for_an_acknowledgement():
    inbox = Inbox()
    plain = _event(inbox, "question", {"q": 1})
    asking = _event(inbox, "question", {"q": 2}, ack=4)
    matcher = EventMatcher("question", asks_ack=True)
    assert not matcher.matches(plain) and matcher.matches(asking)


def test_an_acknowledgement_wait_looks_only_after_its_emit():
    from wsbdd.expect.events import ReceiveAfter

    inbox = Inbox()
    for n in range(5):
        _event(inbox, "echo", n)  # unread, before the emit
    wait = ReceiveAfter("Alice", AckMatcher(0), 1.0, start=len(inbox))
    wait.start(inbox, 0.0)
    assert wait.feed(inbox, 0.0) is None
    assert wait.examined == []  # the five events were never looked at
    ack = inbox.append_value(
        "text", "430[]", {"type": "ack", "namespace": "/", "ack": 0, "args": []}, 1.0
    )
    outcome = wait.feed(inbox, 1.0)
    assert outcome is not None and outcome.messages == [ack]


def test_an_answer_is_found_even_when_claimed_on_arrival():
    inbox = Inbox()
    _event(inbox, "chat")
    refused = inbox.append_value(
        "text",
        '44/admin,{"message":"authentication failed"}',
        {"type": "connect_error", "namespace": "/admin", "message": "authentication failed"},
        1.0,
    )
    inbox.consume(refused)
    wait = Answer("Mallory", ProtocolMatcher("/admin", ("connect", "connect_error")), 1.0, 0)
    wait.start(inbox, 0.0)
    outcome = wait.feed(inbox, 0.0)
    assert outcome is not None and outcome.messages == [refused]
    none = Answer("Mallory", ProtocolMatcher("/other", ("connect",)), 1.0, 0)
    none.start(inbox, 0.0)
    assert none.feed(inbox, 0.0) is None
    assert none.expire(inbox, 1.0).why.headline == (  # type: ignore[union-attr]
        'Mallory expected the answer of namespace "/other" within 1.0 s, but none came.'
    )


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (
            {"type": "event", "namespace": "/", "event": "chat", "args": [{"text": "hi"}]},
            'chat {"text": "hi"}',
        ),
        (
            {"type": "event", "namespace": "/admin", "event": "echo", "args": [1, "a"]},
            '/admin echo 1, "a"',
        ),
        ({"type": "ack", "namespace": "/", "ack": 3, "args": [{"ok": True}]}, 'ack 3 {"ok": true}'),
        (
            {"type": "connect_error", "namespace": "/admin", "message": "no"},
            '/admin connect_error "no"',
        ),
    ],
)
def test_labels(value, label):
    assert event_label(value) == label


def test_event_arguments_are_json_variables_or_binary():
    from wsbdd.expect.events import event_args

    variables = Variables()
    variables.set("data", b"\x01\x02")
    variables.set("room", "lobby")
    assert event_args('{"room": "${room}", "n": [1, 2]}, "a, b", 3, true, null', variables) == (
        {"room": "lobby", "n": [1, 2]},
        "a, b",
        3,
        True,
        None,
    )
    assert event_args('${data}, hex "01 ff", base64 "AQI="', variables) == (
        b"\x01\x02",
        b"\x01\xff",
        b"\x01\x02",
    )
    assert event_args(None, variables) == ()
    with pytest.raises(FeatureMistake, match="empty one"):
        event_args('{"a": 1},, 2', variables)
    with pytest.raises(FeatureMistake):
        event_args("hello", variables)  # text must be quoted, as in conditions


def test_a_scenario_may_speak_plain_websocket_in_a_socketio_run():
    """ "Given the server speaks plain WebSocket" wins over the run's protocol."""
    from wsbdd.facade.session import Run
    from wsbdd.settings.config import Settings

    with Run.start(Settings(codec="socket.io")) as run, run.session() as session:
        session.use_protocol("plain WebSocket")
        factory = session.scenario_codec("Alice")
        assert factory is not None and factory().name == "websocket"
        session.use_protocol("Socket.IO")
        factory = session.scenario_codec("Alice")
        assert factory is not None and factory().name == "socket.io"


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ('{"n": "bench 17"}', ({"n": "bench 17"},)),
        (
            '{"room": "lobby", "text": "a, b"}, "hi", 3',
            ({"room": "lobby", "text": "a, b"}, "hi", 3),
        ),  # noqa: E501
        ('[1, [2, 3]], {"a": [4]} , null,true', ([1, [2, 3]], {"a": [4]}, None, True)),
        ('"with \\"quotes\\", and ]}"', ('with "quotes", and ]}',)),
        ('hex "01 ff", 2', (b"\x01\xff", 2)),  # binary: read one by one
        ('"costs $5", 1', ("costs $5", 1)),  # a dollar: read one by one, for ${…}
        ("\u00a0{}", ({},)),  # space JSON does not know, around an argument
    ],
)
def test_arguments_read_at_once_are_those_read_one_by_one(text, args):
    from wsbdd.expect.events import event_args

    assert event_args(text, Variables()) == args


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"a": 1},, 2', "have an empty one"),
        ("1, 2,", "have an empty one"),
        ("1], [2", "JSON"),
        ('{"a": }', "JSON"),
    ],
)
def test_arguments_that_are_not_a_json_list_say_what_is_wrong_with_each(text, words):
    from wsbdd.expect.events import event_args

    with pytest.raises(FeatureMistake, match=words):
        event_args(text, Variables())


@pytest.mark.parametrize(
    ("args", "values"),
    [
        ([{"n": "bench 17"}], ({"n": "bench 17"},)),
        ([{"n": "bench 17"}], ({"n": "bench 18"},)),
        ([5], (5.0,)),  # JSON's equality: 5 is 5.0
        ([1], (True,)),  # and true is not 1
        ([], ({"ok": True},)),  # nothing to compare
        ([{"ok": True}, 2], ({"ok": True},)),  # one value: the first argument
        ([{"ok": True}, 2], ({"ok": True}, 2)),  # several: all of them
        ([{"ok": True}, 2], ({"ok": True}, 3)),
        ([{"ok": True}], ({"ok": True}, 2)),
        ([b"\x01\xff"], (b"\x01\xff",)),  # binary
        ([[1, [2]]], ([1, [2]],)),
        ([None], (None,)),
    ],
)
def test_an_acknowledgement_is_told_alike_with_and_without_its_conditions(args, values):
    from wsbdd.expect.events import ack_args_are, ack_is_conditions
    from wsbdd.model.message import DecodedMessage

    ack = DecodedMessage(
        1, 1.0, "text", "43", {"type": "ack", "namespace": "/", "ack": 3, "args": args}
    )
    with_conditions = AckMatcher(3, ack_is_conditions(values)).matches(ack)
    assert ack_args_are(ack, values) == with_conditions
