"""The STOMP codec inside wsbdd's client and session, against a real broker.

The broker is a private RabbitMQ node with Web-STOMP (tests/rabbitmq.py, the session-scoped
``stomp_broker`` fixture).  Each test uses destinations of its own.  What the pure tests
(tests/test_stomp_codec.py) check on bytes is checked here on the wire: CONNECT and
CONNECTED, a refused login, subscriptions and MESSAGEs, queues and topics, ACK and NACK,
transactions, receipts, heart-beats between steps and DISCONNECT.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from wsbdd.codec import (
    StompAbort,
    StompAck,
    StompBegin,
    StompCodec,
    StompCommit,
    StompNack,
    StompSend,
    StompSubscribe,
)
from wsbdd.expect.events import Answer
from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.match.messages import MessageMatcher
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed
from wsbdd.settings.config import Settings, StompSettings

JSON = {"content-type": "application/json"}


def unique(kind: str = "topic") -> str:
    return f"/{kind}/wsbdd.{uuid.uuid4().hex[:10]}"


def session_for(broker: Any, **stomp: Any):
    options = {"login": broker.login, "passcode": broker.passcode, **stomp}
    settings = Settings(url=broker.url, timeout=10.0, codec="stomp", stomp=StompSettings(**options))
    run = Run.start(settings)
    return run, run.session()


def codec_of(session, name: str) -> StompCodec:
    codec = session.client(name).codec
    assert isinstance(codec, StompCodec)
    return codec


class Receipt(MessageMatcher):
    """The broker's RECEIPT for ``receipt_id`` (a protocol message)."""

    def __init__(self, receipt_id: str | None) -> None:
        self.receipt_id = receipt_id

    def matches(self, message, mismatch_description=None) -> bool:
        value = message.value
        ok = (
            message.protocol
            and isinstance(value, dict)
            and value.get("command") == "RECEIPT"
            and value["headers"].get("receipt-id") == self.receipt_id
        )
        return bool(ok) or self._report(False, message, mismatch_description)

    def describe(self) -> str:
        return f"RECEIPT {self.receipt_id}"

    def mismatch(self, message) -> str:
        return "another message"


def receipt(session, name: str, receipt_id: str | None, timeout: float = 10.0):
    """Wait for the broker's RECEIPT ``receipt_id`` to ``name`` (the way a step waits)."""
    return session._wait(name, Answer(name, Receipt(receipt_id), timeout, 0))[0]


def subscribe(session, name: str, destination: str, **options: Any) -> StompSubscribe:
    """Subscribe and wait for the broker's receipt: from then on it delivers."""
    intent = StompSubscribe(destination, receipt=True, **options)
    session.send(name, intent)
    receipt(session, name, intent.receipt_id)
    return intent


# -- connecting ------------------------------------------------------------------------------


def test_connects_with_connect_and_is_ready_on_connected(stomp_broker):
    assert stomp_broker.url == f"ws://127.0.0.1:{stomp_broker.port}/ws"
    run, session = session_for(stomp_broker)
    with run, session:
        outcome = session.connect("Ann")
        assert outcome.opened_at is not None
        assert outcome.subprotocol == "v12.stomp"
        codec = codec_of(session, "Ann")
        assert codec.ready and codec.version == "1.2"
        assert codec.server is not None and codec.server.startswith("RabbitMQ/")
        assert codec.send_every == 10000 and codec.expect_every == 10000
        session.receive_nothing("Ann", None, 0.2)  # CONNECTED and heart-beats are chatter
        assert len(session.client("Ann").inbox) == 0


def test_a_wrong_passcode_is_refused_in_one_sentence(stomp_broker):
    run, session = session_for(stomp_broker, passcode="not-the-passcode")
    with run, session:
        with pytest.raises(ConnectionProblem) as refused:
            session.connect("Mallory")
        assert str(refused.value) == (
            f"Mallory could not connect to {stomp_broker.url}: the broker refused the "
            "connection: Bad CONNECT (Access refused for user 'guest')."
        )


def test_a_user_whose_passcode_is_its_login_connects(stomp_broker):
    same = stomp_broker.same_login
    run, session = session_for(stomp_broker, login=same, passcode=same)
    with run, session:
        session.connect("Ann")
        assert codec_of(session, "Ann").ready


def test_an_older_version_is_agreed_when_only_it_is_offered(stomp_broker):
    run, session = session_for(stomp_broker, version="1.1")
    with run, session:
        session.connect("Ann")
        assert codec_of(session, "Ann").version == "1.1"


# -- messages --------------------------------------------------------------------------------


