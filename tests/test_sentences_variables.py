"""Every failure sentence of wsbdd.model.variables, pinned whole (tests/sentences.py)."""

from __future__ import annotations

import pytest

from tests.sentences import assert_raises_sentence
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.variables import Variables


@pytest.fixture
def v() -> Variables:
    variables = Variables(environ={}, config={"url": "ws://h/"})
    variables.set("msg_id", 3)
    variables.set("tokens", {"p1": "x", "p2": "y"})
    return variables


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        (
            "bad name",
            '"bad name" is not a valid variable name; use only letters, digits, "_", "." and '
            '"-", for example "msg_id".',
        ),
        (
            "env.HOME",
            'The variable name "env.HOME" cannot be set because names starting with "env." read '
            'the environment; choose another name, for example "HOME".',
        ),
        (
            "config.url",
            'The variable name "config.url" cannot be set because names starting with "config." '
            'read the settings; choose another name, for example "url".',
        ),
    ],
)
def test_names_that_cannot_be_set(v, name, sentence):
    v.set("fine", 1)
    assert_raises_sentence(sentence, v.set, name, 1, kind=FeatureMistake)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("${msg_id}", None),
        (
            "${}",
            'The placeholder "${}" has no variable name; write "${name}", or "$${}" for the '
            'literal text "${}".',
        ),
        (
            "${a b}",
            'The placeholder "${a b}" is not a valid variable name; names use only letters, '
            'digits, "_", "." and "-", without spaces.',
        ),
        (
            "${a!}",
            'The placeholder "${a!}" is not a valid variable name; names use only letters, '
            'digits, "_", "." and "-".',
        ),
        (
            "${a",
            'The placeholder "${a" is not closed; write "${a}", or "$${a" for the literal text.',
        ),
        (
            "${env.NOPE}",
            'The environment variable "NOPE" (used as "${env.NOPE}") is not set; set it in the '
            "environment that runs the tests, e.g. in the CI job.",
        ),
        ("${config.nope}", '"${config.nope}" is not a wsbdd setting; settings you can use: url.'),
        (
            "${msg_idd}",
            'The variable "${msg_idd}" is not set. Set it earlier in the scenario, e.g. And I '
            'remember $.id from Bob\'s last message as "msg_idd"; variables set so far: msg_id, '
            'tokens. Did you mean "${msg_id}"?',
        ),
        (
            "${tokens.p3}",
            '"${tokens.p3}" is not set: the table "tokens" has no entry "p3" (its entries: p1, '
            "p2).",
        ),
    ],
)
def test_placeholders(v, text, sentence):
    if sentence is None:
        assert v.render_text(text) == "3"
    else:
        assert_raises_sentence(sentence, v.render_text, text, kind=FeatureMistake)


def test_json_that_is_not_valid():
    v = Variables(environ={})
    v.set("n", 3)
    assert v.render_json('{"a": ${n}}') == {"a": 3}
    # After the colon come Python 3.13's json's words, pointing at the comma, on every Python
    # (wsbdd.model.json_text).
    json_says = "Illegal trailing comma before end of object at line 1, column 8"
    assert_raises_sentence(
        f'The JSON is not valid (after replacing variables): {json_says}: {{"a": 3,}}',
        v.render_json,
        '{"a": ${n},}',
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        f'The JSON is not valid: {json_says}: {{"a": 1,}}',
        v.render_json,
        '{"a": 1,}',
        kind=FeatureMistake,
    )
