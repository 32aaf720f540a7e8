Feature: A Socket.IO client whose network fails reconnects by itself
  The server is python-socketio or Node's socket.io, without connection-state
  recovery: a client that comes back gets a new session.

  Scenario: Alice's network fails; she comes back with a new session
    Given Alice is connected with reconnection
    When Alice's connection drops
    Then Alice reconnects within 5 seconds and has a new session id
    And Alice's connection is not recovered
    And Alice is connected

  Scenario: A client connected without reconnection stays disconnected
    Given Bob is connected
    When Bob's connection drops
    Then Bob is disconnected

  @fails
  Scenario: Recovery asked of a server that does not offer it
    Given Alice is connected with reconnection
    When Alice's connection drops
    Then Alice reconnects within 5 seconds
    And Alice's connection is recovered
