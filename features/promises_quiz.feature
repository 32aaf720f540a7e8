Feature: The quiz keeps its word
  The built-in quizzes ask exactly their questions, in order, with their
  options; the right option scores and the others do not; the game ends the way
  the protocol says; and every refusal explains itself in exact words.

  Background:
    Given client Host is connected to "/quiz"

  Scenario: The capitals quiz asks its four questions with their options, and knows the answers
    Given Host hosts the "capitals" quiz of 4 questions
    And Ann plays the quiz
    When Host starts the quiz
    Then Ann receives a message where $.type is "quiz:question" and $.session is "${session}" and $.question.number is 1 and $.question.of is 4 and $.question.text is "What is the capital of France?" and $.question.options is ["Berlin", "Madrid", "Paris", "Rome"] and $.question.time_limit_ms is 10000
    When Ann answers option 2 to question 1
    Then Ann receives a message where $.type is "quiz:result" and $.question is 1 and $.correct is true
    And Ann receives a message where $.type is "quiz:question" and $.question.number is 2 and $.question.text is "What is the capital of Japan?" and $.question.options is ["Tokyo", "Seoul", "Beijing", "Bangkok"]
    When Ann answers option 0 to question 2
    Then Ann receives a message where $.type is "quiz:result" and $.question is 2 and $.correct is true
    And Ann receives a message where $.type is "quiz:question" and $.question.number is 3 and $.question.text is "What is the capital of Canada?" and $.question.options is ["Toronto", "Vancouver", "Montreal", "Ottawa"]
    When Ann answers option 3 to question 3
    Then Ann receives a message where $.type is "quiz:result" and $.question is 3 and $.correct is true
    And Ann receives a message where $.type is "quiz:question" and $.question.number is 4 and $.question.text is "What is the capital of Australia?" and $.question.options is ["Sydney", "Canberra", "Melbourne", "Perth"]
    When Ann answers "Perth" to question 4
    Then Ann receives a message where $.type is "quiz:result" and $.question is 4 and $.correct is false and $.score is 0 and $.time_bonus is 0 and $.total is at least 300
    And Host receives a message where $.type is "quiz:finished" and $.reason is "completed" and $.winner is "Ann" and $.standings[0].rank is 1 and $.standings[0].name is "Ann" and $.standings has length 1

  Scenario: The colours quiz asks its two questions with their options, and knows the answers
    Given Host hosts the "colours" quiz of 2 questions
    And Ann plays the quiz
    When Host starts the quiz
    Then Ann receives a message where $.type is "quiz:question" and $.question.text is "Which colour do blue and yellow make?" and $.question.options is ["green", "purple", "orange"]
    When Ann answers "green" to question 1
    Then Ann receives a message where $.type is "quiz:result" and $.question is 1 and $.correct is true
    And Ann receives a message where $.type is "quiz:question" and $.question.text is "What colour is a clear daytime sky?" and $.question.options is ["red", "blue"]
    When Ann answers option 0 to question 2
    Then Ann receives a message where $.type is "quiz:result" and $.question is 2 and $.correct is false and $.score is 0

  Scenario: A right answer scores 100 points and a bonus for the time left
    Given Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Host starts the quiz
    And Ann answers "Paris" to question 1
    Then Ann receives a message where $.type is "quiz:result" and $.correct is true and $.score is at least 150 and $.score is at most 200 and $.time_bonus is at least 50 and $.time_bonus is at most 100
    And Ann receives a message where $.type is "quiz:leaderboard" and $.question is 1 and $.standings[0].name is "Ann" and $.standings[0].rank is 1 and $.standings[0].score is at least 150

  Scenario: When the host leaves, the game ends for everyone
    Given Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Host starts the quiz
    And Ann answers option 0 to question 1
    And Host disconnects
    Then Ann receives a message where $.type is "quiz:finished" and $.reason is "host_left" and $.winner is null and $.standings[0].score is 0

  Scenario: Who may join, and under which name
    Given Host hosts the "capitals" quiz
    When Host sends {"type": "quiz:join", "session": "${session}", "name": "Host"}
    Then Host is refused with "host_cannot_play" and the message "The host of a quiz cannot join it as a player."
    When Host starts the quiz
    Then Host is refused with "no_players" and the message "The quiz cannot start before a player has joined."
    Given Ann plays the quiz
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": "Ann"}
    Then Ann receives a message where $.code is "already_joined" and $.message is "You have already joined quiz session ${session}."
    Given Bob is connected to "/quiz"
    When Bob sends {"type": "quiz:join", "session": "${session}", "name": "Ann"}
    Then Bob receives a message where $.code is "name_taken" and $.message is 'The name "Ann" is already taken in this quiz.'
    When Bob sends {"type": "quiz:join", "session": "${session}", "name": "<b>Bob</b>"}
    Then Bob receives a message where $.code is "invalid_name" and $.message is 'A "name" is 1 to 64 characters, without < or >.'
    Given Cid is connected to "/quiz"
    When Cid sends {"type": "quiz:join", "session": "${session}", "name": "Cid <3"}
    Then Cid is refused with "invalid_name"
    When Bob sends {"type": "quiz:join", "session": "${session}", "name": "   "}
    Then Bob is refused with "invalid_name"
    When Bob sends {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": 0}
    Then Bob is refused with "not_a_player" and the message "Only players who joined this quiz can answer."
    When Host starts the quiz
    And Bob sends {"type": "quiz:join", "session": "${session}", "name": "Bob"}
    Then Bob receives a message where $.code is "already_started" and $.message is "Quiz session ${session} has already started."
    When Host starts the quiz
    Then Host receives a message where $.code is "already_started" and $.message is "Quiz session ${session} has already started."

  Scenario: Answers are checked and refusals explain themselves
    Given Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Host starts the quiz
    And Ann sends {"type": "quiz:answer", "session": "${session}", "answer": 0}
    Then Ann receives a message where $.code is "invalid_message" and $.message is 'An answer needs a "question" number.'
    When Ann answers option 2 to question 2
    Then Ann is refused with "too_late" and the message "Question 2 is not open: answers count only for the current question, within its time limit of 10000 ms."
    When Ann answers option 4 to question 1
    Then Ann is refused with "invalid_answer" and the message "An answer is an option's index from 0 to 3 or its exact text, at most 200 characters."

  Scenario: Markup and second answers are refused
    Given Host hosts the "capitals" quiz
    And Ann plays the quiz
    And Bob plays the quiz
    When Host starts the quiz
    And Ann answers "<i>Paris</i>" to question 1
    Then Ann is refused with "invalid_answer" and the message "An answer must not contain markup such as < or >."
    When Ann answers option 2 to question 1
    And Ann answers option 2 to question 1
    Then Ann is refused with "already_answered" and the message "You have already answered question 1."

  Scenario: Unknown quizzes and requests are named
    When Host sends {"type": "quiz:create", "quiz": "sports"}
    Then Host receives a message where $.code is "unknown_quiz" and $.message is 'Unknown quiz "sports"; the known quizzes are capitals, colours.'
    When Host sends {"type": "quiz:create", "quiz": "capitals", "time_limit_ms": 99}
    Then Host receives a message where $.code is "invalid_message" and $.message is '"time_limit_ms" must be an integer from 100 to 60000.'
    When Host sends {"type": "quiz:dance"}
    Then Host receives a message where $.code is "unknown_type" and $.message is 'Unknown message type "quiz:dance"' and $.request_type is "quiz:dance"

  Scenario: The quiz greets each player, by the name given when connecting
    Given client Zed is connected to "/quiz?name=Zed"
    And client Blank is connected to "/quiz?name=%20%20"
    Then Zed receives a message where $.type is "welcome" and $.name is "Zed" and $.client_id is a string
    And Blank receives a message where $.type is "welcome" and $.name matches "guest-[0-9a-f]{6}"

  Scenario: Who leaves the lobby is not counted; who leaves a question does not hold it up
    Given Host hosts the "capitals" quiz with 60000 ms per question
    And Ann plays the quiz
    And Bob plays the quiz
    And Cid plays the quiz
    When Cid disconnects
    And Host starts the quiz
    Then Ann is asked question 1
    When Ann answers option 2 to question 1
    And Bob disconnects
    Then Ann receives a message where $.type is "quiz:leaderboard" and $.question is 1 and $.standings has length 2 and $.standings[1].name is "Bob" and $.standings[1].score is 0

  Scenario: The quiz's rate limit is stated in exact numbers
    Given Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Host starts the quiz
    And Ann answers "Rome" to question 1, 8 times in a row
    Then Ann is refused with "rate_limited" and the message "Too many quiz messages: the rate limit is 5 per second"

  Scenario: Settings and answers of the wrong kind are refused
    When Host sends {"type": "quiz:create", "quiz": "capitals", "pause_ms": -1}
    Then Host receives a message where $.code is "invalid_message" and $.message is '"pause_ms" must be an integer from 0 to 10000.'
    Given Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Host starts the quiz
    And Ann sends {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": null}
    Then Ann is refused with "invalid_answer"
    And Ann is still connected

  Scenario: A player's name may be 64 characters, not 65
    Given I set "longest" to a text of 64 characters
    And I set "too_long" to a text of 65 characters
    And Host hosts the "capitals" quiz
    And Ann is connected to "/quiz"
    And Bob is connected to "/quiz?name=${longest}"
    Then Bob receives a message where $.type is "welcome" and $.name is "${longest}"
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": "${too_long}"}
    Then Ann is refused with "invalid_name"
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": "${longest}"}
    Then Ann receives a message where $.type is "quiz:joined" and $.name is "${longest}"

  Scenario: A player joins under the name given when connecting, even one letter long
    Given Host hosts the "capitals" quiz
    And client Q is connected to "/quiz?name=Q"
    When Q sends {"type": "quiz:join", "session": "${session}"}
    Then Q receives a message where $.type is "quiz:joined" and $.name is "Q" and $.players is 1
    And Host receives a message where $.type is "quiz:player_joined" and $.name is "Q" and $.players is 1

  Scenario: A player's name may not be empty, nor longer than 64 characters when connecting
    Given I set "too_long" to a text of 65 characters
    And Host hosts the "capitals" quiz
    And Ann is connected to "/quiz?name=${too_long}"
    Then Ann receives a message where $.type is "welcome" and $.name matches "guest-.{6}"
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": ""}
    Then Ann is refused with "invalid_name"

  Scenario: A player's name may not hold markup
    Given Host hosts the "capitals" quiz
    And Ann is connected to "/quiz"
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": "Ann>"}
    Then Ann is refused with "invalid_name"

  Scenario: A quiz named by something other than text is unknown
    When Host sends {"type": "quiz:create", "quiz": 5}
    Then Host receives a message where $.code is "unknown_quiz" and $.message is "Unknown quiz 5; the known quizzes are capitals, colours."
