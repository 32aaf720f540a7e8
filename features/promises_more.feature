Feature: The demo keeps its smaller promises too
  Defaults the protocol documents, the last question of a quiz, and requests
  whose fields have the wrong kind of value: each is checked for what the
  server answers, not only that it answers.

  Scenario: A delay without "ms" answers at once
    Given Alice is connected
    When Alice sends {"type": "delay", "content": "right away"}
    Then Alice receives a message where $.type is "delayed" and $.content is "right away"

  Scenario: JSON nested deeper than Python itself can read is refused in exact words
    Given Alice is connected
    And I set "ten" to "[[[[[[[[[["
    And I set "hundred" to "${ten}${ten}${ten}${ten}${ten}${ten}${ten}${ten}${ten}${ten}"
    When Alice sends the text "${hundred}${hundred}${hundred}${hundred}${hundred}${hundred}${hundred}${hundred}${hundred}${hundred}${hundred}${hundred}${hundred}${hundred}${hundred}"
    Then Alice is refused with "invalid_json" and the message "Invalid JSON: nested too deeply"
    When Alice asks for an echo of "still here"
    Then Alice hears the echo "still here"

  Scenario: A quiz request naming its session with something other than text finds no session
    Given Ann is connected to "/quiz"
    When Ann sends {"type": "quiz:join", "session": ["not", "a", "code"], "name": "Ann"}
    Then Ann is refused with "session_not_found" and the message "Session not found"

  Scenario: Every question of the capitals quiz has its own right answer
    Given Host is connected to "/quiz"
    And Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Host starts the quiz
    Then Ann is asked question 1
    When Ann answers "Paris" to question 1
    Then Ann is told the answer is right
    And Ann is asked question 2
    When Ann answers "Tokyo" to question 2
    Then Ann is told the answer is right
    And Ann is asked question 3
    When Ann answers "Ottawa" to question 3
    Then Ann is told the answer is right
    And Ann is asked question 4
    When Ann answers "Canberra" to question 4
    Then Ann is told the answer is right
