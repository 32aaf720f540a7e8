@fails
Feature: STOMP failures say which client, which destination, which header and what came instead
  tests/test_stomp_features.py runs these with --tags=@fails and pins each sentence.

  Scenario: A body differs
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben subscribes to "/topic/fails.body"
    When Ann sends {"text": "hi"} to "/topic/fails.body"
    Then Ben receives a MESSAGE from "/topic/fails.body" where $.body.text is "bye" within 500 ms

  Scenario: A header differs
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben subscribes to "/topic/fails.header"
    When Ann sends "hi" to "/topic/fails.header"
    Then Ben receives a MESSAGE from "/topic/fails.header"
    And Ben's last message has header "content-type" "application/json"

  Scenario: The broker answers a subscription with an ERROR
    Given Ann is connected over STOMP as "guest" with passcode "${env.PW}"
    When Ann subscribes to "/nowhere/room"

  Scenario: RabbitMQ does not close the connection after an ERROR, and the check says so
    Given Ann is connected over STOMP as "guest" with passcode "${env.PW}"
    When Ann tries to subscribe to "/nowhere/room"
    Then Ann receives an ERROR where $.headers.message is "Unknown destination"
    And Ann is disconnected within 1 second

  Scenario: A wrong passcode
    Given Mallory is connected over STOMP as "guest" with passcode "not-the-passcode"
