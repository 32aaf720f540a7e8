Feature: The server explains bad requests
  Bad input gets an error message and the connection stays usable.

  Background:
    Given Alice is connected

  Scenario: Invalid JSON
    When Alice sends the text "{this is not json"
    Then Alice receives a message where $.type is "error" and $.code is "invalid_json"
    And Alice is still connected
    When Alice sends {"type": "ping"}
    Then Alice receives a message where $.type is "pong"

  Scenario: Unknown message type
    When Alice sends {"type": "dance"}
    Then Alice receives a message where:
      | path      | matcher  | value              |
      | $.type    | is       | error              |
      | $.code    | is       | unknown_type       |
      | $.message | contains | dance              |

  Scenario: Subscribe is acknowledged
    When Alice sends {"type": "subscribe", "topic": "weather", "count": 1}
    Then Alice receives a message where $.type is "subscribed" and $.topic is "weather"

  Scenario: Sending to a room you have not joined
    When Alice sends {"type": "message", "room": "elsewhere", "content": "hi"}
    Then Alice receives a message where $.code is "not_in_room"

  Scenario: Too many messages too fast are rate limited
    When Alice sends 80 messages:
      """
      {"type": "echo", "content": "spam ${i}"}
      """
    Then Alice receives a message where $.code is "rate_limited" and $.message contains "Rate limit"
    And Alice is still connected

  Scenario Outline: Malformed requests get a specific error code
    When Alice sends <request>
    Then Alice receives a message where $.type is "error" and $.code is "<code>"

    Examples:
      | request                                   | code               |
      | ["not", "an", "object"]                   | invalid_message    |
      | {"no_type": true}                         | missing_type       |
      | {"type": "join", "room": "bad room name"} | invalid_room       |
      | {"type": "close", "code": 1234}           | invalid_close_code |
