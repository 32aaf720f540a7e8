"""The feature-text sentences of the match layer's paths, values and templates, pinned whole.

The one grammar's sentences (matcher words, conditions, tables, names, durations) are
pinned through where() and the grammar functions the Gherkin steps call.
"""

from __future__ import annotations

from behave.model import Table

from tests.sentences import assert_raises_sentence
from wsbdd.match import Like, compile_path, grammar, value_matcher, where
from wsbdd.match.conditions import condition_from_cell, parse_condition
from wsbdd.match.values import parse_value
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.variables import Variables


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
    # The words in brackets are Python 3.13's json's, on every Python (wsbdd.model.json_text).
    json_says = "Illegal trailing comma before end of object"
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


# -- the one grammar: matcher words, conditions, tables, names, durations --
# Reached through where() (what Python users write) and the grammar functions the
# Gherkin steps call, with behave's own Table.


def test_matcher_words_through_where():
    assert where("$.n is greater than 3").describe()
    cases = {
        '$.n is greater than "x"': 'The matcher "is greater than" needs a number, not "x"; '
        "write e.g. $.score is greater than 3.",
        "$.n has length 2.5": 'The matcher "has length" needs a whole number, not 2.5; '
        "write e.g. $.items has length 3.",
        "$.n is": 'The matcher "is" needs a value after it, e.g. $.type is "chat".',
        "$.n exists 3": 'The matcher "exists" takes no value, but was given 3; remove the '
        "value, e.g. $.id exists.",
        '$.n matches "[a-"': 'The regular expression "[a-" is not valid (unterminated '
        'character set at position 0); fix it, e.g. $.id matches "[a-z]+-[0-9]+".',
        "$.n frobs 3": 'Unknown matcher "frobs"; known matchers: ' + _KNOWN + ".",
        "$.n is bigger than 3": 'Unknown matcher "is bigger than"; did you mean "is greater '
        'than"? To compare with the text "bigger than 3", put it in quotes: is "bigger than 3".',
    }
    for text, sentence in cases.items():
        assert_raises_sentence(sentence, where, text, kind=FeatureMistake)


_KNOWN = (
    "is, is not, contains, does not contain, starts with, ends with, matches, does not "
    "match, is greater than, is less than, is at least, is at most, is one of, has length, "
    "is a number, is a string, is a boolean, is a list, is an object, is a uuid, is a "
    "timestamp, is null, is not null, is true, is false, exists, does not exist, is empty, "
    "is not empty"
)


def test_matcher_words_given_values_of_the_wrong_kind():
    assert value_matcher("is one of", ["a", "b"])
    assert_raises_sentence(
        'The matcher "is one of" needs a list of values, not 3; write e.g. $.status is one '
        'of ["ok", "done"].',
        value_matcher,
        "is one of",
        3,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'The matcher "starts with" needs text, not {"a": 1}; write e.g. $.content starts with '
        '"hello".',
        value_matcher,
        "starts with",
        {"a": 1},
        kind=FeatureMistake,
    )


def test_conditions():
    assert parse_condition('$.type is "chat"')
    cases = {
        'type is "x"': 'The condition "type is "x"" does not start with a JSONPath; '
        'conditions look like: $.type is "chat".',
        "$.type": 'The condition "$.type" has no matcher after the path; write e.g. $.type is '
        '"chat" or $.type exists.',
        '$.n is one of "a" and "b"': 'The condition "$.n is one of "a" and "b"" lists its '
        'values with "and"; separate them with commas: $.n is one of "a", "b", "c".',
        "$.n is chat": 'The condition "$.n is chat" compares with chat, which is not a number, '
        'true, false, null, JSON or quoted text; put text in quotes: $.n is "chat".',
    }
    for text, sentence in cases.items():
        assert_raises_sentence(sentence, where, text, kind=FeatureMistake)
    assert_raises_sentence(
        'Unknown matcher "frobs"; known matchers: ' + _KNOWN + ".",
        condition_from_cell,
        "$.a",
        "frobs",
        "x",
        Variables(),
        kind=FeatureMistake,
    )


def test_durations_and_client_names():
    assert grammar.parse_duration("500 ms") == 0.5
    assert_raises_sentence(
        'wsbdd cannot read the duration "3 fortnights": write it like "30 seconds", "500 ms" '
        'or "1.5 minutes".',
        grammar.parse_duration,
        "3 fortnights",
        kind=FeatureMistake,
    )
    assert grammar.split_names("Alice, Bob and Carol") == ["Alice", "Bob", "Carol"]
    assert_raises_sentence(
        '"Bo b" is not a client name; list clients like "Alice, Bob and Carol" (letters, '
        "digits, _ . - and no spaces).",
        grammar.split_names,
        "Alice, Bo b",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        "Alice is listed twice; name each client once.",
        grammar.split_names,
        "Alice, Alice",
        kind=FeatureMistake,
    )
    assert grammar.per_client_words(["hi"], "Alice") is None
    assert_raises_sentence(
        '"${client}" stands for each client of a step that connects several (e.g. clients '
        'Alice, Bob are connected to "/ws?user=${client}"); in a step about Alice alone, '
        'write "Alice" instead.',
        grammar.per_client_words,
        ["hi ${client}"],
        "Alice",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        '"${index}" stands for each client of a step that connects several (e.g. clients '
        'Alice, Bob are connected to "/ws?user=${client}"); in a step about Alice alone, '
        "write the number itself.",
        grammar.per_client_words,
        ["hi ${index}"],
        "Alice",
        kind=FeatureMistake,
    )


