"""wsbdd.facade.identities on data: each client's address, headers and token, before anything
connects.

Pure functions, so no server: what a handshake will carry is checked as values.
tests/test_identities.py and tests/test_address_session.py check the same against a real app.
"""

from __future__ import annotations

import pytest

from wsbdd.facade.identities import handshakes, http_url, prepare, url_for
from wsbdd.model.errors import ConnectionProblem, FeatureMistake
from wsbdd.model.variables import Variables
from wsbdd.settings.config import TokenSettings

BASE = "ws://h:1/api/ws?v=1"


@pytest.mark.parametrize(
    ("target", "url"),
    [
        (None, BASE),
        ("/chat", "ws://h:1/chat"),
        ("chat", "ws://h:1/api/chat"),
        ("?room=2", "ws://h:1/api/ws?room=2"),
        ("https://other/ws", "wss://other/ws"),
    ],
)
def test_a_target_is_joined_to_the_configured_url_as_a_link(target, url):
    assert url_for(BASE, target) == url


def test_a_bad_target_is_the_features_mistake_a_bad_configured_url_the_settings():
    with pytest.raises(FeatureMistake, match=r'^The address "ftp://x/" '):
        url_for(BASE, "ftp://x/")
    with pytest.raises(ConnectionProblem, match=r'^The configured URL "localhost:8000" '):
        url_for("localhost:8000", None)


def test_an_http_address_follows_the_websocket_servers_scheme():
    assert http_url("wss://h/ws", "/api/health") == "https://h/api/health"
    assert http_url("", "/api") == "http://127.0.0.1/api"


QUERY = TokenSettings()


def plain(target=None, token=None, headers=None, how=QUERY, configured=None):
    return prepare(BASE, target, token, headers, configured or {}, how, Variables({"me": "Al"}))


def test_a_token_goes_in_the_query_by_default():
    assert plain(token="t 1") == ("ws://h:1/api/ws?v=1&token=t%201", {}, None)


def test_a_token_in_a_header_with_and_without_a_scheme():
    how = TokenSettings(place="header", header="X-Auth")
    assert plain(token="t1", how=how)[1] == {"X-Auth": "Bearer t1"}
    how = TokenSettings(place="header", header="X-Auth", scheme="")
    assert plain(token="t1", how=how)[1] == {"X-Auth": "t1"}


def test_a_token_as_first_message_json_escaped_in_json_and_bare_otherwise():
    json_how = TokenSettings(place="message", message='{"token": "${token}"}')
    assert plain(token='a"b', how=json_how)[2] == '{"token": "a\\"b"}'
    bare_how = TokenSettings(place="message", message="${token}")
    assert plain(token='a"b', how=bare_how)[2] == 'a"b'


def test_configured_headers_are_rendered_and_a_steps_headers_win():
    headers = plain(headers={"X-B": "step"}, configured={"X-A": "${me}", "X-B": "config"})[1]
    assert headers == {"X-A": "Al", "X-B": "step"}


def each(names, target=None, token=None, headers=None, variables=None):
    return handshakes(
        names, BASE, target, token, headers, {}, TokenSettings(), variables or Variables()
    )


def test_without_a_placeholder_every_client_shares_one_handshake():
    handshake = each(["a", "b"], "/chat", token="t")
    assert handshake("a") is handshake("b")
    assert handshake("a") == ("ws://h:1/chat?token=t", {}, None)


def test_each_client_fills_in_its_own_name_and_index():
    variables = Variables({"tokens": {"a": "ta", "b": "tb"}})
    handshake = each(
        ["a", "b"],
        "/ws?user=${client}&n=${index}",
        token="${tokens.${client}}",
        headers={"X-${client}": "${index}"},
        variables=variables,
    )
    assert handshake("a") == ("ws://h:1/ws?user=a&n=1&token=ta", {"X-a": "1"}, None)
    assert handshake("b") == ("ws://h:1/ws?user=b&n=2&token=tb", {"X-b": "2"}, None)


def test_a_missing_value_names_the_client_before_anyone_connects():
    variables = Variables({"tokens": {"a": "ta"}})
    with pytest.raises(FeatureMistake, match=r"^For b: "):
        each(["a", "b"], token="${tokens.${client}}", variables=variables)
