Feature: GraphQL subscriptions, queries and mutations in plain words
  The run's protocol (graphql-transport-ws, then the legacy graphql-ws) says which
  subprotocol "GraphQL" means, and how the plain "is connected" connects: every scenario
  here runs over both.

  Scenario: A subscription streams the counter and completes
    Given Alice is connected over GraphQL with params {"token": "${token}"}
    When Alice subscribes to "subscription { count(target: 3) }" as "counter"
    Then "counter" gives 3 results, then completes within 2 seconds
    And the last result of "counter" is where $.data.count is 2

  Scenario: A mutation over HTTP fires the subscription
    Given Alice subscribes to "subscription { messages(room: 1) { text } }" as "room"
    When I run the mutation "mutation { post(room: 1, text: \"hi\") { id } }" over HTTP
    Then "room" gives a result where $.data.messages.text is "hi"

  Scenario: Variables on the line, in a table, and an operation name
    Given Alice is connected
    When Alice subscribes to "subscription Count($n: Int!) { count(target: $n) }" as "two" with variables {"n": 2}
    Then "two" gives 2 results, then completes within 2 seconds
    When Alice subscribes to "subscription Count($n: Int!) { count(target: $n) }" as "four" with variables:
      | name | value |
      | n    | 4     |
    Then "four" gives 4 results, then completes
    And the last result of "four" is where $.data.count is 3
    When Alice subscribes to "subscription A { count(target: 1) } subscription B { count(target: 5) }" as "b" with operation name "B"
    Then "b" gives 5 results, then completes

  Scenario: A long document in a docstring
    Given Alice is connected over GraphQL
    When Alice subscribes as "counter" with variables {"n": 2} to:
      """
      subscription Count($n: Int!) {
        count(target: $n)
      }
      """
    Then "counter" gives a result where $.data.count is 0
    And "counter" gives a result where $.data.count is 1
    And "counter" completes within 2 seconds

  Scenario: Results are waited for one by one, and each is claimed once
    Given clients Alice and Bob are connected over GraphQL with params {"token": "${token}"}
    When Alice subscribes to "subscription { messages(room: 7) { text } }" as "alice"
    And Bob subscribes to "subscription { messages(room: 7) { text } }" as "bob"
    And I run the mutation "mutation Post($text: String!) { post(room: 7, text: $text) { id text } }" over HTTP with variables {"text": "one"}
    Then the response status is 200 and $.data.post.text is "one"
    And "alice" gives a result where $.data.messages.text is "one"
    And "bob" gives a result where $.data.messages.text is "one"
    And "alice" gives no result within 200 ms

  Scenario: A cancelled subscription gets nothing more
    Given Alice is connected over GraphQL
    When Alice subscribes to "subscription { messages(room: 3) { text } }" as "room"
    And I run the mutation "mutation { post(room: 3, text: \"before\") { id } }" over HTTP
    Then "room" gives a result where $.data.messages.text is "before"
    When Alice cancels "room"
    And I run the mutation "mutation { post(room: 3, text: \"after\") { id } }" over HTTP
    Then "room" gives no result within 300 ms

  Scenario: An error in the resolver fails the subscription
    Given Alice is connected over GraphQL
    When Alice subscribes to "subscription { boom }" as "boom"
    Then "boom" fails with an error containing "Boom"

  Scenario: An unknown field fails with the server's words
    Given Alice is connected over GraphQL
    When Alice subscribes to "subscription { nope }" as "bad"
    Then "bad" fails with the error "Cannot query field 'nope' on type 'Subscription'."

  Scenario: A query over HTTP, checked with the HTTP steps
    When I run the query "query Hello { hello }" over HTTP with operation name "Hello"
    Then the response status is 200 and $.data.hello is "Hello, world!"
