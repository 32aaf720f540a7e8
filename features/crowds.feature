Feature: Crowds
  Many clients act at the same moment; every one of them is checked.

  The chat's words work for a whole group. The last scenario shows the generic
  group steps instead, with raw JSON that differs per member.

  Scenario: A broadcast reaches every member of a crowd
    Given 20 clients in group "crowd" are connected
    And client Host is connected
    When every client in group "crowd" and Host joins room "stage"
    And Host says "welcome, everyone" in room "stage"
    Then every client in group "crowd" hears Host say "welcome, everyone" in room "stage"

  Scenario: Each member gets its own values
    Given clients Ann, Ben and Cid in group "team" are connected
    When every client in group "team" asks for an echo of "I am ${client}, number ${index}, team ${cycle:red,blue}"
    Then every client in group "team" receives a message where $.content is "I am ${client}, number ${index}, team ${cycle:red,blue}"

  Scenario: Counting how many members received something
    Given 8 clients in group "voters" are connected
    When every client in group "voters" asks for an echo of "${cycle:yes,no,no,no}"
    Then exactly 2 clients in group "voters" receive a message where $.content is "yes"
    And at least 6 clients in group "voters" receive a message where $.content is "no"

  Scenario: Nobody outside the room hears it
    Given 5 clients in group "inside" are connected
    And 5 clients in group "outside" are connected
    When every client in group "inside" joins room "quiet"
    And inside1 says "shh" in room "quiet"
    Then every client in group "inside" hears inside1 say "shh" in room "quiet"
    # The server answers each client in order: a leaked "shh" would come before the pong.
    And every client in group "outside" checks that the server is alive
    And no client in group "outside" receives a message within 300 ms

  # The generic group steps, with raw JSON.

  Scenario: Every guest introduces itself (raw JSON)
    Given 3 clients in group "guests" are connected
    When every client in group "guests" sends:
      """
      {"type": "echo", "content": "I am ${client}, guest ${index}"}
      """
    Then every client in group "guests" receives a message where:
      | path      | matcher     | value |
      | $.type    | is          | echo  |
      | $.content | starts with | I am  |
    When every client in group "guests" sends {"type": "join", "room": "hall", "name": "${client}"}
    Then every client in group "guests" receives a message like:
      """
      {"type": "joined", "room": "hall", "members": "#array"}
      """
