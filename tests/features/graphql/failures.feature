@fails
Feature: GraphQL failures say which operation, what was expected and what came
  tests/test_graphql_features.py runs these with --tags=@fails and pins each sentence; each
  scenario fails on its own and the run goes on.

  Scenario: An unknown subscription field
    Given Alice is connected over GraphQL
    When Alice subscribes to "subscription { nope }" as "bad"
    Then "bad" gives 3 results, then completes within 2 seconds

  Scenario: Fewer results than expected
    Given Alice is connected over GraphQL
    When Alice subscribes to "subscription { count(target: 2) }" as "counter"
    Then "counter" gives 3 results, then completes within 2 seconds

  Scenario: More results than expected
    Given Alice is connected over GraphQL
    When Alice subscribes to "subscription { count(target: 3) }" as "counter"
    Then "counter" gives 2 results, then completes within 2 seconds

  Scenario: The last result differs
    Given Alice is connected over GraphQL
    When Alice subscribes to "subscription { count(target: 3) }" as "counter"
    Then the last result of "counter" is where $.data.count is 5

  Scenario: No result comes
    Given Alice is connected over GraphQL
    When Alice subscribes to "subscription { messages(room: 9) { text } }" as "room"
    Then "room" gives a result where $.data.messages.text is "hi" within 300 ms

  Scenario: An error that never comes
    Given Alice is connected over GraphQL
    When Alice subscribes to "subscription { count(target: 1) }" as "counter"
    Then "counter" fails with the error "boom"

  Scenario: A wrong token
    Given Mallory is connected over GraphQL with params {"token": "wrong"}

  Scenario: A server that never acknowledges the connection
    Given Alice is connected over GraphQL with params {"token": "${token}", "ack": false}
