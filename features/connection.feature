Feature: Connections
  Opening, closing and keeping connections alive, and what the server says
  when a client arrives.

  Scenario: The server welcomes a new client
    Given Alice is connected
    Then Alice receives a message where:
      | path         | matcher        | value                          |
      | $.type       | is             | welcome                        |
      | $.client_id  | is a uuid      |                                |
      | $.server_time| is a timestamp |                                |
      | $.message    | is             | Welcome to the wsbdd demo chat |

  Scenario: The welcome carries the name given on the address
    Given Alice is connected to "/?name=Alice"
    Then Alice receives a message like:
      """
      {"type": "welcome", "name": "Alice", "client_id": "#uuid", "server_time": "#timestamp"}
      """

  Scenario: Waiting for a connection to open and to close
    When Alice connects
    Then Alice is connected
    When Alice disconnects
    Then Alice is disconnected with code 1000 cleanly

  Scenario: A client closes with its own code and reason
    Given Alice is connected
    When Alice closes the connection with code 4000 and reason "done for today"
    Then Alice is disconnected with code 4000 and reason "done for today"

  Scenario: The server closes the connection on request
    Given Alice is connected
    When Alice asks the server to close the connection with code 4002 and reason "see you"
    Then Alice is disconnected with code 4002 and reason "see you" within 10 seconds

  Scenario: Only the reason counts
    Given Alice is connected
    When Alice asks the server to close the connection with code 4002 and reason "see you"
    Then Alice is disconnected with reason "see you" within 10 seconds

  Scenario: A connection that drops without a closing handshake
    Given Alice is connected
    When Alice asks the server to drop the connection
    Then Alice is disconnected with code 1006 abruptly

  Scenario: Application-level ping and pong
    Given Alice is connected
    When Alice sends ping 7
    Then Alice receives pong 7

  Scenario: WebSocket-level ping and pong
    Given Alice is connected
    When Alice pings the server
    Then Alice receives a pong within 5 seconds
    And Alice is still connected

  Scenario: Subprotocol negotiation
    Given Alice is connected with subprotocol "chat.v2"
    And Bob is connected
    And Carol is connected with no subprotocol
    Then Alice's connection uses subprotocol "chat.v2"
    And Bob's connection uses no subprotocol
    And Carol's connection uses no subprotocol

  Scenario: Extra handshake headers reach the server
    Given Alice is connected with headers:
      | name        | value        |
      | X-Trace-Id  | trace-${uuid} |
      | X-Team      | blue         |
    When Alice asks the server what it knows about the connection
    Then Alice receives a message where $.type is "you" and $.headers.X-Team is "blue"
    And I remember $.headers.X-Trace-Id from Alice's last message as "trace"
    And Alice checks that the server is alive
    And Alice has received 1 message where $.headers.X-Trace-Id is "${trace}"
