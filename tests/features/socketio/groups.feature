Feature: Socket.IO events for groups of clients and load steps

  Background:
    Given the server speaks Socket.IO

  Scenario: Every member emits and receives its own echo
    Given clients Ann, Ben and Cat in group "echoers" are connected
    When every client in group "echoers" emits "echo" with {"n": "${index}", "who": "${client}"}
    Then every client in group "echoers" receives the event "echo" where $.who is "${client}" and $.n is "${index}"
    And no client in group "echoers" receives the event "echo" within 200 ms

  Scenario: Events at a rate carry their correlation ids
    Given 3 clients in group "load" are connected
    When every client in group "load" emits "echo" with {"text": "ping ${correlation_id}"} 4 times at 20 per second
    Then every message comes back to its sender within 3 seconds
    And the 95th percentile round-trip latency is below 2 seconds

  Scenario: One client emits at a rate; wsbdd adds the id to the first argument
    Given Alice is connected over Socket.IO
    When Alice emits "echo" with {"text": "hello"} 3 times at 10 per second
    Then every message comes back to its sender within 2 seconds
