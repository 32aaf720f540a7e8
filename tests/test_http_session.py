"""HTTP beside WebSocket, through the Session, against a real Starlette app on uvicorn.

A form login with a CSRF token and a session cookie, a WebSocket that only
signed-in users may open, a REST call that pushes to a room, and redirects
within one origin and to another (a second server that records whatever
reaches it, so a test proves no credential did).
"""

from __future__ import annotations

import re

import pytest
from starlette_app import StarletteServer, build_chat_app, build_recorder

from wsbdd.expect.response import expect_matches, expect_status
from wsbdd.facade.session import Run, Session
from wsbdd.io.http import Body
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.settings.config import Settings

API_KEY = "k3y-for-tests"


@pytest.fixture(scope="module")
def servers():
    recorder_app, seen = build_recorder()
    with StarletteServer(recorder_app) as other:
        app = build_chat_app(api_key=API_KEY, other_origin=other.url)
        with StarletteServer(app) as chat:
            yield chat, other, seen


@pytest.fixture(scope="module")
def run(servers):
    chat, _, _ = servers
    with Run.start(Settings(url=chat.ws_url, timeout=3.0, connect_timeout=3.0)) as run:
        yield run


@pytest.fixture
def session(run):
    with run.session() as session:
        yield session


def login(session: Session, name: str, password: str = "wonderland") -> None:
    page = session.request(name, "GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    fields = {"username": "alice", "password": password, "csrfmiddlewaretoken": token}
    session.request(name, "POST", "/accounts/login/", body=Body("form", fields))


def test_a_signed_in_client_opens_the_socket_and_a_rest_call_pushes_to_its_room(session):
    login(session, "Alice")
    assert session.last_response.status == 302
    assert session.last_response.header("location") == "/chat/"
    session.connect("Alice", "/chat/stream/")
    session.send("Alice", '{"command": "join", "room": 1}')
    session.receive("Alice", where('$.type is "joined"', '$.user is "alice"'))
    answer = session.request(
        "I",
        "POST",
        "/api/rooms/1/announce",
        headers={"X-Api-Key": API_KEY},
        body=Body("json", {"text": "deploy done"}),
    )
    assert answer.status == 202
    expect_matches(answer, where("$.queued is true"))
    session.receive("Alice", where('$.message is "deploy done"'))


def test_without_the_login_cookies_the_socket_is_refused(session):
    login(session, "Alice")
    outcome = session.connect("Bob", "/chat/stream/", require=False)
    assert outcome.status == 403
    assert "Sign in first" in outcome.body


def test_each_client_has_its_own_jar_and_anonymous_requests_have_another(session):
    login(session, "Alice")
    assert session.request("Alice", "GET", "/api/me").json == {"user": "alice"}
    assert session.request("Bob", "GET", "/api/me").status == 401
    assert session.request("I", "GET", "/api/me").status == 401
    assert session.cookie("Alice", "session")
    with pytest.raises(ExpectationFailed, match='Bob has no cookie "session"'):
        session.cookie("Bob", "session")


def test_a_wrong_csrf_token_is_forbidden(session):
    session.request("Alice", "GET", "/accounts/login/")
    fields = {"username": "alice", "password": "wonderland", "csrfmiddlewaretoken": "forged"}
    answer = session.request("Alice", "POST", "/accounts/login/", body=Body("form", fields))
    assert answer.status == 403
    with pytest.raises(ExpectationFailed) as failure:
        expect_status(answer, 302, "Then the response status is 302")
    text = str(failure.value)
    assert text.startswith('In the step "Then the response status is 302": ')
    assert "HTTP 403 Forbidden, text/html" in text and "CSRF verification failed" in text


def test_a_wrong_password_shows_the_form_again(session):
    login(session, "Alice", password="nope")
    assert session.last_response.status == 200
    assert "Please enter a correct username" in session.last_response.text


def test_json_conditions_on_a_page_that_is_not_json_say_so(session):
    session.request("I", "GET", "/accounts/login/")
    with pytest.raises(ExpectationFailed) as failure:
        expect_matches(session.last_response, where("$.queued is true"), "Then x")
    text = str(failure.value)
    assert "its body is not JSON: HTTP 200 OK, text/html; charset=utf-8" in text
    assert "<!doctype html>" in text


def test_methods_query_headers_and_bodies_reach_the_server(session):
    for method in ("PUT", "PATCH", "DELETE", "OPTIONS"):
        echo = session.request("I", method, "/api/echo", body=Body("json", {"n": 1}))
        assert echo.json["method"] == method
        assert echo.json["body"] == '{"n":1}' or echo.json["body"] == '{"n": 1}'
    echo = session.request(
        "I",
        "POST",
        "/api/echo?a=1",
        headers={"X-Trace": "42", "Content-Type": "text/plain"},
        query=[("b", "two words")],
        body=Body("text", "plain words"),
    )
    assert echo.json["query"] == {"a": "1", "b": "two words"}
    assert echo.json["headers"]["x-trace"] == "42"
    assert echo.json["body"] == "plain words"
    head = session.request("I", "HEAD", "/api/echo")
    assert head.status == 200 and head.body == b""


def test_the_redirect_after_a_post_is_the_answer_and_following_it_opens_the_page(session):
    login(session, "Alice")
    assert session.last_response.status == 302
    page = session.follow_redirect("Alice")
    assert page.status == 200 and "Hello, alice" in page.text
    with pytest.raises(ExpectationFailed, match="HTTP 200, not a redirect"):
        session.follow_redirect("Alice")


def test_following_a_redirect_to_another_origin_is_refused(session, servers):
    _, _, seen = servers
    seen.clear()
    session.request("I", "GET", "/go/away")
    with pytest.raises(FeatureMistake, match="another origin"):
        session.follow_redirect("I")
    assert seen == []


def test_a_same_origin_redirect_is_followed_keeping_the_cookies(session):
    login(session, "Alice")
    answer = session.request("Alice", "GET", "/go/same")
    assert answer.status == 200
    assert answer.json["query"] == {"from": "same"}
    assert "session" in answer.json["cookies"]


def test_a_redirect_to_another_origin_is_the_answer_and_nothing_reaches_it(session, servers):
    _, other, seen = servers
    seen.clear()
    login(session, "Alice")
    answer = session.request("Alice", "GET", "/go/away", headers={"X-Api-Key": API_KEY})
    assert answer.status == 302
    assert answer.header("location") == f"{other.url}/stolen"
    assert answer.extra["not_followed"] == f"{other.url}/stolen"
    assert seen == []


def test_a_redirect_loop_is_one_sentence_naming_the_step(session):
    session.begin_step("When I GET /go/loop")
    with pytest.raises(ConnectionProblem) as failure:
        session.request("I", "GET", "/go/loop")
    assert str(failure.value) == (
        f'In the step "When I GET /go/loop": I was redirected more than 10 times, last to '
        f"{session.http_url('/go/loop')}: the server redirects in a loop."
    )
    assert failure.value.failure.step == "When I GET /go/loop"


def test_an_unreachable_server_is_one_sentence(session):
    session.begin_step('When I GET "http://127.0.0.1:1/x"')
    with pytest.raises(ConnectionProblem) as failure:
        session.request("I", "GET", "http://127.0.0.1:1/x")
    text = str(failure.value)
    assert text.startswith('In the step "When I GET "http://127.0.0.1:1/x"": The GET ')
    assert "could not be reached" in text and "\n" not in text


def test_an_address_that_is_not_http_is_a_feature_mistake(session):
    with pytest.raises(FeatureMistake, match="not an HTTP address"):
        session.request("I", "GET", "ftp://127.0.0.1/x")
    with pytest.raises(FeatureMistake, match="a port is a whole number from 1 to 65535"):
        session.request("I", "GET", "http://127.0.0.1:99999/x")


def test_the_handshake_follows_a_redirect_within_the_origin(session):
    session.connect("Alice", "/ws-moved")
    hello = session.receive("Alice", where('$.type is "hello"'))
    assert hello.json["path"] == "/ws"


def test_the_handshake_refuses_a_redirect_to_another_origin_and_sends_nothing_there(
    session, servers
):
    _, other, seen = servers
    seen.clear()
    with pytest.raises(ConnectionProblem) as failure:
        session.connect("Alice", "/ws-away", headers={"X-Api-Key": API_KEY})
    text = str(failure.value)
    port = other.url.rsplit(":", 1)[1]
    assert f"redirected the handshake to ws://127.0.0.1:{port}" in text
    assert "wsbdd follows redirects only within one origin" in text
    assert seen == []


def test_the_handshake_sends_only_the_cookies_for_its_address(session):
    login(session, "Alice")
    session.connect("Alice", "/ws")
    hello = session.receive("Alice", where('$.type is "hello"'))
    assert set(hello.json["cookies"]) == {"csrftoken", "session"}
    session.connect("Bob", "/ws")
    assert session.receive("Bob", where('$.type is "hello"')).json["cookies"] == {}


def test_the_exchanges_are_in_the_transcript_with_secrets_masked(session):
    session.begin_step("When Alice logs in")
    login(session, "Alice")
    events = [e for e in session.transcript() if e.kind == "http"]
    phases = [(e.client, e.detail["phase"], e.detail["method"]) for e in events]
    assert phases == [
        ("Alice", "request", "GET"),
        ("Alice", "response", "GET"),
        ("Alice", "request", "POST"),
        ("Alice", "response", "POST"),
    ]
    posted = events[2].payload
    assert "password=%2A%2A%2A" in posted or "password=***" in posted
    assert "wonderland" not in posted
    assert events[3].detail["status"] == 302
    assert events[3].step is not None and events[3].step.text == "When Alice logs in"


def test_a_cookie_the_handshake_sets_goes_into_the_clients_jar(session):
    session.connect("Alice", "/ws-cookie")
    assert session.cookie("Alice", "seen") == "yes"
    assert session.request("Alice", "GET", "/api/echo").json["cookies"] == {"seen": "yes"}


def test_a_server_that_does_not_answer_in_time_is_one_sentence(servers):
    chat, _, _ = servers
    with Run.start(Settings(url=chat.ws_url, timeout=0.3)) as run, run.session() as session:
        session.begin_step('When I GET "/api/slow?s=1"')
        with pytest.raises(ConnectionProblem) as failure:
            session.request("I", "GET", "/api/slow?s=1")
    assert str(failure.value) == (
        f'In the step "When I GET "/api/slow?s=1"": The GET {chat.url}/api/slow?s=1 failed: '
        "no answer came within 0.3 s."
    )


def test_a_text_body_is_plain_text_unless_told_otherwise(session):
    echo = session.request("I", "POST", "/api/echo", body=Body("text", "hi"))
    assert echo.json["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert session.request("I", "GET", "/api/echo").status == 200
    with pytest.raises(ExpectationFailed, match='I have no cookie "sid"'):
        session.cookie("I", "sid")
