Feature: The app receives the path and query as they are written
  The test points WSBDD_URL at "ws://127.0.0.1:PORT/ws/rooms/lobby?name=Alice" on a
  Starlette app that greets each client with the path and query it saw.

  Scenario: The configured URL, exactly
    Given Alice is connected
    Then Alice receives a message where $.raw_path is "/ws/rooms/lobby" and $.query is "name=Alice"

  Scenario Outline: A step's address is joined like a link in a browser
    Given Alice is connected to "<target>"
    Then Alice receives a message where $.raw_path is "<path>" and $.query is "<query>"

    Examples:
      | target            | path              | query     |
      | /ws/other         | /ws/other         |           |
      | kitchen           | /ws/rooms/kitchen |           |
      | ?name=Bob         | /ws/rooms/lobby   | name=Bob  |
      | ../hall?seat=2    | /ws/hall          | seat=2    |
      | /ws/a%2Fb?x=%41   | /ws/a%2Fb         | x=%41     |
