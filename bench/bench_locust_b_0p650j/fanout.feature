@load
Feature: Fan-out on Locust workers (bench/bench_locust.py)

  Scenario: Every member gets every message
    Given 100 clients in group "fans" are connected at 500 per second
    And every client in group "fans" joins room "bench"
    When every client in group "fans" sends {"type": "message", "room": "bench", "content": "${correlation_id}"} for 4.0 seconds at 4 per second
    Then at least 1% of messages are delivered to every client in group "fans" within 10 seconds
