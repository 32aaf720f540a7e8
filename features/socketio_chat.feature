Feature: The chat over Socket.IO
  The demo's chat spoken the Socket.IO way (docs/demo-protocol.md, "The chat over
  Socket.IO"): requests are events, the server answers in acknowledgements, and it
  can ask a client for an answer of its own. No raw frame in sight.

  Background:
    Given the server speaks Socket.IO

  Scenario: Messages reach everyone in the room but nobody outside it
    Given clients Alice, Bob and Carol are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "join" with {"room": "lobby"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "room": "lobby", "members": ["Alice"]}
    When Bob emits "join" with {"room": "lobby"} and waits for the acknowledgement
    Then the acknowledgement where $.members is ["Alice", "Bob"]
    And Alice receives the event "user_joined" where $.user is "Bob" and $.room is "lobby"
    When Alice emits "message" with {"room": "lobby", "content": "<b>hello</b>"} and waits for the acknowledgement
    Then the acknowledgement where $.ok is true and $.id is a string
    And Bob receives the event "chat" where $.content is "hello" and $.from is "Alice"
    And Alice receives the event "chat" where $.content is "hello" and $.room is "lobby"
    And Carol has been sent no "chat" message so far

  Scenario: A mistake is answered in the acknowledgement
    Given Alice is connected over Socket.IO
    When Alice emits "message" with {"room": "nowhere", "content": "hi"} and waits for the acknowledgement
    Then the acknowledgement where $.ok is false and $.error.code is "not_in_room"
    When Alice emits "join" with {"room": "no spaces allowed"} and waits for the acknowledgement
    Then the acknowledgement where $.error.code is "invalid_room"

  Scenario: The server asks the room, and each member answers
    Given clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    And Alice emits "join" with {"room": "team"} and waits for the acknowledgement
    And Bob emits "join" with {"room": "team"} and waits for the acknowledgement
    When Alice emits "poll" with {"room": "team", "question": "Pizza tonight?"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "asked": ["Bob"]}
    And Bob receives the event "vote" where $.question is "Pizza tonight?" and $.from is "Alice"
    When Bob answers the acknowledgement of event "vote" with "yes"
    Then Alice receives the event "poll_result" where $.votes.Bob is "yes"

  Scenario: Updates arrive in order, and the last one says so
    Given Alice is connected over Socket.IO
    When Alice emits "subscribe" with {"topic": "prices", "count": 3, "interval_ms": 20}
    Then Alice receives these events in order:
      | event  | $.n | $.last |
      | update | 1   | false  |
      | update | 2   | false  |
      | update | 3   | true   |
    And Alice has received exactly 3 events "update" where $.topic is "prices"

  Scenario: Every argument comes back, in its place
    Given Alice is connected over Socket.IO
    When Alice emits "echo" with {"a": 1}, "two", 3 and waits for the acknowledgement
    Then the acknowledgement is {"a": 1}, "two", 3
    And Alice receives the event "echo" where $.a is 1 and $args[1] is "two" and $args[2] is 3

  Scenario: The secure namespace wants a token
    When Mallory connects to namespace "/secure" with auth {"token": "not-a-token"}
    Then Mallory's connection to namespace "/secure" is refused with message "invalid token"
    When Alice connects to namespace "/secure" with auth {"token": "alice-token"}
    Then Alice's connection to namespace "/secure" is accepted
    When Alice emits "whoami" to namespace "/secure" and waits for the acknowledgement
    Then the acknowledgement is {"user": "alice"}

  Scenario: The server can end a session
    Given Alice is connected over Socket.IO
    When Alice emits "goodbye"
    Then Alice is disconnected by the server with reason "io server disconnect"

  Scenario: The chat's own words say the same over Socket.IO
    Given Alice is in room "lobby"
    And Bob is in room "lobby"
    Then Alice is told that Bob joined room "lobby"
    When Alice says "hello" to the others in room "lobby"
    Then Bob hears Alice say "hello" in room "lobby"
    And Alice has been sent no "chat" message so far
    When Bob asks to join room "no spaces"
    Then Bob is refused with "invalid_room"
