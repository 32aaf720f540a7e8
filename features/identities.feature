Feature: One identity per client
  In a step about several clients, ${client} is each client's own name and
  ${index} its number (1, 2, …): every handshake carries its own path, query,
  token and headers.

  Scenario: Every user signs in with a token of its own
    Given I set "tokens" to the table:
      | client | token       |
      | alice  | alice-token |
      | bob    | bob-token   |
    And clients alice, bob in group "users" are connected to "/secure" with token "${tokens.${client}}"
    Then every client in group "users" receives a message where $.type is "authenticated" and $.user is "${client}"

  Scenario: Every player has a seat of its own in the address and a header
    Given 3 clients in group "players" are connected to "/?seat=${index}&user=${client}" with headers:
      | name     | value     |
      | X-Player | ${client} |
    When every client in group "players" sends {"type": "whoami"}
    Then every client in group "players" receives a message where $.query.seat is "${index}" and $.query.user is "${client}" and $.headers.X-Player is "${client}"

  Scenario: Clients named in the step have their own addresses too
    Given clients Alice, Bob are connected to "/?user=${client}"
    When Alice sends {"type": "whoami"}
    Then Alice receives a message where $.query.user is "Alice"

  Scenario: A number kept from the text of a frame
    Given Alice is connected
    When Alice sends {"type": "ping", "id": 42}
    Then Alice receives a message where $.type is "pong"
    And I remember the text matching ""id": ?(\d+)" from Alice's last message as "ack"
    When Alice sends {"type": "echo", "content": "got ${ack}"}
    Then Alice receives a message where $.content is "got 42"
