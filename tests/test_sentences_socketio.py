"""The Socket.IO codec's and settings' sentences, pinned whole.

What a tester reads when the server is not Socket.IO, speaks Engine.IO 3, sends a
malformed packet or stops pinging, when a step's intent cannot be sent, and when the
Socket.IO settings are wrong.  The codec's sentences end "Alice could not connect to
…: <sentence>." or become the connection's error (tests/test_socketio_client.py).
"""

# ruff: noqa: E501  (whole sentences, one string each)
from __future__ import annotations

import pytest

from tests.sentences import assert_config_sentence
from tests.test_socketio_codec import opened
from wsbdd.codec import Emit, JoinNamespace, SocketIOCodec, codec_names
from wsbdd.codec.base import refused_intent
from wsbdd.settings.config import load_settings

# -- bad input -----------------------------------------------------------------------------


def fresh() -> SocketIOCodec:
    codec = SocketIOCodec()
    codec.url_for("ws://127.0.0.1:9")
    codec.opening(None, 0)
    return codec


@pytest.mark.parametrize(
    ("frame", "shown"),
    [
        ('{"type":"welcome"}', '"{\\"type\\":\\"welcome\\"}"'),
        ("hello", '"hello"'),
        (b"\x00\x01", "binary 2 bytes 0x0001"),
        ("0", '"0"'),
        ("0not json", '"0not json"'),
        ('0{"sid":"x"}', '"0{\\"sid\\":\\"x\\"}"'),
        ("40", '"40"'),
    ],
)
def test_a_server_that_does_not_speak_socket_io(frame, shown):
    failed = fresh().decode(frame, 0).failed
    assert failed == (
        "the server at ws://127.0.0.1:9 does not speak Socket.IO (Engine.IO 4): its first frame "
        f'was {shown}, not an Engine.IO open packet (0{{"sid": …}})'
    )


def test_a_long_first_frame_is_shown_short():
    failed = fresh().decode("x" * 500, 0).failed
    assert f'"{"x" * 59}…"' in failed and "x" * 61 not in failed


def test_an_engine_io_3_server_is_refused_with_a_sentence():
    codec = fresh()
    # What a Socket.IO 2 server sends on a WebSocket: an open packet without maxPayload,
    # then "40" unasked, with no sid (Socket.IO 3 and later always give one).
    answer = codec.decode('0{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":5000}', 0)
    assert answer.replies == ["40"]
    assert codec.decode("40", 0).failed == (
        "the server at ws://127.0.0.1:9 speaks Engine.IO 3 (Socket.IO 2), which wsbdd does not "
        "support; upgrade the server to Socket.IO 3 or later"
    )


def test_a_server_that_never_pings_before_the_handshake_ends_hints_at_engine_io_3():
    codec = fresh()
    codec.decode('0{"sid":"x","upgrades":[],"pingInterval":1000,"pingTimeout":500}', 0)
    assert codec.tick(1.5).failed == (
        "the server sent no ping for 1.5 s (its ping interval 1 s + ping timeout 0.5 s); an "
        "Engine.IO 3 (Socket.IO 2) server never pings, and wsbdd needs 3 or later"
    )


