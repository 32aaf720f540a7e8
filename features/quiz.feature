Feature: Live quiz
  A host runs a quiz; players join with the session code, answer each question
  against the clock, and everyone sees the leaderboard after every question.
  The words are the "quiz" preset's (switched on in pyproject.toml); refusals
  use the chat preset's "is refused with".

  Background:
    Given client Host is connected to "/quiz"

  Scenario: A whole game: questions, right and wrong answers, leaderboards, final standings
    Given Host hosts the "colours" quiz of 2 questions
    And clients Ann and Bob in group "players" are connected to "/quiz"
    When every client in group "players" joins the quiz
    Then Host is told that 2 players have joined
    When Host starts the quiz
    Then every client in group "players" and Host is asked question 1 of 2, with 3 options
    When Ann answers option 0 to question 1
    And Bob answers "purple" to question 1
    Then Ann is told the answer is right
    And Bob is told the answer is wrong
    And every client in group "players" and Host sees Ann lead the leaderboard
    And every client in group "players" and Host is asked question 2
    When Ann answers "red" to question 2
    And Bob answers option 1 to question 2
    Then Bob is told the answer is right
    And every client in group "players" and Host sees the final standings of 2 players

  Scenario: Twenty players answer at once and every answer is counted
    Given Host hosts the "capitals" quiz
    And 20 clients in group "players" are connected to "/quiz"
    And every client in group "players" joins the quiz
    When Host starts the quiz
    Then every client in group "players" and Host is asked question 1
    When every client in group "players" answers "${cycle:Berlin,Madrid,Paris,Rome}" to question 1
    Then every client in group "players" and Host sees a leaderboard of 20 players
    And exactly 5 clients in group "players" receive a message where $.type is "quiz:result" and $.correct is true
    And exactly 15 clients in group "players" receive a message where $.type is "quiz:result" and $.correct is false

  Scenario: Joining a session that does not exist
    Given Ann is connected to "/quiz"
    When Ann tries to join the quiz with code "deadbeef"
    Then Ann is refused with "session_not_found" and the message "Session not found"

  Scenario: Only the host can start the quiz
    Given Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Ann starts the quiz
    Then Ann is refused with "not_host" and the message "Only the host can start the quiz"
    And Ann receives no message where $.type is "quiz:question" within 300 ms

  Scenario: A second answer to the same question is refused
    Given Host hosts the "capitals" quiz
    And clients Ann and Bob in group "players" are connected to "/quiz"
    And every client in group "players" joins the quiz
    When Host starts the quiz
    Then Ann is asked question 1
    When Ann answers option 2 to question 1
    And Ann answers option 3 to question 1
    Then Ann is told the answer is right
    And Ann is refused with "already_answered"

  Scenario: An answer after the time limit is too late
    Given Host hosts the "capitals" quiz with 200 ms per question and 10000 ms between questions
    And Ann plays the quiz
    When Host starts the quiz
    Then Ann sees the leaderboard after question 1
    When Ann answers option 2 to question 1
    Then Ann is refused with "too_late"

  Scenario: Answers with markup are refused
    Given Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Host starts the quiz
    Then Ann is asked question 1
    When Ann answers "<b>Paris</b>" to question 1
    Then Ann is refused with "invalid_answer"

  Scenario: Answering too fast hits the rate limit
    Given Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Host starts the quiz
    Then Ann is asked question 1
    When Ann answers "Paris" to question 1, 12 times in a row
    Then Ann is told the answer is right
    And Ann is refused with "rate_limited" and a message mentioning "rate limit"

  Scenario Outline: An answer by position or by text is scored
    Given Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Host starts the quiz
    Then Ann is asked "What is the capital of France?"
    When Ann answers <answer> to question 1
    Then Ann is told the answer is <result>

    Examples:
      | answer   | result |
      | option 2 | right  |
      | "Paris"  | right  |
      | option 0 | wrong  |
      | "Berlin" | wrong  |
