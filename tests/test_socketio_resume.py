"""The Socket.IO codec's part in reconnection, on strings: connection-state recovery's pid and
offsets, the CONNECT that asks for the old session, and when not to reconnect at all.

The same against real servers: test_reconnection_socketio.py.
"""

from __future__ import annotations

import json

from wsbdd.codec import SocketIOCodec
from wsbdd.codec.resume import may_reconnect, recovered, resume, resumption, session_id

OPEN = '0{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'


def opened(codec: SocketIOCodec) -> list[str]:
    """Open the codec's connection; the CONNECT payloads it sends, per frame."""
    codec.opening(None, 0.0)
    decoded = codec.decode(OPEN, 0.0)
    assert decoded is not None
    return [str(frame) for frame in decoded.replies]


def payload(frame: str) -> object:
    """The JSON of a ``40{…}`` / ``40/admin,{…}`` frame."""
    return json.loads(frame[frame.index("{") :])


def event_args(codec: SocketIOCodec, frame: str) -> list[object]:
    decoded = codec.decode(frame, 1.0)
    assert decoded is not None and len(decoded.messages) == 1
    message = decoded.messages[0]
    assert not isinstance(message, str | bytes)
    return message.value["args"]


def test_offsets_are_taken_off_and_kept_when_the_server_offers_recovery():
    codec = SocketIOCodec(auth={"name": "Alice"})
    assert [payload(f) for f in opened(codec)] == [{"name": "Alice"}]
    ready = codec.decode('40{"sid":"s1","pid":"p1"}', 0.5)
    assert ready is not None and ready.ready
    assert event_args(codec, '42["chat",{"text":"hi"},"off-1"]') == [{"text": "hi"}]
    assert event_args(codec, '42["echo","a","off-2"]') == ["a"]  # a text is taken off too
    # An event asking for an acknowledgement carries no offset: its arguments stay.
    assert event_args(codec, '421["question","off-not"]') == ["off-not"]
    assert resumption(codec) == {"/": ("p1", "off-2")}
    assert session_id(codec) == "s1" and recovered(codec) is False


def test_without_recovery_nothing_is_taken_off():
    codec = SocketIOCodec()
    opened(codec)
    codec.decode('40{"sid":"s1"}', 0.5)
    assert event_args(codec, '42["echo","a","b"]') == ["a", "b"]
    assert resumption(codec) == {}
    assert recovered(codec) is None


def test_the_next_connection_asks_for_the_old_session_under_the_auth_keys():
    old = SocketIOCodec(auth={"name": "Alice"})
    opened(old)
    old.decode('40{"sid":"s1","pid":"p1"}', 0.5)
    event_args(old, '42["chat",{"text":"hi"},"off-1"]')
    new = SocketIOCodec(auth={"name": "Alice", "offset": "mine"})
    resume(new, resumption(old))
    # The auth's own keys win, as in the official clients (Object.assign under them).
    assert [payload(f) for f in opened(new)] == [{"pid": "p1", "offset": "mine", "name": "Alice"}]
    # The server replays the missed events before its answer: their offsets go too.
    assert event_args(new, '42["chat",{"text":"missed"},"off-2"]') == [{"text": "missed"}]
    ready = new.decode('40{"sid":"s1","pid":"p1"}', 0.6)
    assert ready is not None and ready.ready
    assert recovered(new) is True and session_id(new) == "s1"
    assert resumption(new) == {"/": ("p1", "off-2")}


def test_a_new_session_is_not_recovered():
    old = SocketIOCodec()
    opened(old)
    old.decode('40{"sid":"s1","pid":"p1"}', 0.5)
    new = SocketIOCodec()
    resume(new, resumption(old))
    # No event received: no offset to resume from, so none is sent.
    assert [payload(f) for f in opened(new)] == [{"pid": "p1"}]
    new.decode('40{"sid":"s2","pid":"p2"}', 0.6)
    assert recovered(new) is False and session_id(new) == "s2"


def test_each_namespace_resumes_its_own_session_and_says_so():
    old = SocketIOCodec(namespaces=("/", "/admin"))
    opened(old)
    old.decode('40{"sid":"s1","pid":"p1"}', 0.5)
    old.decode('40/admin,{"sid":"a1","pid":"q1"}', 0.5)
    event_args(old, '42/admin,["news","x","off-a"]')
    new = SocketIOCodec(namespaces=("/", "/admin"))
    resume(new, resumption(old))
    frames = opened(new)
    assert [payload(f) for f in frames] == [{"pid": "p1"}, {"pid": "q1", "offset": "off-a"}]
    new.decode('40{"sid":"s9","pid":"p9"}', 0.6)
    admin = new.decode('40/admin,{"sid":"a1","pid":"q1"}', 0.6)
    assert admin is not None
    (message,) = admin.messages
    assert not isinstance(message, str | bytes)
    assert message.value == {
        "type": "connect",
        "namespace": "/admin",
        "sid": "a1",
        "recovered": True,
    }
    assert recovered(new) is False  # the first namespace's session was not


def test_a_server_disconnect_is_not_reconnected_but_a_lost_transport_is():
    kicked = SocketIOCodec()
    opened(kicked)
    kicked.decode('40{"sid":"s1"}', 0.5)
    kicked.decode("41", 1.0)
    assert may_reconnect(kicked) is False
    lost = SocketIOCodec()
    opened(lost)
    lost.decode('40{"sid":"s1"}', 0.5)
    assert may_reconnect(lost) is True
    lost.tick(60.0)  # the server's pings stopped: "ping timeout" reconnects
    assert may_reconnect(lost) is True
    closed = SocketIOCodec()
    opened(closed)
    closed.closing()  # the client said goodbye
    assert may_reconnect(closed) is False
