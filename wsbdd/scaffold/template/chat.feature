Feature: Chat rooms
  People in a room see each other's messages; people outside it see nothing.
  (This runs against wsbdd's bundled demo server until you set a url in wsbdd.toml.)

  Scenario: A message reaches everyone in the room
    Given clients Alice, Bob and Carol are connected
    And Alice joins room "lobby"
    And Bob joins room "lobby"
    When Alice says "hello, Bob" in room "lobby"
    Then Bob receives a message where $.type is "chat" and $.content is "hello, Bob"
    And Carol receives no message within 300 ms

  Scenario: The same conversation in the JSON the app speaks
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    And Bob sends {"type": "join", "room": "lobby", "name": "Bob"}
    Then Alice receives a message where $.type is "user_joined" and $.user is "Bob"
    When Bob sends:
      """
      {"type": "message", "room": "lobby", "content": "hi Alice"}
      """
    Then Alice receives a message like:
      """
      {"type": "chat", "from": "Bob", "content": "hi Alice", "sent_at": "#timestamp"}
      """
