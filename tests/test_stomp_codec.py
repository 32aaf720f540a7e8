"""The STOMP codec on strings and bytes, with times passed in by hand.

No socket, no broker: each test feeds the codec the frames a STOMP broker sends over a
WebSocket (RabbitMQ Web-STOMP writes one frame per text message) and checks the frames it
writes, the messages it decodes and what it says about the connection.  The broker itself
is tests/test_stomp_client.py's.
"""

from __future__ import annotations

import pytest

from wsbdd.codec import (
    Decoded,
    Received,
    StompAbort,
    StompAck,
    StompBegin,
    StompCodec,
    StompCommit,
    StompNack,
    StompSend,
    StompSubscribe,
    StompUnsubscribe,
    codec_factory,
    find_codec,
)
from wsbdd.codec.stomp import escape, unescape
from wsbdd.report.collect import ReportRecorder
from wsbdd.settings.config import StompSettings, load_settings

NUL = "\x00"


def connected_frame(version: str = "1.2", heart_beat: str = "0,0") -> str:
    return (
        f"CONNECTED\nversion:{version}\nheart-beat:{heart_beat}\nserver:RabbitMQ/3.10.8\n"
        f"session:s-1\n\n{NUL}"
    )


def opened(version: str = "1.2", server_beat: str = "0,0", **options) -> StompCodec:
    """A codec past CONNECT / CONNECTED."""
    codec = StompCodec(**options)
    codec.opening("v12.stomp", 0.0)
    decoded = codec.decode(connected_frame(version, server_beat), 0.1)
    assert decoded is not None and decoded.ready and decoded.failed is None
    return codec


def messages(decoded: Decoded | None) -> list[Received]:
    assert decoded is not None and decoded.failed is None, decoded
    found = [m for m in decoded.messages if isinstance(m, Received)]
    assert len(found) == len(decoded.messages)
    return found


def only(decoded: Decoded | None) -> Received:
    found = messages(decoded)
    assert len(found) == 1, found
    return found[0]


def message_frame(body: str = '{"text":"hi"}', **headers: str) -> str:
    fields = {
        "destination": "/topic/room.lobby",
        "message-id": "m-1",
        "subscription": "sub-0",
        "content-type": "application/json",
        **headers,
    }
    lines = "".join(f"{k}:{v}\n" for k, v in fields.items())
    return f"MESSAGE\n{lines}\n{body}{NUL}"


# -- the registry --------------------------------------------------------------------------


def test_stomp_is_registered_by_name():
    assert find_codec("stomp") is StompCodec
    codec = codec_factory("stomp")()
    assert codec.name == "stomp"
    assert codec.subprotocols == ("v12.stomp", "v11.stomp", "v10.stomp")
    assert StompCodec.settings_table == "stomp"


# -- CONNECT and CONNECTED -------------------------------------------------------------------


def test_opening_sends_connect_with_every_header_and_waits_for_connected():
    codec = StompCodec(login="guest", passcode="s3cret", host="/vhost", heart_beat=(4000, 5000))
    decoded = codec.opening("v12.stomp", 0.0)
    assert not decoded.ready
    assert list(decoded.replies) == [
        "CONNECT\naccept-version:1.0,1.1,1.2\nhost:/vhost\nlogin:guest\npasscode:s3cret\n"
        f"heart-beat:4000,5000\n\n{NUL}"
    ]
    assert codec.next_deadline() is None  # nothing to time before CONNECTED


def test_connect_leaves_out_what_is_not_given_and_is_never_escaped():
    codec = StompCodec(login="a:b", version="1.2")
    (frame,) = codec.opening(None, 0).replies
    assert (
        frame == f"CONNECT\naccept-version:1.2\nhost:/\nlogin:a:b\nheart-beat:10000,10000\n\n{NUL}"
    )


def test_a_stomp_1_0_client_offers_no_heart_beat():
    (frame,) = StompCodec(version="1.0").opening(None, 0).replies
    assert frame == f"CONNECT\naccept-version:1.0\nhost:/\n\n{NUL}"


