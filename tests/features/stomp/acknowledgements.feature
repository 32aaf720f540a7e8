Feature: Client acknowledgements, transactions and receipts

  Scenario: A message not acknowledged comes again; an acknowledged one does not
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben subscribes to "/queue/work" with ack "client-individual"
    When Ann sends {"job": 1} to "/queue/work"
    Then Ben receives a MESSAGE from "/queue/work" where $.body.job is 1 and $.headers.redelivered is "false"
    When Ben does not acknowledge the last message
    Then Ben receives a MESSAGE from "/queue/work" where $.body.job is 1 and $.headers.redelivered is "true"
    When Ben acknowledges the last message
    Then Ben receives no MESSAGE from "/queue/work" within 500 ms

  Scenario: Messages kept under a name are acknowledged one by one
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben subscribes to "/queue/tasks" with ack "client-individual"
    When Ann sends "first" to "/queue/tasks"
    And Ann sends "second" to "/queue/tasks"
    Then Ben receives a MESSAGE from "/queue/tasks" where $.body is "first"
    And Ben keeps the last message as "first"
    And Ben receives a MESSAGE from "/queue/tasks" where $.body is "second"
    When Ben nacks the last message
    And Ben acknowledges the message kept as "first"
    Then Ben receives a MESSAGE from "/queue/tasks" where $.body is "second" and $.headers.redelivered is "true"
    And Ben receives no MESSAGE from "/queue/tasks" where $.body is "first" within 300 ms

  Scenario: A committed transaction delivers what was sent in it, at the commit
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben subscribes to "/topic/orders"
    When Ann begins transaction "tx1"
    And Ann sends {"order": 1} to "/topic/orders" in transaction "tx1"
    And Ann sends {"order": 2} to "/topic/orders" in transaction "tx1"
    Then Ben receives no MESSAGE from "/topic/orders" within 300 ms
    When Ann commits transaction "tx1" and waits for the receipt
    Then Ben receives a MESSAGE from "/topic/orders" where $.body.order is 1
    And Ben receives a MESSAGE from "/topic/orders" where $.body.order is 2

  Scenario: An aborted transaction delivers nothing
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben subscribes to "/topic/orders"
    When Ann begins transaction "tx2"
    And Ann sends {"order": 3} to "/topic/orders" in transaction "tx2"
    And Ann aborts transaction "tx2" and waits for the receipt
    Then Ben receives no MESSAGE from "/topic/orders" within 500 ms

  Scenario: Acknowledgements may be part of a transaction
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ben subscribes to "/queue/billing" with ack "client-individual"
    When Ann sends {"invoice": 7} to "/queue/billing"
    Then Ben receives a MESSAGE from "/queue/billing" where $.body.invoice is 7
    When Ben begins transaction "ack-tx"
    And Ben acknowledges the last message in transaction "ack-tx"
    And Ben commits transaction "ack-tx" and waits for the receipt within 2 seconds
    Then Ben receives no MESSAGE from "/queue/billing" within 300 ms
