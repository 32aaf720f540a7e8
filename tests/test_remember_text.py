"""Remembering part of a text frame with a regular expression, against the demo server."""

from __future__ import annotations

import pytest

from wsbdd.match import where
from wsbdd.model.errors import ExpectationFailed, FeatureMistake


def test_the_first_group_is_remembered_or_the_whole_match_without_one(s):
    s.connect("Alice")
    s.send("Alice", '{"type": "echo", "content": "ack:17 done"}')
    s.receive("Alice", where('$.type is "echo"'))
    assert s.remember_match("ack", r"ack:(\d+)", "Alice") == "17"
    assert s.vars.get("ack") == "17"
    assert s.remember_match("all", r"ack:\d+", "Alice") == "ack:17"


def test_a_last_message_that_does_not_match_is_shown(s):
    s.connect("Alice")
    s.send("Alice", '{"type": "echo", "content": "no number"}')
    s.receive("Alice", where('$.type is "echo"'))
    with pytest.raises(ExpectationFailed) as caught:
        s.remember_match("ack", r"ack:(\d+)", "Alice")
    text = str(caught.value)
    assert text.startswith(
        'Alice\'s last message does not match "ack:(\\d+)", so "ack" cannot be remembered:\n'
    )
    assert '"content":"no number"' in text
    assert "ack" not in s.vars


def test_a_broken_regular_expression_is_a_feature_mistake(s):
    s.connect("Alice")
    s.send("Alice", '{"type": "echo", "content": "x"}')
    s.receive("Alice", where('$.type is "echo"'))
    with pytest.raises(FeatureMistake, match=r'"ack:\(\\d\+" is not a valid regular expression'):
        s.remember_match("ack", r"ack:(\d+", "Alice")


def test_client_and_index_in_a_step_about_one_client_are_explained():
    from wsbdd.match.grammar import per_client_words

    with pytest.raises(FeatureMistake) as caught:
        per_client_words(["/ws?user=${client}", None], "Alice")
    assert str(caught.value) == (
        '"${client}" stands for each client of a step that connects several (e.g. clients '
        'Alice, Bob are connected to "/ws?user=${client}"); in a step about Alice alone, '
        'write "Alice" instead.'
    )
