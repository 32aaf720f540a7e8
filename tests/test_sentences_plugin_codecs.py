"""A codec of the project's own that forgets to number what it sends, pinned whole.

wsbdd waits for a GraphQL operation's results by its id, for a STOMP RECEIPT by the
frame's receipt id, for a Socket.IO acknowledgement by the emit's ack id: the codec
sets each as it encodes the intent.  A project codec built on wsbdd's (``codec =
"package.module:Class"``) that encodes a copy of the intent leaves the original
unnumbered; each of these sentences names the codec and what it must set.  Real
servers: the Strawberry app, python-socketio and a RabbitMQ node.
"""

# ruff: noqa: E501  (whole sentences, one string each)
from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from tests.sentences import assert_raises_sentence
from wsbdd.codec import GraphQLCodec, SocketIOCodec, StompCodec
from wsbdd.codec.graphql import Operation
from wsbdd.codec.socketio import Emit
from wsbdd.codec.stomp import StompSend, StompSubscribe
from wsbdd.facade.session import Run
from wsbdd.model.errors import FeatureMistake
from wsbdd.settings.config import GraphQLSettings, Settings, StompSettings

HERE = __name__


class ForgetfulGraphQL(GraphQLCodec):
    """Encodes a copy of each operation: the step's own Operation never gets its id."""

    def encode(self, intent: Any) -> Sequence[Any]:
        if isinstance(intent, Operation):
            intent = dataclasses.replace(intent)
        return super().encode(intent)


class ForgetfulStomp(StompCodec):
    def encode(self, intent: Any) -> Sequence[Any]:
        if isinstance(intent, StompSend | StompSubscribe):
            intent = dataclasses.replace(intent)
        return super().encode(intent)


class ForgetfulSocketIO(SocketIOCodec):
    def encode(self, intent: Any) -> Sequence[Any]:
        if isinstance(intent, Emit):
            intent = dataclasses.replace(intent)
        return super().encode(intent)


def session_of(settings: Settings) -> Iterator[Any]:
    with Run.start(settings) as run, run.session() as session:
        yield session


@pytest.fixture
def graphql(graphql_app):
    from graphql_servers import TOKEN

    settings = Settings(
        url=graphql_app.url,
        codec=f"{HERE}:ForgetfulGraphQL",
        timeout=2.0,
        graphql=GraphQLSettings(params={"token": TOKEN}),
    )
    yield from session_of(settings)


@pytest.fixture
def stomp(stomp_broker):
    settings = Settings(
        url=stomp_broker.url,
        codec=f"{HERE}:ForgetfulStomp",
        timeout=2.0,
        stomp=StompSettings(login=stomp_broker.login, passcode=stomp_broker.passcode),
    )
    yield from session_of(settings)


@pytest.fixture
def socketio(python_socketio):
    settings = Settings(url=python_socketio.url, codec=f"{HERE}:ForgetfulSocketIO", timeout=2.0)
    yield from session_of(settings)


def test_a_graphql_operation_without_an_id(graphql):
    graphql.connect("Alice")
    assert_raises_sentence(
        'Alice\'s operation "counter" went out without an id: the codec ForgetfulGraphQL must '
        "set the Operation's id as it encodes it, for wsbdd to find the operation's results.",
        graphql.start_operation,
        "Alice",
        "counter",
        "subscription { count(target: 1) }",
        kind=FeatureMistake,
    )


@pytest.mark.xdist_group("stomp")  # one RabbitMQ broker for every STOMP test: one worker
def test_a_stomp_frame_without_a_receipt_id_or_a_subscription_without_an_id(stomp):
    stomp.connect("Alice")
    assert_raises_sentence(
        'Alice\'s SEND to "/queue/wsbdd-forgetful" went out without a receipt id: the codec '
        "ForgetfulStomp must set the frame's receipt_id as it encodes it, for wsbdd to wait for "
        "the broker's RECEIPT.",
        stomp.stomp_send,
        "Alice",
        "/queue/wsbdd-forgetful",
        "hi",
        receipt=True,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'Alice\'s SUBSCRIBE to "/queue/wsbdd-forgetful" went out without an id: the codec '
        "ForgetfulStomp must set the StompSubscribe's id as it encodes it, for wsbdd to know "
        "the subscription.",
        stomp.stomp_subscribe,
        ["Alice"],
        "/queue/wsbdd-forgetful",
        receipt=False,
        kind=FeatureMistake,
    )


def test_an_emit_asking_for_an_acknowledgement_without_an_ack_id(socketio):
    socketio.connect("Alice")
    assert_raises_sentence(
        'Alice\'s emit of "chat" got no acknowledgement id.',
        socketio.emit,
        "Alice",
        "chat",
        ["hi"],
        wants_ack=True,
        kind=FeatureMistake,
    )
