"""Hostile servers: each fails its scenario within the step's timeout + 1 s with a true
sentence, never a hang or a traceback, and the next scenario passes.

The server (tests/hostile_server.py) is raw asyncio, so it can break every rule a real
library keeps: a handshake never answered or answered one byte at a time, HTTP 500 / 200
/ a cross-origin redirect instead of 101, silence, a half-open peer that reads but never
answers a ping, a reset in the middle of a frame, invalid UTF-8, a frame over max_size, a
close code nobody may send, no close frame, 10,000 tiny frames.
"""

from __future__ import annotations

import textwrap
import time

import pytest
from hostile_server import HostileServer
from subprocesses import behave

from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed
from wsbdd.settings.config import Settings

TIMEOUT = 3.0
"""The steps' timeout; the connect timeout is 2 s, keep-alive pings every 0.3 s."""

_NO_MESSAGE = (
    'Alice expected a message where $.type is "never" within {limit}, but received no '
    "message in that time.\nAlice's connection {how} while waiting."
)
_FORBIDS = "(the server sent what the WebSocket protocol forbids)"
_NO_PONG = (
    'was closed by wsbdd\'s client with code 1011 and reason "keepalive ping timeout" (the '
    "server did not answer its ping within the ping_timeout setting)"
)


def _refused(path: str, why: str) -> str:
    return f"Alice could not connect to ws://127.0.0.1:PORT{path}: {why}."


# path → (the receive step's own timeout, the error, its sentence: whole, or its first line
# where the rest lists 10,000 messages)
CASES: dict[str, tuple[float | None, type[Exception], str]] = {
    "/never-answers": (
        None,
        ConnectionProblem,
        _refused(
            "/never-answers", "the server did not complete the WebSocket handshake within 2 s"
        ),
    ),
    "/slowloris": (
        None,
        ConnectionProblem,
        _refused("/slowloris", "the server did not complete the WebSocket handshake within 2 s"),
    ),
    "/http-500": (
        None,
        ConnectionProblem,
        _refused(
            "/http-500",
            'the server rejected the handshake with HTTP 500 Internal Server Error ("upstream '
            'exploded")',
        ),
    ),
    "/http-200": (
        None,
        ConnectionProblem,
        _refused(
            "/http-200", 'the server rejected the handshake with HTTP 200 OK ("<html>hello</html>")'
        ),
    ),
    "/cross-origin": (
        None,
        ConnectionProblem,
        _refused(
            "/cross-origin",
            "the server redirected the handshake to ws://example.com:80; wsbdd follows "
            "redirects only within one origin, so credentials stay where you sent them: "
            "connect to that address directly",
        ),
    ),
    # Silence is told apart by the keep-alive: the verdict waits for it, not for a timeout.
    "/silent": (10.0, ExpectationFailed, _NO_MESSAGE.format(limit="10.0 s", how=_NO_PONG)),
    "/half-open": (10.0, ExpectationFailed, _NO_MESSAGE.format(limit="10.0 s", how=_NO_PONG)),
    "/reset-mid-frame": (
        None,
        ExpectationFailed,
        _NO_MESSAGE.format(limit="3.0 s", how="was lost without a closing handshake (1006)"),
    ),
    "/invalid-utf8": (
        None,
        ExpectationFailed,
        _NO_MESSAGE.format(
            limit="3.0 s",
            how="was closed by wsbdd's client with code 1007 and reason \"invalid start byte at "
            f'position 0" {_FORBIDS}',
        ),
    ),
    "/too-big": (
        None,
        ExpectationFailed,
        _NO_MESSAGE.format(
            limit="3.0 s",
            how="was closed by wsbdd's client with code 1009 and reason \"frame with 4098 bytes "
            'exceeds limit of 1024 bytes" (a message over the max_size setting; raise it if '
            "such messages are right)",
        ),
    ),
    "/bad-close-code": (
        None,
        ExpectationFailed,
        _NO_MESSAGE.format(
            limit="3.0 s",
            how=f"was closed by wsbdd's client with code 1002 and reason \"invalid status "
            f'code" {_FORBIDS}',
        ),
    ),
    "/no-close-frame": (
        None,
        ExpectationFailed,
        'Alice expected a message where $.type is "never" within 3.0 s, but had 1 unread '
        'message, it did not match:\n  #1 HH:MM:SS.mmm {"type": "bye"}   ($.type was "bye")\n'
        "Alice's connection was lost without a closing handshake (1006) while waiting.",
    ),
    "/tiny-frames": (
        None,
        ExpectationFailed,
        'Alice expected a message where $.type is "never" within 3.0 s, but had 10000 unread '
        "messages, none matched:",
    ),
}