MALFORMED = [
    (
        "",
        'the server sent a malformed Socket.IO packet "": it is no Engine.IO packet (Invalid empty packet received)',
    ),
    (
        "x",
        "the server sent a malformed Socket.IO packet \"x\": it is no Engine.IO packet (invalid literal for int() with base 10: 'x')",
    ),
    ("9", 'the server sent a malformed Socket.IO packet "9": Engine.IO has no packet type 9'),
    ("4", 'the server sent a malformed Socket.IO packet "4": it is no Socket.IO packet'),
    (
        '4{"a":1}',
        'the server sent a malformed Socket.IO packet "4{\\"a\\":1}": its Engine.IO message carries no Socket.IO packet',
    ),
    ("4hello", 'the server sent a malformed Socket.IO packet "4hello": it is no Socket.IO packet'),
    ("49", 'the server sent a malformed Socket.IO packet "49": Socket.IO has no packet type 9'),
    (
        '42["chat",',
        'the server sent a malformed Socket.IO packet "42[\\"chat\\",": its Socket.IO packet does not parse (Expecting value: line 1 column 9 (char 8))',
    ),
    (
        "42{}",
        'the server sent a malformed Socket.IO packet "42{}": its event has no name (a JSON array starting with the event\'s name)',
    ),
    (
        "42[]",
        'the server sent a malformed Socket.IO packet "42[]": its event has no name (a JSON array starting with the event\'s name)',
    ),
    (
        "42[1,2]",
        'the server sent a malformed Socket.IO packet "42[1,2]": its event has no name (a JSON array starting with the event\'s name)',
    ),
    (
        "43[1]",
        'the server sent a malformed Socket.IO packet "43[1]": its acknowledgement has no id',
    ),
    (
        '437{"a":1}',
        'the server sent a malformed Socket.IO packet "437{\\"a\\":1}": its acknowledgement\'s arguments are no JSON array',
    ),
    (
        '421-["a"]',
        'the server sent a malformed Socket.IO packet "421-[\\"a\\"]": it announces attachments on a packet that has none',
    ),
    (
        '40{"nosid":1}',
        'the server sent a malformed Socket.IO packet "40{\\"nosid\\":1}": its namespace CONNECT carries no sid',
    ),
    (
        b"\x01",
        "the server sent a malformed Socket.IO packet binary 1 bytes 0x01: a binary frame came with no binary packet waiting for it",
    ),
    (
        "42123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345[]",
        None,
    ),
    (  # python-engineio's guard on huge integers, kept by wsbdd's faster JSON decoder
        '42["x",' + "1" * 101 + "]",
        'the server sent a malformed Socket.IO packet "42[\\"x\\",1111111111111111111111111111111111111111111111111111…": its Socket.IO packet does not parse (Integer is too large)',
    ),
]


@pytest.mark.parametrize(("frame", "sentence"), MALFORMED)
def test_a_malformed_packet_fails_the_connection_in_one_sentence(frame, sentence):
    decoded = opened().decode(frame, 1)
    assert decoded.failed is not None and decoded.messages == ()
    assert "\n" not in decoded.failed
    assert decoded.reason == "parse error"
    if sentence is not None:
        assert decoded.failed == sentence
    else:
        assert decoded.failed.startswith("the server sent a malformed Socket.IO packet")


def test_a_packet_in_the_middle_of_a_binary_event_is_malformed():
    codec = opened()
    codec.decode('451-["file",{"_placeholder":true,"num":0}]', 1)
    assert codec.decode('42["chat"]', 1).failed == (
        'the server sent a malformed Socket.IO packet "42[\\"chat\\"]": a packet came while a '
        "binary packet still waited for 1 attachment(s)"
    )


def test_placeholders_that_do_not_match_the_attachments():
    codec = opened()
    codec.decode('451-["file",{"_placeholder":true,"num":3}]', 1)
    assert codec.decode(b"\x01", 1).failed == (
        'the server sent a malformed Socket.IO packet "451-[\\"file\\",{\\"_placeholder\\":true,'
        '\\"num\\":3}]": its placeholders do not match its attachments'
    )


def test_too_many_attachments_announced():
    decoded = opened().decode('4512345678901-["f"]', 1)
    assert decoded.failed is not None and "malformed" in decoded.failed


@pytest.mark.parametrize(
    ("intent", "reason"),
    [
        (
            {"event": "chat"},
            "The socket.io codec cannot send a dict: it sends an Emit, an Acknowledge, a "
            "JoinNamespace, a LeaveNamespace, or text or bytes as a raw frame, not dict.",
        ),
        (
            Emit(""),
            "The socket.io codec cannot send an Emit: an event needs a name (a non-empty text).",
        ),
        (
            Emit("chat", (object(),)),
            "The socket.io codec cannot send an Emit: its arguments cannot be sent as JSON "
            "(Object of type object is not JSON serializable).",
        ),
        (
            JoinNamespace("/x", b"\x01"),
            "The socket.io codec cannot send a JoinNamespace: its arguments cannot be sent as "
            "JSON (Packet does not support binary payload.).",
        ),
    ],
)
def test_intents_it_cannot_send(intent, reason):
    codec = opened()
    with pytest.raises(TypeError) as refused:
        codec.encode(intent)
    assert refused_intent(codec.name, intent, refused.value) == reason


def test_a_refused_emit_takes_no_ack_id():
    codec = opened()
    with pytest.raises(TypeError):
        codec.encode(Emit("chat", (object(),), wants_ack=True))
    ok = Emit("chat", wants_ack=True)
    codec.encode(ok)
    assert ok.ack_id == 0


