"""What the handshake and the close said, against real servers on loopback.

The Starlette app of ``tests/starlette_app.py`` refuses ``/secure`` with HTTP 401,
a body and a ``WWW-Authenticate`` header; a ``/raw`` route added here sends text
frames back exactly as they came (and closes on ``close:CODE:REASON``); a plain
``websockets`` server drops the TCP connection without a close frame.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from loopback import ThreadedServer
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from starlette_app import StarletteServer, build_app
from subprocesses import run_module
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.match.grammar import body_condition
from wsbdd.model.errors import ExpectationFailed
from wsbdd.model.variables import Variables
from wsbdd.report.text import transcript_text
from wsbdd.settings.config import Settings

PROJECT = Path(__file__).resolve().parent / "features" / "handshake"
"""A project as `wsbdd init` lays it out: wsbdd.toml, features/, features/steps/."""


async def raw(websocket: WebSocket) -> None:
    """Every text frame back as it came; ``close:CODE:REASON`` closes with that code."""
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            if text.startswith("close:"):
                _, code, reason = text.split(":", 2)
                await websocket.close(int(code), reason)
                return
            await websocket.send_text(text)
    except WebSocketDisconnect:
        pass


@pytest.fixture(scope="module")
def app():
    with StarletteServer(build_app([WebSocketRoute("/raw", raw)])) as server:
        yield server


@pytest.fixture(scope="module")
def run(app):
    with Run.start(Settings(url=app.ws_url, timeout=5.0, subprotocols=("chat.v2",))) as run:
        yield run


@pytest.fixture
def s(run):
    with run.session() as session:
        yield session


def body(text: str):
    return body_condition(text, Variables())


# -- a refused handshake -------------------------------------------------------------------


def test_a_refusals_status_body_and_headers_are_the_scenarios_response(s):
    s.connect("Mallory", "/secure", token="expired", require=False)
    s.expect_rejected("Mallory", 401, body=body('contains "Invalid token"'))
    response = s.last_response
    assert response is not None
    assert response.status == 401
    assert response.text == "Invalid token"
    assert response.header("WWW-Authenticate") == 'Basic realm="chat"'


def test_a_refused_connect_is_the_response_even_before_a_step_checks_it(s):
    assert s.last_response is None
    s.connect("Mallory", "/secure", require=False)
    assert s.last_response is not None
    assert s.last_response.status == 401
    assert s.last_response.header("www-authenticate").startswith("Basic")


def test_a_body_that_says_something_else_fails_with_what_the_server_said(s):
    s.connect("Mallory", "/secure", token="expired", require=False)
    with pytest.raises(ExpectationFailed) as failed:
        s.expect_rejected("Mallory", 401, body=body('contains "Token expired"'))
    message = str(failed.value)
    assert message.startswith(
        'Mallory expected a rejection with a body that contains "Token expired", '
        'but the server answered HTTP 401 Unauthorized, body "Invalid token", headers '
    )
    assert 'www-authenticate: Basic realm="chat"' in message
    assert "expired" not in message.split("answered", 1)[1]  # the token is not shown


def test_a_wrong_status_shows_the_body_too(s):
    s.connect("Mallory", "/secure", require=False)
    with pytest.raises(ExpectationFailed) as failed:
        s.expect_rejected("Mallory", 403)
    assert str(failed.value).startswith(
        "Mallory expected the connection to be rejected with status 403, but it was rejected "
        'with HTTP 401 Unauthorized, body "Invalid token"'
    )


# -- subprotocols ----------------------------------------------------------------------------


def test_no_subprotocol_overrides_the_configured_ones(s):
    s.connect("Alice", "/ws")
    s.connect("Bob", "/ws", subprotocols=[])
    s.receive("Alice", where('$.type is "hello"', '$.subprotocols is ["chat.v2"]'))
    s.receive("Bob", where('$.type is "hello"', "$.subprotocols is []"))


# -- frames that look like numbers -----------------------------------------------------------


def test_a_bare_number_frame_is_text_to_text_matchers_and_a_number_to_comparisons(s):
    s.connect("Alice", "/raw")
    for _ in range(3):
        s.send("Alice", "40")
    s.receive("Alice", where('$ is "40"', '$ starts with "4"', r'$ matches "4\d"'))
    s.receive("Alice", where("$ is 40", "$ is greater than 3"))
    with pytest.raises(ExpectationFailed) as failed:
        s.receive("Alice", where('$ is "41"'), timeout=0.2)
    assert "#3" in str(failed.value) and '$ was "40"' in str(failed.value)


# -- a connection lost without a closing handshake --------------------------------------------


class DroppingServer(ThreadedServer):
    """Reads one frame, then drops the TCP connection: no close frame either way."""

    async def handler(self, ws: ServerConnection) -> None:
        try:
            await ws.recv()
        except ConnectionClosed:
            return  # the client closed first
        assert ws.transport is not None
        ws.transport.abort()


@pytest.fixture(scope="module")
def dropping():
    with DroppingServer() as server:
        yield server


def test_a_dropped_connection_is_lost_not_closed_by_the_client(dropping):
    url = f"ws://127.0.0.1:{dropping.port}"
    with Run.start(Settings(url=url, timeout=5.0)) as run, run.session() as s:
        s.connect("Alice")
        s.send("Alice", "bye")
        with pytest.raises(ExpectationFailed) as failed:
            s.receive("Alice", where('$.type is "never"'))
        assert str(failed.value).endswith(
            "Alice's connection was lost without a closing handshake (1006) while waiting."
        )
        outcome = s.expect_disconnected("Alice", 1006, clean=False)
        assert outcome.closed_by is None
        text = transcript_text(s.transcript())
    assert "Alice  the connection was lost without a closing handshake (1006)" in text
    assert "by the client" not in text


def test_a_close_the_client_began_is_still_the_clients(dropping):
    url = f"ws://127.0.0.1:{dropping.port}"
    with Run.start(Settings(url=url, timeout=5.0)) as run, run.session() as s:
        s.connect("Alice")
        s.disconnect("Alice", 4000, "done")
        text = transcript_text(s.transcript())
    assert 'closed with code 4000 and reason "done" by the client' in text


# -- the feature, as a user runs it ------------------------------------------------------------


def run_tool(cwd: Path, *args: str) -> CompletedProcess[str]:
    return run_module(cwd, *args)


def test_the_handshake_feature_passes_under_behave(app):
    result = run_tool(
        PROJECT, "behave", "--no-color", "-f", "plain", "-D", f"wsbdd.url={app.ws_url}", "features"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "7 scenarios passed, 0 failed" in output


def test_wsbdd_check_accepts_the_feature_and_names_mistakes_in_the_new_words(tmp_path):
    result = run_tool(PROJECT, "wsbdd", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stderr
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    with (project / "features" / "refusal.feature").open("a") as feature:
        feature.write(
            "\n  Scenario: Mistakes\n"
            '    When Mallory tries to connect to "/secure"\n'
            '    Then Mallory\'s connection is rejected and the body contian "x"\n'
            '    And Mallory\'s connection is rejected and the body is "a"b"\n'
        )
    result = run_tool(project, "wsbdd", "check")
    assert result.returncode == 1
    assert 'Unknown matcher "contian"; did you mean "contains"?' in result.stdout
    assert 'The value "a"b" has a quote inside it; inside double quotes write \\" for' in (
        result.stdout
    )