def test_connected_makes_the_connection_ready_and_is_chatter():
    codec = StompCodec()
    codec.opening(None, 0)
    decoded = codec.decode(connected_frame("1.1"), 0.2)
    assert decoded == Decoded(ready=True)
    assert codec.ready and codec.version == "1.1"
    assert codec.server == "RabbitMQ/3.10.8" and codec.session == "s-1"


def test_connected_without_a_version_is_stomp_1_0():
    codec = StompCodec()
    codec.opening(None, 0)
    assert codec.decode(f"CONNECTED\n\n{NUL}", 0).ready
    assert codec.version == "1.0"
    assert codec.next_deadline() is None


def test_a_version_the_client_did_not_offer_fails_the_connection():
    codec = StompCodec(version="1.1,1.2")
    codec.opening(None, 0)
    decoded = codec.decode(connected_frame("1.0"), 0)
    assert decoded.failed == (
        "the broker chose STOMP 1.0, which wsbdd did not offer (accept-version 1.1,1.2)"
    )


def test_error_before_connected_refuses_the_connection_with_message_and_body():
    codec = StompCodec(login="guest", passcode="wrong")
    codec.opening(None, 0)
    decoded = codec.decode(
        "ERROR\nmessage:Access refused\ncontent-type:text/plain\ncontent-length:44\n\n"
        f"Login or passcode is wrong for user 'guest'.{NUL}",
        0.1,
    )
    assert decoded.failed == (
        "the broker refused the connection: Access refused (Login or passcode is wrong for "
        "user 'guest'.)"
    )
    assert not decoded.ready and codec.closing() == ()
    assert codec.app_reason("server") == "refused"


def test_error_before_connected_with_no_body_or_message():
    codec = StompCodec()
    codec.opening(None, 0)
    assert codec.decode(f"ERROR\n\n{NUL}", 0).failed == (
        "the broker refused the connection: no message given"
    )


def test_a_long_error_body_is_shortened():
    codec = StompCodec()
    codec.opening(None, 0)
    failed = codec.decode(f"ERROR\nmessage:no\n\n{'x' * 500}{NUL}", 0).failed
    assert failed == f"the broker refused the connection: no ({'x' * 119}…)"


# -- heart-beats -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "theirs", "send", "expect"),
    [
        ((10000, 10000), "5000,5000", 10000, 10000),
        ((1000, 2000), "5000,300", 1000, 5000),
        ((0, 2000), "5000,300", 0, 5000),
        ((1000, 0), "5000,300", 1000, 0),
        ((1000, 1000), "0,0", 0, 0),
        ((1000, 1000), "0,4000", 4000, 0),
    ],
)
def test_heart_beats_are_negotiated_as_the_spec_says(mine, theirs, send, expect):
    codec = opened(server_beat=theirs, heart_beat=mine)
    assert (codec.send_every, codec.expect_every) == (send, expect)


def test_heart_beats_are_sent_on_the_timer():
    codec = opened(server_beat="0,1000", heart_beat=(1000, 0))
    assert codec.next_deadline() == pytest.approx(1.0)  # one second after CONNECT went out
    assert codec.tick(0.5) == ()
    assert codec.tick(1.0) == ("\n",)
    assert codec.next_deadline() == pytest.approx(2.0)
    assert codec.tick(2.3) == ("\n",)
    assert codec.next_deadline() == pytest.approx(3.3)


def test_the_broker_must_send_something_within_twice_its_interval():
    codec = opened(server_beat="10000,0", heart_beat=(0, 10000))
    assert codec.next_deadline() == pytest.approx(20.1)
    assert codec.decode("\n", 15.0) == Decoded()  # a heart-beat: chatter, not a message
    assert codec.next_deadline() == pytest.approx(35.0)
    assert codec.tick(34.9) == ()
    only(codec.decode(message_frame(), 30.0))  # any frame counts as well
    assert codec.next_deadline() == pytest.approx(50.0)
    decoded = codec.tick(50.0)
    assert isinstance(decoded, Decoded)
    assert (
        decoded.failed == "the broker sent no heart-beat for 20.0 s (it promised one every 10.0 s)"
    )
    assert decoded.reason == "heart-beat timeout"
    assert codec.next_deadline() is None and codec.tick(60) == ()
    assert codec.app_reason("client") == "heart-beat timeout"


