Feature: HTTP beside WebSocket
  A member signs in with the site's login form (a CSRF token in the page, a
  session cookie in the answer), opens the chat's WebSocket with those cookies,
  and hears what a REST call announces to her room.

  Scenario: A signed-in member chats; the REST call pushes to the room
    When Alice opens "/accounts/login/"
    Then the response status is 200
    And the response header "Content-Type" starts with "text/html"
    And the response body contains "Sign in"
    And I remember the text matching "name=\"csrfmiddlewaretoken\" value=\"([^\"]+)\"" from the response as "csrf"
    And I remember Alice's cookie "csrftoken" as "cookie_token"
    When Alice posts the form {"username": "alice", "password": "${env.ALICE_PW}", "csrfmiddlewaretoken": "${csrf}"} to "/accounts/login/"
    Then the response status is 302
    And the response header "Location" is "/chat/"
    # Alice's cookies travel with her handshake
    Given Alice is connected to "/chat/stream/"
    When Alice sends {"command": "join", "room": 1}
    Then Alice receives a message where $.type is "joined" and $.user is "alice"
    When I POST {"text": "deploy done"} to "/api/rooms/1/announce" with header "X-Api-Key" "${env.ROOMS_KEY}"
    Then the response status is 202 and $.queued is true
    And Alice receives a message where $.message is "deploy done"

  Scenario: After the form's redirect, the member's own page and API know her
    When Alice opens "/accounts/login/"
    And I remember the text matching "value=\"([^\"]+)\"" from the response as "csrf"
    And Alice posts to "/accounts/login/" with the form:
      | field               | value          |
      | username            | alice          |
      | password            | ${env.ALICE_PW} |
      | csrfmiddlewaretoken | ${csrf}        |
    When Alice follows the redirect
    Then the response body contains "Hello, alice"
    When Alice GETs "/api/me"
    Then the response is JSON where $.user is "alice"
    And the response is like:
      """
      {"user": "#string"}
      """
    When I GET "/api/me"
    Then the response status is 401
    And the response has no header "Set-Cookie"

  Scenario: Without signing in, the chat's WebSocket is refused
    When Bob tries to connect to "/chat/stream/"
    Then Bob's connection is rejected with status 403

  Scenario: A wrong CSRF token is forbidden
    When Alice opens "/accounts/login/"
    And Alice posts the form {"username": "alice", "password": "${env.ALICE_PW}", "csrfmiddlewaretoken": "forged"} to "/accounts/login/"
    Then the response status is 403
    And the response body contains "CSRF verification failed"

  Scenario: Requests carry JSON, text, headers and a query; the answers are checked as messages are
    When I PUT {"name": "lobby", "size": 2} to "/api/echo?room=1"
    Then the response status is 200 and $.method is "PUT" and $.query.room is "1"
    And I remember $.body from the response as "sent"
    When I PATCH "/api/echo" with the JSON:
      """
      {"topic": "${sent}"}
      """
    Then the response is JSON where $.method is "PATCH" and $.body contains "lobby"
    When I POST to "/api/echo" with the text:
      """
      plain words
      """
    Then the response is JSON where:
      | path                   | matcher     | value         |
      | $.body                 | is          | "plain words" |
      | $.headers.content-type | starts with | "text/plain"  |
    When I DELETE "/api/echo" with headers:
      | name    | value |
      | X-Trace | 42    |
    Then the response is JSON where $.headers.x-trace is "42"
    And the response header "X-Echo" is "yes"
    And I remember the response header "X-Echo" as "echoed"
    When I GET "/api/echo" with query:
      | name  | value     |
      | words | ${echoed} |
    Then the response is JSON where $.query.words is "yes"
    When I OPTIONS "/api/echo"
    Then the response status is 200
    When I HEAD "/api/echo"
    Then the response status is 200

  Scenario: A redirect to another origin is not followed
    When I GET "/go/away" with header "X-Api-Key" "${env.ROOMS_KEY}"
    Then the response status is 302
    And the response header "Location" ends with "/stolen"

  @fails
  Scenario: A wrong status is one sentence
    When I GET "/api/me"
    Then the response status is 200

  @fails
  Scenario: JSON conditions on an HTML page say the body is not JSON
    When I GET "/accounts/login/"
    Then the response is JSON where $.user is "alice"

  @fails
  Scenario: A missing header is one sentence
    When I GET "/api/me"
    Then the response header "X-Request-Id" exists
