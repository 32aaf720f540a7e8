Feature: Receiving
  How wsbdd waits for messages: nothing is lost between steps, each message
  satisfies one step, and every wait has a deadline.

  Most scenarios talk to the demo server in the chat preset's words. The two
  marked (raw JSON) show the generic steps any app can use: messages written
  as JSON, sent as they are.

  Background:
    Given Alice is connected

  Scenario: A message that arrived before the step is still found
    When Alice asks for an echo of "early"
    And I wait 200 ms
    Then Alice hears the echo "early"

  Scenario: Messages are counted: echo three times
    When Alice asks for 3 echoes of "again"
    And Alice checks that the server is alive
    Then Alice has received exactly 3 messages where $.type is "echo"

  Scenario: Counting at least some messages (raw JSON)
    When Alice sends 5 messages:
      """
      {"type": "echo", "content": "number ${i}"}
      """
    Then Alice has received at least 3 messages where $.content starts with "number"

  Scenario: A third client receives nothing
    Given clients Bob and Carol are connected
    When Alice joins room "pair"
    And Bob joins room "pair"
    And Alice says "just us" in room "pair"
    Then Bob hears Alice say "just us" in room "pair"
    And Carol has been sent nothing so far

  Scenario: Messages in order, with others in between (raw JSON)
    When Alice sends {"type": "echo", "content": "one"}
    And Alice sends {"type": "ping"}
    And Alice sends {"type": "echo", "content": "two"}
    Then Alice receives these messages in order:
      | $.type | $.content |
      | echo   | one       |
      | echo   | two       |
    And Alice receives a message where $.type is "pong"

  Scenario: Messages in any order
    When Alice asks for an echo of "b"
    And Alice asks for an echo of "a"
    Then Alice receives these messages in any order:
      """
      [{"type": "echo", "content": "a"}, {"type": "echo", "content": "b"}]
      """

  Scenario: Server-initiated updates after a subscription
    When Alice subscribes to "scores" for 4 updates, 20 ms apart
    Then Alice is subscribed to "scores"
    When Alice receives messages until one where $.last is true
    Then Alice collected 4 messages where $.type is "update"

  Scenario: Forgetting messages
    When Alice asks for 2 echoes of "old"
    And Alice has received 2 messages where $.content is "old"
    And Alice forgets her messages
    Then Alice has received no messages
    When Alice asks for an echo of "new"
    Then Alice has received 1 message where $.content is "new"

  Scenario: Remembering a value for later steps
    Given Bob is connected
    When Alice joins room "lobby"
    And Bob joins room "lobby"
    And Alice says "remember me" in room "lobby"
    Then Bob hears Alice say "remember me" in room "lobby"
    And I remember $.id from Bob's last message as "msg_id"
    And Alice receives a message where $.type is "chat" and $.id is "${msg_id}"

  Scenario: Text and binary frames
    When Alice sends binary hex "00 01 fe ff"
    Then Alice receives binary hex "0001feff"
    When Alice sends binary base64 "aGVsbG8="
    Then Alice receives binary hex "68656c6c6f"

  Scenario: A slow reply within a longer deadline
    When Alice asks for "patience" to come back after 1000 ms
    Then Alice has been sent no "delayed" message so far
    And Alice receives a message where $.content is "patience" within 10 seconds

  @strict
  Scenario: Strict mode: every message must be expected
    When Alice asks for an echo of "only this"
    Then Alice hears the echo "only this"