def test_a_short_heart_beat_reads_in_the_seconds_it_is():
    codec = opened(server_beat="250,0", heart_beat=(0, 250))
    decoded = codec.tick(1.0)
    assert (
        decoded.failed == "the broker sent no heart-beat for 0.5 s (it promised one every 0.25 s)"
    )


def test_the_earlier_of_both_timers_is_the_deadline():
    codec = opened(server_beat="3000,1000", heart_beat=(1000, 1000))
    assert (codec.send_every, codec.expect_every) == (1000, 3000)
    assert codec.next_deadline() == pytest.approx(1.0)
    assert codec.tick(1.0) == ("\n",)
    codec.decode("\n", 5.9)
    assert codec.tick(6.0) == ("\n",)
    assert codec.next_deadline() == pytest.approx(7.0)


def test_heart_beats_before_connected_and_between_frames_are_skipped():
    codec = StompCodec()
    codec.opening(None, 0)
    assert codec.decode("\n", 0.1) == Decoded()
    assert codec.decode("\r\n\n", 0.1) == Decoded()
    decoded = codec.decode("\n" + connected_frame() + "\n\n" + message_frame() + "\r\n", 0.2)
    assert decoded.ready
    assert only(decoded).value["body"] == {"text": "hi"}


# -- framing ---------------------------------------------------------------------------------


def test_a_message_is_decoded_into_command_headers_and_body():
    codec = opened()
    message = only(codec.decode(message_frame(), 1.0))
    assert message.value == {
        "command": "MESSAGE",
        "headers": {
            "destination": "/topic/room.lobby",
            "message-id": "m-1",
            "subscription": "sub-0",
            "content-type": "application/json",
        },
        "body": {"text": "hi"},
    }
    assert message.label == 'MESSAGE /topic/room.lobby {"text": "hi"}'
    assert message.raw == message_frame()
    assert not message.protocol


def test_several_frames_in_one_websocket_message():
    codec = opened()
    found = messages(
        codec.decode(message_frame("1") + message_frame("2") + "RECEIPT\nreceipt-id:r-1\n\n\0", 1)
    )
    assert [m.value["body"] for m in found[:2]] == [1, 2]
    assert found[2].protocol and found[2].label == "RECEIPT r-1"


def test_one_frame_across_websocket_messages():
    codec = opened()
    frame = message_frame('{"text":"split"}')
    assert codec.decode(frame[:5], 1) == Decoded()
    assert codec.decode(frame[5:30], 2) == Decoded()
    found = messages(codec.decode(frame[30:] + message_frame("3")[:10], 3))
    assert [m.value["body"] for m in found] == [{"text": "split"}]
    assert only(codec.decode(message_frame("3")[10:], 4)).value["body"] == 3


def test_a_frame_split_between_the_headers_and_the_blank_line():
    codec = opened()
    frame = message_frame("x", **{"content-type": "text/plain"})
    cut = frame.index("\n\n") + 1
    assert codec.decode(frame[:cut], 1) == Decoded()
    assert only(codec.decode(frame[cut:], 2)).value["body"] == "x"


def test_content_length_bodies_may_hold_nul_and_any_bytes():
    codec = opened()
    body = b"a\x00b\xff\x00"
    frame = (
        b"MESSAGE\ndestination:/queue/bin\nmessage-id:7\nsubscription:sub-0\n"
        b"content-length:5\n\n" + body + b"\x00"
    )
    assert codec.decode(frame[:-3], 1) == Decoded()  # the NUL inside is not the end
    message = only(codec.decode(frame[-3:], 2))
    assert message.value["body"] == body
    assert message.label == "MESSAGE /queue/bin <5 bytes>"
    assert message.raw == frame


