Feature: The chat server keeps its word
  Each refusal names what was wrong in words a person can act on, and each
  limit sits exactly where the protocol says. These scenarios check the
  explanation itself, not only that there is one, so a server that garbles
  a message or moves a limit by one fails here.

  Background:
    Given Alice is connected

  Scenario: Each refusal explains itself in exact words
    When Alice asks the server to "dance"
    Then Alice receives a message where $.code is "unknown_type" and $.message is 'Unknown message type "dance"'
    When Alice says "hi" in room "elsewhere"
    Then Alice receives a message where $.code is "not_in_room" and $.message is 'You are not in room "elsewhere".'
    When Alice asks to join room "bad room name"
    Then Alice is refused with "invalid_room" and the message "A room name is 1 to 64 characters among letters, digits and _ . : -"
    When Alice asks the server to close the connection with code 1234
    Then Alice is refused with "invalid_close_code" and the message "Close code 1234 is not 1000 or between 3000 and 4999."
    When Alice asks for 11 echoes of "too many"
    Then Alice receives a message where $.code is "invalid_message" and $.message is '"times" must be an integer from 1 to 10.'

  Scenario: A refusal names the request it refuses
    When Alice asks to join room "bad room name"
    Then Alice receives a message where $.type is "error" and $.code is "invalid_room" and $.request_type is "join"

  Scenario: Malformed requests are explained in exact words
    When Alice sends ["not", "an", "object"]
    Then Alice is refused with "invalid_message" and the message "A message must be a JSON object."
    When Alice sends {"no_type": true}
    Then Alice receives a message where $.code is "missing_type" and $.message is 'A message needs a "type" field holding a string.'
    When Alice sends {"type": "echo"}
    Then Alice receives a message where $.code is "invalid_message" and $.message is 'An echo needs a "content" field.'
    When Alice sends {"type": "subscribe", "topic": ""}
    Then Alice receives a message where $.code is "invalid_message" and $.message is 'A subscription needs a non-empty "topic" string.'
    When Alice sends {"type": "close", "code": 1000, "reason": 7}
    Then Alice receives a message where $.code is "invalid_message" and $.message is 'A close "reason" must be a string of at most 123 bytes.'

  Scenario: Joining twice and leaving twice are refused
    When Alice joins room "lobby"
    And Alice asks to join room "lobby"
    Then Alice receives a message where $.code is "already_in_room" and $.message is 'You are already in room "lobby".'
    When Alice leaves room "lobby"
    And Alice sends {"type": "leave", "room": "lobby"}
    Then Alice receives a message where $.code is "not_in_room" and $.message is 'You are not in room "lobby".'
    When Alice sends {"type": "leave", "room": "never-made"}
    Then Alice receives a message where $.code is "not_in_room" and $.message is 'You are not in room "never-made".'

  Scenario: Messages to a room need text that survives HTML removal
    Given Alice joins room "lobby"
    When Alice sends {"type": "message", "room": "lobby"}
    Then Alice receives a message where $.code is "invalid_message" and $.message is 'A message needs a "content" string.'
    When Alice sends {"type": "message", "room": "lobby", "content": "hi", "exclude_sender": "yes"}
    Then Alice receives a message where $.code is "invalid_message" and $.message is '"exclude_sender" must be true or false.'
    When Alice says "<b></b>" in room "lobby"
    Then Alice is refused with "empty_message" and the message "The message is empty once HTML is removed."

  Scenario: Subscriptions can be ended, once each
    When Alice subscribes to "weather" for 50 updates, 1000 ms apart
    Then Alice is subscribed to "weather"
    When Alice subscribes to "weather" for 50 updates, 1000 ms apart
    Then Alice receives a message where $.code is "already_subscribed" and $.message is 'You are already subscribed to "weather".'
    When Alice sends {"type": "unsubscribe", "topic": "weather"}
    Then Alice receives a message where $.type is "unsubscribed" and $.topic is "weather"
    When Alice sends {"type": "unsubscribe", "topic": "weather"}
    Then Alice receives a message where $.code is "not_subscribed" and $.message is 'You are not subscribed to "weather".'
    When Alice sends {"type": "unsubscribe", "topic": 7}
    Then Alice is refused with "not_subscribed" and the message "You are not subscribed to 7."

  Scenario: Requests nested up to 100 deep are served, deeper ones refused
    When Alice sends the text:
      """
      {"type": "echo", "pad": {}, "content": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
      """
    Then Alice receives a message where $.type is "echo" and $.n is 1
    When Alice sends the text:
      """
      {"type": "echo", "content": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
      """
    Then Alice is refused with "invalid_json" and the message "Invalid JSON: nested too deeply"

  Scenario: Text the server could not send back is refused
    When Alice sends the text "{\"type\": \"echo\", \"content\": \"\\ud800\"}"
    Then Alice receives a message where $.code is "invalid_message" and $.message is 'A message must not contain unpaired surrogates like \ud800.'
    When Alice sends the text "{\"type\": \"echo\", \"content\": NaN}"
    Then Alice is refused with "invalid_json" and the message "Invalid JSON: NaN is not valid JSON"

  Scenario: A chat message carries the sender's own id back
    Given Alice joins room "lobby"
    When Alice sends {"type": "message", "room": "lobby", "content": "tagged", "id": "m-1"}
    Then Alice receives a message where $.type is "chat" and $.content is "tagged" and $.client_msg_id is "m-1"
    When Alice says "untagged" in room "lobby"
    Then Alice receives a message where $.type is "chat" and $.content is "untagged" and $.client_msg_id does not exist

  Scenario: A name must be 1 to 64 characters
    When Alice sends {"type": "join", "room": "lobby", "name": ""}
    Then Alice receives a message where $.code is "invalid_name" and $.message is 'A "name" is a string of 1 to 64 characters.'

  Scenario: Ampersands and private-use characters survive HTML removal
    Given Alice joins room "lobby"
    When Alice sends {"type": "message", "room": "lobby", "content": "<b>fish</b> &amp; chips \ue000"}
    Then Alice receives a message where $.type is "chat" and $.content is "fish &amp; chips \ue000"

  Scenario: Closing without a code closes normally
    When Alice sends {"type": "close"}
    Then Alice is disconnected with code 1000

  Scenario: A pong tells the server's time
    When Alice sends ping 7
    Then Alice receives a message where $.type is "pong" and $.id is 7 and $.server_time matches "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"

  Scenario: Limits are stated in exact numbers
    Given Alice joins room "lobby"
    And I set "too_long" to a text of 2001 characters
    When Alice says "${too_long}" in room "lobby"
    Then Alice is refused with "message_too_long" and the message "Message content is 2001 characters; the limit is 2000"
    When Alice sends 80 echo requests in a row
    Then Alice is refused with "rate_limited" and the message "Rate limit exceeded: at most 50 messages per second"

  Scenario: After a pause the rate limit lets messages through again
    When Alice sends 80 echo requests in a row
    Then Alice is refused with "rate_limited"
    When I wait 1 second
    And Alice asks for an echo of "back again"
    Then Alice hears the echo "back again"

  Scenario: Leaving a room and joining it again works
    Given Alice joins room "lobby"
    And Alice leaves room "lobby"
    When Alice joins room "lobby"
    Then Alice has received exactly 2 messages where $.type is "joined" and $.members is ["Alice"]

  Scenario: A frame of 64 KiB is served, one byte more closes the connection
    Given I set "fits" to a text of 65505 characters
    And I set "too_big" to a text of 65506 characters
    When Alice sends the text "{\"type\": \"echo\", \"content\": \"${fits}\"}"
    Then Alice receives a message where $.type is "echo" and $.content has length 65505
    When Alice sends the text "{\"type\": \"echo\", \"content\": \"${too_big}\"}"
    Then Alice is disconnected with code 1009

  Scenario: A name may be 64 characters, not 65
    Given I set "longest" to a text of 64 characters
    And I set "too_long" to a text of 65 characters
    And Bob is connected to "/?name=${longest}"
    And Carol is connected to "/?name=${too_long}"
    Then Bob receives a message where $.type is "welcome" and $.name is "${longest}"
    And Carol receives a message where $.type is "welcome" and $.name matches "guest-.{6}"
    When Alice sends {"type": "join", "room": "lobby", "name": "${longest}"}
    Then Alice receives a message where $.type is "joined" and $.members is ["${longest}"]
    When Alice sends {"type": "join", "room": "hall", "name": "${too_long}"}
    Then Alice is refused with "invalid_name"

  Scenario: Subscriptions take 1 to 50 updates, 10 to 1000 ms apart, 3 by default
    When Alice sends {"type": "subscribe", "topic": "a", "count": 51}
    Then Alice receives a message where $.code is "invalid_message" and $.message is '"count" must be an integer from 1 to 50.'
    When Alice sends {"type": "subscribe", "topic": "b", "interval_ms": 9}
    Then Alice receives a message where $.code is "invalid_message" and $.message is '"interval_ms" must be an integer from 10 to 1000.'
    When Alice sends {"type": "subscribe", "topic": "c", "interval_ms": 1001}
    Then Alice is refused with "invalid_message"
    When Alice sends {"type": "subscribe", "topic": "d", "count": 50, "interval_ms": 1000}
    Then Alice is subscribed to "d"
    When Alice sends {"type": "subscribe", "topic": "e", "interval_ms": 10}
    Then Alice receives a message where $.type is "update" and $.topic is "e" and $.n is 3 and $.last is true
    And Alice has received exactly 3 messages where $.type is "update" and $.topic is "e"

  Scenario: Scripts are removed with their text, and what follows them is kept
    Given Alice joins room "lobby"
    When Alice says "<script>alert(1)</script>hello <style>p {}</style>world" in room "lobby"
    Then Alice receives a message where $.type is "chat" and $.content is "hello world"

  Scenario: The server reports the query as sent, empty values included
    Given Bob is connected to "/?name=Bob&flag=&team=blue"
    When Bob asks the server what it knows about the connection
    Then Bob receives a message where $.type is "you" and $.name is "Bob" and $.query.flag is "" and $.query.team is "blue"

  Scenario: A close reason may be 123 bytes, not more
    Given I set "reason" to a text of 123 characters
    And Bob is connected
    When Bob sends {"type": "close", "code": 4000, "reason": "${reason}"}
    Then Bob is disconnected with code 4000 and reason "${reason}"
    Given I set "too_long" to a text of 124 characters
    When Alice sends {"type": "close", "code": 4000, "reason": "${too_long}"}
    Then Alice is refused with "invalid_message"

  Scenario: Unsubscribing from a topic that is not text is refused
    Given Alice subscribes to "news" for 50 updates, 1000 ms apart
    When Alice sends {"type": "unsubscribe", "topic": ["news"]}
    Then Alice is refused with "not_subscribed"

  Scenario: The chat speaks its subprotocols when asked
    Given Bob is connected with subprotocol "chat.v1"
    When Bob asks the server what it knows about the connection
    Then Bob receives a message where $.type is "you" and $.subprotocol is "chat.v1"

  Scenario: Close codes 3000 to 4999 may be asked for, 5000 may not
    When Alice asks the server to close the connection with code 5000
    Then Alice is refused with "invalid_close_code" and the message "Close code 5000 is not 1000 or between 3000 and 4999."
    Given Bob is connected
    When Bob asks the server to close the connection with code 4999
    Then Bob is disconnected with code 4999

  Scenario: The token may travel in an Authorization header
    Given Bob is connected to "/secure" with headers:
      | Authorization | Bearer alice-token |
    When Bob asks the server what it knows about the connection
    Then Bob receives a message where $.type is "you" and $.name is "alice"
