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

  Scenario: A one-character name is a name
    Given Alice is connected
    When Alice sends {"type": "join", "room": "short-names", "name": "Z"}
    Then Alice receives a message where $.type is "joined" and $.members[0] is "Z"

  Scenario: Close code 3000, the first of the registered range, is allowed
    Given Alice is connected
    When Alice asks the server to close the connection with code 3000
    Then Alice is disconnected with code 3000

  Scenario: A count given as text or as true is refused, not guessed
    Given Alice is connected
    When Alice sends {"type": "echo", "content": "x", "times": "2"}
    Then Alice receives a message where $.code is "invalid_message" and $.message is '"times" must be an integer from 1 to 10.'
    When Alice sends {"type": "echo", "content": "x", "times": true}
    Then Alice receives a message where $.code is "invalid_message" and $.message is '"times" must be an integer from 1 to 10.'

  Scenario: A stray closing script tag hides nothing after it
    Given Alice is connected
    And Bob is connected
    And Alice joins room "stray-tags"
    And Bob joins room "stray-tags"
    When Alice says "</script>still shown" in room "stray-tags"
    Then Bob hears Alice say "still shown" in room "stray-tags"

  Scenario: A quiz answer with a lone "<" or ">" is refused as markup
    Given Host is connected to "/quiz"
    And Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Host starts the quiz
    Then Ann is asked question 1
    When Ann answers "Paris > Rome" to question 1
    Then Ann is refused with "invalid_answer" and the message "An answer must not contain markup such as < or >."
    When Ann answers "Paris < Rome" to question 1
    Then Ann is refused with "invalid_answer" and the message "An answer must not contain markup such as < or >."

  Scenario: A quiz frame that is not JSON is refused without naming a request
    Given Ann is connected to "/quiz"
    When Ann sends the text "not json"
    Then Ann receives a message where:
      | path           | matcher        | value        |
      | $.code         | is             | invalid_json |
      | $.request_type | does not exist |              |

  Scenario: A host who leaves ends their own game even while another game is on
    Given Host is connected to "/quiz"
    And Host hosts the "capitals" quiz
    And Quizzer is connected to "/quiz"
    And Quizzer hosts the "colours" quiz
    And Ann plays the quiz
    When Quizzer disconnects
    Then Ann receives a message where $.type is "quiz:finished" and $.session is "${session}" and $.reason is "host_left"

  Scenario: Only a Bearer Authorization carries a token
    When Alice tries to connect to "/secure" with headers:
      | name          | value             |
      | Authorization | Basic alice-token |
    Then Alice's connection is rejected with status 401 and the body contains "Missing token"

  Scenario: A first message on /login that is JSON but not an object asks for the sign-in
    Given Alice is connected to "/login"
    When Alice sends ["auth", "alice-token"]
    Then Alice is refused with "auth_required"
    And Alice is disconnected with code 4001 and reason "authentication required"

  Scenario: A delay of up to 10000 ms is accepted, one more is refused
    Given Alice is connected
    When Alice sends {"type": "delay", "ms": 10001, "content": "too late"}
    Then Alice receives a message where $.code is "invalid_message" and $.message is '"ms" must be an integer from 0 to 10000.'

  Scenario: A Bearer token after more than one space still signs in
    Given Alice is connected to "/secure" with headers:
      | name          | value               |
      | Authorization | Bearer  alice-token |
    Then Alice is signed in as "alice"
