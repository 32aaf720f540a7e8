Feature: Receiving
  How wsbdd waits for messages: nothing is lost between steps, each message
  satisfies one step, and every wait has a deadline.

  Background:
    Given Alice is connected

  Scenario: A message that arrived before the step is still found
    When Alice sends {"type": "echo", "content": "early"}
    And I wait 200 ms
    Then Alice receives a message where $.content is "early"

  Scenario: Messages are counted: echo three times
    When Alice sends {"type": "echo", "content": "again", "times": 3}
    Then Alice has received exactly 3 messages where $.type is "echo"

  Scenario: Counting at least some messages
    When Alice sends 5 messages:
      """
      {"type": "echo", "content": "number ${i}"}
      """
    Then Alice has received at least 3 messages where $.content starts with "number"

  Scenario: A third client receives nothing
    Given clients Bob and Carol are connected
    When Alice sends {"type": "join", "room": "pair"}
    And Bob sends {"type": "join", "room": "pair"}
    And Alice sends {"type": "message", "room": "pair", "content": "just us"}
    Then Bob receives a message where $.content is "just us"
    And Carol receives no message within 300 ms
    And Carol has received no messages

  Scenario: Messages in order, with others in between
    When Alice sends {"type": "echo", "content": "one"}
    And Alice sends {"type": "ping"}
    And Alice sends {"type": "echo", "content": "two"}
    Then Alice receives these messages in order:
      | $.type | $.content |
      | echo   | one       |
      | echo   | two       |
    And Alice receives a message where $.type is "pong"

  Scenario: Messages in any order
    When Alice sends {"type": "echo", "content": "b"}
    And Alice sends {"type": "echo", "content": "a"}
    Then Alice receives these messages in any order:
      """
      [{"type": "echo", "content": "a"}, {"type": "echo", "content": "b"}]
      """

  Scenario: Server-initiated updates after a subscription
    When Alice sends {"type": "subscribe", "topic": "scores", "count": 4, "interval_ms": 20}
    Then Alice receives a message where $.type is "subscribed" and $.topic is "scores"
    When Alice receives messages until one where $.last is true
    Then Alice collected 4 messages where $.type is "update"

  Scenario: Forgetting messages
    When Alice sends {"type": "echo", "content": "old", "times": 2}
    And Alice has received 2 messages where $.content is "old"
    And Alice forgets her messages
    Then Alice has received no messages
    When Alice sends {"type": "echo", "content": "new"}
    Then Alice has received 1 message where $.content is "new"

  Scenario: Remembering a value for later steps
    Given Bob is connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    And Bob sends {"type": "join", "room": "lobby", "name": "Bob"}
    And Alice sends {"type": "message", "room": "lobby", "content": "remember me"}
    Then Bob receives a message where $.content is "remember me"
    And I remember $.id from Bob's last message as "msg_id"
    And Alice receives a message where $.type is "chat" and $.id is "${msg_id}"

  Scenario: Text and binary frames
    When Alice sends binary hex "00 01 fe ff"
    Then Alice receives binary hex "0001feff"
    When Alice sends binary base64 "aGVsbG8="
    Then Alice receives binary hex "68656c6c6f"

  Scenario: A slow reply within a longer deadline
    When Alice sends {"type": "delay", "ms": 300, "content": "patience"}
    Then Alice receives no message where $.type is "delayed" within 100 ms
    And Alice receives a message where $.content is "patience" within 10 seconds

  @strict
  Scenario: Strict mode: every message must be expected
    When Alice sends {"type": "echo", "content": "only this"}
    Then Alice receives a message where $.content is "only this"
