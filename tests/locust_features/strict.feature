@load
Feature: Verdicts on the merged numbers that fail
  Used by tests/test_locust.py: the bound cannot be met, so the sentence shows the merged counts.

  Scenario: An impossible throughput for the whole crowd
    Given 10 clients in group "crowd" are connected at 200 per second
    And every client in group "crowd" joins room "strict"
    When every client in group "crowd" sends {"type": "message", "room": "strict", "content": "${correlation_id}"} 3 times at 5 per second
    Then every message is delivered to every client in group "crowd"
    And the throughput is at least 100000 messages per second
