"""The GraphQL part of the Session (wsbdd.facade.graphql), from Python, against the real
Strawberry app (tests/graphql_apps): what the steps call, and the sentences of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from wsbdd.facade.session import Run, Session
from wsbdd.model.errors import ConnectionProblem
from wsbdd.settings.config import GraphQLSettings, Settings


@pytest.fixture(scope="module", params=["graphql-transport-ws", "graphql-ws"])
def gql_run(request: Any, graphql_app: Any) -> Iterator[Run]:
    from graphql_servers import TOKEN

    settings = Settings(
        url=graphql_app.url,
        codec=request.param,
        timeout=2.0,
        graphql=GraphQLSettings(params={"token": TOKEN}),
    )
    with Run.start(settings) as run:
        yield run


@pytest.fixture
def gql(gql_run: Run) -> Iterator[Session]:
    with gql_run.session() as session:
        yield session


def test_a_subscription_gives_its_results_then_completes(gql: Session) -> None:
    gql.subscribe("Alice", "counter", "subscription { count(target: 3) }")
    results = gql.expect_results("counter", 3)
    assert [m.value["payload"]["data"]["count"] for m in results] == [0, 1, 2]
    last = gql.expect_last_result("counter", [])
    assert last.value["payload"] == {"data": {"count": 2}}
    gql.expect_completed("counter")


def test_variables_and_an_operation_name(gql: Session) -> None:
    query = "subscription A { count(target: 1) } subscription B($n: Int!) { count(target: $n) }"
    gql.connect_graphql(["Alice"])
    gql.start_operation("Alice", "b", query, {"n": 2}, "B")
    assert len(gql.expect_results("b", 2)) == 2


def test_a_mutation_over_http_reaches_the_subscription(gql: Session, graphql_app: Any) -> None:
    gql.subscribe("Alice", "room", "subscription { messages(room: 21) { text } }")
    assert gql.graphql_http_url() == graphql_app.http_url
    response = gql.graphql_over_http(
        "I", "mutation Post($t: String!) { post(room: 21, text: $t) { text } }", {"t": "hi"}
    )
    assert response.status == 200
    assert response.json == {"data": {"post": {"text": "hi"}}}
    from wsbdd.expect.operations import result_conditions

    gql.expect_result("room", result_conditions('$.data.messages.text is "hi"'))
    gql.cancel("Alice", "room")
    gql.graphql_over_http("I", 'mutation { post(room: 21, text: "later") { id } }')
    gql.expect_no_result("room", 0.2)


def test_an_error_fails_the_operation(gql: Session) -> None:
    gql.subscribe("Alice", "boom", 'subscription { boom(after: 1, message: "no luck") }')
    gql.expect_operation_error("boom", "no luck")


def test_params_of_the_step_replace_the_configured_ones(gql: Session) -> None:
    with pytest.raises(ConnectionProblem) as refused:
        gql.connect_graphql(["Mallory"], params={"token": "wrong"})
    assert "the server refused connection_init" in str(refused.value)
    assert "wrong" not in str(refused.value).replace("wrong token", "")
