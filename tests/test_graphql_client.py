"""The GraphQL codecs inside wsbdd's client and session, against a real GraphQL server.

The server is Strawberry on uvicorn (tests/graphql_apps/app.py, started by
tests/graphql_servers.py), serving both subprotocols at /graphql.  Every test runs over
graphql-transport-ws and over the legacy graphql-ws: the handshake with the connection
params, subscriptions with their results and completion, the error path, cancelling, a
refused token and a connection_init never acknowledged (each one sentence), and the
server's keep-alives answered between steps.
"""

from __future__ import annotations

import time

import pytest

from wsbdd.codec import Cancel, GraphQLCodec, LegacyGraphQLCodec, Operation
from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem
from wsbdd.settings.config import GraphQLSettings, Settings

PROTOCOLS = ["graphql", "graphql-ws"]
TOKEN = "secret-token"


def start(server, protocol: str, *, url: str | None = None, **table):
    """A run speaking ``protocol`` to ``server`` (its address without the path: the codec
    adds /graphql), with the ``[graphql]`` table's ``table``."""
    table.setdefault("params", {"token": TOKEN})
    settings = Settings(
        url=url or server.base_url,
        timeout=5.0,
        connect_timeout=5.0,
        codec=protocol,
        graphql=GraphQLSettings(**table),
    )
    run = Run.start(settings)
    return run, run.session()


def results(session, name: str, operation: str, count: int) -> list[dict]:
    found = []
    for _ in range(count):
        message = session.receive(name, where(f'$.operation is "{operation}"'))
        found.append(message.value)
    return found


