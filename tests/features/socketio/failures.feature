@fails @socket.io
Feature: Socket.IO failures say which client, which event and which argument
  tests/test_socketio_features.py runs these with --tags=@fails and pins each sentence.

  Scenario: An argument differs
    Given clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "join" with {"room": "r"} and waits for the acknowledgement
    And Bob emits "join" with {"room": "r"} and waits for the acknowledgement
    And Alice emits "chat" with {"room": "r", "text": "hi"} and waits for the acknowledgement
    Then Bob receives the event "chat" where $.text is "bye" within 500 ms

  Scenario: An event that never comes
    Given Carol is connected
    Then Carol receives the event "chat" within 300 ms

  Scenario: The acknowledgement differs
    Given Alice is connected
    When Alice emits "join" with {"room": "r"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": false}

  Scenario: A refusal with another message
    When Mallory connects to namespace "/admin" with auth {"username": "admin", "password": "wrong"}
    Then Mallory's connection to namespace "/admin" is refused with message "go away"

  Scenario: An acknowledgement that should not come
    Given Alice is connected
    When Alice emits "whoami" and asks for an acknowledgement
    Then Alice's emit of "whoami" is not acknowledged within 1 second
