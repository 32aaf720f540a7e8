Feature: Topics reach every subscriber, queues reach one, with JSON or text bodies and headers

  Scenario: A topic reaches every subscriber; a queue reaches one
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ann and Ben subscribe to "/topic/room.lobby"
    When Ann sends {"text": "hi"} to "/topic/room.lobby" with header "content-type" "application/json"
    Then Ben receives a MESSAGE from "/topic/room.lobby" where $.body.text is "hi"
    And Ben's last message has header "content-type" "application/json"

  Scenario: Every subscriber of a topic gets its own copy
    Given clients Ann, Ben and Cleo are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben and Cleo subscribe to "/topic/news"
    When Ann sends {"headline": "rain"} to "/topic/news"
    Then Ben receives a MESSAGE from "/topic/news" where $.body.headline is "rain"
    And Cleo receives a MESSAGE from "/topic/news" where $.body.headline is "rain"
    And Ann receives no MESSAGE within 300 ms

  Scenario: A queue hands each message to one consumer
    Given clients Ann, Ben and Cleo are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben and Cleo subscribe to "/queue/jobs"
    When Ann sends "job 1" to "/queue/jobs"
    And Ann sends "job 2" to "/queue/jobs"
    Then Ben receives a MESSAGE from "/queue/jobs" within 1 second
    And Cleo receives a MESSAGE from "/queue/jobs" within 1 second
    And Ben receives no MESSAGE from "/queue/jobs" within 300 ms
    And Cleo receives no MESSAGE from "/queue/jobs" within 300 ms

  Scenario: Text bodies are text, JSON bodies are JSON, headers travel with them
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben subscribes to "/topic/mixed"
    When Ann sends "plain words" to "/topic/mixed" with header "x-trace" "42"
    Then Ben receives a MESSAGE from "/topic/mixed" where $.body is "plain words" and $.headers.x-trace is "42"
    And Ben's last message has header "content-type" "text/plain"
    When Ann sends [1, 2, 3] to "/topic/mixed" with headers:
      | header   | value |
      | x-trace  | 43    |
      | x-origin | ann   |
    Then Ben receives a MESSAGE from "/topic/mixed" where $.body[2] is 3
    And Ben's last message has header "x-origin" "ann"
    When Ann sends to "/topic/mixed" and waits for the receipt:
      """
      {"text": "from a docstring"}
      """
    Then Ben receives a MESSAGE where $.body.text is "from a docstring" and $.headers.destination is "/topic/mixed"

  Scenario: An unsubscribed client hears nothing more
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben subscribes to "/topic/quiet"
    When Ben unsubscribes from "/topic/quiet"
    And Ann sends {"text": "anyone?"} to "/topic/quiet" and waits for the receipt
    Then Ben receives no MESSAGE from "/topic/quiet" within 300 ms
