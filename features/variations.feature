Feature: Text frames, copies and other variations
  Smaller variations of the everyday steps, each shown once, so the step
  catalogue (wsbdd steps) has a tested example for every step. The scenario
  marked (raw JSON) shows a generic step any app can use.

  Scenario: Text that is not JSON gets a polite error
    Given Alice is connected
    When Alice sends the text "hello"
    Then Alice is refused with "invalid_json"
    When Alice sends the text:
      """
      still not JSON
      """
    Then Alice receives a message where $.code is "invalid_json"

  Scenario: The exact text the server sends back
    Given Alice is connected
    When Alice asks for an echo of "hi"
    Then Alice receives the text "{"type":"echo","content":"hi","n":1}"

  Scenario: The exact text, under the step
    Given Alice is connected
    When Alice asks for an echo of "hi"
    Then Alice receives the text:
      """
      {"type":"echo","content":"hi","n":1}
      """

  Scenario: Quotes and new lines in a text on the step line
    Given Alice is connected
    When Alice sends the text "{\"type\": \"echo\", \"content\": \"two\\nlines\"}"
    Then Alice receives a message where $.content is "two\nlines"

  Scenario: The server answers at all
    Given Alice is connected
    When Alice checks that the server is alive
    And Alice sends ping 2
    Then Alice receives a message

  Scenario: Several copies of one message (raw JSON)
    Given Alice is connected
    When Alice sends 3 messages {"type": "echo", "content": "copy ${i} of ${n}"}
    Then Alice has received 3 messages where $.content starts with "copy"

  Scenario: A value the scenario sets for itself
    Given Alice is connected
    And I set "room" to "garden"
    When Alice joins room "${room}"
    And Alice says "hello from the ${room}" in room "${room}"
    Then Alice receives a message where $.content is "hello from the garden"

  Scenario: Several clients try to connect at once
    When clients Alice and Bob try to connect to "/secure"
    Then Alice's connection is rejected with status 401
    And Bob's connection is rejected with status 401
    When clients Carol and Dave connect
    Then Carol's connection is accepted
