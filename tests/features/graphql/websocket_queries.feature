@websocket-queries
Feature: Queries and mutations over the WebSocket
  graphql-transport-ws carries queries and mutations as well as subscriptions (Strawberry
  serves only subscriptions over the legacy graphql-ws, so these run over the modern one).

  Scenario: A query and a mutation over the WebSocket
    Given Alice is connected over graphql-transport-ws
    When Alice runs the query "{ hello }" as "hello"
    Then "hello" gives a result where $.data.hello is "Hello, world!"
    And "hello" completes within 2 seconds
    When Alice subscribes to "subscription { messages(room: 4) { text } }" as "room"
    And Alice runs the mutation "mutation { post(room: 4, text: \"ws\") { text } }" as "post"
    Then "post" gives 1 result, then completes
    And the last result of "post" is where $.data.post.text is "ws"
    And "room" gives a result where $.data.messages.text is "ws"
