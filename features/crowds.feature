Feature: Crowds
  Many clients act at the same moment; every one of them is checked.

  Scenario: A broadcast reaches every member of a crowd
    Given 20 clients in group "crowd" are connected
    And client Host is connected
    When every client in group "crowd" and Host sends {"type": "join", "room": "stage", "name": "${client}"}
    Then every client in group "crowd" and Host receive a message where $.type is "joined"
    When Host sends {"type": "message", "room": "stage", "content": "welcome, everyone"}
    Then every client in group "crowd" receives a message where $.content is "welcome, everyone" and $.from is "Host"

  Scenario: Each member gets its own values
    Given clients Ann, Ben and Cid in group "team" are connected
    When every client in group "team" sends {"type": "echo", "content": "I am ${client}, number ${index}, team ${cycle:red,blue}"}
    Then every client in group "team" receives a message where $.content is "I am ${client}, number ${index}, team ${cycle:red,blue}"

  Scenario: Counting how many members received something
    Given 8 clients in group "voters" are connected
    When every client in group "voters" sends {"type": "echo", "content": "${cycle:yes,no,no,no}"}
    Then exactly 2 clients in group "voters" receive a message where $.content is "yes"
    And at least 6 clients in group "voters" receive a message where $.content is "no"

  Scenario: Nobody outside the room hears it
    Given 5 clients in group "inside" are connected
    And 5 clients in group "outside" are connected
    When every client in group "inside" sends {"type": "join", "room": "quiet", "name": "${client}"}
    Then every client in group "inside" receives a message where $.type is "joined"
    When inside1 sends {"type": "message", "room": "quiet", "content": "shh"}
    Then every client in group "inside" receives a message where $.content is "shh"
    And no client in group "outside" receives a message within 300 ms
