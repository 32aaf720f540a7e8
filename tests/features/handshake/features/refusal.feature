Feature: What the handshake and the close said
  Run by tests/test_handshake.py against the Starlette app of tests/starlette_app.py,
  with a /raw route that sends back every text frame exactly as it came.

  Scenario: The refusal says why
    When Mallory tries to connect to "/secure" with token "expired"
    Then Mallory's connection is rejected with status 401 and the body contains "Invalid token"
    # The refusal is "the response" of the HTTP steps too:
    And the response header "WWW-Authenticate" starts with "Basic"
    And the response status is 401
    And the response body is "Invalid token"
    And Mallory's connection is rejected and the body is "Invalid token"
    And Mallory's connection is rejected and the body matches "Invalid \w+"

  Scenario: A good token is let in
    Given Alice is connected to "/secure" with token "good"
    Then Alice receives a message where $.type is "hello" and $.params.token is "good"

  Scenario: No subprotocol, whatever the settings offer
    Given Alice is connected to "/ws"
    And Bob is connected to "/ws" with no subprotocol
    Then Alice receives a message where $.subprotocols is ["chat.v2"]
    And Bob receives a message where $.subprotocols is []

  Scenario: Escapes in quoted text follow one rule on the step line and in conditions
    Given Alice is connected to "/ws?q=a\"b" with token "back\\slash"
    Then Alice receives a message where $.params.q is "a\"b" and $.params.token is "back\\slash"
    When Alice sends the text "line one\nline two\tand a \"quote\""
    Then Alice receives a message where $.text is "line one\nline two\tand a \"quote\""
    When Alice sends the text "a\nb"
    Then Alice receives the text "{\"type\":\"echo\",\"text\":\"a\\nb\"}"

  Scenario: A frame of several lines, written under the step
    Given Alice is connected to "/raw"
    When Alice sends the text "first line\nsecond line"
    Then Alice receives the text:
      """
      first line
      second line
      """

  Scenario: Engine.IO-style frames are compared as text by text matchers
    Given Alice is connected to "/raw"
    When Alice sends the text "40"
    Then Alice receives the text "40"
    When Alice sends the text "40"
    Then Alice receives a message where $ is "40" and $ starts with "4" and $ matches "4\d"
    When Alice sends the text "41"
    Then Alice receives a message where $ is greater than 40 and $ is not "40"

  Scenario: The reason alone
    Given Alice is connected to "/raw"
    When Alice sends the text "close:4000:done for \"today\""
    Then Alice is disconnected with reason "done for \"today\""
