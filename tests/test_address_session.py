"""Addresses against a real Starlette app: the app receives exactly the path and query the
user wrote, in the settings and in a step; and a bare token as first message is sent bare."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from tests.starlette_app import StarletteServer
from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem, FeatureMistake
from wsbdd.settings.config import Settings, TokenSettings, load_settings


@pytest.fixture(scope="module")
def app() -> Iterator[StarletteServer]:
    with StarletteServer() as server:
        yield server


def hello(settings: Settings, target: str | None = None) -> dict[str, Any]:
    """Connect one client with *settings* (and *target*); what the app saw in the handshake."""
    with Run.start(settings) as run, run.session() as s:
        s.connect("Alice", target)
        return s.receive("Alice", where('$.type is "hello"')).json


@pytest.mark.parametrize(
    ("path", "raw_path", "query"),
    [
        ("/ws", "/ws", ""),
        ("/ws/", "/ws/", ""),
        ("/ws?name=x", "/ws", "name=x"),
        ("/ws/?name=x&flag", "/ws/", "name=x&flag"),
        ("/ws/a%2Fb/c%20d?q=%41+b", "/ws/a%2Fb/c%20d", "q=%41+b"),
    ],
)
def test_the_configured_url_reaches_the_app_as_written(
    app: StarletteServer, path: str, raw_path: str, query: str
) -> None:
    settings = load_settings(".", userdata={"wsbdd.url": app.ws_url + path}, environ={})
    seen = hello(settings)
    assert (seen["raw_path"], seen["query"]) == (raw_path, query)


def test_an_http_url_in_the_settings_connects_over_websocket(app: StarletteServer) -> None:
    settings = load_settings(".", userdata={"wsbdd.url": app.url + "/ws?via=http"}, environ={})
    assert settings.url == app.ws_url + "/ws?via=http"
    assert hello(settings)["query"] == "via=http"


@pytest.mark.parametrize(
    ("base", "target", "raw_path", "query"),
    [
        ("/ws/rooms/lobby", "/ws/other", "/ws/other", ""),
        ("/ws/rooms/lobby", "kitchen", "/ws/rooms/kitchen", ""),
        ("/ws/rooms/", "kitchen?seat=2", "/ws/rooms/kitchen", "seat=2"),
        ("/ws/rooms/lobby?v=1", "?name=x", "/ws/rooms/lobby", "name=x"),
        ("/ws/rooms/lobby", "../x", "/ws/x", ""),
        ("/ws/rooms/lobby", "/ws/a%2Fb?x=%41", "/ws/a%2Fb", "x=%41"),
        ("/ws/rooms/lobby", "/ws/café", "/ws/caf%C3%A9", ""),
    ],
)
def test_a_steps_target_is_joined_as_a_browser_joins_a_link(
    app: StarletteServer, base: str, target: str, raw_path: str, query: str
) -> None:
    seen = hello(Settings(url=app.ws_url + base), target)
    assert (seen["raw_path"], seen["query"]) == (raw_path, query)


def test_full_urls_in_a_step_are_used_as_they_are(app: StarletteServer) -> None:
    settings = Settings(url="ws://127.0.0.1:9/elsewhere")  # nothing listens there
    assert hello(settings, app.ws_url + "/ws/full?x=1")["path"] == "/ws/full"
    assert hello(settings, app.url + "/ws/from-http")["path"] == "/ws/from-http"


def test_the_token_in_the_query_leaves_the_rest_of_the_query_alone(app: StarletteServer) -> None:
    with Run.start(Settings(url=app.ws_url + "/ws?name=a%20b&flag")) as run, run.session() as s:
        outcome = s.connect("Alice", token="s3cret")
        seen = s.receive("Alice", where('$.type is "hello"')).json
    assert seen["query"] == "name=a%20b&flag&token=s3cret"
    # what people see is what was sent, with the secret hidden
    assert outcome.url == app.ws_url + "/ws?name=a%20b&flag&token=***"


def test_a_bad_target_is_one_sentence(app: StarletteServer) -> None:
    """Through the Python API; the step wrapper adds the step's words (test_address_behave)."""
    with Run.start(Settings(url=app.ws_url + "/ws")) as run, run.session() as s:
        s.begin_step('Given Alice is connected to "ftp://127.0.0.1/ws"')
        with pytest.raises(FeatureMistake) as caught:
            s.connect("Alice", "ftp://127.0.0.1/ws")
        s.begin_step('Given Alice is connected to "/my room"')
        with pytest.raises(FeatureMistake) as spaced:
            s.connect("Alice", "/my room")
    assert str(caught.value) == (
        'The address "ftp://127.0.0.1/ws" is not a WebSocket address; write a path such as '
        '"/chat", a query such as "?room=1", or a full URL starting with ws://, wss://, '
        "http:// or https://."
    )
    assert str(spaced.value) == (
        'The address "/my room" contains a space or a control character; write a space in a '
        "path or query as %20."
    )


def first_frame(app: StarletteServer, message: str, token: str) -> str:
    """What the app received as the first frame, with the token travelling as a message."""
    settings = replace(
        Settings(url=app.ws_url + "/ws"), token=TokenSettings(place="message", message=message)
    )
    with Run.start(settings) as run, run.session() as s:
        s.connect("Alice", token=token)
        return s.receive("Alice", where('$.type is "echo"')).json["text"]


def test_a_bare_token_as_the_first_message_is_sent_bare(app: StarletteServer) -> None:
    assert first_frame(app, "${token}", "abc123") == "abc123"
    assert first_frame(app, "AUTH ${token}", 'a"b') == 'AUTH a"b'


def test_a_json_token_message_stays_json(app: StarletteServer) -> None:
    sent = first_frame(app, '{"type": "auth", "token": "${token}"}', 'a"b')
    assert sent == '{"type": "auth", "token": "a\\"b"}'
    assert first_frame(app, '  ["auth", "${token}"]', "x") == '  ["auth", "x"]'


def test_an_unusable_url_given_in_python_is_one_sentence_at_connect() -> None:
    # Settings made in Python skip load_settings' check; the connect step still says why.
    with Run.start(Settings(url="ws://127.0.0.1:0/ws")) as run, run.session() as s:
        with pytest.raises(ConnectionProblem) as caught:
            s.connect("Alice")
    assert str(caught.value) == (
        'The configured URL "ws://127.0.0.1:0/ws" has the port 0; a port is a whole number '
        "from 1 to 65535."
    )
