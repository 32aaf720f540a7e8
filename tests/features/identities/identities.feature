Feature: Each client's handshake carries its own identity
  Run against the Starlette test app (tests/starlette_app.py), whose /ws greets
  every client with the path, query and headers its own handshake carried.

  Scenario: Every player has its own path, query, token and header
    Given 20 clients in group "players" are connected to "/ws/seat/${index}?user=${client}" with token "${tokens.${client}}" with headers:
      | name     | value     |
      | X-Player | ${client} |
    Then every client in group "players" receives a message where $.type is "hello" and $.path is "/ws/seat/${index}" and $.params.user is "${client}" and $.params.token is "${tokens.${client}}" and $.headers.x-player is "${client}"
    When every client in group "players" sends {"who": "${client}", "seat": ${index}}
    Then every client in group "players" receives a message where $.type is "echo" and $.text contains '"who": "${client}", "seat": ${index}'

  Scenario: Tokens given in the scenario, for clients named in the step
    Given I set "tokens" to the table:
      | client | token       |
      | Alice  | alice-token |
      | Bob    | bob-token   |
    And clients Alice, Bob are connected to "/ws?user=${client}" with token "${tokens.${client}}"
    Then Alice receives a message where $.params.user is "Alice" and $.params.token is "alice-token"
    And Bob receives a message where $.params.user is "Bob" and $.params.token is "bob-token"
