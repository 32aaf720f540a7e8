Feature: Signing in with a token
  The /secure address wants a token at the handshake; /login wants it in the
  first message.

  Scenario: No token is refused at the handshake
    When Alice tries to connect to "/secure"
    Then Alice's connection is rejected with status 401 and the body contains "Missing token"

  Scenario: A wrong token is told so and disconnected
    When Alice connects to "/secure" with token "not-a-real-token"
    Then Alice is refused with "invalid_token"
    And Alice is disconnected with code 4001 and reason "invalid token"

  Scenario: A good token is accepted
    Given Alice is connected to "/secure" with token "alice-token"
    Then Alice is signed in as "alice"
    And Alice is still connected

  Scenario: The token can travel in the first message instead
    Given Alice is connected to "/login"
    When Alice signs in with token "bob-token"
    Then Alice is signed in as "bob"

  Scenario: The first message must be the sign-in
    Given Alice is connected to "/login"
    When Alice asks to join room "lobby"
    Then Alice is refused with "auth_required"
    And Alice is disconnected with code 4001 and reason "authentication required"

  Scenario: Refusals at sign-in explain themselves
    When Alice connects to "/secure" with token "not-a-real-token"
    Then Alice is refused with "invalid_token" and the message "Invalid token"
    Given Bob is connected to "/login"
    When Bob signs in with token "not-a-real-token"
    Then Bob is refused with "invalid_token" and the message "Invalid token"
    And Bob is disconnected with code 4001 and reason "invalid token"
    Given Carol is connected to "/login"
    When Carol sends the text "not json"
    Then Carol receives a message where $.code is "auth_required" and $.message is 'Authenticate first: send {"type": "auth", "token": "..."}.'
    And Carol is disconnected with code 4001 and reason "authentication required"

  Scenario: A token that is not text is refused
    Given Alice is connected to "/login"
    When Alice sends {"type": "auth", "token": ["alice-token"]}
    Then Alice is refused with "invalid_token"
    And Alice is disconnected with code 4001 and reason "invalid token"

  Scenario: A client that never signs in is disconnected once the sign-in time runs out
    Given Alice is connected to "/login"
    Then Alice is disconnected with code 4001 and reason "authentication timeout" within 10 seconds
