@load
Feature: Load and latency
  The same plain words state performance criteria, against the same server,
  in the same run. Every message a load step sends carries a correlation id
  (${correlation_id} in the payload), so each delivery is timed from its send
  to its arrival at each client, on one clock. The bounds here are generous:
  the bundled demo server shares a small CI machine with the test clients.

  Scenario: A busy room delivers every message to every member, quickly
    Given 50 clients in group "crowd" are connected at 200 per second
    And every client in group "crowd" joins room "stage"
    When every client in group "crowd" sends {"type": "message", "room": "stage", "content": "cheer ${correlation_id}"} 5 times at 2 per second
    Then every message is delivered to every client in group "crowd"
    And the 95th percentile delivery latency is below 1 second
    And the 99th percentile delivery latency is below 2 seconds
    And at least 99.9% of connections succeeded
    And the throughput is at least 100 messages per second

  Scenario: Echo round trips at a steady rate
    Given 20 clients in group "echoers" are connected with at most 5 handshakes at a time
    When every client in group "echoers" sends {"type": "echo", "content": "${correlation_id}"} for 2 seconds at 5 per second
    Then every message comes back to its sender
    And the median round-trip latency is below 500 ms
    And the 99th percentile connection time is below 5 seconds

  Scenario: Request and reply in a closed loop, as fast as the replies come back
    Given 20 clients in group "askers" are connected
    When every client in group "askers" sends {"type": "echo", "content": "${correlation_id}"} 50 times, each waiting for its reply where $.type is "echo"
    Then every message comes back to its sender
    And the 99th percentile round-trip latency is below 1 second
    And the throughput is at least 100 messages per second

  Scenario: A closed loop with the request in a docstring and a bound on each reply
    Given 5 clients in group "callers" are connected
    When every client in group "callers" sends 10 times, each waiting for its reply within 5 seconds:
      """
      {"type": "echo", "content": "call ${index} ${correlation_id}"}
      """
    Then every message comes back to its sender

  Scenario: Warm-up, ramp and steady phases
    Given 20 clients in group "fans" are connected over 1 second
    And every client in group "fans" joins room "phases"
    When every client in group "fans" sends {"type": "message", "room": "phases", "content": "${correlation_id}"} in phases:
      | phase   | duration | rate              |
      | warm-up | 1 s      | 1 per second      |
      | ramp    | 1 s      | 1 to 4 per second |
      | steady  | 1 s      | 4 per second      |
    Then at least 99% of messages are delivered to every client in group "fans"
    And the 95th percentile delivery latency is below 1 second

  Scenario: Think time between a client's messages
    Given 10 clients in group "chatters" are connected
    And every client in group "chatters" joins room "calm"
    When every client in group "chatters" sends {"type": "message", "room": "calm", "content": "${correlation_id}"} 3 times with 200 ms think time
    Then every message is delivered to every client in group "chatters"
    And the maximum delivery latency is below 2 seconds

  Scenario: Connection success ratio when some handshakes are refused
    When 10 clients in group "visitors" try to connect to "/secure" at 100 per second
    Given 10 clients in group "members" try to connect with at most 5 handshakes at a time
    Then at least 100% of connections succeeded

  Scenario: Requests in a docstring, answered at a steady rate
    Given 10 clients in group "askers" are connected
    When every client in group "askers" sends 4 times at 5 per second:
      """
      {"type": "echo", "content": "question ${index} ${correlation_id}"}
      """
    Then at least 99% of messages come back to their senders
    And the send rate is at least 10 messages per second