def test_subscribe_send_and_a_json_message(stomp_broker):
    topic = unique()
    run, session = session_for(stomp_broker)
    with run, session:
        session.connect_all(["Ann", "Ben"])
        subscription = subscribe(session, "Ben", topic)
        assert subscription.id == "sub-0"
        send = StompSend(topic, '{"text": "hi"}', JSON)
        session.send("Ann", send)
        message = session.receive("Ben", where('$.command is "MESSAGE" and $.body.text is "hi"'))
        assert message.value["body"] == {"text": "hi"}
        headers = message.value["headers"]
        assert headers["destination"] == topic
        assert headers["subscription"] == "sub-0"
        assert headers["content-type"] == "application/json"
        assert message.label == f'MESSAGE {topic} {{"text": "hi"}}'
        sent = session.client("Ann").sent
        assert sent[-1].label == f'SEND {topic} {{"text": "hi"}}'


def test_text_bodies_and_bodies_with_nul(stomp_broker):
    queue = unique("queue")
    run, session = session_for(stomp_broker)
    with run, session:
        session.connect("Ann")
        subscribe(session, "Ann", queue)
        session.send("Ann", StompSend(queue, "plain words", {"content-type": "text/plain"}))
        text = session.receive("Ann")
        assert text.value["body"] == "plain words"
        # NULs inside a body travel by its content-length.  (RabbitMQ writes frames as
        # WebSocket text by default, so a body that is not UTF-8 needs its
        # web_stomp.ws_frame = binary; the codec reads both, tests/test_stomp_codec.py.)
        session.send("Ann", StompSend(queue, b"\x00nul\x00inside\x00"))
        binary = session.receive("Ann")
        assert binary.value["body"] == "\x00nul\x00inside\x00"
        assert binary.value["headers"]["content-length"] == "12"


def test_a_topic_reaches_every_subscriber_and_a_queue_one(stomp_broker):
    topic, queue = unique("topic"), unique("queue")
    run, session = session_for(stomp_broker)
    with run, session:
        session.connect_all(["Ann", "Ben", "Cid"])
        for name in ("Ben", "Cid"):
            subscribe(session, name, topic)
            subscribe(session, name, queue)
        session.send("Ann", StompSend(topic, "to all"))
        for name in ("Ben", "Cid"):
            assert session.receive(name, where('$.body is "to all"')).value["body"] == "to all"
        session.send("Ann", StompSend(queue, "to one"))
        session.send("Ann", StompSend(queue, "to another"))
        got = []
        for name in ("Ben", "Cid"):  # RabbitMQ hands a queue's messages round-robin
            got.append(session.receive(name, where(f'$.headers.destination is "{queue}"')))
        assert sorted(m.value["body"] for m in got) == ["to another", "to one"]
        session.receive_nothing("Ben", None, 0.3)
        session.receive_nothing("Cid", None, 0.3)


def test_a_queue_keeps_what_was_sent_before_the_subscription_and_a_topic_does_not(stomp_broker):
    topic, queue = unique("topic"), unique("queue")
    run, session = session_for(stomp_broker)
    with run, session:
        session.connect_all(["Ann", "Ben"])
        sent = StompSend(queue, "kept", receipt=True)
        session.send("Ann", sent)
        receipt(session, "Ann", sent.receipt_id)
        lost = StompSend(topic, "lost", receipt=True)
        session.send("Ann", lost)
        receipt(session, "Ann", lost.receipt_id)
        subscribe(session, "Ben", queue)
        subscribe(session, "Ben", topic)
        assert session.receive("Ben").value["body"] == "kept"
        session.receive_nothing("Ben", None, 0.3)


def test_ack_and_nack_with_client_individual(stomp_broker):
    queue = unique("queue")
    run, session = session_for(stomp_broker)
    with run, session:
        session.connect_all(["Ann", "Ben"])
        subscribe(session, "Ben", queue, ack="client-individual")
        session.send("Ann", StompSend(queue, "one"))
        session.send("Ann", StompSend(queue, "two"))
        one = session.receive("Ben", where('$.body is "one"'))
        two = session.receive("Ben", where('$.body is "two"'))
        assert one.value["headers"]["ack"]
        ack = StompAck(one.value["headers"], receipt=True)
        session.send("Ben", ack)
        receipt(session, "Ben", ack.receipt_id)
        assert session.client("Ben").sent[-1].label == (
            f"ACK {one.value['headers']['ack']} (receipt {ack.receipt_id})"
        )
        session.send("Ben", StompNack(two.value["headers"]))  # RabbitMQ requeues it
        again = session.receive("Ben", where('$.body is "two"'))
        assert again.value["headers"]["redelivered"] == "true"
        session.send("Ben", StompAck(again.value["headers"]))
        session.receive_nothing("Ben", None, 0.3)


