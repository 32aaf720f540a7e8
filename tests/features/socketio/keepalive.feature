Feature: Socket.IO clients stay connected through the server's pings
  The tests run the servers with a short ping interval and timeout (1 s / 0.5 s for
  python-socketio, which counts whole seconds, and 200 ms / 300 ms for Node), so these
  waits span many ping intervals: a client that did not answer the server's pings would
  be dropped after one interval plus one timeout.

  Scenario: Waiting on events for many ping intervals, then emitting
    Given Alice is connected over Socket.IO
    Then Alice receives no event "tick" within 2 seconds
    And Alice receives no event "tick" within 2 seconds
    And Alice receives no event "tick" within 2 seconds
    When Alice emits "echo" with "still here" and waits for the acknowledgement
    Then the acknowledgement is "still here"
    And Alice is still connected
