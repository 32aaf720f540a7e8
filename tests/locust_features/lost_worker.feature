@load
Feature: A Locust worker lost in the middle of a run
  Used by tests/test_locust.py: worker 2 is killed while the crowd sends.

  Scenario: A long fan-out loses a worker
    Given 20 clients in group "crowd" are connected at 100 per second
    And every client in group "crowd" joins room "long"
    When every client in group "crowd" sends {"type": "message", "room": "long", "content": "${correlation_id}"} for 8 seconds at 2 per second
    Then at least 100% of connections succeeded
    And every message is delivered to every client in group "crowd" within 2 seconds