def test_transactions_commit_and_abort(stomp_broker):
    topic = unique()
    run, session = session_for(stomp_broker)
    with run, session:
        session.connect_all(["Ann", "Ben"])
        subscribe(session, "Ben", topic)
        session.send("Ann", StompBegin("tx1"))
        session.send("Ann", StompSend(topic, "in tx1", transaction="tx1"))
        session.receive_nothing("Ben", None, 0.3)  # held until the commit
        commit = StompCommit("tx1", receipt=True)
        session.send("Ann", commit)
        receipt(session, "Ann", commit.receipt_id)
        assert session.receive("Ben").value["body"] == "in tx1"
        session.send("Ann", StompBegin("tx2"))
        session.send("Ann", StompSend(topic, "in tx2", transaction="tx2"))
        abort = StompAbort("tx2", receipt=True)
        session.send("Ann", abort)
        receipt(session, "Ann", abort.receipt_id)
        session.receive_nothing("Ben", None, 0.3)
        labels = [s.label for s in session.client("Ann").sent]
        assert labels[-3:] == [
            "BEGIN tx2",
            f'SEND {topic} "in tx2" (transaction tx2)',
            f"ABORT tx2 (receipt {abort.receipt_id})",
        ]


def test_receipts_are_protocol_messages(stomp_broker):
    topic = unique()
    run, session = session_for(stomp_broker)
    with run, session:
        session.connect("Ann")
        send = StompSend(topic, "nobody listens", receipt=True)
        session.send("Ann", send)
        found = receipt(session, "Ann", send.receipt_id)
        assert found.value == {
            "command": "RECEIPT",
            "headers": {"receipt-id": send.receipt_id},
            "body": "",
        }
        assert found.label == f"RECEIPT {send.receipt_id}"
        session.receive_nothing("Ann", None, 0.2)  # generic steps never see it
        with pytest.raises(ExpectationFailed):
            receipt(session, "Ann", "r-never", timeout=0.3)


# -- heart-beats and the end -----------------------------------------------------------------


def test_heart_beats_keep_the_connection_between_steps(stomp_broker):
    topic = unique()
    run, session = session_for(stomp_broker, heart_beat=(200, 200))
    with run, session:
        session.connect_all(["Ann", "Ben"])
        codec = codec_of(session, "Ann")
        # RabbitMQ answers a heart-beat below a second with one second, both ways.
        assert codec.send_every >= 200 and 0 < codec.expect_every <= 1000
        # Many of the broker's intervals pass with no step: both sides' heart-beats keep
        # the connection (RabbitMQ closes a client that sends none; the codec fails a
        # broker that sends none).
        session.receive_nothing("Ann", None, 3.0)  # past the 2 s a silent broker gets
        assert session.client("Ann").connected
        subscribe(session, "Ben", topic)
        session.send("Ann", StompSend(topic, "still here"))
        assert session.receive("Ben").value["body"] == "still here"


def test_an_error_after_connected_is_a_message(stomp_broker):
    run, session = session_for(stomp_broker)
    with run, session:
        session.connect("Ann")
        session.send("Ann", StompSubscribe("/nowhere/at-all"))
        error = session.receive("Ann", where('$.command is "ERROR"'))
        assert error.value["headers"]["message"] == "Unknown destination"
        assert "'/nowhere/at-all' is not a valid destination" in error.value["body"]
        assert error.label == 'ERROR "Unknown destination"'
        # RabbitMQ keeps the connection after such an ERROR (the spec lets a broker close
        # it): the client goes on.
        topic = unique()
        subscribe(session, "Ann", topic)
        assert session.client("Ann").connected


def test_disconnect_is_sent_before_the_websocket_closes(stomp_broker):
    run, session = session_for(stomp_broker)
    with run, session:
        session.connect("Ann")
        session.disconnect("Ann")
        outcome = session.expect_disconnected("Ann")
        assert outcome.app_reason == "client DISCONNECT"
        assert codec_of(session, "Ann")._disconnect_receipt == "r-1"  # DISCONNECT went out


# -- the broker fixture's own failures -------------------------------------------------------


def test_a_missing_rabbitmq_is_one_sentence(monkeypatch, tmp_path):
    import rabbitmq

    monkeypatch.setattr(rabbitmq, "SERVER", tmp_path / "rabbitmq-server")
    with pytest.raises(rabbitmq.BrokerUnavailable) as missing:
        with rabbitmq.rabbitmq_broker():
            pass
    assert str(missing.value) == (
        "The STOMP tests need RabbitMQ from Debian's rabbitmq-server package, and "
        f"{tmp_path}/rabbitmq-server is not here: run the README's test command, or `sudo env "
        "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "
        "rabbitmq-server`."
    )


def test_a_node_that_cannot_start_says_what_its_log_said(monkeypatch):
    import rabbitmq

    written = rabbitmq._write_files

    def broken(folder):
        written(folder)
        with open(folder / "rabbitmq.conf", "a") as conf:
            conf.write("web_stomp.tcp.port = not-a-port\n")

    monkeypatch.setattr(rabbitmq, "_write_files", broken)
    with pytest.raises(rabbitmq.BrokerUnavailable) as failed:
        with rabbitmq.rabbitmq_broker():
            pass
    assert str(failed.value) == (
        "The private RabbitMQ node did not start; its log said: Error preparing configuration "
        "in phase transform_datatypes: | - Error transforming datatype for: web_stomp.tcp.port "
        '| - "not-a-port" cannot be converted to a(n) integer | BOOT FAILED | Error during '
        "startup: {error,failed_to_prepare_configuration}"
    )
