@socket.io
Feature: Socket.IO namespaces, auth and the server's disconnects
  The tag @socket.io makes every client of these scenarios speak Socket.IO.

  Scenario: The admin namespace wants credentials
    When Mallory connects to namespace "/admin" with auth {"username": "admin", "password": "wrong"}
    Then Mallory's connection to namespace "/admin" is refused with message "authentication failed"
    When Root connects to namespace "/admin" with auth {"username": "admin", "password": "secret"}
    Then Root's connection to namespace "/admin" is accepted
    When Root emits "whoami" to namespace "/admin" and waits for the acknowledgement
    Then the acknowledgement where $.name is "admin"

  Scenario: One connection, two namespaces
    Given Admin is connected over Socket.IO to namespaces "/" and "/admin" with auth {"username": "admin", "password": "secret"}
    When Admin emits "echo" to namespace "/admin" with "in admin"
    And Admin emits "echo" with "in main"
    Then Admin receives the event "echo" in namespace "/admin" where $ is "in admin"
    And Admin receives the event "echo" where $ is "in main" and $namespace is "/"
    When Admin leaves namespace "/admin"
    And Admin emits "echo" with "still here" and waits for the acknowledgement
    Then the acknowledgement is "still here"

  Scenario: The server disconnects a client
    Given Alice is connected
    When Alice emits "kick"
    Then Alice is disconnected by the server with reason "io server disconnect"

  Scenario: The server drops the transport
    Given Alice is connected
    When Alice emits "drop"
    Then Alice is disconnected by the server with reason "transport close" within 3 seconds
