Feature: Chat rooms
  People in a room see each other's messages; people outside it see nothing.

  Most scenarios use the demo chat's own words (the "chat" preset, switched on
  in pyproject.toml); the last ones show the same protocol as raw JSON, with
  the generic steps any app can use. The demo server greets every client with
  a welcome message, which wsbdd ignores unless a step asks for it.

  Scenario: A message reaches the room, not the people outside it
    Given Alice is in room "lobby"
    And Bob is in room "lobby"
    And Carol is connected
    When Alice says "hello everyone" in room "lobby"
    Then Bob hears Alice say "hello everyone" in room "lobby"
    And Carol has been sent nothing so far

  Scenario: Everyone in the room gets a message, the sender included
    Given clients Alice, Bob and Carol in group "readers" are connected
    And every client in group "readers" joins room "news"
    When Alice says "extra, extra" in room "news"
    Then every client in group "readers" hears Alice say "extra, extra" in room "news"

  Scenario: A message can skip its sender
    Given Alice is in room "lobby"
    And Bob is in room "lobby"
    When Alice says "psst" to the others in room "lobby"
    Then Bob hears Alice say "psst" in room "lobby"
    And Alice has been sent no "chat" message so far

  Scenario: Rooms are isolated from each other
    Given Alice is in room "red"
    And Bob is in room "red"
    And Carol is in room "blue"
    When Alice says "red only" in room "red"
    Then Bob hears Alice say "red only" in room "red"
    And Carol has been sent no "chat" message so far

  Scenario: People in the room are told who joins
    Given Alice is in room "lobby"
    When Bob is in room "lobby"
    Then Alice is told that Bob joined room "lobby"

  Scenario: Leaving a room tells the others
    Given Alice is in room "lobby"
    And Bob is in room "lobby"
    When Bob leaves room "lobby"
    Then Alice is told that Bob left room "lobby"

  Scenario: A client that disconnects is removed from its rooms
    Given Alice is in room "lobby"
    And Bob is in room "lobby"
    When Bob disconnects
    Then Alice is told that Bob disconnected from room "lobby"
    When Alice says "anyone?" in room "lobby"
    Then Alice receives a message where $.type is "chat" and $.content is "anyone?"

  Scenario: A message may be as long as 2,000 characters but no longer
    Given Alice is in room "lobby"
    And I set "longest" to a text of 2000 characters
    And I set "too_long" to a text of 2001 characters
    When Alice says "${longest}" in room "lobby"
    Then Alice receives a message where $.type is "chat" and $.content has length 2000
    When Alice says "${too_long}" in room "lobby"
    Then Alice is refused with "message_too_long"

  # The same protocol in raw JSON, with the generic steps.

  Scenario: The person joining is not told about themselves (raw JSON)
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

  Scenario: HTML in a chat message is stripped (raw JSON)
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby"}
    And Bob sends {"type": "join", "room": "lobby"}
    # Two clients, two connections: the server may read Bob's join after Alice's
    # next message. Waiting for Bob's confirmation puts them in order.
    Then Bob receives a message where $.type is "joined"
    When Alice sends:
      """
      {"type": "message", "room": "lobby", "content": "<b>bold</b> move<script>alert(1)</script> ${uuid}"}
      """
    Then Bob receives a message where:
      | path      | matcher        | value     |
      | $.type    | is             | chat      |
      | $.content | starts with    | bold move |
      | $.sent_at | is a timestamp |           |