def test_a_text_body_that_is_not_json_and_json_without_its_content_type():
    codec = opened()
    text = only(codec.decode(message_frame("hello", **{"content-type": "text/plain"}), 1))
    assert text.value["body"] == "hello" and text.label == 'MESSAGE /topic/room.lobby "hello"'
    plain = message_frame('{"a": 1}').replace("content-type:application/json\n", "")
    assert only(codec.decode(plain, 1)).value["body"] == '{"a": 1}'
    vendor = only(
        codec.decode(
            message_frame('{"a":1}', **{"content-type": "application/vnd.x+json; charset=utf-8"}), 1
        )
    )
    assert vendor.value["body"] == {"a": 1}
    broken = only(codec.decode(message_frame("{not json"), 1))
    assert broken.value["body"] == "{not json"


def test_an_empty_body_labels_with_the_destination_alone():
    codec = opened()
    assert only(codec.decode(message_frame(""), 1)).label == "MESSAGE /topic/room.lobby"


def test_a_repeated_header_keeps_its_first_value():
    codec = opened()
    frame = "MESSAGE\ndestination:/q/a\nfoo:1\nfoo:2\n\nx\0"
    assert only(codec.decode(frame, 1)).value["headers"]["foo"] == "1"


def test_crlf_line_ends_are_read():
    codec = opened()
    frame = "MESSAGE\r\ndestination:/q/a\r\nmessage-id:1\r\n\r\nbody\0"
    message = only(codec.decode(frame, 1))
    assert message.value["headers"] == {"destination": "/q/a", "message-id": "1"}
    assert message.value["body"] == "body"


def test_error_after_connected_is_an_app_message():
    codec = opened()
    message = only(
        codec.decode("ERROR\nmessage:not_found\ncontent-type:text/plain\n\nNo queue 'x'\0", 1)
    )
    assert message.value == {
        "command": "ERROR",
        "headers": {"message": "not_found", "content-type": "text/plain"},
        "body": "No queue 'x'",
    }
    assert message.label == 'ERROR "not_found"' and not message.protocol
    assert codec.app_reason("server") == "broker ERROR"  # the broker closed after it
    assert codec.app_reason("client") is None
    assert codec.closing()  # the connection may go on: RabbitMQ keeps it after most ERRORs
    assert codec.app_reason("client") == "client DISCONNECT"


def test_receipt_is_a_protocol_message():
    message = only(opened().decode("RECEIPT\nreceipt-id:r-7\n\n\0", 1))
    assert message.protocol
    assert message.value == {"command": "RECEIPT", "headers": {"receipt-id": "r-7"}, "body": ""}
    assert message.label == "RECEIPT r-7"


def test_a_second_connected_is_ignored():
    codec = opened()
    assert codec.decode(connected_frame("1.0"), 1) == Decoded()
    assert codec.version == "1.2"


# -- escaping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "text", "written"),
    [
        ("1.2", "a:b\nc\\d\re", "a\\cb\\nc\\\\d\\re"),
        ("1.1", "a:b\nc\\d\re", "a\\cb\\nc\\\\d\re"),
        ("1.0", "a:b\\", "a:b\\"),
    ],
)
def test_header_escaping_per_version(version, text, written):
    assert escape(text, version) == written
    assert unescape(written, version) == text


def test_received_headers_are_unescaped_by_the_agreed_version():
    frame = "MESSAGE\ndestination:/q/a\nx\\cy:1\\n2\\c3\\\\4\\r\n\nb\0"
    assert only(opened("1.2").decode(frame, 1)).value["headers"]["x:y"] == "1\n2:3\\4\r"
    frame11 = "MESSAGE\ndestination:/q/a\nk:1\\n2\\c3\n\nb\0"
    assert only(opened("1.1").decode(frame11, 1)).value["headers"]["k"] == "1\n2:3"
    frame10 = "MESSAGE\ndestination:/q/a\nk:1\\n2\n\nb\0"
    assert only(opened("1.0").decode(frame10, 1)).value["headers"]["k"] == "1\\n2"