@pytest.fixture(scope="module")
def hostile():
    with HostileServer() as server:
        settings = Settings(
            url=server.url("/echo"),
            timeout=TIMEOUT,
            connect_timeout=2.0,
            close_timeout=1.0,
            max_size=1024,
            ping_interval=0.3,
            ping_timeout=0.3,
        )
        with Run.start(settings) as run:
            yield server, run


@pytest.mark.parametrize("path", list(CASES))
def test_a_hostile_server_fails_its_scenario_in_time_with_a_true_sentence(hostile, path):
    from sentences import clock

    server, run = hostile
    limit, kind, expected = CASES[path]
    started = time.monotonic()
    with run.session() as s, pytest.raises(kind) as failure:
        s.connect("Alice", path)
        s.receive("Alice", where('$.type is "never"'), timeout=limit)
    elapsed = time.monotonic() - started
    sentence = clock(str(failure.value)).replace(str(server.port), "PORT")
    if path == "/tiny-frames":  # the list of 10,000 is cut short; its first line is pinned
        assert sentence.split("\n")[0] == expected
        assert "  … and 9995 more not shown" in sentence
    else:
        assert sentence == expected
    assert elapsed < (limit or TIMEOUT) + 1.0
    with run.session() as s:  # and the next scenario passes
        s.connect("Bob", "/echo")
        s.send("Bob", '{"type": "after"}')
        s.receive("Bob", where('$.type is "after"'))


FEATURE = """\
Feature: A run against a hostile server goes on

  Scenario: The handshake is never answered
    Given Alice is connected to "/never-answers"

  Scenario: The polite one after it
    Given Bob is connected to "/echo"
    When Bob sends {"type": "after"}
    Then Bob receives a message where $.type is "after"

  Scenario: Invalid UTF-8
    Given Alice is connected to "/invalid-utf8"
    Then Alice receives a message where $.type is "never"

  Scenario: A reset in the middle of a frame
    Given Alice is connected to "/reset-mid-frame"
    Then Alice receives a message where $.type is "never"

  Scenario: HTTP 500 at the handshake
    Given Alice is connected to "/http-500"

  Scenario: The last one passes
    Given Bob is connected to "/echo"
    When Bob sends {"type": "after"}
    Then Bob receives a message where $.type is "after"
"""


def test_a_behave_run_against_a_hostile_server_fails_those_scenarios_and_goes_on(tmp_path):
    with HostileServer() as server:
        (tmp_path / "features" / "steps").mkdir(parents=True)
        (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
        (tmp_path / "features" / "steps" / "s.py").write_text("from wsbdd.steps import *\n")
        (tmp_path / "features" / "hostile.feature").write_text(FEATURE)
        (tmp_path / "wsbdd.toml").write_text(
            textwrap.dedent(f"""\
                url = "{server.url("")}"
                timeout = 3
                connect_timeout = 2
                close_timeout = 1
            """)
        )
        started = time.monotonic()
        result = behave(tmp_path, "-f", "plain", "features")
        elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "2 scenarios passed, 4 failed, 0 skipped" in output, output[-3000:]
    assert "Traceback" not in output
    assert "the server did not complete the WebSocket handshake within 2 s" in output
    assert "closed by wsbdd's client with code 1007" in output
    assert "was lost without a closing handshake (1006)" in output
    assert "HTTP 500 Internal Server Error" in output
    assert elapsed < 60  # a bound far above 2 + 1 + 0 + 0 s of failures, for a loaded machine
