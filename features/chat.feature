Feature: Chat rooms
  People in a room see each other's messages; people outside it see nothing.
  The demo server greets every client with a welcome message; wsbdd is told to
  ignore it (see [tool.wsbdd] ignore in pyproject.toml) unless a step asks for it.

  Scenario: A message reaches the room, not the people outside it
    Given clients Alice, Bob and Carol are connected
    When Alice sends {"type": "join", "room": "lobby"}
    And Bob sends {"type": "join", "room": "lobby"}
    Then Alice receives a message where $.type is "user_joined"
    When Alice sends:
      """
      {"type": "message", "room": "lobby", "content": "hello ${uuid}"}
      """
    Then Bob receives a message where:
      | path      | matcher        | value |
      | $.type    | is             | chat  |
      | $.content | starts with    | hello |
      | $.sent_at | is a timestamp |       |
    And Carol receives no message within 300 ms

  Scenario: Everyone in the room gets a broadcast, the sender included
    Given clients Alice, Bob and Carol are connected
    When Alice sends {"type": "join", "room": "news", "name": "Alice"}
    And Bob sends {"type": "join", "room": "news", "name": "Bob"}
    And Carol sends {"type": "join", "room": "news", "name": "Carol"}
    And Alice sends {"type": "message", "room": "news", "content": "extra, extra"}
    Then Alice receives a message where $.type is "chat" and $.from is "Alice"
    And Bob receives a message where $.content is "extra, extra"
    And Carol receives a message where $.content is "extra, extra"

  Scenario: A message can skip its sender
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    And Bob sends {"type": "join", "room": "lobby", "name": "Bob"}
    And Alice sends {"type": "message", "room": "lobby", "content": "psst", "exclude_sender": true}
    Then Bob receives a message where $.content is "psst"
    And Alice receives no message where $.type is "chat" within 300 ms

  Scenario: Rooms are isolated from each other
    Given clients Alice, Bob and Carol are connected
    When Alice sends {"type": "join", "room": "red"}
    And Bob sends {"type": "join", "room": "red"}
    And Carol sends {"type": "join", "room": "blue"}
    And Alice sends {"type": "message", "room": "red", "content": "red only"}
    Then Bob receives a message where $.content is "red only"
    And Carol receives no message where $.type is "chat" within 300 ms

  Scenario: The person joining is not told about themselves
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    Then Alice receives a message like:
      """
      {"type": "joined", "room": "lobby", "members": ["Alice"]}
      """
    When Bob sends {"type": "join", "room": "lobby", "name": "Bob"}
    Then Alice receives a message where $.type is "user_joined" and $.user is "Bob"
    And Bob receives a message where $.type is "joined" and $.members has length 2
    And Bob receives no message where $.type is "user_joined" within 300 ms

  Scenario: Leaving a room tells the others
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    And Bob sends {"type": "join", "room": "lobby", "name": "Bob"}
    And Bob sends {"type": "leave", "room": "lobby"}
    Then Bob receives a message where $.type is "left"
    And Alice receives a message where $.type is "user_left" and $.user is "Bob" and $.reason is "left"

  Scenario: A client that disconnects is removed from its rooms
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    And Bob sends {"type": "join", "room": "lobby", "name": "Bob"}
    And Bob disconnects
    Then Alice receives a message like:
      """
      {"type": "user_left", "room": "lobby", "user": "Bob", "reason": "disconnected"}
      """
    When Alice sends {"type": "message", "room": "lobby", "content": "anyone?"}
    Then Alice receives a message where $.type is "chat"

  Scenario: HTML in a chat message is stripped
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby"}
    And Bob sends {"type": "join", "room": "lobby"}
    And Alice sends {"type": "message", "room": "lobby", "content": "<b>bold</b> move<script>alert(1)</script>"}
    Then Bob receives a message where $.content is "bold move"

  Scenario: A message may be as long as 2,000 characters but no longer
    Given Alice is connected
    When Alice sends {"type": "join", "room": "lobby"}
    And I set "longest" to a text of 2000 characters
    And I set "too_long" to a text of 2001 characters
    And Alice sends {"type": "message", "room": "lobby", "content": "${longest}"}
    Then Alice receives a message where $.type is "chat" and $.content has length 2000
    When Alice sends {"type": "message", "room": "lobby", "content": "${too_long}"}
    Then Alice receives a message where $.type is "error" and $.code is "message_too_long"
