"""Addresses, pure: a step's target joined to the configured URL as a browser joins a link."""

from __future__ import annotations

import pytest

from wsbdd.model.address import (
    AddressProblem,
    append_query,
    mask_secrets,
    resolve,
    resolve_http,
    websocket_url,
)

BASE = "ws://127.0.0.1:8000/api/ws"


@pytest.mark.parametrize(
    ("base", "target", "url"),
    [
        # no target: the configured URL exactly as written
        (BASE, None, BASE),
        (BASE, "", BASE),
        ("ws://127.0.0.1:8000/ws/", None, "ws://127.0.0.1:8000/ws/"),
        ("ws://127.0.0.1:8000/ws?name=x", None, "ws://127.0.0.1:8000/ws?name=x"),
        ("ws://127.0.0.1:8000", None, "ws://127.0.0.1:8000"),
        # an absolute path replaces the path (and the query)
        (BASE, "/chat", "ws://127.0.0.1:8000/chat"),
        ("ws://127.0.0.1:8000/ws?v=1", "/chat", "ws://127.0.0.1:8000/chat"),
        (BASE, "/chat/", "ws://127.0.0.1:8000/chat/"),
        # a relative path is relative to the base's folder
        (BASE, "chat", "ws://127.0.0.1:8000/api/chat"),
        ("ws://127.0.0.1:8000/api/", "chat", "ws://127.0.0.1:8000/api/chat"),
        ("ws://127.0.0.1:8000", "chat", "ws://127.0.0.1:8000/chat"),
        (BASE, "./chat", "ws://127.0.0.1:8000/api/chat"),
        # dot segments
        (BASE, "../chat", "ws://127.0.0.1:8000/chat"),
        ("ws://h/a/b/c", "../../x/./y", "ws://h/x/y"),
        (BASE, "../../../chat", "ws://127.0.0.1:8000/chat"),
        (BASE, "/a/b/../c", "ws://127.0.0.1:8000/a/c"),
        # a query alone keeps the base path and replaces the query
        (BASE, "?room=2", BASE + "?room=2"),
        ("ws://127.0.0.1:8000/ws?v=1", "?room=2", "ws://127.0.0.1:8000/ws?room=2"),
        ("ws://127.0.0.1:8000/ws/", "?name=x", "ws://127.0.0.1:8000/ws/?name=x"),
        (BASE, "chat?room=2&flag", "ws://127.0.0.1:8000/api/chat?room=2&flag"),
        # percent-escapes are kept as written; non-ASCII is escaped as UTF-8
        (BASE, "/a%2Fb/c%20d?x=%41%42&y=a+b", "ws://127.0.0.1:8000/a%2Fb/c%20d?x=%41%42&y=a+b"),
        (BASE, "/café?q=ü", "ws://127.0.0.1:8000/caf%C3%A9?q=%C3%BC"),
        # full URLs are used as they are; http(s) becomes ws(s)
        (BASE, "ws://127.0.0.1:9000/other", "ws://127.0.0.1:9000/other"),
        (BASE, "wss://example.com/ws?x=1", "wss://example.com/ws?x=1"),
        (BASE, "http://127.0.0.1:9000/ws", "ws://127.0.0.1:9000/ws"),
        (BASE, "HTTPS://example.com/ws", "wss://example.com/ws"),
        (BASE, "//127.0.0.1:9000/ws", "ws://127.0.0.1:9000/ws"),
        ("http://127.0.0.1:8000/api/ws", "chat", "ws://127.0.0.1:8000/api/chat"),
    ],
)
def test_resolution(base: str, target: str | None, url: str) -> None:
    assert resolve(base, target) == url


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("ftp://example.com/ws", "is not a WebSocket address; write a path such as"),
        ("mailto:me@example.com", "is not a WebSocket address"),
        ("/my room", "contains a space or a control character; write a space"),
        ("/chat#top", 'has a "#…" part, which a WebSocket address cannot carry'),
        ("ws://127.0.0.1:70000/ws", 'has the port "70000"; a port is a whole number from 1 to'),
        ("ws:///ws", "has no host name"),
    ],
)
def test_a_target_that_makes_no_websocket_address(target: str, problem: str) -> None:
    with pytest.raises(AddressProblem) as caught:
        resolve(BASE, target)
    assert str(caught.value).startswith(problem)


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("ws://127.0.0.1:8000/ws", "ws://127.0.0.1:8000/ws"),
        ("  wss://example.com/ws/  ", "wss://example.com/ws/"),
        ("http://127.0.0.1:8000/ws?name=x", "ws://127.0.0.1:8000/ws?name=x"),
        ("https://example.com", "wss://example.com"),
        ("ws://user:pw@127.0.0.1:8000/ws", "ws://user:pw@127.0.0.1:8000/ws"),
        ("ws://[::1]:8000/ws", "ws://[::1]:8000/ws"),
    ],
)
def test_configured_urls(text: str, url: str) -> None:
    assert websocket_url(text) == url


@pytest.mark.parametrize(
    "text", ["", "localhost:8000", "ftp://x", "ws://", "ws://h:-1/", "ws://h:x/", "ws://h/ a"]
)
def test_unusable_configured_urls(text: str) -> None:
    with pytest.raises(AddressProblem):
        websocket_url(text)


def test_a_token_is_added_to_the_query_without_respelling_it() -> None:
    url = "ws://h/ws?name=a%20b&flag&x=1+2"
    assert append_query(url, "token", "a b/&c") == url + "&token=a%20b%2F%26c"
    assert append_query("ws://h/ws", "token", "abc") == "ws://h/ws?token=abc"
    assert append_query("ws://h/ws?", "token", "abc") == "ws://h/ws?token=abc"


def test_shown_urls_hide_secrets_and_keep_everything_else() -> None:
    url = "ws://bob:hunter2@h/ws?name=a%20b&flag&token=abc&api_key=k&Password=p"
    assert (
        mask_secrets(url) == "ws://bob:***@h/ws?name=a%20b&flag&token=***&api_key=***&Password=***"
    )
    assert mask_secrets("ws://h/ws?sid=1", ("sid",)) == "ws://h/ws?sid=***"
    assert mask_secrets("ws://h/ws") == "ws://h/ws"


@pytest.mark.parametrize(
    ("base", "target", "url"),
    [
        (BASE, None, "http://127.0.0.1:8000/api/ws"),
        (BASE, "/api/login", "http://127.0.0.1:8000/api/login"),
        (BASE, "rooms/1?x=%41", "http://127.0.0.1:8000/api/rooms/1?x=%41"),
        ("wss://example.com/ws", "/login", "https://example.com/login"),
        (BASE, "https://other.example/login", "https://other.example/login"),
        (BASE, "ws://other.example/x", "http://other.example/x"),
        (BASE, "/chat/#top", "http://127.0.0.1:8000/chat/"),  # a fragment is never sent
    ],
)
def test_http_requests_use_the_same_rule(base: str, target: str | None, url: str) -> None:
    assert resolve_http(base, target) == url


def test_an_http_target_that_is_no_http_address() -> None:
    with pytest.raises(AddressProblem, match="is not an HTTP address"):
        resolve_http(BASE, "ftp://example.com/")
