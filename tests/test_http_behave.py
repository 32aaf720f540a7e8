"""tests/features/http run by behave, as a user runs it, against the Starlette chat app.

The app (a form login with a CSRF token, a session cookie, a signed-in WebSocket and a
REST call that pushes to a room) is started here on 127.0.0.1 port 0 and named with
``-D wsbdd.url=…``; the password and the API key come from the environment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette_app import StarletteServer, build_chat_app, build_recorder
from test_behave_runs import behave, failures

FEATURES = Path(__file__).resolve().parent / "features" / "http"
PASSWORD = "wonderland-secret-pw"
API_KEY = "rooms-key-for-behave"


@pytest.fixture(scope="module")
def servers():
    recorder_app, seen = build_recorder()
    with StarletteServer(recorder_app) as other:
        app = build_chat_app(
            users={"alice": PASSWORD, "bob": "builder"}, api_key=API_KEY, other_origin=other.url
        )
        with StarletteServer(app) as chat:
            yield chat, seen


def run(chat: StarletteServer, *args: str):
    env = {"ALICE_PW": PASSWORD, "ROOMS_KEY": API_KEY}
    return behave(FEATURES, *args, "-f", "plain", "-D", f"wsbdd.url={chat.ws_url}", env=env)


def test_sign_in_then_the_signed_in_websocket_hears_the_rest_call(servers, tmp_path):
    chat, seen = servers
    report = tmp_path / "report.html"
    result = run(
        chat,
        "--tags=not @fails",
        "-f",
        "wsbdd.report.html:HtmlFormatter",
        "-o",
        str(report),
        "--junit",
        "--junit-directory",
        str(tmp_path / "junit"),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, failures(output)
    assert re.search(r"6 scenarios passed, 0 failed", output)
    assert seen == [], "nothing may reach the other origin"
    html = report.read_text(encoding="utf-8")
    # The HTTP exchanges are arrows in the diagram, with their status.
    assert 'data-frame="http"' in html
    assert "POST http://127.0.0.1:" in html and "/api/rooms/1/announce" in html
    assert "HTTP 202 Accepted in" in html
    junit = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "junit").glob("*.xml"))
    assert "-&gt; POST http://127.0.0.1:" in junit or "-> POST http://127.0.0.1:" in junit
    for secret in (PASSWORD, API_KEY):
        assert secret not in html and secret not in junit and secret not in output


def test_failures_on_a_response_are_one_sentence_naming_the_step(servers):
    chat, _ = servers
    result = run(chat, "--tags=@fails")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert (
        'In the step "Then the response status is 200": the response status should be 200, '
        'but it was HTTP 401 Unauthorized, application/json, body "{"detail":"Authentication '
        'credentials were not provided."}".'
    ) in output
    assert (
        'the response should be JSON where $.user is "alice", but its body is not JSON: '
        'HTTP 200 OK, text/html; charset=utf-8, body starting "<!doctype html> <html><head>'
    ) in output
    assert 'the response has no header "X-Request-Id": HTTP 401 Unauthorized' in output
    assert "0 scenarios passed, 3 failed" in output
