Feature: a Rails ActionCable chat, in the generic steps and two phrases

  Scenario: a message reaches everyone in the room
    Given Alice is connected with token "alice-token"
    And Bob is connected with token "bob-token"
    And Alice joins the chat room "lobby"
    And Bob joins the chat room "lobby"
    When Alice says "hi"
    Then Bob receives a message where $.channel is "ChatChannel" and $.message.text is "hi" and $.message.from is "Alice"
    And Alice receives a message where $.message.from is "Alice"

  Scenario: other rooms hear nothing
    Given Alice is connected with token "alice-token"
    And Bob is connected with token "bob-token"
    And Alice joins the chat room "lobby"
    And Bob joins the chat room "kitchen"
    When Alice says "hi"
    Then Bob receives no message within 500 ms

  Scenario: a subscription without a room is rejected
    Given Alice is connected with token "alice-token"
    When Alice sends {"subscribe": {"channel": "ChatChannel"}}
    Then Alice receives a message where $.type is "rejected" and $.channel is "ChatChannel"

  Scenario: a channel action answers the caller alone
    Given Alice is connected with token "alice-token"
    And Alice joins the chat room "lobby"
    When Alice sends {"perform": "whoami"}
    Then Alice receives a message where $.message.you is "Alice"
