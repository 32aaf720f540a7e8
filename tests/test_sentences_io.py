"""Addresses, HTTP requests and codecs: their sentences pinned whole, against real servers.

The HTTP failures are reached with real sockets on 127.0.0.1: a port nobody listens
on, and a small server that redirects in a loop.
"""

from __future__ import annotations

import http.server
import socket
import threading

import pytest
from behave.model import Table

from tests.sentences import assert_raises_sentence, run_step
from wsbdd.codec.registry import CodecNotFound, codec_names, find_codec, register_codec
from wsbdd.model.errors import ConnectionProblem, FeatureMistake


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        (
            "ws://h/p#frag",
            'has a "#…" part, which a WebSocket address cannot carry; write a "#" in a path or '
            "query as %23",
        ),
        (
            "ws://user@h/",
            'names a user without a password ("user@host"); write "user:password@host", or send '
            "credentials as a header",
        ),
        (
            "ws://:80/",
            'has no host name; it must be a WebSocket URL such as "ws://localhost:8000/ws"',
        ),
        ("ws://h:0/", "has the port 0; a port is a whole number from 1 to 65535"),
        (
            "ws://exa mple.com/",
            "contains a space or a control character; write a space in a path or query as %20",
        ),
        ("ws://exämple..com/", 'has the host name "exämple..com", which is not valid'),
    ],
)
def test_websocket_addresses(s, target, problem):
    assert_raises_sentence(
        f'The address "{target}" {problem}.', s.connect, "Bob", target, kind=FeatureMistake
    )


def test_an_http_address(s):
    line = 'When I GET "ftp://x/y"'
    assert_raises_sentence(
        f'In the step "{line}": The address "ftp://x/y" is not an HTTP address; write a path '
        'such as "/api/login", or a full URL starting with http:// or https://.',
        run_step,
        s,
        line,
        kind=FeatureMistake,
    )


def test_a_header_http_cannot_carry(s, run):
    line = 'When I GET "/x" with headers:'
    url = run.base_url.replace("ws://", "http://").rstrip("/") + "/x"
    assert_raises_sentence(
        f'In the step "{line}": "{url}" cannot be '
        'requested: a header holds "éé", and HTTP headers carry ASCII only; percent-encode it, '
        "or send it in the body.",
        run_step,
        s,
        line,
        table=Table(["name", "value"], rows=[["X-Name", "éé"]]),
        kind=FeatureMistake,
    )


def test_a_server_nobody_listens_on(s):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Closed now: connecting is refused at once.
    line = f'When I GET "http://127.0.0.1:{port}/x"'
    assert_raises_sentence(
        f'In the step "{line}": The GET http://127.0.0.1:{port}/x failed: the server could not '
        "be reached ([Errno 111] Connection refused).",
        run_step,
        s,
        line,
        kind=ConnectionProblem,
    )


class _Loop(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", "/again")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirect_loop():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Loop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_redirect_loop(s, redirect_loop):
    line = f'When I GET "{redirect_loop}/start"'
    assert_raises_sentence(
        f'In the step "{line}": I was redirected more than 10 times, last to '
        f"{redirect_loop}/again: the server redirects in a loop.",
        run_step,
        s,
        line,
        kind=ConnectionProblem,
    )


def test_codecs():
    assert find_codec("websocket")
    with pytest.raises(CodecNotFound) as unknown:
        find_codec("websockit")
    # Other tests register codecs of their own: the list is whatever is registered now.
    known = ", ".join(f'"{name}"' for name in codec_names())
    assert str(unknown.value) == (
        'there is no codec called "websockit"; did you mean "websocket"? write one of '
        f'{known}, or "package.module:Class" for a codec of your own.'
    )
    with pytest.raises(CodecNotFound) as nothing:
        find_codec("json:nope")
    assert str(nothing.value) == (
        'the codec "json:nope" names nothing callable: the module json has no class or '
        'function "nope".'
    )
    with pytest.raises(ValueError) as bad_name:
        register_codec("a:b", lambda: None)
    assert str(bad_name.value) == "a codec name is one word without ':' (got 'a:b')"
    with pytest.raises(ValueError) as taken:
        register_codec("websocket", lambda: None)
    assert str(taken.value) == 'a codec called "websocket" is already registered'


def test_a_header_name_http_cannot_write(s, run):
    line = 'When I GET "/x" with headers:'
    url = run.base_url.replace("ws://", "http://").rstrip("/") + "/x"
    assert_raises_sentence(
        f'In the step "{line}": The GET {url} failed: the request cannot be written (Illegal '
        'header name "X N"); a header name is letters, digits and - without spaces.',
        run_step,
        s,
        line,
        table=Table(["name", "value"], rows=[["X N", "a"]]),
        kind=ConnectionProblem,
    )