def completed(session, name: str, operation: str, timeout: float = 5.0):
    """The protocol message saying ``operation`` completed (generic steps never see it)."""
    client = session.client(name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in client.inbox.messages:
            value = message.value
            if message.protocol and value.get("type") == "complete":
                if value.get("operation") == operation:
                    return message
        session.receive_nothing(name, where('$.type is "never"'), 0.05)
    raise AssertionError(f"{operation} did not complete within {timeout} s")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_subscription_gives_its_results_then_completes(graphql_app, protocol):
    run, session = start(graphql_app, protocol)
    with run, session:
        outcome = session.connect("Alice")
        alice = session.client("Alice")
        assert alice.connected and outcome.opened_at is not None
        expected = "graphql-transport-ws" if protocol == "graphql" else "graphql-ws"
        assert outcome.subprotocol == expected
        codec = alice.codec
        assert isinstance(codec, GraphQLCodec)
        assert isinstance(codec, LegacyGraphQLCodec) == (protocol == "graphql-ws")
        counter = Operation("counter", "subscription { count(target: 3) }")
        session.send("Alice", counter)
        assert counter.id == "1"
        values = results(session, "Alice", "counter", 3)
        assert [v["payload"] for v in values] == [{"data": {"count": n}} for n in range(3)]
        assert {(v["type"], v["id"]) for v in values} == {("next", "1")}
        done = completed(session, "Alice", "counter")
        assert done.value == {"type": "complete", "operation": "counter", "id": "1"}
        assert done.label == "counter complete"
        session.receive_nothing("Alice", None, 0.1)  # complete is no app message
        assert session.strict_problems() is None
        verb = "subscribe" if protocol == "graphql" else "start"
        labels = [s.label for s in alice.sent]
        # (The opening's connection_init is the handshake's, not a step's: not in sent.)
        assert labels == [f"{verb} counter: subscription {{ count(target: 3) }}"]


POST = "mutation Post($room: Int!, $text: String!) { post(room: $room, text: $text) { id text } }"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_subscription_hears_what_a_mutation_posts(graphql_app, protocol):
    run, session = start(graphql_app, protocol)
    with run, session:
        session.connect("Bob")
        # Strawberry runs only subscriptions over the legacy protocol: Alice posts over
        # graphql-transport-ws in both cases.
        session.connect_over("GraphQL", ["Alice"], params={"token": TOKEN})
        room = 7000 + PROTOCOLS.index(protocol)
        query = f"subscription {{ messages(room: {room}) {{ text }} }}"
        session.send("Bob", Operation("room", query))
        session.send("Alice", Operation("q", 'query { hello(name: "Alice") }'))
        hello = session.receive("Alice", where('$.operation is "q"'))
        assert hello.value["payload"] == {"data": {"hello": "Hello, Alice!"}}
        completed(session, "Alice", "q")
        # The subscription is registered once the server runs it: post until Bob hears it.
        heard = None
        for attempt in range(20):
            name = f"post{attempt}"
            variables = {"room": room, "text": "hi"}
            session.send("Alice", Operation(name, POST, variables, operation_name="Post"))
            posted = session.receive("Alice", where(f'$.operation is "{name}"'))
            assert posted.value["payload"]["data"]["post"]["text"] == "hi"
            try:
                heard = session.receive("Bob", where('$.operation is "room"'), timeout=0.2)
                break
            except AssertionError:
                continue
        assert heard is not None
        assert heard.value["payload"] == {"data": {"messages": {"text": "hi"}}}
        assert heard.label == 'room next {"data": {"messages": {"text": "hi"}}}'


def test_a_query_over_the_legacy_protocol_is_an_error_from_strawberry(graphql_app):
    run, session = start(graphql_app, "graphql-ws")
    with run, session:
        session.connect("Alice")
        session.send("Alice", Operation("q", "{ hello }"))
        answer = session.receive("Alice", where('$.operation is "q"'))
        assert answer.value["type"] == "error"
        assert isinstance(answer.value["payload"], list)
        assert "not allowed" in answer.value["payload"][0]["message"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_error_paths(graphql_app, protocol):
    run, session = start(graphql_app, protocol)
    with run, session:
        session.connect("Alice")
        # A query the schema does not know: an error message, payload a list.
        session.send("Alice", Operation("bad", "subscription { nope }"))
        error = session.receive("Alice", where('$.operation is "bad"'))
        assert error.value["type"] == "error"
        assert error.value["payload"][0]["message"] == (
            "Cannot query field 'nope' on type 'Subscription'."
        )
        assert error.label == "bad error \"Cannot query field 'nope' on type 'Subscription'.\""
        # A subscription that raises: a result with errors.
        session.send(
            "Alice", Operation("boom", 'subscription { boom(after: 1, message: "Kaput") }')
        )
        first, second = results(session, "Alice", "boom", 2)
        assert first["payload"] == {"data": {"boom": 0}}
        assert second["type"] == "next"
        assert second["payload"]["data"] is None
        assert second["payload"]["errors"][0]["message"] == "Kaput"
        assert session.client("Alice").connected


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_cancel_stops_the_results(graphql_app, protocol):
    run, session = start(graphql_app, protocol)
    with run, session:
        session.connect("Alice")
        session.send("Alice", Operation("slow", "subscription { count(target: 1000, every: 100) }"))
        session.receive("Alice", where('$.operation is "slow"'))
        session.send("Alice", Cancel("slow"))
        stop = "complete" if protocol == "graphql" else "stop"
        assert session.client("Alice").sent[-1].payload == f'{{"id": "1", "type": "{stop}"}}'
        assert session.client("Alice").sent[-1].label == f"{stop} slow"
        # At most one result was on its way when the server stopped it; then none come.
        alice = session.client("Alice")

        def slow_results() -> int:
            return sum(1 for m in alice.inbox.messages if m.value.get("type") == "next")

        session.receive_nothing("Alice", where('$.type is "never"'), 0.3)  # a wait
        after_cancel = slow_results()
        assert after_cancel <= 3  # the first, and what was on its way on a slow machine
        session.receive_nothing("Alice", where('$.type is "never"'), 0.5)  # 5 results' time
        assert slow_results() == after_cancel
        assert alice.connected


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_wrong_token_is_refused_in_one_sentence(graphql_app, protocol):
    run, session = start(graphql_app, protocol, params={"token": "wrong"})
    with run, session:
        with pytest.raises(ConnectionProblem) as refused:
            session.connect("Mallory")
        address = f"ws://127.0.0.1:{graphql_app.port}"
        if protocol == "graphql":
            said = (
                "the server refused connection_init: 4403 Forbidden (the connection params "
                "were not accepted)"
            )
        else:
            said = "the server refused connection_init with connection_error: wrong token"
        assert str(refused.value) == f"Mallory could not connect to {address}: {said}."
        assert "wrong" not in str(refused.value).replace("wrong token", "")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_connection_init_never_acknowledged(graphql_app, protocol):
    settings = Settings(
        url=graphql_app.url,  # with its path: kept as it is
        connect_timeout=0.5,
        codec=protocol,
        graphql=GraphQLSettings(params={"token": TOKEN, "ack": False}),
    )
    with Run.start(settings) as run, run.session() as session:
        with pytest.raises(ConnectionProblem) as unanswered:
            session.connect("Alice")
        assert str(unanswered.value) == (
            f"Alice could not connect to {graphql_app.url}: the server did not acknowledge "
            "connection_init within 0.5 s."
        )


def test_a_per_connection_params_and_the_protocol_url(graphql_app):
    # The run speaks plain WebSocket to somewhere else; GraphQL clients go to [graphql] url.
    settings = Settings(
        url="ws://127.0.0.1:9/elsewhere",
        graphql=GraphQLSettings(url=graphql_app.base_url, params={"token": "wrong"}),
    )
    with Run.start(settings) as run, run.session() as session:
        session.use_protocol("GraphQL")
        session.connect_over("GraphQL", ["Alice"], params={"token": TOKEN})
        session.send("Alice", Operation("q", "{ hello }"))
        assert session.receive("Alice", where('$.operation is "q"')).value["payload"] == {
            "data": {"hello": "Hello, world!"}
        }


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_keep_alives_are_answered_between_steps(graphql_app_pinging, protocol):
    run, session = start(graphql_app_pinging, protocol)
    with run, session:
        session.connect("Alice")
        # Nothing for the steps while the server pings (or sends ka) every 200 ms.
        session.receive_nothing("Alice", None, 1.0)
        alice = session.client("Alice")
        assert len(alice.inbox) == 0
        if protocol == "graphql":
            # (Replies are the reader's, not a step's: not in sent; the server counts them.)
            session.send("Alice", Operation("p", "{ pongs }"))
            answer = session.receive("Alice", where('$.operation is "p"'))
            assert answer.value["payload"]["data"]["pongs"] >= 2
        else:
            assert alice.sent == []  # ka wants no answer
        assert alice.connected


def test_the_app_answers_graphql_over_http(graphql_app):
    """The HTTP side the "over HTTP" steps use: the same schema at http_url."""
    import httpx

    body = {"query": 'mutation { post(room: 9100, text: "hi") { id text } }'}
    answer = httpx.post(graphql_app.http_url, json=body, timeout=5)
    assert answer.status_code == 200
    assert answer.json()["data"]["post"]["text"] == "hi"
    hello = httpx.post(graphql_app.http_url, json={"query": "{ hello }"}, timeout=5)
    assert hello.json() == {"data": {"hello": "Hello, world!"}}
    assert (
        httpx.get(graphql_app.http_url.replace("/graphql", "/nope"), timeout=5).status_code == 404
    )
