"""`wsbdd check` reads the STOMP steps as they read themselves: $ is the whole frame, a body
written as JSON must be JSON, and the connecting steps connect."""

# ruff: noqa: E501  (feature lines, one string each)
from __future__ import annotations

from test_check import findings, project  # noqa: F401  (the fixture)


def test_a_clean_stomp_scenario_has_no_findings(project):  # noqa: F811
    scenario = """\
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ann and Ben subscribe to "/topic/room.lobby"
    When Ann sends {"text": "hi"} to "/topic/room.lobby" with header "content-type" "application/json"
    Then Ben receives a MESSAGE from "/topic/room.lobby" where $.body.text is "hi"
    And Ben's last message has header "content-type" "application/json"
    When Ben does not acknowledge the last message
    And Ann begins transaction "tx1"
    And Ann sends "plain" to "/queue/a" in transaction "tx1" and waits for the receipt
    And Ann commits transaction "tx1"
    Then Ann receives no MESSAGE from "/queue/a" within 100 ms
    When Mallory tries to connect over STOMP as "guest" with passcode "wrong"
    Then Mallory's connection is refused by the broker with a message containing "Access refused"
    """
    assert findings(project, scenario) == []


def test_mistakes_in_stomp_words_are_found(project):  # noqa: F811
    scenario = """\
    Given Ann is connected over STOMP
    When Ann sends {"text": } to "/queue/a"
    Then Ann receives a MESSAGE from "/queue/a" where $.body.n is bigger than 3
    And Zed receives an ERROR
    And Ann subscribes to "/queue/b" with ack "individual"
    """
    found = findings(project, scenario)
    assert len(found) == 4, found
    assert 'STOMP knows no ack mode "individual"' in found[3]
    assert found[0].startswith("features/x.feature:4: The JSON is not valid")
    assert 'did you mean "is greater than"' in found[1]
    assert found[2] == (
        'features/x.feature:6: Zed is used before it connects. Add "Given Zed is connected" '
        "earlier in the scenario (or in its Background)."
    )