def test_tables_and_docstrings():
    v = Variables()
    assert grammar.table_matcher(Table(["path", "value"], rows=[["$.a", "1"]]), v)
    assert_raises_sentence(
        "This step needs a table under it, e.g.\n"
        "  | path      | matcher     | value |\n"
        "  | $.type    | is          | chat  |",
        grammar.table_matcher,
        None,
        v,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        "The table's columns are a | b | c | d; use | path | matcher | value | (or | path | "
        "value | for equality).",
        grammar.table_matcher,
        Table(["a", "b", "c", "d"], rows=[["1", "2", "3", "4"]]),
        v,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        "This step needs a table whose headings are JSONPaths, e.g.\n"
        "  | $.type | $.content |\n  | chat   | one       |",
        grammar.row_matchers,
        None,
        v,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'The column "type" is not a JSONPath; head each column with a path like $.type.',
        grammar.row_matchers,
        Table(["type"], rows=[["x"]]),
        v,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'This step needs a JSON docstring under it (between """ lines).',
        grammar.template_matcher,
        None,
        v,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        "The docstring must be a JSON array with one template per expected message, e.g. "
        '[{"type": "chat"}, {"type": "chat"}].',
        grammar.templates,
        '{"a": 1}',
        v,
        kind=FeatureMistake,
    )
    assert grammar.decode_binary("hex", "01 ff") == b"\x01\xff"
    assert_raises_sentence(
        '"zz" is not valid hex; write it like "01 ff 7a".',
        grammar.decode_binary,
        "hex",
        "zz",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        '"!!" is not valid base64; write it like "Af96".',
        grammar.decode_binary,
        "base64",
        "!!",
        kind=FeatureMistake,
    )


def test_entry_tables():
    v = Variables()
    table = Table(["client", "token"], rows=[["a", "007"]])
    assert grammar.entries_from_table(table, "tokens", v) == {"a": "007"}
    assert_raises_sentence(
        'Put the entries of "tokens" in a table of two columns under the step, e.g.\n'
        "  | client  | token |\n  | player1 | abc   |\n  | player2 | def   |",
        grammar.entries_from_table,
        None,
        "tokens",
        v,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'Row 2 of the table for "tokens" has no name in its first column; write one, like '
        "| player1 | abc |.",
        grammar.entries_from_table,
        Table(["client", "token"], rows=[["a", "x"], ["", "y"]]),
        "tokens",
        v,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'The table for "tokens" names "a" twice; name each entry once.',
        grammar.entries_from_table,
        Table(["client", "token"], rows=[["a", "x"], ["a", "y"]]),
        "tokens",
        v,
        kind=FeatureMistake,
    )


def test_unknown_matchers_and_markers():
    assert_raises_sentence(
        'Unknown matcher "frobs"; known matchers: ' + _KNOWN + ".",
        value_matcher,
        "frobs",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'Unknown marker "##ignore" in the JSON template; did you mean "#ignore"? Known markers: '
        "#ignore, #present, #notpresent, #null, #notnull, #string, #number, #boolean, #array, "
        "#object, #uuid, #timestamp, #regex <pattern>, #[n], #[], ##string (to compare with "
        'text that starts with #, use a condition such as $.tag is "##ignore").',
        Like,
        {"a": "##ignore"},
        kind=FeatureMistake,
    )


def test_a_matcher_cell_holding_more_than_a_matcher():
    assert_raises_sentence(
        'Unknown matcher "is chat"; did you mean "is a text" (the same as "is a string")? '
        "Known matchers: " + _KNOWN + ".",
        condition_from_cell,
        "$.a",
        "is chat",
        "x",
        Variables(),
        kind=FeatureMistake,
    )


def test_json_deeper_than_wsbdd_reads_is_text_on_every_python():
    # Python 3.11 and 3.12 gave up near a thousand levels, 3.13 reads any depth: wsbdd
    # reads up to 500, on each of them (wsbdd.model.json_text).
    import pytest

    from wsbdd.model.json_text import DEEPEST, read_json
    from wsbdd.model.message import NOT_JSON, Message

    deepest = "[" * DEEPEST + "]" * DEEPEST
    deeper = "[" * (DEEPEST + 1) + "]" * (DEEPEST + 1)
    assert read_json(deepest) is not None and Message(1, 0.0, "text", deepest).json != NOT_JSON
    with pytest.raises(ValueError) as refused:
        read_json(deeper)
    assert str(refused.value) == "JSON nested more than 500 levels deep"
    assert Message(1, 0.0, "text", deeper).json is NOT_JSON
    # Brackets inside strings are text, not levels.
    assert read_json(json_text := '["' + "[" * 600 + '"]') == ["[" * 600], json_text
