"""The feature-text sentences of the match layer's paths, values and templates, pinned whole.

(The matcher words and conditions are being rewritten into the one grammar; their
sentences are pinned with it.)
"""

from __future__ import annotations

import sys

from tests.sentences import assert_raises_sentence
from wsbdd.match import Like, compile_path
from wsbdd.match.values import parse_value
from wsbdd.model.errors import FeatureMistake


def test_jsonpaths():
    assert compile_path("$.a").text == "$.a"
    assert_raises_sentence(
        "The JSONPath is empty; write a path such as $.items[0].name, or $ for the whole message.",
        compile_path,
        "",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'The JSONPath "$.a[?(" is not valid (Parse error near the end of string); check its '
        "brackets and quotes, e.g. $.items[0].name or $.items[?(@.id == 3)].",
        compile_path,
        "$.a[?(",
        kind=FeatureMistake,
    )


def test_values():
    assert parse_value('"a\\"b"') == 'a"b'
    assert_raises_sentence(
        'The value "a"b" has a quote inside it; inside double quotes write \\" for a quote (and '
        "\\\\ for a backslash), or use single quotes for text taken as it is.",
        parse_value,
        '"a"b"',
        kind=FeatureMistake,
    )
    # The words in brackets are Python's json's own, and Python 3.13 names a trailing comma.
    json_says = (
        "Illegal trailing comma before end of object"
        if sys.version_info >= (3, 13)
        else "Expecting property name enclosed in double quotes"
    )
    assert_raises_sentence(
        f'The value {{"a": 1,}} is not valid JSON ({json_says}); check its brackets, quotes '
        'and commas, e.g. {"name": "alice", "tags": ["a", "b"]}.',
        parse_value,
        '{"a": 1,}',
        kind=FeatureMistake,
    )


def test_templates():
    assert Like({"a": "#uuid"}).describe()
    assert_raises_sentence(
        'Unknown marker "#uuidd" in the JSON template; did you mean "#uuid"? Known markers: '
        "#ignore, #present, #notpresent, #null, #notnull, #string, #number, #boolean, #array, "
        "#object, #uuid, #timestamp, #regex <pattern>, #[n], #[], ##string (to compare with "
        'text that starts with #, use a condition such as $.tag is "#uuidd").',
        Like,
        {"a": "#uuidd"},
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'The regular expression "[a-" is not valid (unterminated character set at position 0); '
        'fix it, e.g. "[a-z]+-[0-9]+".',
        Like,
        {"a": "#regex [a-"},
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        "The JSON template holds an unknown value ({1, 2}), which JSON cannot express; use "
        'text, numbers, true, false, null, lists and objects, e.g. {"id": "#uuid"}.',
        Like,
        {"a": {1, 2}},
        kind=FeatureMistake,
    )
