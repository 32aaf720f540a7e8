Feature: The server explains bad requests
  Bad input gets an error message and the connection stays usable.

  The last scenario sends malformed requests as raw JSON, with the generic
  step any app can use.

  Background:
    Given Alice is connected

  Scenario: Invalid JSON
    When Alice sends the text "{this is not json"
    Then Alice is refused with "invalid_json"
    And Alice is still connected
    And Alice checks that the server is alive

  Scenario: Unknown message type
    When Alice asks the server to "dance"
    Then Alice is refused with "unknown_type" and a message mentioning "dance"

  Scenario: Subscribe is acknowledged
    When Alice subscribes to "weather" for a single update
    Then Alice is subscribed to "weather"

  Scenario: Sending to a room you have not joined
    When Alice says "hi" in room "elsewhere"
    Then Alice is refused with "not_in_room"

  Scenario: Too many messages too fast are rate limited
    When Alice sends 80 echo requests in a row
    Then Alice is refused with "rate_limited" and a message mentioning "Rate limit"
    And Alice is still connected

  Scenario: A room name with spaces is refused
    When Alice asks to join room "bad room name"
    Then Alice is refused with "invalid_room"

  Scenario: A close code the server may not use is refused
    When Alice asks the server to close the connection with code 1234
    Then Alice is refused with "invalid_close_code"

  Scenario Outline: Malformed requests get a specific error code (raw JSON)
    When Alice sends <request>
    Then Alice receives a message where $.type is "error" and $.code is "<code>"

    Examples:
      | request                 | code            |
      | ["not", "an", "object"] | invalid_message |
      | {"no_type": true}       | missing_type    |
