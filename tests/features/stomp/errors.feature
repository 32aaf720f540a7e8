Feature: The broker's ERROR frames, its refusals, and heart-beats through quiet times

  Scenario: Subscribing to a destination the broker does not know is an ERROR
    Given Ann is connected over STOMP as "guest" with passcode "${env.PW}"
    When Ann tries to subscribe to "/nowhere/room"
    Then Ann receives an ERROR where $.headers.message is "Unknown destination" and $.body contains "/nowhere/room"

  Scenario: Sending to an exchange that does not exist ends the connection
    RabbitMQ 3.10's Web-STOMP closes the connection on a channel error (its log says it sent
    the ERROR "not_found", which never reaches the client): the close's reason says so.

    Given Ann is connected over STOMP as "guest" with passcode "${env.PW}"
    When Ann sends {"text": "hi"} to "/exchange/no-such-exchange/key"
    Then Ann is disconnected with code 1000 and reason "STOMP died" within 2 seconds

  Scenario: Committing a transaction that was never begun is an ERROR
    Given Ann is connected over STOMP as "guest" with passcode "${env.PW}"
    When Ann commits transaction "never-begun"
    Then Ann receives an ERROR where $.headers.message is "Bad transaction" and $.body contains "never-begun"

  Scenario: A wrong passcode is refused by the broker
    When Mallory tries to connect over STOMP as "guest" with passcode "not-the-passcode"
    Then Mallory's connection is refused by the broker with a message containing "Access refused"

  Scenario: Heart-beats keep a client through a quiet window longer than their interval
    The broker answers heart-beats of 500 ms with 1 s both ways, and drops a client that
    sends nothing for 3 s: the quiet window of 4 s passes only if wsbdd sends them.

    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}" with heart-beats every 500 ms
    And Ben subscribes to "/topic/later"
    Then Ben receives no MESSAGE from "/topic/later" within 4 seconds
    And Ann is still connected
    When Ann sends {"text": "still here"} to "/topic/later" and waits for the receipt
    Then Ben receives a MESSAGE from "/topic/later" where $.body.text is "still here"
