Feature: a JSON-RPC 2.0 server over WebSocket, in the generic steps and two phrases

  Scenario: a call gets its result
    Given Alice is connected
    When Alice calls "add" with [2, 3]
    Then Alice gets the answer to "add" where $.type is "result" and $.result is 5

  Scenario: answers are matched to their calls by id
    Given Alice is connected
    When Alice calls "subtract" with [10, 4]
    And Alice calls "add" with [1, 1]
    Then Alice gets the answer to "add" where $.result is 2 and $.id is 2
    And Alice gets the answer to "subtract" where $.result is 6 and $.id is 1

  Scenario: errors carry their code and message
    Given Alice is connected
    When Alice calls "divide" with [1, 0]
    Then Alice gets the answer to "divide" where $.type is "error" and $.error.message is "division by zero"
    When Alice calls "no_such_method" with []
    Then Alice gets the answer to "no_such_method" where $.error.code is -32601

  Scenario: the server notifies, after answering
    Given Alice is connected
    When Alice calls "watch" with {"topic": "prices", "count": 2}
    Then Alice gets the answer to "watch" where $.result is "watching"
    And Alice receives a message where $.type is "notification" and $.method is "tick" and $.params.n is 1
    And Alice receives a message where $.method is "tick" and $.params.n is 2