def test_connected_headers_are_not_unescaped():
    codec = StompCodec()
    codec.opening(None, 0)
    codec.decode(f"CONNECTED\nversion:1.2\nserver:a\\cb\n\n{NUL}", 0)
    assert codec.server == "a\\cb"


def test_sent_headers_are_escaped_by_the_agreed_version():
    send = StompSend("/q/a", "x", {"key": "a:b\nc"})
    (frame,) = opened("1.2").encode(send)
    assert frame == f"SEND\ndestination:/q/a\nkey:a\\cb\\nc\ncontent-length:1\n\nx{NUL}"
    (frame,) = opened("1.1").encode(StompSend("/q/a", "", {"key": "x\ry"}))
    assert frame == f"SEND\ndestination:/q/a\nkey:x\ry\ncontent-length:0\n\n{NUL}"


# -- sending ---------------------------------------------------------------------------------


def test_send_with_headers_transaction_and_receipt():
    codec = opened()
    send = StompSend(
        "/topic/room.lobby",
        '{"text": "hi"}',
        {"content-type": "application/json"},
        transaction="tx1",
        receipt=True,
    )
    (frame,) = codec.encode(send)
    assert frame == (
        "SEND\ndestination:/topic/room.lobby\ncontent-type:application/json\ntransaction:tx1\n"
        f'content-length:14\nreceipt:r-1\n\n{{"text": "hi"}}{NUL}'
    )
    assert send.receipt_id == "r-1"
    assert codec.describe(send) == (
        'SEND /topic/room.lobby {"text": "hi"} (transaction tx1, receipt r-1)'
    )


def test_send_counts_bytes_not_characters_and_sends_binary_as_bytes():
    codec = opened()
    (frame,) = codec.encode(StompSend("/q/a", "é"))
    assert "content-length:2\n" in frame
    (frame,) = codec.encode(StompSend("/q/a", b"\xff\x00"))
    assert frame == b"SEND\ndestination:/q/a\ncontent-length:2\n\n\xff\x00\x00"
    assert codec.describe(StompSend("/q/a", b"\xff\x00")) == "SEND /q/a <2 bytes>"
    assert codec.describe(StompSend("/q/a", "plain")) == 'SEND /q/a "plain"'


def test_subscribe_fills_ids_and_keeps_a_given_one():
    codec = opened()
    first, second = (
        StompSubscribe("/topic/a"),
        StompSubscribe("/queue/b", ack="client-individual", receipt=True),
    )
    assert codec.encode(first) == (f"SUBSCRIBE\ndestination:/topic/a\nid:sub-0\nack:auto\n\n{NUL}",)
    assert codec.encode(second) == (
        f"SUBSCRIBE\ndestination:/queue/b\nid:sub-1\nack:client-individual\nreceipt:r-1\n\n{NUL}",
    )
    assert (first.id, second.id) == ("sub-0", "sub-1")
    given = StompSubscribe("/topic/c", id="mine", headers={"durable": "true"})
    assert codec.encode(given) == (
        f"SUBSCRIBE\ndestination:/topic/c\nid:mine\nack:auto\ndurable:true\n\n{NUL}",
    )
    assert codec.subscriptions == {"sub-0": "/topic/a", "sub-1": "/queue/b", "mine": "/topic/c"}
    assert codec.describe(first) == "SUBSCRIBE /topic/a (sub-0)"
    assert (
        codec.describe(second) == "SUBSCRIBE /queue/b (sub-1, ack client-individual, receipt r-1)"
    )
    unsubscribe = StompUnsubscribe("sub-0", receipt=True)
    assert codec.encode(unsubscribe) == (f"UNSUBSCRIBE\nid:sub-0\nreceipt:r-2\n\n{NUL}",)
    assert codec.subscriptions == {"sub-1": "/queue/b", "mine": "/topic/c"}
    assert codec.describe(unsubscribe) == "UNSUBSCRIBE sub-0 (receipt r-2)"


