"""The Socket.IO codec on strings and bytes, with times passed in by hand.

No socket, no loop: each test feeds the codec the frames a Socket.IO 5 server
(Engine.IO 4) sends, and checks the frames it answers, the messages it decodes and
what it says about the connection.  The frames are what python-socketio and
socket.io 4 write on a WebSocket.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from wsbdd.codec import (
    Acknowledge,
    AutoReply,
    AutoReplying,
    CodecNotFound,
    Decoded,
    Emit,
    JoinNamespace,
    LeaveNamespace,
    Received,
    SocketIOCodec,
    codec_factory,
    find_codec,
)
from wsbdd.facade.session import connect_options
from wsbdd.model.inbox import Inbox
from wsbdd.report.collect import ReportRecorder
from wsbdd.settings.config import Settings, SocketIOSettings, load_settings

OPEN = '0{"sid":"eio1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'


def opened(**options) -> SocketIOCodec:
    """A codec past the handshake: open packet read, "/" (and any others) acknowledged."""
    codec = SocketIOCodec(**options)
    codec.url_for("http://127.0.0.1:5000")
    codec.opening(None, 0.0)
    codec.decode(OPEN, 0.01)
    for name in codec._initial:
        ack = '40{"sid":"s-root"}' if name == "/" else f'40{name},{{"sid":"s{name}"}}'
        codec.decode(ack, 0.02)
    assert codec.ready
    return codec


def only(decoded: Decoded | None) -> Received:
    assert decoded is not None and decoded.failed is None, decoded
    assert len(decoded.messages) == 1, decoded.messages
    message = decoded.messages[0]
    assert isinstance(message, Received)
    if callable(message.label):  # an event's label is made when first read: read it here
        message = replace(message, label=message.label())
    return message


# -- the address ---------------------------------------------------------------------------


def test_url_for_adds_the_engine_io_path_and_query():
    codec = SocketIOCodec()
    assert codec.url_for("ws://127.0.0.1:5000") == (
        "ws://127.0.0.1:5000/socket.io/?EIO=4&transport=websocket"
    )
    assert codec.url_for("http://h:1/") == "ws://h:1/socket.io/?EIO=4&transport=websocket"
    assert codec.url_for("https://h/?token=abc&EIO=3") == (
        "wss://h/socket.io/?token=abc&EIO=4&transport=websocket"
    )
    assert SocketIOCodec(path="io").url_for("ws://h") == "ws://h/io/?EIO=4&transport=websocket"
    # a path of its own is kept: a server mounted elsewhere
    assert codec.url_for("ws://h/chat/socket.io/") == (
        "ws://h/chat/socket.io/?EIO=4&transport=websocket"
    )


def test_the_raw_codec_keeps_the_address_and_describes_nothing():
    raw = find_codec("websocket")()
    assert raw.url_for("ws://h/x?y=1") == "ws://h/x?y=1"
    assert raw.describe("hello") is None
    assert raw.app_reason("server") is None
    assert raw.refusal_hint(404, "Not Found") is None


def test_registered_under_both_names():
    assert find_codec("socket.io") is SocketIOCodec
    assert find_codec("socketio") is SocketIOCodec
    assert SocketIOCodec.name == "socket.io"


# -- the handshake -------------------------------------------------------------------------


def test_handshake_connects_each_namespace_and_is_ready_when_all_are_acknowledged():
    codec = SocketIOCodec(namespaces=["/", "admin"], auth={"name": "Alice"})
    start = codec.opening(None, 10.0)
    assert start.replies == () and not start.ready and start.failed is None
    assert codec.next_deadline() is None  # no keep-alive before the open packet

    answer = codec.decode(OPEN, 10.5)
    assert list(answer.replies) == ['40{"name":"Alice"}', '40/admin,{"name":"Alice"}']
    assert not answer.ready and answer.messages == ()
    assert codec.engine_sid == "eio1"
    assert (codec.ping_interval, codec.ping_timeout, codec.max_payload) == (25.0, 20.0, 1000000)
    assert codec.next_deadline() == 10.5 + 45.0

    root = codec.decode('40{"sid":"abc"}', 10.6)
    assert root.messages == () and not root.ready  # the first namespace's ack: chatter
    admin = codec.decode('40/admin,{"sid":"def"}', 10.7)
    assert admin.ready
    assert admin.messages == (
        Received(
            {"type": "connect", "namespace": "/admin", "sid": "def", "recovered": False},
            label="/admin connect",
            protocol=True,
        ),
    )
    assert codec.namespace("/").sid == "abc"
    assert codec.namespace("admin").state == "connected"


def test_auth_per_namespace_and_no_auth():
    codec = SocketIOCodec(namespaces=["/", "/admin"], auth_for={"/admin": {"user": "root"}})
    codec.opening(None, 0)
    assert list(codec.decode(OPEN, 0).replies) == ["40", '40/admin,{"user":"root"}']


def test_a_refused_namespace_fails_the_connection_with_the_servers_message():
    codec = SocketIOCodec(namespaces=["/", "/admin"])
    codec.opening(None, 0)
    codec.decode(OPEN, 0)
    codec.decode('40{"sid":"a"}', 0)
    refused = codec.decode('44/admin,{"message":"authentication failed"}', 0)
    assert refused.failed == 'the server refused namespace "/admin": authentication failed'
    assert not refused.ready
    assert refused.messages[0].value == {
        "type": "connect_error",
        "namespace": "/admin",
        "message": "authentication failed",
        "data": None,
    }
    assert refused.messages[0].protocol
    assert codec.namespace("/admin").state == "refused"
    assert codec.namespace("/admin").message == "authentication failed"


def test_a_refusal_with_data_or_as_plain_text():
    codec = opened()
    late = codec.decode('44/x,{"message":"nope","data":{"code":7}}', 1)
    assert late.failed is None  # after the handshake: news, not a failed connection
    assert late.messages[0].value["data"] == {"code": 7}
    assert late.messages[0].label == "/x refused: nope"
    plain = codec.decode('44/y,"Unable to connect"', 1)
    assert plain.messages[0].value["message"] == "Unable to connect"


def test_a_disconnect_during_the_handshake_is_a_refusal():
    codec = SocketIOCodec()
    codec.opening(None, 0)
    codec.decode(OPEN, 0)
    refused = codec.decode('41{"message":"go away"}', 0)
    assert refused.failed == 'the server refused namespace "/": go away'
    bare = SocketIOCodec()
    bare.opening(None, 0)
    bare.decode(OPEN, 0)
    assert bare.decode("41", 0).failed == 'the server refused namespace "/": no reason given'


def test_joining_and_leaving_a_namespace_later():
    codec = opened()
    frames = codec.encode(JoinNamespace("/admin", {"username": "admin", "password": "secret"}))
    assert frames == ['40/admin,{"username":"admin","password":"secret"}']
    assert codec.describe(JoinNamespace("/admin", {"password": "secret"})) == "connect /admin"
    assert codec.namespace("/admin").state == "connecting"
    joined = codec.decode('40/admin,{"sid":"z"}', 1)
    assert not joined.ready  # ready long ago: nothing changes for the connection
    assert only(joined).value == {
        "type": "connect",
        "namespace": "/admin",
        "sid": "z",
        "recovered": False,
    }
    assert codec.encode(LeaveNamespace("/")) == ["41"]
    again = codec.encode(JoinNamespace("/"))
    assert again == ["40"]
    assert only(codec.decode('40{"sid":"new"}', 1)).label == "/ connect"  # news, this time
    assert codec.encode(LeaveNamespace("/admin")) == ["41/admin,"]
    assert codec.describe(LeaveNamespace("admin")) == "disconnect /admin"
    assert codec.namespace("/admin").state == "left"


# -- keep-alive ----------------------------------------------------------------------------


def test_pings_are_answered_and_move_the_deadline():
    codec = opened()
    assert codec.next_deadline() == pytest.approx(0.01 + 45)
    pong = codec.decode("2", 30.0)
    assert list(pong.replies) == ["3"] and pong.messages == ()
    assert codec.next_deadline() == 75.0
    assert codec.tick(74.9) == ()  # a timer a hair early: nothing yet


def test_no_ping_for_interval_plus_timeout_fails_the_connection():
    codec = opened()
    codec.decode("2", 30.0)
    ended = codec.tick(75.0)
    assert isinstance(ended, Decoded)
    assert ended.failed == (
        "the server sent no ping for 45 s (its ping interval 25 s + ping timeout 20 s)"
    )
    assert ended.reason == "ping timeout"
    assert codec.next_deadline() is None
    assert codec.app_reason("client") == "ping timeout"


def test_a_pong_noop_or_upgrade_from_the_server_is_chatter():
    codec = opened()
    for frame in ("3", "6", "5", "3probe"):
        decoded = codec.decode(frame, 1)
        assert decoded.messages == () and decoded.replies == () and decoded.failed is None


# -- events and acknowledgements -----------------------------------------------------------


def test_an_event_is_decoded_with_its_label():
    codec = opened()
    message = only(codec.decode('42["chat",{"text":"hi"}]', 1))
    assert message.value == {
        "type": "event",
        "namespace": "/",
        "event": "chat",
        "args": [{"text": "hi"}],
    }
    assert message.raw is None  # the frame that was decoded
    assert message.label == 'chat {"text": "hi"}'
    # Made when first read, not when decoded: most events are checked, never shown.
    lazy = opened().decode('42["chat",{"text":"hi"}]', 1)
    assert lazy is not None and callable(lazy.messages[0].label)  # type: ignore[union-attr]
    assert not message.protocol


def test_an_event_with_several_args_on_a_namespace_asking_for_an_ack():
    codec = opened(namespaces=["/", "/quiz"])
    message = only(codec.decode('42/quiz,17["question","2+2?",4,null]', 1))
    assert message.value == {
        "type": "event",
        "namespace": "/quiz",
        "event": "question",
        "args": ["2+2?", 4, None],
        "ack": 17,
    }
    assert message.label == '/quiz question "2+2?", 4, null (ack 17)'
    assert codec.encode(Acknowledge(17, ({"answer": 4},), "/quiz")) == ['43/quiz,17[{"answer":4}]']
    assert codec.describe(Acknowledge(17, ({"answer": 4},), "/quiz")) == (
        'answer /quiz ack 17 {"answer": 4}'
    )


def test_an_event_with_no_args():
    assert only(opened().decode('42["tick"]', 1)).value["args"] == []


def test_emit_and_the_servers_ack_name_the_event():
    codec = opened()
    chat = Emit("chat", ({"room": "lobby", "text": "hi"},), wants_ack=True)
    assert codec.encode(chat) == ['420["chat",{"room":"lobby","text":"hi"}]']
    assert chat.ack_id == 0
    assert codec.describe(chat) == 'emit chat {"room": "lobby", "text": "hi"} (ack 0)'
    join = Emit("join", ({"room": "lobby"},), wants_ack=True)
    assert codec.encode(join) == ['421["join",{"room":"lobby"}]']
    assert join.ack_id == 1
    plain = Emit("typing")
    assert codec.encode(plain) == ['42["typing"]'] and plain.ack_id is None
    assert codec.describe(plain) == "emit typing"

    ack = only(codec.decode('431[{"ok":true,"room":"lobby"}]', 2))
    assert ack.value == {
        "type": "ack",
        "namespace": "/",
        "ack": 1,
        "args": [{"ok": True, "room": "lobby"}],
        "event": "join",
    }
    assert ack.label == 'ack 1 {"ok": true, "room": "lobby"}'
    assert only(codec.decode("430[]", 2)).value["event"] == "chat"
    # an ack nobody asked for still reaches the inbox, without an event
    assert "event" not in only(codec.decode("439[1]", 2)).value


def test_the_sent_label_of_an_emit_is_made_from_its_frame_when_read():
    codec = opened()
    data = {"room": "lobby", "text": "hi"}
    chat = Emit("chat", (data, 2), namespace="/admin", wants_ack=True)
    (frame,) = codec.encode(chat)
    label = codec.sent_label(chat)
    assert callable(label)  # put off: most emits are never shown
    data["text"] = "changed after the emit"  # what was sent stands, not the object now
    assert label() == 'emit /admin chat {"room": "lobby", "text": "hi"}, 2 (ack 0)'
    assert label() == codec.describe(Emit("chat", ({"room": "lobby", "text": "hi"}, 2),
                                          namespace="/admin", ack_id=0))  # fmt: skip
    # Sent twice, each send's label is its own frame's (a new ack id each time).
    codec.encode(chat)
    again = codec.sent_label(chat)
    assert callable(again) and again().endswith("(ack 1)") and label().endswith("(ack 0)")
    # An emit other than the one just encoded, a binary emit, other intents: described now.
    assert codec.sent_label(Emit("typing")) == "emit typing"
    blob = Emit("upload", (b"\x01\x02",))
    codec.encode(blob)
    assert codec.sent_label(blob) == "emit upload <2 bytes>"
    assert codec.sent_label(Acknowledge(4, (1,))) == "answer ack 4 1"


def test_a_sent_frame_keeps_a_lazy_label_until_read():
    from wsbdd.io.client import Sent

    calls: list[int] = []

    def make() -> str:
        calls.append(1)
        return "emit chat"

    sent = Sent(1.0, "text", '42["chat"]', make)
    assert not calls
    assert sent.label == "emit chat" and sent.label == "emit chat" and calls == [1]
    assert sent == Sent(1.0, "text", '42["chat"]', "emit chat")
    assert sent != Sent(1.0, "text", '42["chat"]', "emit other")
    assert hash(sent) == hash(Sent(1.0, "text", '42["chat"]'))
    assert repr(sent) == "Sent(1.0, 'text', '42[\"chat\"]', 'emit chat')"


def test_message_frames_decode_as_python_engineio_reads_them():
    """The usual frame, an Engine.IO message carrying a Socket.IO packet, skips python-
    engineio's packet object: the decoded message is the same, and frames that are not
    such a message still go through it (and say what is wrong)."""
    from engineio import packet as eio

    frames = [
        '42["chat",{"text":"hi"}]',
        '42/admin,7["ban","x"]',
        '437[{"ok":true}]',
        "43/quiz,2[]",
        '451-["up",{"_placeholder":true,"num":0}]',
    ]
    for frame in frames:
        assert eio.Packet(encoded_packet=frame).data == frame[1:]  # what the fast path takes
        fast, slow = (
            opened(namespaces=["/", "/admin", "/quiz"]),
            opened(namespaces=["/", "/admin", "/quiz"]),
        )
        packet = eio.Packet(encoded_packet=frame)
        slow_decoded = slow._message(frame, packet.data)  # the road through the packet class
        fast_decoded = fast.decode(frame, 1.0)
        assert fast_decoded is not None
        assert [m.value for m in fast_decoded.messages] == [  # type: ignore[union-attr]
            m.value  # type: ignore[union-attr]
            for m in slow_decoded.messages
        ]
        assert (fast._pending is None) == (slow._pending is None)
    # Not a Socket.IO packet after the Engine.IO type: the packet class's road, its sentence.
    failed = opened().decode('4{"a":1}', 1.0)
    assert failed is not None and failed.failed is not None
    assert "its Engine.IO message carries no Socket.IO packet" in failed.failed
    failed = opened().decode("4\u00b2", 1.0)  # numeric, not a digit Socket.IO reads
    assert failed is not None and failed.failed is not None
    assert "does not parse" in failed.failed


def test_bytes_are_found_where_python_socketio_looks_for_them():
    from socketio.packet import Packet

    from wsbdd.codec.socketio import _has_bytes

    values = [
        None, 1, "x", b"x", bytearray(b"x"), [], {}, ["a", {"b": [1, b"\x00"]}],
        {"a": {"b": "c"}}, ["a", (b"in a tuple: not looked into",)], [{"k": bytearray(1)}],
    ]  # fmt: skip
    for value in values:
        assert _has_bytes(value) == Packet.data_is_binary(value), value


def test_emit_on_a_namespace_and_plain_frames_pass_through():
    codec = opened()
    assert codec.encode(Emit("hello", ("a", 1), namespace="admin")) == ['42/admin,["hello","a",1]']
    assert codec.encode('42["raw"]') == ('42["raw"]',)
    assert codec.encode(b"\x01") == (b"\x01",)
    assert codec.describe("42[]") is None


def test_long_labels_are_cut():
    label = only(opened().decode('42["chat","' + "x" * 500 + '"]', 1)).label
    assert len(label) == 160 and label.endswith("…")


# -- binary --------------------------------------------------------------------------------


def test_a_binary_event_waits_for_its_attachments_split_across_frames():
    codec = opened()
    first = (
        '452-["file",{"name":"a.bin","data":{"_placeholder":true,"num":0}},'
        '{"_placeholder":true,"num":1}]'
    )
    assert codec.decode(first, 1) == Decoded()
    assert codec.decode(b"\x00\x01", 1.1) == Decoded()
    message = only(codec.decode(b"\xff", 1.2))
    assert message.value == {
        "type": "event",
        "namespace": "/",
        "event": "file",
        "args": [{"name": "a.bin", "data": b"\x00\x01"}, b"\xff"],
    }
    assert message.raw == first  # transcripts show the packet, not the bytes
    assert message.label == 'file {"name": "a.bin", "data": <2 bytes>}, <1 bytes>'


def test_a_binary_ack_and_base64_attachments():
    codec = opened()
    upload = Emit("upload", (b"\x01\x02",), wants_ack=True)
    codec.encode(upload)
    assert codec.decode('461-0[{"_placeholder":true,"num":0}]', 1) == Decoded()
    ack = only(codec.decode("bAQI=", 1))  # a polling transport's base64 binary packet
    assert ack.value == {
        "type": "ack",
        "namespace": "/",
        "ack": 0,
        "args": [b"\x01\x02"],
        "event": "upload",
    }


def test_emitting_bytes_sends_the_packet_and_its_attachments():
    codec = opened()
    frames = codec.encode(Emit("upload", ({"name": "a", "data": b"\x01\x02"}, b"\x03"), "/files"))
    assert frames == [
        '452-/files,["upload",{"name":"a","data":{"_placeholder":true,"num":0}},'
        '{"_placeholder":true,"num":1}]',
        b"\x01\x02",
        b"\x03",
    ]
    answer = codec.encode(Acknowledge(4, (bytearray(b"\x09"),)))
    assert answer == ['461-4[{"_placeholder":true,"num":0}]', b"\x09"]


# -- the end -------------------------------------------------------------------------------


def test_the_server_disconnecting_the_last_namespace_closes_the_connection():
    codec = opened(namespaces=["/", "/admin"])
    admin = codec.decode("41/admin,", 1)
    assert not admin.closing
    assert only(admin).value == {
        "type": "disconnect",
        "namespace": "/admin",
        "reason": "io server disconnect",
    }
    assert only(admin).protocol
    root = codec.decode("41", 2)
    assert root.closing and root.reason == "io server disconnect"
    assert only(root).label == "/ disconnected by the server"
    assert codec.app_reason("server") == "io server disconnect"
    assert codec.closing() == []  # nothing left to leave


def test_closing_leaves_every_connected_namespace():
    codec = opened(namespaces=["/", "/admin"])
    assert codec.closing() == ["41", "41/admin,"]
    assert codec.app_reason("client") == "io client disconnect"


def test_the_engine_io_close_packet_ends_the_session():
    codec = opened()
    closed = codec.decode("1", 1)
    assert closed.closing and closed.reason == "transport close"


def test_app_reasons_when_the_codec_said_nothing():
    codec = opened()
    assert codec.app_reason("server") == "transport close"
    assert codec.app_reason(None) == "transport close"
    assert codec.app_reason("client") == "io client disconnect"
    assert SocketIOCodec().app_reason("server") is None  # never opened: no Socket.IO session
    refused = SocketIOCodec()
    refused.opening(None, 0)
    refused.decode(OPEN, 0)
    refused.decode('44{"message":"no"}', 0)
    assert refused.app_reason("client") is None  # refused: it never began either


# -- protocol messages in the inbox --------------------------------------------------------


def test_protocol_messages_are_claimed_on_arrival():
    inbox = Inbox()
    inbox.append_value("text", '42["chat"]', {"event": "chat"}, 1.0, "chat")
    news = inbox.append_value("text", "44/a,{}", {"type": "connect_error"}, 2.0, "/a", True)
    assert news.protocol and news.label == "/a"
    assert inbox.is_consumed(news)
    assert [m.seq for m in inbox.unconsumed()] == [1]
    assert inbox.last.seq == 1  # a protocol message is nobody's "last message"
    assert inbox.messages[1] is news  # yet the protocol's own steps find it
    assert inbox.last_claimed is None


def test_auto_reply_passes_the_optional_members_on():
    make = codec_factory("socket.io", [])
    assert isinstance(make(), SocketIOCodec)
    wrapped = codec_factory("socket.io", [AutoReply("x", when="y")])()
    assert wrapped.url_for("ws://h") == "ws://h/socket.io/?EIO=4&transport=websocket"
    assert wrapped.describe(Emit("a")) == "emit a"
    assert wrapped.app_reason("client") is None  # never opened
    assert wrapped.refusal_hint(404, "").startswith("no Socket.IO server answers at the path")


# -- settings ------------------------------------------------------------------------------


def test_protocol_is_the_codec_setting_and_the_socketio_table_is_read(tmp_path):
    (tmp_path / "wsbdd.toml").write_text(
        'protocol = "socket.io"\n'
        "[socketio]\n"
        'path = "/io/"\n'
        'namespaces = ["/", "/admin"]\n'
        'auth = { name = "Alice", password = "${env.SIO_PASSWORD}" }\n'
        'transport = "polling"\n'
    )
    settings = load_settings(tmp_path, environ={})
    assert settings.codec == settings.protocol == "socket.io"
    assert settings.origin_of("protocol").endswith("wsbdd.toml protocol")
    assert settings.socketio == SocketIOSettings(
        path="/io/",
        auth={"name": "Alice", "password": "${env.SIO_PASSWORD}"},
        namespaces=("/", "/admin"),
        transport="polling",
    )
    assert "socketio.auth" not in settings.config_values()  # a secret: not for ${config.…}
    assert settings.config_values()["socketio.transport"] == "polling"
    variables = settings.new_variables(environ={"SIO_PASSWORD": "hunter22"})
    codec = settings.codec_for(variables=variables)()
    assert isinstance(codec, SocketIOCodec)
    assert codec.auth == {"name": "Alice", "password": "hunter22"}
    assert list(codec.namespaces) == ["/", "/admin"]
    assert codec.url_for("ws://h") == "ws://h/io/?EIO=4&transport=websocket"
    # per connection: other namespaces and auth, or another protocol
    own = settings.codec_for(namespaces=["/quiz"], auth={"name": "Bob"})()
    assert list(own.namespaces) == ["/quiz"] and own.auth == {"name": "Bob"}
    assert type(settings.codec_for(protocol="websocket")()).__name__ == "WebSocketCodec"


def test_socketio_settings_from_the_environment(tmp_path):
    environ = {
        "WSBDD_PROTOCOL": "socketio",
        "WSBDD_SOCKETIO_NAMESPACES": "/,/admin",
        "WSBDD_SOCKETIO_AUTH": '{"token": "abc"}',
        "WSBDD_SOCKETIO_TRANSPORT": "polling-only",
    }
    settings = load_settings(tmp_path, environ=environ)
    assert settings.codec == "socketio"
    assert settings.socketio.namespaces == ("/", "/admin")
    assert settings.socketio.auth == {"token": "abc"}
    assert connect_options(settings).transport == "polling-only"


def test_the_codec_setting_still_works_and_auto_reply_wraps_a_socketio_codec(tmp_path):
    settings = Settings(codec="socket.io", auto_reply=(AutoReply("b", when="a"),))
    made = settings.codec_for()()
    assert isinstance(made, AutoReplying) and isinstance(made.inner, SocketIOCodec)
    with pytest.raises(CodecNotFound):
        settings.codec_for(protocol="mqtt")


def test_reports_mask_the_configured_auth_credentials():
    auth = {"name": "Alice", "password": "hunter22", "extra": {"key": "${env.SIO_KEY}"}}
    settings = Settings(socketio=SocketIOSettings(auth=auth))
    session = SimpleNamespace(
        settings=settings, vars=settings.new_variables(environ={"SIO_KEY": "key-123456"})
    )
    recorder = ReportRecorder(settings)
    recorder.learn_session(session)
    assert recorder.masker.mask("Alice hunter22 key-123456") == "Alice *** ***"
