@recovery
Feature: A server with connection-state recovery gives a returning client its session back
  Run only against Node's socket.io with recovery on (tests/test_reconnection_behave.py),
  with a reconnection delay long enough for Bob's event to go out while Alice is away.

  Scenario: Alice misses an event while away; the recovered session replays it once
    Given Alice is connected with reconnection
    And Bob is connected
    When Alice emits "join" with {"room": "gap"} and waits for the acknowledgement
    And Bob emits "join" with {"room": "gap"} and waits for the acknowledgement
    And Bob emits "chat" with {"room": "gap", "text": "before"}
    Then Alice receives the event "chat" where $.text is "before"
    When Alice's connection drops
    And Bob emits "chat" with {"room": "gap", "text": "while Alice was away"}
    Then Alice reconnects within 5 seconds
    And Alice's connection is recovered
    And Alice receives the event "chat" where $.text is "while Alice was away"
    And Alice receives no event "chat" within 300 ms
