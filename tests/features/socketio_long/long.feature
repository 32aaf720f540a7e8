Feature: A Socket.IO scenario longer than a minute keeps its clients
  The servers keep their default keep-alive timings (a ping every 25 s, a client that has
  not answered within 20 s more is dropped), so a client that did not answer pings between
  steps would be gone after 45 s. This scenario lasts more than 60 s.

  Background:
    Given the server speaks Socket.IO

  Scenario: Over a minute of waiting, then the room still works
    Given clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "join" with {"room": "long"} and waits for the acknowledgement
    And Bob emits "join" with {"room": "long"} and waits for the acknowledgement
    Then Bob receives no event "chat" within 61 seconds
    When Alice emits "chat" with {"room": "long", "text": "still here"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true}
    And Bob receives the event "chat" where $.text is "still here" and $.from is "Alice"
    And Alice is still connected
    And Bob is still connected
