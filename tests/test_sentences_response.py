"""Every failure sentence of wsbdd.expect.response, pinned whole (tests/sentences.py)."""

from __future__ import annotations

import json

from tests.sentences import assert_raises_sentence
from wsbdd.expect.response import (
    capture,
    compile_capture,
    expect_header,
    expect_matches,
    expect_no_header,
    expect_status,
    expect_text,
    value_at,
)
from wsbdd.io.http import resolve
from wsbdd.match import compile_path, parse_condition, where
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.model.response import Response

STEP = "Then the response is fine"
JSON = Response(
    200,
    "OK",
    (("content-type", "application/json"), ("set-cookie", "sid=s3cret")),
    json.dumps({"id": 7, "name": "alice"}).encode(),
)
HTML = Response(200, "OK", (("content-type", "text/html"),), b"<p>" + b"hello " * 40 + b"</p>")
EMPTY = Response(204, "No Content")


def test_status():
    expect_status(JSON, 200)
    assert_raises_sentence(
        f'In the step "{STEP}": the response status should be 201, but it was HTTP 200 OK, '
        'application/json, body "{"id": 7, "name": "alice"}".',
        expect_status,
        JSON,
        201,
        STEP,
        kind=ExpectationFailed,
    )
    redirect = Response(302, "Found", (("location", "https://elsewhere/x"),))
    redirect.extra["not_followed"] = "https://elsewhere/x"
    assert_raises_sentence(
        "the response status should be 200, but it was HTTP 302 Found, no content type, empty "
        "body (a redirect to https://elsewhere/x, another origin, which wsbdd does not follow).",
        expect_status,
        redirect,
        200,
    )


def test_matches():
    expect_matches(JSON, where("$.id is 7"))
    assert_raises_sentence(
        f'In the step "{STEP}": the response should be JSON where $.id is 7, but its body is '
        "not JSON: HTTP 204 No Content, no content type, empty body.",
        expect_matches,
        EMPTY,
        where("$.id is 7"),
        STEP,
    )
    assert_raises_sentence(
        "the response should be where $.id is 8, but $.id was 7 (HTTP 200 OK, application/json, "
        'body "{"id": 7, "name": "alice"}").',
        expect_matches,
        JSON,
        where("$.id is 8"),
    )


def test_header():
    expect_header(JSON, "content-type", parse_condition('$ starts with "application/"'))
    expect_header(JSON, "etag", parse_condition("$ does not exist"))
    assert_raises_sentence(
        'the response has no header "etag": HTTP 200 OK, application/json, body '
        '"{"id": 7, "name": "alice"}".',
        expect_header,
        JSON,
        "etag",
        parse_condition('$ is "x"'),
    )
    assert_raises_sentence(
        'the response header "content-type" should be one that is "text/plain", but it was '
        '"application/json" (HTTP 200 OK, application/json, body "{"id": 7, "name": "alice"}").',
        expect_header,
        JSON,
        "content-type",
        parse_condition('$ is "text/plain"'),
    )
    error = assert_raises_sentence(
        'the response header "set-cookie" should be one that is "sid=other", but its value did '
        "not (not shown: it carries credentials) (HTTP 200 OK, application/json, body "
        '"{"id": 7, "name": "alice"}").',
        expect_header,
        JSON,
        "set-cookie",
        parse_condition('$ is "sid=other"'),
    )
    assert "s3cret" not in str(error)


def test_no_header():
    expect_no_header(JSON, "etag")
    assert_raises_sentence(
        f'In the step "{STEP}": the response should have no header "content-type", but it has '
        'one (HTTP 200 OK, application/json, body "{"id": 7, "name": "alice"}").',
        expect_no_header,
        JSON,
        "content-type",
        STEP,
    )


def test_text_and_a_long_body_is_cut():
    expect_text(HTML, parse_condition('$ contains "hello"'))
    assert_raises_sentence(
        'the response body should be text that contains "bye", but it was HTTP 200 OK, '
        'text/html, body starting "<p>hello hello hello hello hello hello hello hello hello '
        "hello hello hello hello hello hello hello hello hello hello hello hello hello hello "
        'hello hello hello …".',
        expect_text,
        HTML,
        parse_condition('$ contains "bye"'),
    )


def test_value_at():
    assert value_at(JSON, compile_path("$.name")) == "alice"
    assert_raises_sentence(
        "the response has no $.id: its body is not JSON (HTTP 200 OK, text/html, body starting "
        '"<p>hello hello hello hello hello hello hello hello hello hello hello hello hello hello '
        'hello hello hello hello hello hello hello hello hello hello hello hello …").',
        value_at,
        HTML,
        compile_path("$.id"),
    )
    assert_raises_sentence(
        'the response has no $.age (HTTP 200 OK, application/json, body "{"id": 7, "name": '
        '"alice"}").',
        value_at,
        JSON,
        compile_path("$.age"),
    )


def test_capture():
    assert capture("ack:42", r"ack:(\d+)", "the text") == "42"
    assert_raises_sentence(
        f'In the step "{STEP}": nothing in the text matches "nack:(\\d+)" (ack:42).',
        capture,
        "ack:42",
        r"nack:(\d+)",
        "the text",
        STEP,
    )
    assert_raises_sentence(
        '"ack:(" is not a valid regular expression (missing ), unterminated subpattern at '
        'position 4); mark the part to keep with parentheses, e.g. "ack:(\\d+)" or '
        'value="([^"]+)".',
        compile_capture,
        "ack:(",
        kind=FeatureMistake,
    )


def test_http_addresses():
    assert resolve("ws://h:8000/", "/api/x") == "http://h:8000/api/x"
    assert_raises_sentence(
        'The address is empty; write a path like "/api/health".',
        resolve,
        "ws://h:8000/",
        "  ",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'The address "ftp://h/x" is not an HTTP address; write a path such as "/api/login", or a '
        "full URL starting with http:// or https://.",
        resolve,
        "ws://h:8000/",
        "ftp://h/x",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'The address "http://h:70000/x" has the port "70000"; a port is a whole number from 1 to '
        "65535.",
        resolve,
        "ws://h:8000/",
        "http://h:70000/x",
        kind=FeatureMistake,
    )
