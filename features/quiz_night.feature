Feature: A quiz night
  A whole evening in the quiz's own words (the "quiz" preset, switched on in
  pyproject.toml); quiz.feature goes through the rules one by one.

  Background:
    Given client Host is connected to "/quiz"

  Scenario: Two players, two questions, one winner
    Given Host hosts the "colours" quiz
    And clients Ann and Bob in group "players" are connected to "/quiz"
    And every client in group "players" joins the quiz
    When Host starts the quiz
    Then every client in group "players" and Host is asked question 1
    When Ann answers option 0 to question 1
    And Bob answers option 2 to question 1
    Then Ann is told the answer is right
    And Bob is told the answer is wrong
    And every client in group "players" and Host sees Ann lead the leaderboard
    And every client in group "players" and Host is asked question 2
    When Ann answers "blue" to question 2
    And Bob answers option 0 to question 2
    Then Ann is told the answer is right
    And every client in group "players" and Host sees Ann win the quiz

  Scenario: A latecomer plays too
    Given Host hosts the "capitals" quiz
    When Cid plays the quiz
    And Host starts the quiz
    Then Cid is asked question 1
