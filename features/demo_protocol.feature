Feature: The demo protocol, field by field
  Every message the demo server sends, with every field it carries: its value,
  its kind, or that it is left out. "$ has length 5" counts a message's fields,
  so a field the page does not list fails too. docs/demo-protocol.md lists the
  same fields ("Every message, field by field"), and tests/test_demo_protocol_spec.py
  checks that this feature and that page name the same ones.

  # -- connecting -----------------------------------------------------------------

  Scenario: welcome greets a guest with a name made from its id
    Given Alice is connected
    Then Alice receives a message where:
      | path          | matcher    | value                                      |
      | $             | has length | 5                                          |
      | $.type        | is         | welcome                                    |
      | $.client_id   | is a uuid  |                                            |
      | $.name        | matches    | guest-[0-9a-f]{6}                          |
      | $.server_time | matches    | \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z     |
      | $.message     | is         | Welcome to the wsbdd demo chat             |
    And I remember $.client_id from Alice's last message as "id"
    When Alice asks the server what it knows about the connection
    Then Alice receives a message where $.type is "you" and $.client_id is "${id}"

  Scenario: authenticated names the user behind the token
    Given Alice is connected to "/secure" with token "alice-token"
    Then Alice receives a message where:
      | path        | matcher    | value         |
      | $           | has length | 3             |
      | $.type      | is         | authenticated |
      | $.user      | is         | alice         |
      | $.client_id | is a uuid  |               |
    And I remember $.client_id from Alice's last message as "id"
    When Alice asks the server what it knows about the connection
    Then Alice receives a message where $.type is "you" and $.client_id is "${id}" and $.name is "alice"

  Scenario: Signing in fails with an error that names no request, then close 4001
    Given Alice is connected to "/secure" with token "not-a-token"
    And Bob is connected to "/login"
    When Bob asks the server to "whoami"
    Then Alice receives a message where:
      | path           | matcher        | value         |
      | $              | has length     | 3             |
      | $.type         | is             | error         |
      | $.code         | is             | invalid_token |
      | $.message      | is             | Invalid token |
      | $.request_type | does not exist |               |
    And Alice is disconnected with code 4001 and reason "invalid token"
    And Bob receives a message where:
      | path           | matcher        | value                                                |
      | $              | has length     | 3                                                    |
      | $.type         | is             | error                                                |
      | $.code         | is             | auth_required                                        |
      | $.message      | is             | Authenticate first: send {"type": "auth", "token": "..."}. |
      | $.request_type | does not exist |                                                      |
    And Bob is disconnected with code 4001 and reason "authentication required"

  Scenario: No token at all is refused at the handshake
    When Alice tries to connect to "/secure"
    Then Alice's connection is rejected with status 401 and the body is "Missing token\n"
    And the response header "WWW-Authenticate" is "Bearer realm=\"wsbdd-demo\""

  # -- errors -----------------------------------------------------------------------

  Scenario: error names the request it refuses, when the server could read one
    Given Alice is connected
    When Alice asks the server to "dance"
    Then Alice receives a message where:
      | path           | matcher    | value                        |
      | $              | has length | 4                            |
      | $.type         | is         | error                        |
      | $.code         | is         | unknown_type                 |
      | $.message      | is         | Unknown message type "dance" |
      | $.request_type | is         | dance                        |
    When Alice sends the text "[1, 2]"
    Then Alice receives a message where:
      | path           | matcher        | value                            |
      | $              | has length     | 3                                |
      | $.code         | is             | invalid_message                  |
      | $.message      | is             | A message must be a JSON object. |
      | $.request_type | does not exist |                                  |
    When Alice sends the text "{this is not json"
    Then Alice receives a message where:
      | path           | matcher        | value         |
      | $              | has length     | 3             |
      | $.code         | is             | invalid_json  |
      | $.message      | starts with    | Invalid JSON: |
      | $.request_type | does not exist |               |

  Scenario: rate_limited names no request: the frame was dropped unread
    Given Alice is connected
    When Alice sends 80 echo requests in a row
    Then Alice receives a message where:
      | path           | matcher        | value                                              |
      | $              | has length     | 3                                                  |
      | $.type         | is             | error                                              |
      | $.code         | is             | rate_limited                                       |
      | $.message      | is             | Rate limit exceeded: at most 50 messages per second |
      | $.request_type | does not exist |                                                    |

  # -- requests and replies -----------------------------------------------------------

  Scenario: pong copies the ping's id, and leaves it out when there was none
    Given Alice is connected
    When Alice sends {"type": "ping", "id": "p-7"}
    Then Alice receives a message where:
      | path          | matcher    | value                                  |
      | $             | has length | 3                                      |
      | $.type        | is         | pong                                   |
      | $.id          | is         | p-7                                    |
      | $.server_time | matches    | \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z |
    When Alice sends {"type": "ping"}
    Then Alice receives a message where:
      | path          | matcher        | value |
      | $             | has length     | 2     |
      | $.type        | is             | pong  |
      | $.id          | does not exist |       |
      | $.server_time | is a timestamp |       |

  Scenario: joined lists the members, user_joined tells the others
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    Then Alice receives a message where:
      | path      | matcher    | value     |
      | $         | has length | 3         |
      | $.type    | is         | joined    |
      | $.room    | is         | lobby     |
      | $.members | is         | ["Alice"] |
    When Bob sends {"type": "join", "room": "lobby", "name": "Bob"}
    Then Bob receives a message where $.type is "joined" and $.members is ["Alice", "Bob"]
    And Alice receives a message where:
      | path   | matcher    | value       |
      | $      | has length | 3           |
      | $.type | is         | user_joined |
      | $.room | is         | lobby       |
      | $.user | is         | Bob         |

  Scenario: left answers the leaver, user_left tells the others why
    Given Alice is in room "lobby"
    And Bob is in room "lobby"
    And Carol is in room "lobby"
    When Bob sends {"type": "leave", "room": "lobby"}
    Then Bob receives a message where:
      | path   | matcher    | value |
      | $      | has length | 2     |
      | $.type | is         | left  |
      | $.room | is         | lobby |
    And Alice receives a message where:
      | path     | matcher    | value     |
      | $        | has length | 4         |
      | $.type   | is         | user_left |
      | $.room   | is         | lobby     |
      | $.user   | is         | Bob       |
      | $.reason | is         | left      |
    When Carol disconnects
    Then Alice receives a message where $.type is "user_left" and $.user is "Carol" and $.reason is "disconnected" and $ has length 4

  Scenario: chat carries the sender, the cleaned text and ids of its own
    Given Alice is in room "lobby"
    And Bob is in room "lobby"
    When Alice sends {"type": "message", "room": "lobby", "content": "<b>fish</b> &amp; chips<script>x()</script>", "id": "m-1"}
    Then Bob receives a message where:
      | path            | matcher    | value                                  |
      | $               | has length | 7                                      |
      | $.type          | is         | chat                                   |
      | $.room          | is         | lobby                                  |
      | $.from          | is         | Alice                                  |
      | $.content       | is         | fish &amp; chips                       |
      | $.id            | is a uuid  |                                        |
      | $.client_msg_id | is         | m-1                                    |
      | $.sent_at       | matches    | \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z |
    And I remember $.id from Bob's last message as "first"
    And Alice receives a message where $.type is "chat" and $.id is "${first}" and $.client_msg_id is "m-1"
    When Alice says "again" in room "lobby"
    Then Bob receives a message where:
      | path            | matcher        | value    |
      | $               | has length     | 6        |
      | $.content       | is             | again    |
      | $.id            | is not         | ${first} |
      | $.client_msg_id | does not exist |          |

  Scenario: subscribed, then updates numbered up to the last; then the topic has ended
    Given Alice is connected
    When Alice subscribes to "prices" for 2 updates, 20 ms apart
    Then Alice receives a message where:
      | path    | matcher    | value      |
      | $       | has length | 2          |
      | $.type  | is         | subscribed |
      | $.topic | is         | prices     |
    And Alice receives these messages in order:
      | $.type | $.topic | $.n | $.last |
      | update | prices  | 1   | false  |
      | update | prices  | 2   | true   |
    And Alice has received 2 messages where $.type is "update" and $ has length 5 and $.server_time is a timestamp
    When Alice sends {"type": "unsubscribe", "topic": "prices"}
    Then Alice is refused with "not_subscribed"

  Scenario: unsubscribed stops a topic that is still running
    Given Alice is connected
    When Alice subscribes to "news" for 50 updates, 1000 ms apart
    And Alice sends {"type": "unsubscribe", "topic": "news"}
    Then Alice receives a message where:
      | path    | matcher    | value        |
      | $       | has length | 2            |
      | $.type  | is         | unsubscribed |
      | $.topic | is         | news         |
    And Alice has been sent no "update" message so far

  Scenario: echo sends any JSON back, numbered
    Given Alice is connected
    When Alice sends {"type": "echo", "content": {"a": [1, "two"]}, "times": 2}
    Then Alice receives these messages in order:
      | $.type | $.content          | $.n |
      | echo   | {"a": [1, "two"]}  | 1   |
      | echo   | {"a": [1, "two"]}  | 2   |
    And Alice has received 2 messages where $.type is "echo" and $ has length 3

  Scenario: you shows the connection as the server saw it
    Given Alice is connected to "/chat?name=Alice&team=blue" with headers:
      | name       | value   |
      | X-Trace-Id | abc-123 |
    And Bob is connected with subprotocol "chat.v2"
    When Alice joins room "lobby"
    And Alice asks the server what it knows about the connection
    Then Alice receives a message where:
      | path          | matcher    | value                              |
      | $             | has length | 7                                  |
      | $.type        | is         | you                                |
      | $.client_id   | is a uuid  |                                    |
      | $.name        | is         | Alice                              |
      | $.rooms       | is         | ["lobby"]                          |
      | $.subprotocol | is null    |                                    |
      | $.headers     | is         | {"X-Trace-Id": "abc-123"}          |
      | $.query       | is         | {"name": "Alice", "team": "blue"}  |
    When Bob asks the server what it knows about the connection
    Then Bob receives a message where $.type is "you" and $.subprotocol is "chat.v2" and $.rooms is [] and $.query is {}

  Scenario: delayed brings the content back, or null without one
    Given Alice is connected
    When Alice asks for "later" to come back after 0 ms
    Then Alice receives a message where:
      | path      | matcher    | value   |
      | $         | has length | 2       |
      | $.type    | is         | delayed |
      | $.content | is         | later   |
    When Alice sends {"type": "delay", "ms": 0}
    Then Alice receives a message where $.type is "delayed" and $.content is null and $ has length 2

  Scenario: close without a code closes with 1000 and no reason
    Given Alice is connected
    When Alice sends {"type": "close"}
    Then Alice is disconnected with code 1000 and reason ""

  # -- the quiz -----------------------------------------------------------------------

  Scenario: The quiz's welcome, and quiz:created for its host
    Given Host is connected to "/quiz?name=Quizmaster"
    Then Host receives a message where:
      | path          | matcher    | value                          |
      | $             | has length | 5                              |
      | $.type        | is         | welcome                        |
      | $.client_id   | is a uuid  |                                |
      | $.name        | is         | Quizmaster                     |
      | $.server_time | is a timestamp |                            |
      | $.message     | is         | Welcome to the wsbdd demo quiz |
    When Host sends {"type": "quiz:create", "quiz": "colours"}
    Then Host receives a message where:
      | path        | matcher    | value        |
      | $           | has length | 4            |
      | $.type      | is         | quiz:created |
      | $.session   | matches    | (?:[0-9a-f]){8} |
      | $.quiz      | is         | colours      |
      | $.questions | is         | 2            |

  Scenario: quiz:joined to the player, quiz:player_joined to the host
    Given client Host is connected to "/quiz"
    And Host hosts the "colours" quiz
    And Ann is connected to "/quiz"
    When Ann sends {"type": "quiz:join", "session": "${session}", "name": "Ann"}
    Then Ann receives a message where:
      | path      | matcher    | value       |
      | $         | has length | 4           |
      | $.type    | is         | quiz:joined |
      | $.session | is         | ${session}  |
      | $.name    | is         | Ann         |
      | $.players | is         | 1           |
    And Host receives a message where:
      | path      | matcher    | value              |
      | $         | has length | 4                  |
      | $.type    | is         | quiz:player_joined |
      | $.session | is         | ${session}         |
      | $.name    | is         | Ann                |
      | $.players | is         | 1                  |

  Scenario: quiz:question, quiz:result, quiz:leaderboard and quiz:finished
    Given client Host is connected to "/quiz"
    And Host hosts the "colours" quiz with 5000 ms per question
    And clients Ann and Bob in group "players" are connected to "/quiz"
    And every client in group "players" joins the quiz
    When Host starts the quiz
    Then Ann receives a message where:
      | path                     | matcher        | value                                 |
      | $                        | has length     | 3                                     |
      | $.type                   | is             | quiz:question                         |
      | $.session                | is             | ${session}                            |
      | $.question               | has length     | 5                                     |
      | $.question.number        | is             | 1                                     |
      | $.question.of            | is             | 2                                     |
      | $.question.text          | is             | Which colour do blue and yellow make? |
      | $.question.options       | is             | ["green", "purple", "orange"]         |
      | $.question.time_limit_ms | is             | 5000                                  |
      | $.question.answer        | does not exist |                                       |
    When Ann answers option 0 to question 1
    Then Ann receives a message where:
      | path         | matcher     | value       |
      | $            | has length  | 7           |
      | $.type       | is          | quiz:result |
      | $.session    | is          | ${session}  |
      | $.question   | is          | 1           |
      | $.correct    | is          | true        |
      | $.score      | is at least | 100         |
      | $.score      | is at most  | 200         |
      | $.time_bonus | is at least | 0           |
      | $.time_bonus | is at most  | 100         |
    And I remember $.score from Ann's last message as "score"
    And Ann has received 1 message where $.type is "quiz:result" and $.total is ${score}
    When Bob answers option 1 to question 1
    Then Bob receives a message where $.type is "quiz:result" and $.correct is false and $.score is 0 and $.time_bonus is 0 and $.total is 0
    And Host receives a message where:
      | path                  | matcher    | value            |
      | $                     | has length | 4                |
      | $.type                | is         | quiz:leaderboard |
      | $.session             | is         | ${session}       |
      | $.question            | is         | 1                |
      | $.standings           | has length | 2                |
      | $.standings[0]        | has length | 3                |
      | $.standings[0].rank   | is         | 1                |
      | $.standings[0].name   | is         | Ann              |
      | $.standings[0].score  | is         | ${score}         |
      | $.standings[1].rank   | is         | 2                |
      | $.standings[1].name   | is         | Bob              |
      | $.standings[1].score  | is         | 0                |
    And every client in group "players" is asked question 2
    When Ann answers "red" to question 2
    And Bob answers "red" to question 2
    Then Host receives a message where:
      | path                 | matcher    | value         |
      | $                    | has length | 5             |
      | $.type               | is         | quiz:finished |
      | $.session            | is         | ${session}    |
      | $.reason             | is         | completed     |
      | $.standings          | has length | 2             |
      | $.standings[0].name  | is         | Ann           |
      | $.standings[0].score | is         | ${score}      |
      | $.winner             | is         | Ann           |
    When Host starts the quiz
    Then Host is refused with "session_not_found" and the message "Session not found"

  Scenario: A host who leaves ends the game with no winner; equal scores share a rank
    Given client Host is connected to "/quiz"
    And Host hosts the "capitals" quiz
    And clients Ann and Bob in group "players" are connected to "/quiz"
    And every client in group "players" joins the quiz
    When Host starts the quiz
    Then Ann is asked question 1
    When Host disconnects
    Then Ann receives a message where:
      | path                 | matcher    | value         |
      | $                    | has length | 5             |
      | $.type               | is         | quiz:finished |
      | $.reason             | is         | host_left     |
      | $.winner             | is null    |               |
      | $.standings[0].rank  | is         | 1             |
      | $.standings[0].name  | is         | Ann           |
      | $.standings[1].rank  | is         | 1             |
      | $.standings[1].name  | is         | Bob           |
      | $.standings[1].score | is         | 0             |

  Scenario: Quiz errors name the request; a dropped or binary frame names none
    Given client Host is connected to "/quiz"
    And Host hosts the "capitals" quiz
    And Ann plays the quiz
    When Ann starts the quiz
    Then Ann receives a message where:
      | path           | matcher    | value                            |
      | $              | has length | 4                                |
      | $.type         | is         | error                            |
      | $.code         | is         | not_host                         |
      | $.message      | is         | Only the host can start the quiz |
      | $.request_type | is         | quiz:start                       |
    When Ann sends binary hex "00"
    Then Ann receives a message where:
      | path           | matcher        | value                                 |
      | $              | has length     | 3                                     |
      | $.code         | is             | invalid_message                       |
      | $.message      | is             | The quiz speaks JSON text frames only. |
      | $.request_type | does not exist |                                       |
    When Ann sends 6 messages {"type": "quiz:start", "session": "${session}"}
    Then Ann receives a message where:
      | path           | matcher        | value                                                  |
      | $              | has length     | 3                                                      |
      | $.code         | is             | rate_limited                                           |
      | $.message      | is             | Too many quiz messages: the rate limit is 5 per second |
      | $.request_type | does not exist |                                                        |

  # -- the chat over Socket.IO ---------------------------------------------------------

  Scenario: Over Socket.IO: join, user_joined, leave and user_left
    Given the server speaks Socket.IO
    And clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "join" with {"room": "lobby"} and waits for the acknowledgement
    Then the acknowledgement where $ has length 3 and $.ok is true and $.room is "lobby" and $.members is ["Alice"]
    When Bob emits "join" with {"room": "lobby"} and waits for the acknowledgement
    Then Alice receives the event "user_joined" where $ has length 2 and $.room is "lobby" and $.user is "Bob"
    When Bob emits "leave" with {"room": "lobby"} and waits for the acknowledgement
    Then the acknowledgement where $ has length 2 and $.ok is true and $.room is "lobby"
    And Alice receives the event "user_left" where $ has length 3 and $.room is "lobby" and $.user is "Bob" and $.reason is "left"

  Scenario: Over Socket.IO: message, chat, whoami and a refusal
    Given the server speaks Socket.IO
    And clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    And Alice emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Bob emits "join" with {"room": "lobby"} and waits for the acknowledgement
    When Alice emits "message" with {"room": "lobby", "content": "<i>hi</i>"} and waits for the acknowledgement
    Then the acknowledgement where $ has length 2 and $.ok is true and $.id is a uuid
    And Bob receives the event "chat" where $ has length 5 and $.room is "lobby" and $.from is "Alice" and $.content is "hi" and $.id is a uuid and $.sent_at is a timestamp
    When Bob disconnects
    Then Alice receives the event "user_left" where $.user is "Bob" and $.reason is "disconnected"
    When Alice emits "whoami" and waits for the acknowledgement
    Then the acknowledgement where $ has length 2 and $.sid is a string and $.name is "Alice"
    When Alice emits "leave" with {"room": "nowhere"} and waits for the acknowledgement
    Then the acknowledgement where $ has length 2 and $.ok is false and $.error has length 2 and $.error.code is "not_in_room" and $.error.message is "You are not in room \"nowhere\""

  Scenario: Over Socket.IO: subscribe and update
    Given the server speaks Socket.IO
    And Alice is connected over Socket.IO
    When Alice emits "subscribe" with {"topic": "prices", "count": 1, "interval_ms": 10} and waits for the acknowledgement
    Then the acknowledgement where $ has length 2 and $.ok is true and $.topic is "prices"
    And Alice receives the event "update" where $ has length 4 and $.topic is "prices" and $.n is 1 and $.last is true and $.server_time is a timestamp

  Scenario: Over Socket.IO: poll, vote and poll_result
    Given the server speaks Socket.IO
    And clients Alice and Bob are connected over Socket.IO with auth {"name": "${client}"}
    And Alice emits "join" with {"room": "team"} and waits for the acknowledgement
    And Bob emits "join" with {"room": "team"} and waits for the acknowledgement
    When Alice emits "poll" with {"room": "team", "question": "Tea?"} and waits for the acknowledgement
    Then the acknowledgement where $ has length 2 and $.ok is true and $.asked is ["Bob"]
    And Bob receives the event "vote" where $ has length 3 and $.room is "team" and $.question is "Tea?" and $.from is "Alice"
    When Bob answers the acknowledgement of event "vote" with "no"
    Then Alice receives the event "poll_result" where $ has length 3 and $.room is "team" and $.question is "Tea?" and $.votes is {"Bob": "no"}

  Scenario: Over Socket.IO: the secure namespace's whoami names the user
    Given the server speaks Socket.IO
    When Alice connects to namespace "/secure" with auth {"token": "bob-token"}
    Then Alice's connection to namespace "/secure" is accepted
    When Alice emits "whoami" to namespace "/secure" and waits for the acknowledgement
    Then the acknowledgement where $ has length 1 and $.user is "bob"
