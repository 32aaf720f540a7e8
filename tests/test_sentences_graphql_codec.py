"""The GraphQL codecs' and settings' sentences, pinned whole.

What a tester reads when a GraphQL server refuses ``connection_init`` (a close code, a
legacy ``connection_error``) or never acknowledges it, sends a malformed message, when a
step's operation cannot be sent, and when the ``[graphql]`` settings are wrong.  The
codec's sentences end "Alice could not connect to …: <sentence>." (see
tests/test_graphql_client.py for them through a real server) or become the
connection's error.
"""

# ruff: noqa: E501  (whole sentences, one string each)
from __future__ import annotations

import pytest

from tests.sentences import assert_config_sentence
from wsbdd.codec import Cancel, GraphQLCodec, LegacyGraphQLCodec, Operation, refused_intent
from wsbdd.settings.config import load_settings


def refused(codec: GraphQLCodec, intent: object) -> str:
    with pytest.raises(TypeError) as error:
        codec.encode(intent)
    return refused_intent(codec.name, intent, error.value)


def test_a_refused_connection_init():
    assert GraphQLCodec().close_meaning(4403, "Forbidden") == (
        "the server refused connection_init: 4403 Forbidden (the connection params were not accepted)"
    )
    assert LegacyGraphQLCodec().close_meaning(4400, "") == (
        "the server refused connection_init: 4400 Bad Request (the server could not read a message the client sent)"
    )


def test_a_connection_init_never_acknowledged():
    assert GraphQLCodec().handshake_timeout(5.0) == (
        "the server did not acknowledge connection_init within 5.0 s"
    )


def test_a_legacy_connection_error():
    codec = LegacyGraphQLCodec()
    codec.opening(None, 0)
    decoded = codec.decode('{"type":"connection_error","payload":{"message":"Bad token"}}', 0)
    assert decoded is not None and decoded.failed == (
        "the server refused connection_init with connection_error: Bad token"
    )


def test_params_that_cannot_be_sent():
    assert GraphQLCodec(params={"at": {1, 2}}).opening(None, 0).failed == (
        "the connection params cannot be sent as JSON (Object of type set is not JSON serializable)"
    )


@pytest.mark.parametrize(
    ("frame", "sentence"),
    [
        ("hi", 'the server sent a malformed graphql-transport-ws message "hi": it is not JSON'),
        (
            "[]",
            'the server sent a malformed graphql-transport-ws message "[]": it is no JSON object with a "type"',
        ),
        (
            b"\x00",
            "the server sent a malformed graphql-transport-ws message binary 1 bytes 0x00: the protocol sends text, not binary frames",
        ),
    ],
)
def test_a_malformed_message(frame, sentence):
    decoded = GraphQLCodec().decode(frame, 0)
    assert decoded is not None and decoded.failed == sentence


def test_operations_it_cannot_send():
    codec = GraphQLCodec()
    assert refused(codec, Cancel("counter")) == (
        'The graphql-transport-ws codec cannot send a Cancel: no operation called "counter" was started on this connection.'
    )
    assert refused(codec, Operation(" ", "{ hello }")) == (
        "The graphql-transport-ws codec cannot send an Operation: an operation needs a name (a non-empty text)."
    )
    assert refused(codec, Operation("q", "")) == (
        'The graphql-transport-ws codec cannot send an Operation: the operation "q" has no query.'
    )
    assert refused(codec, Operation("q", "{ a }", variables=("x",))) == (  # type: ignore[arg-type]
        'The graphql-transport-ws codec cannot send an Operation: the variables of "q" must be a JSON object, not tuple.'
    )
    assert refused(codec, Operation("q", "{ a }", variables={"x": {1}})) == (
        "The graphql-transport-ws codec cannot send an Operation: its variables cannot be sent as JSON (Object of type set is not JSON serializable)."
    )
    assert refused(LegacyGraphQLCodec(), 3.5) == (
        "The graphql-ws codec cannot send a float: it sends an Operation, a Cancel, or text or bytes as a raw frame, not float."
    )


SETTINGS = [
    pytest.param(
        '[graphql]\npath = "graphql"',
        'wsbdd.toml [graphql] path is "graphql": must be a path starting with "/", e.g. "/graphql".',
        id="path",
    ),
    pytest.param(
        '[graphql]\nparams = "hunter22"',
        'wsbdd.toml [graphql] params must be a table of the connection params the server gets in connection_init, e.g. params = { token = "${env.TOKEN}" } (its value is not shown: it may hold a password).',
        id="params not a table",
    ),
    pytest.param(
        '[graphql]\nparams = { token = "${nope" }',
        'wsbdd.toml [graphql.params] token: The placeholder "${nope" is not closed; write "${nope}", or "$${nope" for the literal text.',
        id="params bad placeholder",
    ),
    pytest.param(
        '[graphql]\nurl = "ftp://h"',
        'wsbdd.toml [graphql] url is "ftp://h": must be a WebSocket URL such as "ws://localhost:8000/ws" (starting with ws://, wss://, http:// or https://); leave it out to use the run\'s url.',
        id="url",
    ),
    pytest.param(
        "[graphql]\nurl = 8000",
        'wsbdd.toml [graphql] url is 8000: must be a WebSocket URL such as "ws://localhost:8000/ws" in quotes.',
        id="url number",
    ),
    pytest.param(
        '[graphql]\nhttp_url = "ws://127.0.0.1:8000/graphql"',
        'wsbdd.toml [graphql] http_url is "ws://127.0.0.1:8000/graphql": must be an HTTP address such as "http://localhost:8000/graphql" in quotes; the WebSocket address goes in url.',
        id="http_url ws",
    ),
    pytest.param(
        "[graphql]\nhttp_url = 8000",
        'wsbdd.toml [graphql] http_url is 8000: must be an HTTP address such as "http://localhost:8000/graphql" in quotes.',
        id="http_url number",
    ),
    pytest.param(
        '[graphql]\nparam = { token = "x" }',
        'wsbdd.toml [graphql]: unknown key "param"; did you mean "params"?',
        id="unknown key",
    ),
]


@pytest.mark.parametrize(("toml", "sentence"), SETTINGS)
def test_graphql_settings(tmp_path, monkeypatch, toml, sentence):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wsbdd.toml").write_text(toml + "\n")
    error = assert_config_sentence(sentence, load_settings, tmp_path, environ={})
    assert "hunter22" not in str(error)


def test_params_from_the_environment_are_a_json_object(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    error = assert_config_sentence(
        "environment variable WSBDD_GRAPHQL_PARAMS must be a table of the connection params the "
        'server gets in connection_init, e.g. {"token": "${env.TOKEN}"} (its value is not '
        "shown: it may hold a password).",
        load_settings,
        tmp_path,
        environ={"WSBDD_GRAPHQL_PARAMS": "hunter22"},
    )
    assert "hunter22" not in str(error)
