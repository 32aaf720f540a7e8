Feature: Live quiz
  A host runs a quiz; players join with the session code, answer each question
  against the clock, and everyone sees the leaderboard after every question.

  Background:
    Given client Host is connected to "/quiz"

  Scenario: A whole game: questions, right and wrong answers, leaderboards, final standings
    When Host sends {"type": "quiz:create", "quiz": "colours"}
    Then Host receives a message where $.type is "quiz:created" and $.questions is 2
    And I remember $.session from Host's last message as "session"
    Given clients Ann and Bob in group "players" are connected to "/quiz"
    When every client in group "players" sends {"type": "quiz:join", "session": "${session}", "name": "${client}"}
    Then every client in group "players" receives a message where $.type is "quiz:joined"
    And Host receives a message where $.type is "quiz:player_joined" and $.players is 2
    When Host sends {"type": "quiz:start", "session": "${session}"}
    Then every client in group "players" and Host receive a message like:
      """
      {"type": "quiz:question", "question": {"number": 1, "of": 2, "text": "#string", "options": "#[3]", "time_limit_ms": "#number", "answer": "#notpresent"}}
      """
    When Ann sends {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": 0}
    And Bob sends {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": "purple"}
    Then Ann receives a message where:
      | path         | matcher     | value       |
      | $.type       | is          | quiz:result |
      | $.correct    | is          | true        |
      | $.time_bonus | is a number |             |
      | $.total      | is at least | 100         |
    And Bob receives a message where $.type is "quiz:result" and $.correct is false and $.score is 0
    And every client in group "players" and Host receive a message where $.type is "quiz:leaderboard" and $.standings[0].name is "Ann"
    And every client in group "players" and Host receive a message where $.question.number is 2
    When Ann sends {"type": "quiz:answer", "session": "${session}", "question": 2, "answer": "red"}
    And Bob sends {"type": "quiz:answer", "session": "${session}", "question": 2, "answer": 1}
    Then Bob receives a message where $.type is "quiz:result" and $.correct is true
    And every client in group "players" and Host receive a message like:
      """
      {"type": "quiz:finished", "winner": "#string", "standings": "#[2]"}
      """

  Scenario: Twenty players answer at once and every answer is counted
    When Host sends {"type": "quiz:create", "quiz": "capitals"}
    Then Host receives a message where $.type is "quiz:created"
    And I remember $.session from Host's last message as "session"
    Given 20 clients in group "players" are connected to "/quiz"
    When every client in group "players" sends {"type": "quiz:join", "session": "${session}", "name": "${client}"}
    Then every client in group "players" receives a message where $.type is "quiz:joined"
    When Host sends {"type": "quiz:start", "session": "${session}"}
    Then every client in group "players" and Host receive a message where $.question.number is 1
    When every client in group "players" sends at the same time {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": ${cycle:0,1,2,3}}
    Then exactly 5 clients in group "players" receive a message where $.type is "quiz:result" and $.correct is true
    And exactly 15 clients in group "players" receive a message where $.type is "quiz:result" and $.correct is false
    And every client in group "players" and Host receive a message where $.type is "quiz:leaderboard" and $.standings has length 20

  Scenario: Joining a session that does not exist
    Given Ann is connected to "/quiz"
    When Ann sends {"type": "quiz:join", "session": "deadbeef", "name": "Ann"}
    Then Ann receives a message where $.type is "error" and $.message is "Session not found"

  Scenario: Only the host can start the quiz
    When Host sends {"type": "quiz:create", "quiz": "capitals"}
    Then Host receives a message where $.type is "quiz:created"
    And I remember $.session from Host's last message as "session"
    Given Ann is connected to "/quiz"
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": "Ann"}
    And Ann sends {"type": "quiz:start", "session": "${session}"}
    Then Ann receives a message where $.code is "not_host" and $.message is "Only the host can start the quiz"
    And Ann receives no message where $.type is "quiz:question" within 300 ms

  Scenario: A second answer to the same question is refused
    When Host sends {"type": "quiz:create", "quiz": "capitals"}
    Then Host receives a message where $.type is "quiz:created"
    And I remember $.session from Host's last message as "session"
    Given clients Ann and Bob in group "players" are connected to "/quiz"
    When every client in group "players" sends {"type": "quiz:join", "session": "${session}", "name": "${client}"}
    And Host sends {"type": "quiz:start", "session": "${session}"}
    Then Ann receives a message where $.question.number is 1
    When Ann sends {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": 2}
    And Ann sends {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": 3}
    Then Ann receives a message where $.type is "quiz:result" and $.correct is true
    And Ann receives a message where $.type is "error" and $.code is "already_answered"

  Scenario: An answer after the time limit is too late
    When Host sends {"type": "quiz:create", "quiz": "capitals", "time_limit_ms": 200}
    Then Host receives a message where $.type is "quiz:created"
    And I remember $.session from Host's last message as "session"
    Given Ann is connected to "/quiz"
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": "Ann"}
    And Host sends {"type": "quiz:start", "session": "${session}"}
    Then Ann receives a message where $.type is "quiz:leaderboard" and $.question is 1
    When Ann sends {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": 2}
    Then Ann receives a message where $.type is "error" and $.code is "too_late"

  Scenario: Answers with markup are refused
    When Host sends {"type": "quiz:create", "quiz": "capitals"}
    Then Host receives a message where $.type is "quiz:created"
    And I remember $.session from Host's last message as "session"
    Given Ann is connected to "/quiz"
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": "Ann"}
    And Host sends {"type": "quiz:start", "session": "${session}"}
    Then Ann receives a message where $.question.number is 1
    When Ann sends {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": "<b>Paris</b>"}
    Then Ann receives a message where $.type is "error" and $.code is "invalid_answer"

  Scenario: Answering too fast hits the rate limit
    When Host sends {"type": "quiz:create", "quiz": "capitals"}
    Then Host receives a message where $.type is "quiz:created"
    And I remember $.session from Host's last message as "session"
    Given Ann is connected to "/quiz"
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": "Ann"}
    And Host sends {"type": "quiz:start", "session": "${session}"}
    Then Ann receives a message where $.question.number is 1
    When Ann sends 12 messages:
      """
      {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": "Paris"}
      """
    Then Ann receives a message where $.type is "quiz:result" and $.correct is true
    And Ann receives a message where $.code is "rate_limited" and $.message contains "rate limit"

  Scenario Outline: An answer by position or by text is scored
    When Host sends {"type": "quiz:create", "quiz": "capitals"}
    Then Host receives a message where $.type is "quiz:created"
    And I remember $.session from Host's last message as "session"
    Given Ann is connected to "/quiz"
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": "Ann"}
    And Host sends {"type": "quiz:start", "session": "${session}"}
    Then Ann receives a message where $.question.text is "What is the capital of France?"
    When Ann sends {"type": "quiz:answer", "session": "${session}", "question": 1, "answer": <answer>}
    Then Ann receives a message where $.type is "quiz:result" and $.correct is <correct>

    Examples:
      | answer   | correct |
      | 2        | true    |
      | "Paris"  | true    |
      | 0        | false   |
      | "Berlin" | false   |
