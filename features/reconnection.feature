Feature: A client that loses its connection reconnects by itself
  A client connected "with reconnection" whose connection is lost (the network
  fails, the server goes away) opens a new one by itself, a little later each
  time it fails, and keeps its inbox: what it received before the loss is still
  there for later steps. A step that closes the connection never makes it
  reconnect. The demo chat speaks raw JSON over WebSocket, which has no sessions
  to recover: the server starts afresh, so the client joins its room again.

  Scenario: Alice's network fails; she reconnects and keeps what she received
    Given Alice is connected with reconnection
    And Bob is connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    And Bob sends {"type": "join", "room": "lobby", "name": "Bob"}
    Then Alice receives a message where $.type is "user_joined" and $.user is "Bob"
    When Alice's connection drops
    Then Alice reconnects within 5 seconds
    And Alice's connection is not recovered
    # The answer to her first join came before the loss, and is still unread.
    And Alice receives a message where $.type is "joined" and $.members has length 1
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    Then Alice receives a message where $.type is "joined" and $.members has length 2

  Scenario: Every client of a group reconnects on its own
    Given clients Carol and Dave are connected with reconnection
    When Carol's connection drops
    And Dave's connection drops
    Then Carol reconnects within 5 seconds
    And Dave reconnects within 5 seconds
    And Carol is connected
