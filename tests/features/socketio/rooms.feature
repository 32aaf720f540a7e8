Feature: Socket.IO events, rooms and acknowledgements
  The same feature runs against the python-socketio app and the Node socket.io app
  (tests/socketio_apps): no Python step and no raw frame.

  Background:
    Given the server speaks Socket.IO

  Scenario: Room messages reach members only, and the server acknowledges them
    Given clients Alice, Bob and Carol are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "join" with {"room": "lobby"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "room": "lobby"}
    When Bob emits "join" with {"room": "lobby"} and waits for the acknowledgement within 2 seconds
    And Alice emits "chat" with {"room": "lobby", "text": "hi"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true}
    And Bob receives the event "chat" where $.text is "hi" and $.from is "Alice"
    And Carol receives no event "chat" within 300 ms
    And Alice receives no event "chat" within 100 ms

  Scenario: Several arguments, a bare string and none
    Given Alice is connected over Socket.IO
    When Alice emits "echo" with {"a": 1}, "two", 3 and waits for the acknowledgement
    Then the acknowledgement is {"a": 1}, "two", 3
    And Alice receives the event "echo" where $.a is 1 and $args[1] is "two" and $args[2] is 3
    And Alice has received 1 event "echo" where $event is "echo" and $namespace is "/"
    When Alice emits "echo" with "just text"
    Then Alice receives the event "echo" where $ is "just text"
    When Alice emits "echo"
    Then Alice receives the event "echo" where $args is empty
    When Alice emits "echo" asking for an acknowledgement with:
      """
      {"room": "lobby",
       "text": "a long one"},
      "second"
      """
    And Alice waits for the acknowledgement
    Then the acknowledgement where $.text is "a long one" and $args[1] is "second"

  Scenario: Binary arguments go both ways
    Given Alice is connected over Socket.IO
    When Alice emits "binary" with {"note": "bytes"}, hex "01 02 ff" and waits for the acknowledgement
    Then the acknowledgement where $.ok is true and $.attachments is 1
    And Alice receives the event "binary" where $.data is hex "00 01 02 ff" and $args[1].note is "bytes" and $args[2] is base64 "AQL/"
    When Alice emits "echo" with hex "01 ff" and waits for the acknowledgement
    Then the acknowledgement is hex "01 ff"

  Scenario: Events in order, and how many came
    Given Alice is connected over Socket.IO
    When Alice emits "fanout" with {"count": 3} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true, "sent": 3}
    And Alice receives these events in order:
      | event | $.n |
      | tick  | 1   |
      | tick  | 2   |
      | tick  | 3   |
    And Alice has received exactly 3 events "tick"
    And Alice has received at least 1 event "tick" where $.n is greater than 2

  Scenario: The server asks, the client answers its acknowledgement
    Given Alice is connected over Socket.IO
    When Alice emits "ask" with {"question": "colour?"}
    Then Alice receives the event "question" where $.question is "colour?"
    When Alice answers the acknowledgement with "blue", 7
    Then Alice receives the event "answered" where $ is "blue" and $args[1] is 7
    When Alice emits "ask" with {"question": "size?"}
    And Alice answers the acknowledgement of event "question" with {"size": "L"}
    Then Alice receives the event "answered" where $.size is "L"
    # A request claimed by a generic message step is answered just the same.
    When Alice emits "ask" with {"question": "shape?"}
    Then Alice receives a message where $.event is "question" and $.args[0].question is "shape?"
    When Alice answers the acknowledgement with "round"
    Then Alice receives the event "answered" where $ is "round"

  Scenario: An emit nobody handles is not acknowledged; one that is, is
    Given Alice is connected over Socket.IO with auth {"name": "Alice"}
    When Alice emits "nobody-listens" with {} and asks for an acknowledgement
    Then Alice's emit of "nobody-listens" is not acknowledged within 300 ms
    When Alice emits "whoami" and asks for an acknowledgement
    Then Alice's acknowledgement where $.name is "Alice" and $.sid is a string within 2 seconds
    When Alice emits "echo" with "later" and asks for an acknowledgement
    And Alice waits for the acknowledgement of "echo"
    Then the acknowledgement is "later"
