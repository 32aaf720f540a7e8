"""The STOMP part of the session (wsbdd/facade/stomp.py) against the real RabbitMQ broker: what
it remembers between steps (subscription ids per client and destination, the last message,
kept messages), the bodies and headers it sends, receipts, acknowledgements, transactions."""

from __future__ import annotations

from typing import Any

import pytest

from wsbdd.facade.session import Run
from wsbdd.facade.stomp import stomp_body
from wsbdd.match.grammar import conditions
from wsbdd.model.errors import ExpectationFailed
from wsbdd.model.variables import Variables
from wsbdd.settings.config import Settings


def where(text: str) -> tuple[Any, ...]:
    return conditions(text, Variables()).conditions


def test_a_body_is_text_bytes_or_json_with_its_content_type():
    assert stomp_body("hi") == ("hi", {"content-type": "text/plain"})
    assert stomp_body(b"\x00\x01") == (b"\x00\x01", {})
    assert stomp_body({"text": "hé"}) == ('{"text": "hé"}', {"content-type": "application/json"})
    assert stomp_body([1, 2], {"Content-Type": "application/vnd.x+json"}) == (
        "[1, 2]",
        {"Content-Type": "application/vnd.x+json"},
    )
    assert stomp_body(3) == ("3", {"content-type": "application/json"})


@pytest.fixture(scope="module")
def stomp_run(stomp_broker: Any) -> Any:
    settings = Settings(url=stomp_broker.url, timeout=3.0, quiet_window=0.3)
    with Run.start(settings) as run:
        yield run


@pytest.fixture
def st(stomp_run: Any, stomp_broker: Any) -> Any:
    with stomp_run.session() as session:
        session.connect_stomp(
            ["Ann", "Ben"], login=stomp_broker.login, passcode=stomp_broker.passcode
        )
        yield session


def test_subscription_ids_are_remembered_per_client_and_destination(st):
    assert st.stomp_subscribe(["Ann", "Ben"], "/topic/s.one") == ["sub-0", "sub-0"]
    assert st.stomp_subscribe(["Ben"], "/topic/s.two") == ["sub-1"]
    assert st.subscription_id("Ben", "/topic/s.two") == "sub-1"
    st.stomp_unsubscribe("Ben", "/topic/s.one")
    st.stomp_send("Ann", "/topic/s.one", {"n": 1}, receipt=True)
    st.stomp_send("Ann", "/topic/s.two", {"n": 2}, receipt=True)
    st.expect_stomp_message("Ann", "/topic/s.one", where("$.body.n is 1"))
    st.expect_no_stomp_message("Ben", "/topic/s.one")
    got = st.expect_stomp_message("Ben", None, where("$.body.n is 2"))
    assert got.value["headers"]["subscription"] == "sub-1"


def test_bodies_and_headers_reach_the_subscriber(st):
    st.stomp_subscribe(["Ben"], "/topic/s.bodies")
    st.stomp_send("Ann", "/topic/s.bodies", "plain", headers={"x-trace": "7"})
    st.stomp_send("Ann", "/topic/s.bodies", {"a": [1]}, headers={"content-type": "text/x-json"})
    first = st.expect_stomp_message("Ben", "/topic/s.bodies")
    assert first.value["body"] == "plain"
    st.expect_last_header("Ben", "x-trace", "7")
    st.expect_last_header("Ben", "content-type", "text/plain")
    second = st.expect_stomp_message("Ben", "/topic/s.bodies")
    assert second.value["body"] == '{"a": [1]}'  # not a JSON content type: text
    assert st.last_stomp_message("Ben") is second


def test_a_nacked_message_comes_again_and_an_acked_one_does_not(st):
    st.stomp_subscribe(["Ben"], "/queue/s.work", ack="client-individual")
    st.stomp_send("Ann", "/queue/s.work", {"job": 1})
    st.expect_stomp_message("Ben", "/queue/s.work", where('$.headers.redelivered is "false"'))
    st.acknowledge_message("Ben", nack=True)
    st.expect_stomp_message("Ben", "/queue/s.work", where('$.headers.redelivered is "true"'))
    st.acknowledge_message("Ben")
    st.expect_no_stomp_message("Ben", "/queue/s.work", window=0.5)


def test_a_transaction_delivers_at_its_commit_and_never_after_an_abort(st):
    st.stomp_subscribe(["Ben"], "/topic/s.tx")
    st.stomp_begin("Ann", "t1")
    st.stomp_send("Ann", "/topic/s.tx", {"n": 1}, transaction="t1")
    st.expect_no_stomp_message("Ben", "/topic/s.tx")
    st.stomp_commit("Ann", "t1", receipt=True)
    st.expect_stomp_message("Ben", "/topic/s.tx", where("$.body.n is 1"))
    st.stomp_begin("Ann", "t2", receipt=True)
    st.stomp_send("Ann", "/topic/s.tx", {"n": 2}, transaction="t2")
    st.stomp_abort("Ann", "t2", receipt=True)
    st.expect_no_stomp_message("Ben", "/topic/s.tx", window=0.5)


def test_an_error_frame_is_a_message_the_steps_can_claim(st):
    st.stomp_commit("Ann", "never-begun")
    error = st.expect_stomp_error("Ann", where('$.headers.message is "Bad transaction"'))
    assert "never-begun" in error.value["body"]
    with pytest.raises(ExpectationFailed):
        st.expect_stomp_error("Ann", (), 0.2)  # claimed: it satisfies one step
