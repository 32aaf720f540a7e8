"""tests/features/socketio run by behave, as a user runs it, against BOTH real Socket.IO apps.

The python-socketio app (uvicorn) and the Node socket.io 4 app (tests/socketio_apps) are
started here on 127.0.0.1 port 0 with short keep-alive timings, and named with
``-D wsbdd.url=http://127.0.0.1:<port>``.  The feature files hold no raw frame and the
project no Python step: only ``from wsbdd.steps import *``.

Short pings make the keep-alive scenario (tests/features/socketio/keepalive.feature) a
proof that clients survive a long scenario: it waits on events for six seconds, many
times one ping interval plus one ping timeout (1.5 s on python-socketio, which announces
whole seconds; 0.5 s on Node), the point where a server drops a client that does not
answer its pings; then it emits and gets the acknowledgement.  At the servers' default
timings (25 s + 20 s) the same happens at 45 s, so one more interval than a 60 s
scenario needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from feature_projects import assert_written_in_words, run_with_reports
from sentences import clock
from test_behave_runs import behave, failures

FEATURES = Path(__file__).resolve().parent / "features" / "socketio"
TIMINGS = {"python": (1000, 500), "node": (200, 300)}
"""(ping interval, ping timeout) in ms: python-engineio announces whole seconds only."""


@pytest.fixture(scope="module", params=["python", "node"])
def server(request: Any) -> Iterator[Any]:
    from socketio_servers import (
        SocketIOServerError,
        node_socketio_server,
        python_socketio_server,
    )

    start = python_socketio_server if request.param == "python" else node_socketio_server
    interval, timeout = TIMINGS[request.param]
    try:
        with start(ping_interval=interval, ping_timeout=timeout) as running:
            yield running
    except SocketIOServerError as error:
        pytest.fail(str(error), pytrace=False)


def run(server: Any, *args: str) -> str:
    result = behave(FEATURES, *args, "-f", "plain", "-D", f"wsbdd.url={server.url}")
    return result.stdout + result.stderr


def test_the_socketio_features_pass_against_the_server(server: Any, tmp_path: Path) -> None:
    output, html = run_with_reports(lambda *args: run(server, *args), tmp_path)
    assert "Traceback" not in output, failures(output)
    assert re.search(r"\b14 scenarios passed, 0 failed", output), failures(output)
    assert "undefined" not in output
    # The reports are written for events as for frames (how they draw them: sio-report).
    assert "Room messages reach members only" in html
    assert "secret" not in html  # the admin's password in an auth payload is masked


def test_the_features_hold_no_raw_frame_and_the_project_no_python_step() -> None:
    assert_written_in_words(FEATURES, r"\b4[0-6]\[|\b4[0-6]/|sends the text")


SENTENCES = [
    'Bob expected the event "chat" where $.text is "bye" within 500 ms, but had 1 unread '
    "message, it did not match:",
    '($.text was "hi")',
    'Carol expected the event "chat" within 300 ms, but received no message in that time.',
    'Alice expected the acknowledgement of "join" where $ is {"ok": false}, but it was '
    'ack 0 {"ok": true, "room": "r"}: $ was {"ok": true, "room": "r"}.',
    'Mallory expected its connection to namespace "/admin" to be refused with message '
    '"go away", but it was refused with message "authentication failed".',
    'Alice expected its emit of "whoami" not to be acknowledged within 1.0 s, but the '
    "server acknowledged it: ack 0 {",
]


def test_failures_name_the_client_the_event_and_the_argument(server: Any) -> None:
    output = clock(run(server, "--tags=@fails"))
    assert "Traceback" not in output, output[-3000:]
    assert "0 scenarios passed, 5 failed" in output, failures(output)
    for sentence in SENTENCES:
        assert sentence in output, failures(output)
    assert "secret" not in output


ISSUE_EXAMPLE = """\
Feature: The issue's example
  Background:
    Given the server speaks Socket.IO

  Scenario: Room messages reach members only, and the server acknowledges them
    Given clients Alice, Bob and Carol are connected
    When Alice emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Bob emits "join" with {"room": "lobby"} and waits for the acknowledgement
    And Alice emits "chat" with {"room": "lobby", "text": "hi"} and waits for the acknowledgement
    Then the acknowledgement is {"ok": true}
    And Bob receives the event "chat" where $.text is "hi" and $.from is "Alice"
    And Carol receives no event "chat" within 300 ms

  Scenario: The admin namespace wants credentials
    When Mallory connects to namespace "/admin" with auth {"username": "admin", "password": "wrong"}
    Then Mallory's connection to namespace "/admin" is refused with message "authentication failed"
"""


def test_the_issues_example_runs_as_written_with_the_auth_from_the_settings(
    server: Any, tmp_path: Path
) -> None:
    """Each client's name comes from the configured auth, ``${client}`` filled in per
    client; the run speaks Socket.IO through its settings, the Background repeats it.

    One change to the issue's words: the joins wait for their acknowledgements.  Bob's
    join and Alice's chat travel on two connections, so without it the server may read the
    chat first (it does, now and then, on Node) and Bob is not in the room yet."""
    from test_behave_runs import make_project

    project = make_project(
        tmp_path,
        ISSUE_EXAMPLE,
        f"""\
        [tool.wsbdd]
        url = "{server.url}"
        protocol = "socket.io"

        [tool.wsbdd.socketio]
        auth = {{name = "${{client}}"}}
        """,
    )
    result = behave(project, "-f", "plain")
    output = result.stdout + result.stderr
    assert result.returncode == 0, failures(output)
    assert "2 scenarios passed, 0 failed" in output, failures(output)
