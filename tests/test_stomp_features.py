"""tests/features/stomp run by behave, as a user runs it, against the real RabbitMQ broker.

The broker is the private RabbitMQ node with the Web-STOMP plugin that the ``stomp_broker``
fixture starts on 127.0.0.1 (tests/rabbitmq.py); it is named with
``-D wsbdd.url=ws://127.0.0.1:<port>/ws``, and the passcode comes from the environment
(``PW``, read by the features as ``${env.PW}``).  The feature files hold no raw frame and
the project no Python step: only ``from wsbdd.steps import *``.

What the features show against the broker: a topic reaches every subscriber and a queue
one of them; JSON and text bodies and headers travel; a NACKed message comes again and an
ACKed one does not; a committed transaction delivers and an aborted one does not; receipts;
ERROR frames; a refused login; heart-beats that keep clients through a quiet window four
times their interval (RabbitMQ drops a client that sends none for three intervals).
"""

# ruff: noqa: E501  (whole sentences and feature lines, one string each)
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from feature_projects import assert_written_in_words, run_with_reports
from sentences import clock
from test_behave_runs import behave, failures, make_project

FEATURES = Path(__file__).resolve().parent / "features" / "stomp"


def run(broker: Any, *args: str, cwd: Path = FEATURES) -> str:
    result = behave(
        cwd, *args, "-f", "plain", "-D", f"wsbdd.url={broker.url}", env={"PW": broker.passcode}
    )
    return result.stdout + result.stderr


def test_the_stomp_features_pass_against_the_broker(stomp_broker: Any, tmp_path: Path) -> None:
    output, html = run_with_reports(lambda *args: run(stomp_broker, *args), tmp_path)
    assert "Traceback" not in output, failures(output)
    assert re.search(r"\b15 scenarios passed, 0 failed", output), failures(output)
    assert "undefined" not in output
    assert "Acknowledgements may be part of a transaction" in html


def test_the_features_hold_no_raw_frame_and_the_project_no_python_step() -> None:
    assert_written_in_words(
        FEATURES, r"\\0|\\x00|\^@|\b(?:CONNECT|SUBSCRIBE|SEND)\\n|sends the text"
    )


SENTENCES = [
    'Ben expected a MESSAGE from "/topic/fails.body" where $.body.text is "bye" within 500 ms, '
    "but had 1 unread message, it did not match:\n"
    '  #2 HH:MM:SS.mmm MESSAGE /topic/fails.body {"text": "hi"}   ($.body.text was "hi")',
    'Ben expected its last message to have header "content-type" "application/json", but it '
    'was "text/plain".',
    'Ann expected the receipt for its SUBSCRIBE to "/nowhere/room", but the broker answered '
    "ERROR \"Unknown destination\" ('/nowhere/room' is not a valid destination.",
    "Ann expected to be disconnected within 1.0 s, but the connection is still open.",
    # 'guest' is also the passcode of another scenario here: a secret, so the console masks
    # it where it cannot tell a login from a passcode (the login field itself stays shown).
    "Mallory could not connect to ws://127.0.0.1:PORT/ws: the broker refused the connection: "
    "Bad CONNECT (Access refused for user '***').",
]


def test_failures_name_the_client_the_destination_and_the_header(stomp_broker: Any) -> None:
    output = re.sub(
        r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", clock(run(stomp_broker, "--tags=@fails"))
    )
    assert "Traceback" not in output, output[-3000:]
    assert "0 scenarios passed, 5 failed" in output, failures(output)
    for sentence in SENTENCES:
        assert sentence in output, failures(output)


ISSUE_EXAMPLE = """\
Feature: The issue's example

  Scenario: A topic reaches every subscriber; a queue reaches one
    Given clients Ann and Ben are connected over STOMP as "guest" with passcode "${env.PW}"
    And Ann and Ben subscribe to "/topic/room.lobby"
    When Ann sends {"text": "hi"} to "/topic/room.lobby" with header "content-type" "application/json"
    Then Ben receives a MESSAGE from "/topic/room.lobby" where $.body.text is "hi"
    And Ben's last message has header "content-type" "application/json"

  Scenario: The configured login, and the broker's address from the [stomp] table
    Given Ann is connected over STOMP
    And Ann subscribes to "/queue/configured"
    When Ann sends "to myself" to "/queue/configured"
    Then Ann receives a MESSAGE from "/queue/configured" where $.body is "to myself"

  @stomp
  Scenario: A scenario tagged @stomp connects with the plain steps
    Given clients Ann and Ben are connected
    And Ben subscribes to "/topic/tagged"
    When Ann sends {"n": 1} to "/topic/tagged"
    Then Ben receives a MESSAGE from "/topic/tagged" where $.body.n is 1
"""


def test_the_issues_example_runs_word_for_word(stomp_broker: Any, tmp_path: Path) -> None:
    """The issue's scenario as written, in a project whose run speaks plain WebSocket to
    another address: the [stomp] table gives the broker's address and the login, which a
    scenario tagged @stomp uses with the plain connection steps too."""
    project = make_project(
        tmp_path,
        ISSUE_EXAMPLE,
        f"""\
        [tool.wsbdd]
        url = "ws://127.0.0.1:9/not-the-broker"

        [tool.wsbdd.stomp]
        url = "{stomp_broker.url}"
        login = "{stomp_broker.login}"
        passcode = "${{env.PW}}"
        """,
    )
    result = behave(project, "-f", "plain", env={"PW": stomp_broker.passcode})
    output = result.stdout + result.stderr
    assert result.returncode == 0, failures(output)
    assert "3 scenarios passed, 0 failed" in output, failures(output)
