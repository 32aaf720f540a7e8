"""`wsbdd check` reads the GraphQL steps as they read themselves: $ is the result, variables
and params are JSON, the connecting steps connect over GraphQL, and an operation is started
before a step waits on it."""

from __future__ import annotations

from test_check import findings, project  # noqa: F401  (the fixture)


def test_a_clean_graphql_scenario_has_no_findings(project):  # noqa: F811
    scenario = """\
    Given Alice is connected over GraphQL with params {"token": "t"}
    And clients Bob and Carol are connected over GraphQL with params {"token": "${client}"}
    When Alice subscribes to "subscription { count(target: 3) }" as "counter"
    Then "counter" gives 3 results, then completes within 2 seconds
    And the last result of "counter" is where $.data.count is 2
    When Dora subscribes to "subscription { messages(room: 1) { text } }" as "room"
    And I run the mutation "mutation { post(room: 1, text: \\"hi\\") { id } }" over HTTP
    Then "room" gives a result where $.data.messages.text is "hi"
    And the response is JSON where $.data.post.id exists
    When Bob runs the query "query Q($n: Int!) { hello }" as "q" with variables {"n": 1}
    Then "q" gives a result where $.data.hello is a string
    And Dora cancels "room"
    And "room" gives no result within 100 ms
    """
    assert findings(project, scenario) == []


def test_mistakes_in_operation_words_are_found(project):  # noqa: F811
    scenario = """\
    Given Alice is connected
    When Alice subscribes to "subscription { count(target: 3) }" as "counter"
    Then "countr" gives 3 results
    And "counter" gives a result where data is 1
    And Bob subscribes to "subscription { count(target: 3) }" as "b" with variables {"n": }
    """
    found = findings(project, scenario)
    assert found == [
        "features/x.feature:4: Alice is connected over plain WebSocket, so it cannot start a "
        'GraphQL operation: connect with "Given Alice is connected over GraphQL", or add "Given '
        'the server speaks GraphQL" before connecting.',
        'features/x.feature:5: There is no operation "countr" in this scenario (this scenario '
        'has "counter"); start it first, e.g. When Alice subscribes to "subscription { … }" as '
        '"countr".',
        'features/x.feature:6: The condition "data is 1" does not start with a path; in an '
        "operation step $ is the result: write e.g. $.data.count is 2, or $.errors[0].message "
        'contains "…".',
        found[3],
    ]
    assert found[3].startswith("features/x.feature:7: The JSON is not valid")


def test_the_server_speaking_graphql_makes_plain_connections_graphql(project):  # noqa: F811
    scenario = """\
    Given the server speaks GraphQL
    And Alice is connected
    When Alice subscribes to "subscription { count(target: 3) }" as "counter"
    """
    assert findings(project, scenario) == []


def test_a_run_that_speaks_graphql_connects_plain_steps_over_it(project):  # noqa: F811
    scenario = """\
    Given Alice is connected
    When Alice subscribes to "subscription { count(target: 3) }" as "counter"
    Then "counter" gives 3 results, then completes
    """
    assert findings(project, scenario, config='protocol = "graphql-ws"\n') == []
    assert len(findings(project, scenario, config='protocol = "websocket"\n')) == 1
