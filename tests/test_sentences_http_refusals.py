"""Requests httpx refuses to build, pinned whole (a non-ASCII header: test_sentences_response.py).

A host name that is not valid IDNA and a URL longer than httpx reads fail before anything
is sent, with one sentence naming the address (cut short when it is very long).
"""

from __future__ import annotations

from tests.sentences import assert_raises_sentence
from wsbdd.model.errors import FeatureMistake


def test_a_host_name_that_is_not_valid_idna(s):
    assert_raises_sentence(
        "\"http://xn--a.com/\" cannot be requested (Codepoint U+0080 at position 1 of '\\x80' "
        "not allowed).",
        s.request,
        "I",
        "GET",
        "http://xn--a.com/",
        kind=FeatureMistake,
    )


def test_a_url_too_long_for_httpx(s):
    path = "/" + "a" * 70_000
    shown = s.http_url(path)[:100]
    assert_raises_sentence(
        f'"{shown}…" cannot be requested (URL too long).',
        s.request,
        "I",
        "GET",
        path,
        kind=FeatureMistake,
    )
    assert s.request("I", "GET", "/" + "a" * 1000).status == 426  # long, yet sent: an answer


def test_an_http_address_without_a_host(s):
    assert_raises_sentence(
        'The address "http:api/health" must be an HTTP URL such as "http://localhost:8000/api" '
        "(starting with http:// or https://), or a path joined to the configured URL.",
        s.request,
        "I",
        "GET",
        "http:api/health",
        kind=FeatureMistake,
    )