def test_ack_and_nack_take_the_headers_their_version_needs():
    headers = {"ack": "a-1", "message-id": "m-1", "subscription": "sub-0"}
    codec = opened("1.2")
    ack = StompAck(headers, transaction="tx1")
    assert codec.encode(ack) == (f"ACK\nid:a-1\ntransaction:tx1\n\n{NUL}",)
    assert codec.describe(ack) == "ACK a-1 (transaction tx1)"
    nack = StompNack(headers, receipt=True)
    assert codec.encode(nack) == (f"NACK\nid:a-1\nreceipt:r-1\n\n{NUL}",)
    assert codec.describe(nack) == "NACK a-1 (receipt r-1)"
    codec11 = opened("1.1")
    assert codec11.encode(StompAck(headers)) == (
        f"ACK\nmessage-id:m-1\nsubscription:sub-0\n\n{NUL}",
    )
    assert codec11.describe(StompAck(headers)) == "ACK m-1"
    codec10 = opened("1.0")
    assert codec10.encode(StompAck(headers)) == (f"ACK\nmessage-id:m-1\n\n{NUL}",)


def test_transactions():
    codec = opened()
    begin = StompBegin("tx1", receipt=True)
    assert codec.encode(begin) == (f"BEGIN\ntransaction:tx1\nreceipt:r-1\n\n{NUL}",)
    assert codec.describe(begin) == "BEGIN tx1 (receipt r-1)"
    assert codec.encode(StompCommit("tx1")) == (f"COMMIT\ntransaction:tx1\n\n{NUL}",)
    assert codec.describe(StompCommit("tx1")) == "COMMIT tx1"
    assert codec.encode(StompAbort("tx2")) == (f"ABORT\ntransaction:tx2\n\n{NUL}",)
    assert codec.describe(StompAbort("tx2")) == "ABORT tx2"


def test_raw_frames_go_out_as_they_stand():
    codec = opened()
    assert codec.encode("SEND\ndestination:/q\n\n\0") == ("SEND\ndestination:/q\n\n\0",)
    assert codec.encode(b"\n") == (b"\n",)
    assert codec.describe("x") is None


def test_header_values_that_are_numbers_are_written_out():
    (frame,) = opened().encode(StompSend("/q/a", "", {"priority": 5, "persistent": True}))
    assert "priority:5\npersistent:true\n" in frame


# -- closing ---------------------------------------------------------------------------------


def test_closing_sends_disconnect_with_a_receipt_and_the_receipt_closes():
    codec = opened(server_beat="1000,1000", heart_beat=(1000, 1000))
    codec.encode(StompBegin("tx", receipt=True))
    assert codec.closing() == (f"DISCONNECT\nreceipt:r-2\n\n{NUL}",)
    assert codec.next_deadline() is None  # no heart-beats while it ends
    assert codec.closing() == ()
    decoded = codec.decode("RECEIPT\nreceipt-id:r-2\n\n\0", 1)
    assert decoded.closing and decoded.reason == "client DISCONNECT"
    assert decoded.messages[0].label == "RECEIPT r-2"
    assert codec.app_reason("client") == "client DISCONNECT"


def test_a_renewed_codec_has_the_settings_and_none_of_the_state():
    codec = StompCodec(login="ann", passcode="pw", host="/h", heart_beat=(5, 6), version="1.1,1.2")
    codec.opening(None, 0)
    codec.decode(connected_frame("1.2"), 0)
    codec.encode(StompSubscribe("/topic/a"))
    assert codec.may_reconnect() and codec.session_id() == "s-1"
    fresh = codec.renewed()
    assert (fresh.login, fresh.passcode, fresh.host, fresh.heart_beat, fresh.versions) == (
        "ann",
        "pw",
        "/h",
        (5, 6),
        ("1.1", "1.2"),
    )
    assert not fresh.ready and fresh.subscriptions == {} and fresh.session_id() is None
    codec.closing()
    assert not codec.may_reconnect()  # the client itself ended the session


