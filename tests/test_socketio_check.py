"""`wsbdd check` reads the Socket.IO steps as they read themselves: $ is the event's first
argument, arguments and auth are JSON, and the connecting steps connect."""

from __future__ import annotations

from test_check import findings, project  # noqa: F401  (the fixture)


def test_a_clean_socketio_scenario_has_no_findings(project):  # noqa: F811
    scenario = """\
    Given Alice is connected over Socket.IO with auth {"name": "Alice"}
    And clients Bob and Carol are connected over Socket.IO with auth {"name": "${client}"}
    When Alice emits "echo" with {"a": 1}, "two", hex "01ff" and waits for the acknowledgement
    Then the acknowledgement is {"a": 1}, "two", hex "01ff"
    And the acknowledgement where $args[1] is "two"
    And Alice receives the event "echo" where $.a is 1 and $args[1] is "two" and $event is "echo"
    And Bob receives no event "echo" within 100 ms
    When Mallory connects to namespace "/admin" with auth {"username": "admin"}
    Then Mallory's connection to namespace "/admin" is refused with message "no"
    When Alice emits "echo" with {"text": "${correlation_id}"} 3 times at 10 per second
    """
    assert findings(project, scenario) == []


def test_mistakes_in_event_words_are_found(project):  # noqa: F811
    scenario = """\
    Given Alice is connected over Socket.IO
    When Alice emits "echo" with {"a": }
    Then Alice receives the event "echo" where $.a is bigger than 3
    And the acknowledgement where text is "x"
    And Zed receives the event "echo"
    """
    found = findings(project, scenario)
    assert len(found) == 4, found
    assert found[0].startswith("features/x.feature:4: ")
    assert 'did you mean "is greater than"' in found[1]
    assert "in an event step $ is the first argument" in found[2]
    assert found[3] == (
        'features/x.feature:7: Zed is used before it connects. Add "Given Zed is connected" '
        "earlier in the scenario (or in its Background)."
    )