def test_the_address_in_a_sentence_never_shows_its_token():
    codec = SocketIOCodec()
    codec.url_for("ws://127.0.0.1:9/?token=hunter22")
    codec.opening(None, 0)
    assert codec.decode("hello", 0).failed == (
        "the server at ws://127.0.0.1:9/?token=*** does not speak Socket.IO (Engine.IO 4): its "
        'first frame was "hello", not an Engine.IO open packet (0{"sid": …})'
    )


# -- settings ------------------------------------------------------------------------------

SETTINGS = [
    pytest.param(
        '[socketio]\npath = "socket.io"',
        'wsbdd.toml [socketio] path is "socket.io": must be a path starting with "/", e.g. "/socket.io/".',
        id="path",
    ),
    pytest.param(
        '[socketio]\nauth = "hunter22"',
        'wsbdd.toml [socketio] auth must be a table of the values the server\'s connect handler gets, e.g. auth = { token = "${env.TOKEN}" } (its value is not shown: it may hold a password).',
        id="auth not a table",
    ),
    pytest.param(
        '[socketio]\nauth = { password = "${nope" }',
        'wsbdd.toml [socketio.auth] password: The placeholder "${nope" is not closed; write "${nope}", or "$${nope" for the literal text.',
        id="auth bad placeholder",
    ),
    pytest.param(
        '[socketio]\nnamespaces = ["/", "admin"]',
        'wsbdd.toml [socketio] namespaces is ["/", "admin"]: the entry "admin" is not a namespace; a namespace starts with "/" (the main one is "/").',
        id="namespace",
    ),
    pytest.param(
        '[socketio]\ntransport = "long-polling"',
        'wsbdd.toml [socketio] transport is "long-polling": must be one of "websocket", "polling", "polling-only".',
        id="transport",
    ),
    pytest.param(
        '[socketio]\nnamespace = ["/"]',
        'wsbdd.toml [socketio]: unknown key "namespace"; did you mean "namespaces"?',
        id="unknown key",
    ),
    pytest.param(
        'codec = "websocket"\nprotocol = "socket.io"',
        'wsbdd.toml codec and wsbdd.toml protocol both choose the protocol (codec is the older name of the protocol setting); keep one of them, e.g. protocol = "socket.io".',
        id="protocol and codec",
    ),
]


@pytest.mark.parametrize(("toml", "sentence"), SETTINGS)
def test_socketio_settings(tmp_path, monkeypatch, toml, sentence):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wsbdd.toml").write_text(toml + "\n")
    error = assert_config_sentence(sentence, load_settings, tmp_path, environ={})
    assert "hunter22" not in str(error)


def test_an_unknown_protocol(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wsbdd.toml").write_text('protocol = "socket-io"\n')
    # Other tests register codecs of their own: the list is whatever is registered now.
    known = ", ".join(f'"{name}"' for name in codec_names())
    assert_config_sentence(
        'wsbdd.toml protocol is "socket-io": there is no codec called "socket-io"; did you mean '
        f'"socketio"? write one of {known}, or "package.module:Class" for a codec of your own.',
        load_settings,
        tmp_path,
        environ={},
    )


def test_auth_from_the_environment_is_a_json_object(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_config_sentence(
        "environment variable WSBDD_SOCKETIO_AUTH must be a table of the values the server's "
        'connect handler gets, e.g. {"token": "${env.TOKEN}"} (its value is not shown: it may '
        "hold a password).",
        load_settings,
        tmp_path,
        environ={"WSBDD_SOCKETIO_AUTH": "hunter22"},
    )


@pytest.mark.parametrize(
    ("status", "body", "hint"),
    [
        (
            404,
            "Not Found",
            "no Socket.IO server answers at the path /socket.io/; check the [socketio] path "
            "setting (and that the server is a Socket.IO one)",
        ),
        (
            400,
            "The client is using an unsupported version of the Socket.IO or Engine.IO protocols",
            "the server does not accept Engine.IO 4: if it speaks Engine.IO 3 (Socket.IO 2), "
            "wsbdd does not support it; upgrade the server to Socket.IO 3 or later",
        ),
        (
            400,
            '{"code":5,"message":"Unsupported protocol version"}',
            "the server does not accept Engine.IO 4: if it speaks Engine.IO 3 (Socket.IO 2), "
            "wsbdd does not support it; upgrade the server to Socket.IO 3 or later",
        ),
        (401, "Invalid token", None),
        (403, "go away", None),
    ],
)
def test_what_an_http_refusal_means_for_socket_io(status, body, hint):
    assert SocketIOCodec().refusal_hint(status, body) == hint