def test_closing_before_connected_sends_nothing():
    codec = StompCodec()
    codec.opening(None, 0)
    assert codec.closing() == ()


# -- secrets ---------------------------------------------------------------------------------


def test_the_passcode_is_a_secret_field_and_the_login_a_public_one():
    import re

    (connect,) = StompCodec(login="guest", passcode="guest").opening(None, 0).replies
    secret = [re.search(p, connect, re.MULTILINE).group(1) for p in StompCodec.secret_fields]
    public = [re.search(p, connect, re.MULTILINE).group(1) for p in StompCodec.public_fields]
    assert secret == ["guest"] and public == ["guest"]


def test_the_configured_passcode_is_masked_in_reports(tmp_path):
    (tmp_path / "wsbdd.toml").write_text('[stomp]\nlogin = "ann"\npasscode = "${env.PW}"\n')
    settings = load_settings(tmp_path, environ={})
    recorder = ReportRecorder(settings=settings)
    session = type("S", (), {})()
    session.settings = settings
    session.vars = settings.new_variables(environ={"PW": "hunter22"})
    recorder.learn_session(session)
    assert recorder.masker.mask("passcode:hunter22") == "passcode:***"


# -- settings --------------------------------------------------------------------------------


def test_stomp_settings_defaults_and_options():
    settings = load_settings("/nonexistent-folder", environ={})
    assert settings.stomp == StompSettings()
    assert settings.stomp.options(None) == {
        "login": None,
        "passcode": None,
        "host": "/",
        "heart_beat": (10000, 10000),
        "version": None,
    }


def test_stomp_settings_from_a_file_fill_the_codec(tmp_path):
    (tmp_path / "wsbdd.toml").write_text(
        "[stomp]\n"
        'url = "ws://127.0.0.1:15674/ws"\n'
        'login = "${client}"\n'
        'passcode = "${env.PW}"\n'
        'host = "/test"\n'
        "heart_beat = [500, 0]\n"
        'version = "1.2"\n'
    )
    settings = load_settings(tmp_path, environ={})
    assert settings.stomp.url == "ws://127.0.0.1:15674/ws"
    assert settings.protocol_url("stomp") == "ws://127.0.0.1:15674/ws"
    variables = settings.new_variables(environ={"PW": "pw"})
    variables.set("client", "Ann")
    codec = settings.codec_for("stomp", variables=variables)()
    assert isinstance(codec, StompCodec)
    assert (codec.login, codec.passcode, codec.host) == ("Ann", "pw", "/test")
    assert codec.heart_beat == (500, 0) and codec.versions == ("1.2",)
    assert settings.per_client_codec() is False  # the run's protocol is plain WebSocket
    values = settings.config_values()
    assert values["stomp.heart_beat"] == [500, 0] and "stomp.passcode" not in values


def test_step_options_override_the_settings(tmp_path):
    (tmp_path / "wsbdd.toml").write_text('[stomp]\nlogin = "guest"\npasscode = "guest"\n')
    settings = load_settings(tmp_path, environ={})
    codec = settings.codec_for(
        "stomp", variables=settings.new_variables(environ={}), login="ben", passcode="x"
    )()
    assert (codec.login, codec.passcode) == ("ben", "x")


def test_stomp_settings_from_the_environment(tmp_path):
    settings = load_settings(
        tmp_path,
        environ={
            "WSBDD_STOMP_HEART_BEAT": "0,250",
            "WSBDD_STOMP_VERSION": "1.2, 1.1",
            "WSBDD_STOMP_PASSCODE": "pw",
        },
    )
    assert settings.stomp.heart_beat == (0, 250)
    assert settings.stomp.version == "1.1,1.2"
    assert settings.stomp.passcode == "pw"


def test_a_toml_number_version_is_read():
    from wsbdd.settings.config import _Origin, _stomp_version

    assert _stomp_version(1.2, _Origin("wsbdd.toml", "wsbdd.toml"), ("stomp", "version")) == "1.2"
