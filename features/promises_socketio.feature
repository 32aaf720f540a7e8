Feature: The chat over Socket.IO keeps its word
  The Socket.IO chat refuses what the WebSocket chat refuses, in the
  acknowledgement, with the exact explanation; leaving and disconnecting tell
  the room; and each check here is on what the server says, word for word.

  Background:
    Given the server speaks Socket.IO

  Scenario: Each refusal explains itself in exact words
    Given Alice is connected over Socket.IO
    When Alice emits "join" with "lobby" and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "\"join\" takes one object as its argument"}}
    When Alice emits "join" with {"room": "lobby", "name": ""} and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "name is 1 to 64 characters"}}
    When Alice emits "message" with {"room": "nowhere", "content": "hi"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "not_in_room", "message": "You are not in room \"nowhere\""}}
    When Alice emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Alice emits "message" with {"room": "lobby", "content": 5} and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "content must be text"}}
    When Alice emits "message" with {"room": "lobby", "content": "<i></i> "} and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "empty_message", "message": "content is empty once HTML is removed"}}

  Scenario: Subscriptions and polls check what they are asked
    Given Alice is connected over Socket.IO
    When Alice emits "subscribe" with {"topic": ""} and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "topic must be non-empty text"}}
    When Alice emits "subscribe" with {"topic": "news", "count": 51} and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "count is 1 to 50"}}
    When Alice emits "subscribe" with {"topic": "news", "interval_ms": 9} and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "interval_ms is 10 to 1000"}}
    When Alice emits "join" with {"room": "team"} and waits for the acknowledgement
    And Alice emits "poll" with {"room": "team", "question": ""} and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "question must be non-empty text"}}

  Scenario: Joining may rename, and the members are listed by name
    Given clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "join" with {"room": "lobby", "name": "Ada"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "room": "lobby", "members": ["Ada"]}
    When Bob emits "join" with {"room": "lobby"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "room": "lobby", "members": ["Ada", "Bob"]}
    When Bob emits "join" with {"room": "lobby"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "room": "lobby", "members": ["Ada", "Bob"]}
    And Alice has received exactly 1 event "user_joined" where $.user is "Bob"
    When Alice emits "whoami" and waits for the acknowledgement
    Then the acknowledgement where $.name is "Ada" and $.sid is a string

  Scenario: Leaving and disconnecting tell the room
    Given clients Alice, Bob and Carol are connected over Socket.IO with auth {"name": "${client}"}
    And Alice emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Bob emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Carol emits "join" with {"room": "lobby"} and waits for the acknowledgement
    When Bob emits "leave" with {"room": "lobby"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "room": "lobby"}
    And Alice receives the event "user_left" where $.user is "Bob" and $.room is "lobby" and $.reason is "left"
    When Bob emits "message" with {"room": "lobby", "content": "still here?"} and waits for the acknowledgement
    Then the acknowledgement where $.error.code is "not_in_room"
    When Carol disconnects
    Then Alice receives the event "user_left" where $.user is "Carol" and $.room is "lobby" and $.reason is "disconnected"
    When Alice emits "message" with {"room": "lobby", "content": "<b>who</b> is left"} and waits for the acknowledgement
    Then the acknowledgement where $.ok is true and $.id is a string
    And Alice receives the event "chat" where $.content is "who is left" and $.from is "Alice" and $.room is "lobby" and $.sent_at is a string
    And Bob has received exactly 0 events "chat"

  Scenario: A second subscription to a topic replaces the first
    Given Alice is connected over Socket.IO
    When Alice emits "subscribe" with {"topic": "prices", "count": 50, "interval_ms": 1000} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "topic": "prices"}
    When Alice emits "subscribe" with {"topic": "prices", "count": 1, "interval_ms": 10} and waits for the acknowledgement
    Then Alice receives the event "update" where $.topic is "prices" and $.n is 1 and $.last is true and $.server_time is a string

  Scenario: Each request takes one object
    Given Alice is connected over Socket.IO
    When Alice emits "message" with "hi" and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "\"message\" takes one object as its argument"}}
    When Alice emits "leave" with "lobby" and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "\"leave\" takes one object as its argument"}}
    When Alice emits "subscribe" with "news" and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "\"subscribe\" takes one object as its argument"}}

  Scenario: One argument comes back as itself
    Given Alice is connected over Socket.IO
    When Alice emits "echo" with {"a": 1}
    Then Alice receives the event "echo" where $.a is 1

  Scenario: A name may be 64 characters, not 65
    Given I set "longest" to a text of 64 characters
    And I set "too_long" to a text of 65 characters
    And Alice is connected over Socket.IO with auth {"name": "${longest}"}
    And Bob is connected over Socket.IO with auth {"name": "${too_long}"}
    When Alice emits "whoami" and waits for the acknowledgement
    Then the acknowledgement where $.name is "${longest}"
    When Bob emits "whoami" and waits for the acknowledgement
    Then the acknowledgement where $.name matches "guest-.{6}"
    When Bob emits "join" with {"room": "lobby", "name": "${longest}"} and waits for the acknowledgement
    Then the acknowledgement where $.ok is true and $.members is ["${longest}"]
    When Bob emits "join" with {"room": "lobby", "name": "${too_long}"} and waits for the acknowledgement
    Then the acknowledgement where $.ok is false and $.error.code is "invalid_message"

  Scenario: A message may be 2,000 characters, not more
    Given I set "too_long" to a text of 2001 characters
    And Alice is connected over Socket.IO
    When Alice emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Alice emits "message" with {"room": "lobby", "content": "${too_long}"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "message_too_long", "message": "content is longer than 2000 characters"}}

  Scenario: An echo comes back to its sender only
    Given clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "echo" with {"from": "Alice"} and waits for the acknowledgement
    And Bob emits "echo" with {"from": "Bob"} and waits for the acknowledgement
    Then Bob receives the event "echo" where $.from is "Bob"
    And Bob has received exactly 1 event "echo"

  Scenario: Only the room hears who joins it
    Given clients Alice, Bob and Carol are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Bob emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Carol emits "whoami" and waits for the acknowledgement
    Then Alice has received exactly 1 event "user_joined"
    And Carol has received exactly 0 events "user_joined"

  Scenario: Only the room hears who disconnects from it
    Given clients Alice, Bob and Carol are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Carol emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Carol disconnects
    Then Alice receives the event "user_left" where $.user is "Carol" and $.reason is "disconnected"
    When Alice emits "whoami" and waits for the acknowledgement
    And Bob emits "whoami" and waits for the acknowledgement
    Then Bob has received exactly 0 events "user_left"

  Scenario: Updates go to the subscriber only, 10 to 1000 ms apart
    Given clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "subscribe" with {"topic": "slow", "interval_ms": 1001} and waits for the acknowledgement
    Then the acknowledgement where $.ok is false and $.error.code is "invalid_message"
    When Alice emits "subscribe" with {"topic": "news", "count": 1} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "topic": "news"}
    And Alice receives the event "update" where $.topic is "news" and $.last is true
    When Bob emits "whoami" and waits for the acknowledgement
    Then Bob has received exactly 0 events "update"

  Scenario: A name of one character is a name
    Given Alice is connected over Socket.IO with auth {"name": "A"}
    When Alice emits "whoami" and waits for the acknowledgement
    Then the acknowledgement where $.name is "A"

  Scenario: Three updates by default, a rename of one letter, and a poll's result for the asker only
    Given clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "subscribe" with {"topic": "ticks", "interval_ms": 10} and waits for the acknowledgement
    Then Alice receives the event "update" where $.topic is "ticks" and $.last is true and $.n is 3
    When Alice emits "join" with {"room": "team", "name": "A"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "room": "team", "members": ["A"]}
    When Bob emits "join" with {"room": "team"} and waits for the acknowledgement
    And Alice emits "poll" with "team" and waits for the acknowledgement
    Then the acknowledgement is {"ok": false, "error": {"code": "invalid_message", "message": "\"poll\" takes one object as its argument"}}
    When Alice emits "poll" with {"room": "team", "question": "Tea?"} and waits for the acknowledgement
    And Bob answers the acknowledgement of event "vote" with "no"
    Then Alice receives the event "poll_result" where $.votes.Bob is "no" and $.question is "Tea?"
    When Bob emits "whoami" and waits for the acknowledgement
    Then Bob has received exactly 0 events "poll_result"

  Scenario: Without any auth the secure namespace refuses as for a wrong token
    When Mallory connects to namespace "/secure"
    Then Mallory's connection to namespace "/secure" is refused with message "invalid token"

  Scenario: A token that is not text is refused like a wrong one
    When Mallory connects to namespace "/secure" with auth {"token": ["alice-token"]}
    Then Mallory's connection to namespace "/secure" is refused with message "invalid token"

  Scenario: An echo of two arguments comes back as both
    Given Alice is connected over Socket.IO
    When Alice emits "echo" with "one", "two" and waits for the acknowledgement
    Then the acknowledgement is "one", "two"
    And Alice receives the event "echo" where $args[0] is "one" and $args[1] is "two"

  Scenario: Leaving a room is told to that room only
    Given clients Alice, Bob and Carol are connected over Socket.IO with auth {"name": "${client}"}
    And Alice is in room "tea"
    And Bob is in room "tea"
    When Bob emits "leave" with {"room": "tea"} and waits for the acknowledgement
    Then Alice receives the event "user_left" where $.user is "Bob" and $.reason is "left"
    When Carol emits "whoami" and waits for the acknowledgement
    Then Carol has received exactly 0 events "user_left"
