"""``${name}`` templating: lookup order, generators, escapes, JSON-aware substitution, errors."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import pytest

from wsbdd.model.errors import FeatureMistake
from wsbdd.model.variables import GENERATORS, Variables, find_placeholders, is_valid_name

ENV = {"HOME": "/home/tester", "API_TOKEN": "s3cret"}
CONFIG = {"url": "ws://app/ws", "timeout": 2.0, "token.place": "query", "nested": {"a": {"b": 7}}}


def make(values: dict | None = None) -> Variables:
    return Variables(values, environ=ENV, config=CONFIG)


def mistake(call, *args) -> str:
    with pytest.raises(FeatureMistake) as caught:
        call(*args)
    return str(caught.value)


# -- setting and getting ------------------------------------------------------------------


def test_set_and_get_keep_the_value_and_its_type() -> None:
    variables = make()
    variables.set("msg_id", 42)
    variables.set("user.name", "bob")
    variables.set("room-1", {"id": 1})
    assert variables.get("msg_id") == 42
    assert variables.get("user.name") == "bob"
    assert variables.get("room-1") == {"id": 1}


def test_initial_values_are_copied_not_shared() -> None:
    initial = {"room": "lobby"}
    variables = make(initial)
    variables.set("room", "kitchen")
    assert initial == {"room": "lobby"}


@pytest.mark.parametrize("name", ["my var", "", "a/b", "naïve", "${x}", "a}"])
def test_invalid_names_are_rejected_with_the_rule(name: str) -> None:
    text = mistake(make().set, name, 1)
    assert text == (
        f'"{name}" is not a valid variable name; use only letters, digits, "_", "." '
        'and "-", for example "msg_id".'
    )


def test_env_and_config_prefixes_cannot_be_set() -> None:
    assert mistake(make().set, "env.HOME", "x") == (
        'The variable name "env.HOME" cannot be set because names starting with "env." read '
        'the environment; choose another name, for example "HOME".'
    )
    assert "read the settings" in mistake(make().set, "config.url", "x")
    assert "is not a valid variable name" in mistake(make, {"a b": 1})


def test_is_valid_name() -> None:
    assert is_valid_name("a.b-c_9")
    assert not is_valid_name("a b")
    assert not is_valid_name(3)


def test_unknown_variable_sentence_lists_what_is_set() -> None:
    variables = make({"session": "s1", "token": "t"})
    assert mistake(variables.get, "msg_id") == (
        'The variable "${msg_id}" is not set. Set it earlier in the scenario, e.g. And I '
        'remember $.id from Bob\'s last message as "msg_id"; variables set so far: '
        "session, token."
    )


def test_unknown_variable_with_nothing_set_says_none() -> None:
    assert mistake(make().get, "room").endswith("variables set so far: none.")


def test_unknown_variable_suggests_a_close_name() -> None:
    variables = make({"msg_id": 1})
    assert mistake(variables.get, "msg_ids").endswith(
        'variables set so far: msg_id. Did you mean "${msg_id}"?'
    )
    assert mistake(variables.get, "uuuid").endswith('Did you mean "${uuid}"?')
    assert "Did you mean" not in mistake(variables.get, "completely_other")


def test_contains_covers_every_source_without_raising() -> None:
    variables = make({"room": "lobby"})
    assert "room" in variables
    assert "uuid" in variables
    assert "env.HOME" in variables
    assert "config.url" in variables
    assert "config.nested.a.b" in variables
    assert "nope" not in variables
    assert "env.NOPE" not in variables
    assert "config.nope" not in variables
    assert 3 not in variables


def test_names_lists_scenario_values_in_the_order_they_were_set() -> None:
    variables = make({"b": 1})
    variables.set("a", 2)
    variables.set("b", 3)
    assert variables.names() == ["b", "a"]
    assert "uuid" not in variables.names()


# -- lookup order ---------------------------------------------------------------------------


def test_scenario_value_wins_over_a_generator() -> None:
    variables = make({"uuid": "fixed"})
    assert variables.render_text("${uuid}") == "fixed"


def test_environment_values() -> None:
    assert make().render_text("${env.HOME}/x") == "/home/tester/x"
    assert mistake(make().get, "env.MISSING") == (
        'The environment variable "MISSING" (used as "${env.MISSING}") is not set; set it in '
        "the environment that runs the tests, e.g. in the CI job."
    )


def test_config_values_flat_and_nested() -> None:
    variables = make()
    assert variables.get("config.url") == "ws://app/ws"
    assert variables.get("config.token.place") == "query"
    assert variables.get("config.nested.a.b") == 7
    assert mistake(variables.get, "config.nope") == (
        '"${config.nope}" is not a wsbdd setting; settings you can use: nested, timeout, '
        "token.place, url."
    )


def test_environ_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSBDD_TEST_VARIABLE", "from-env")
    assert Variables().get("env.WSBDD_TEST_VARIABLE") == "from-env"


# -- child views ----------------------------------------------------------------------------


def test_child_layers_values_on_top_and_sees_the_parent_live() -> None:
    parent = make({"room": "lobby", "client": "nobody"})
    child = parent.child(client="Alice", index=3)
    assert child.render_text("${client}#${index} in ${room}") == "Alice#3 in lobby"
    parent.set("room", "kitchen")
    assert child.get("room") == "kitchen"
    assert parent.get("client") == "nobody"


def test_values_set_through_a_child_stay_in_the_child() -> None:
    parent = make()
    child = parent.child(client="Alice")
    child.set("last_id", 9)
    assert child.get("last_id") == 9
    assert "last_id" not in parent
    assert child.names() == ["client", "last_id"]


def test_child_keeps_environment_and_config() -> None:
    child = make().child(client="Bob").child(index=0)
    assert child.render_text("${env.HOME} ${config.url} ${client} ${index}") == (
        "/home/tester ws://app/ws Bob 0"
    )


def test_child_rejects_invalid_names() -> None:
    with pytest.raises(FeatureMistake, match="is not a valid variable name"):
        make().child(**{"a b": 1})


# -- generators -----------------------------------------------------------------------------


def test_generators_are_fresh_on_every_use() -> None:
    variables = make()
    for name in ("uuid", "random_string"):
        values = {variables.get(name) for _ in range(20)}
        assert len(values) == 20, name
    ints = {variables.get("random_int") for _ in range(50)}
    assert len(ints) > 1
    first, second = variables.render_text("${uuid} ${uuid}").split()
    assert first != second


def test_generator_formats() -> None:
    variables = make()
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        variables.get("uuid"),
    )
    now = variables.get("now")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", now)
    parsed = datetime.fromisoformat(now.replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - parsed).total_seconds()) < 5
    now_ms = variables.get("now_ms")
    assert isinstance(now_ms, int) and abs(now_ms - time.time() * 1000) < 5000
    timestamp = variables.get("timestamp")
    assert isinstance(timestamp, float) and abs(timestamp - time.time()) < 5
    for _ in range(100):
        number = variables.get("random_int")
        assert isinstance(number, int) and 0 <= number <= 999_999
    assert re.fullmatch(r"[a-z0-9]{12}", variables.get("random_string"))
    assert set(GENERATORS) == {"uuid", "now", "now_ms", "timestamp", "random_int", "random_string"}


# -- plain text rendering -------------------------------------------------------------------


def test_render_text_uses_str_and_json_for_structured_values() -> None:
    variables = make(
        {
            "s": "hi",
            "n": 5,
            "f": 2.5,
            "t": True,
            "no": False,
            "null": None,
            "d": {"a": "é", "b": [1, 2]},
            "l": ["x", 1],
        }
    )
    rendered = variables.render_text("${s} ${n} ${f} ${t} ${no} ${null} ${d} ${l}")
    assert rendered == 'hi 5 2.5 true false null {"a":"é","b":[1,2]} ["x",1]'


def test_text_without_placeholders_is_returned_unchanged() -> None:
    assert make().render_text("no variables here") == "no variables here"
    assert make().render_text("") == ""


def test_dollar_escape_and_lone_dollars() -> None:
    variables = make({"x": "X"})
    assert variables.render_text("$${x}") == "${x}"
    assert variables.render_text("cost: $5 and $${x} and ${x}") == "cost: $5 and ${x} and X"
    assert variables.render_text("ends with $") == "ends with $"
    assert variables.render_text("$$ money $") == "$$ money $"
    assert variables.render_text("$${unclosed") == "${unclosed"


def test_spaces_inside_the_braces_are_allowed() -> None:
    assert make({"x": 1}).render_text("${ x }") == "1"


def test_unclosed_placeholder() -> None:
    assert mistake(make({"abc": 1}).render_text, "hello ${abc") == (
        'The placeholder "${abc" is not closed; write "${abc}", or "$${abc" for the literal text.'
    )


def test_unclosed_placeholder_stops_at_json_punctuation() -> None:
    assert mistake(make().render_json_text, '{"a": "${b", "c": 1}') == (
        'The placeholder "${b" is not closed; write "${b}", or "$${b" for the literal text.'
    )
    assert mistake(make().render_json_text, '{"a": "${"}') == (
        'The placeholder "${" is not closed; write "${name}", or "$${" for the literal text.'
    )


def test_empty_placeholder() -> None:
    assert mistake(make().render_text, "a ${} b") == (
        'The placeholder "${}" has no variable name; write "${name}", or "$${}" for the '
        'literal text "${}".'
    )


def test_placeholder_with_invalid_characters() -> None:
    assert mistake(make().render_text, "${a b}") == (
        'The placeholder "${a b}" is not a valid variable name; names use only letters, '
        'digits, "_", "." and "-", without spaces.'
    )
    assert mistake(make().render_text, "${a/b}") == (
        'The placeholder "${a/b}" is not a valid variable name; names use only letters, '
        'digits, "_", "." and "-".'
    )


def test_nested_placeholders_fill_in_the_inner_one_first() -> None:
    variables = make({"a": "x", "b": "y", "xy": "z", "ay": "inner first"})
    assert variables.render_text("${a${b}}") == "inner first"
    assert variables.render_text("${x${b}}") == "z"
    assert find_placeholders("${tokens.${client}} ${a}") == ["client", "tokens.${client}", "a"]


def test_a_table_value_is_read_entry_by_entry() -> None:
    variables = make({"tokens": {"player1": "t-one", "player2": "t-two"}})
    member = variables.child(client="player2", index=2)
    assert (
        member.render_text("/ws?user=${client}&t=${tokens.${client}}") == "/ws?user=player2&t=t-two"
    )
    assert member.render_json_text('{"seat": ${index}, "t": "${tokens.player1}"}') == (
        '{"seat": 2, "t": "t-one"}'
    )
    assert "tokens.player1" in variables
    assert "tokens.player9" not in variables
    # A variable whose name has a dot wins over a table entry of the same name.
    variables.set("tokens.player1", "flat")
    assert variables.render_text("${tokens.player1}") == "flat"


def test_a_missing_table_entry_names_the_entry_and_the_ones_there() -> None:
    variables = make({"tokens": {f"player{i}": f"t{i}" for i in range(1, 21)}})
    member = variables.child(client="player21", index=21)
    assert mistake(member.render_text, "${tokens.${client}}") == (
        '"${tokens.player21}" is not set: the table "tokens" has no entry "player21" (its '
        "entries: player1, player2, player3, player4, player5, player6, player7, player8 and "
        "12 more)."
    )


def test_values_are_never_rendered_again() -> None:
    """A value containing ``${...}`` (say, chat text from the server) is inserted as-is."""
    variables = make({"chat": "${secret}", "secret": "leak"})
    assert variables.render_text("${chat}") == "${secret}"
    assert variables.render_json('{"c": "${chat}"}') == {"c": "${secret}"}


def test_values_are_never_evaluated() -> None:
    variables = make({"x": "__import__('os')"})
    assert variables.render_text("${x}") == "__import__('os')"
    assert "is not a valid variable name" in mistake(variables.render_text, "${1+1}")


# -- JSON-aware rendering -------------------------------------------------------------------


def test_json_inside_a_string_escapes_quotes() -> None:
    variables = make({"text": 'hi "there"'})
    rendered = variables.render_json_text('{"content": "say ${text}"}')
    assert rendered == '{"content": "say hi \\"there\\""}'
    assert json.loads(rendered) == {"content": 'say hi "there"'}


def test_json_outside_a_string_inserts_json_values() -> None:
    assert make({"n": 5}).render_json_text('{"id": ${n}}') == '{"id": 5}'
    assert make({"n": "abc"}).render_json_text('{"id": ${n}}') == '{"id": "abc"}'
    assert make({"n": "5"}).render_json('{"id": ${n}}') == {"id": "5"}
    values = {"t": True, "z": None, "f": 1.5, "d": {"a": [1, "x"]}, "l": [1, 2]}
    assert make(values).render_json("[${t}, ${z}, ${f}, ${d}, ${l}]") == [
        True,
        None,
        1.5,
        {"a": [1, "x"]},
        [1, 2],
    ]


def test_json_inside_a_string_inserts_non_strings_as_their_json_text() -> None:
    variables = make({"n": 5, "t": True, "z": None, "d": {"a": 'b"c'}, "l": [1, "x"]})
    assert variables.render_json('{"s": "${n}|${t}|${z}|${d}|${l}"}') == {
        "s": '5|true|null|{"a":"b\\"c"}|[1,"x"]'
    }


@pytest.mark.parametrize(
    "value",
    [
        'quote " inside',
        'back\\slash and \\" mixed',
        "new\nline\tand tab\r",
        "unicode: é ✓ 日本 😀",
        "control \x00\x1f chars",
        "ends with backslash \\",
        '"',
        "",
        "${not_a_variable}",
        "</script><b>",
    ],
)
def test_json_substitution_round_trips_awkward_strings(value: str) -> None:
    variables = make({"v": value})
    assert variables.render_json('{"a": "${v}", "b": ${v}, "c": "<${v}>"}') == {
        "a": value,
        "b": value,
        "c": f"<{value}>",
    }


def test_json_tracks_escaped_quotes_in_the_template_itself() -> None:
    variables = make({"v": "x"})
    template = '{"a": "he said \\"${v}\\" then ${v}", "b": ${v}, "c": "\\\\", "d": ${v}}'
    assert variables.render_json(template) == {
        "a": 'he said "x" then x',
        "b": "x",
        "c": "\\",
        "d": "x",
    }


def test_json_placeholder_as_object_key() -> None:
    variables = make({"k": "name"})
    assert variables.render_json('{"${k}": 1, ${k}2: 2}'.replace("${k}2", '"${k}2"')) == {
        "name": 1,
        "name2": 2,
    }
    assert variables.render_json("{${k}: 1}") == {"name": 1}


def test_json_escape_produces_literal_placeholder() -> None:
    variables = make({"amount": 5})
    assert variables.render_json('{"template": "price: $${amount}", "n": ${amount}}') == {
        "template": "price: ${amount}",
        "n": 5,
    }


def test_json_multiline_docstring() -> None:
    variables = make({"room": "lobby", "n": 2})
    docstring = '{\n  "type": "join",\n  "room": "${room}",\n  "count": ${n}\n}'
    assert variables.render_json(docstring) == {"type": "join", "room": "lobby", "count": 2}


def test_json_with_generators() -> None:
    data = make().render_json('{"id": "${uuid}", "n": ${random_int}, "at": ${now_ms}}')
    assert isinstance(data["n"], int) and isinstance(data["at"], int)
    assert len(data["id"]) == 36


def test_render_json_text_without_placeholders_is_unchanged() -> None:
    assert make().render_json_text('{"a": "$5"}') == '{"a": "$5"}'


# -- broken JSON ----------------------------------------------------------------------------


def test_broken_json_names_the_problem_and_position() -> None:
    text = mistake(make().render_json, '{"type": "join" "room": "lobby"}')
    assert text == (
        "The JSON is not valid: Expecting ',' delimiter at line 1, column 17: "
        '{"type": "join" "room": "lob …'
    )


def test_broken_json_after_substitution_says_so() -> None:
    variables = make({"room": "lobby"})
    text = mistake(variables.render_json, '{"room": ${room} "x": 1}')
    assert text.startswith(
        "The JSON is not valid (after replacing variables): Expecting ',' delimiter at "
        "line 1, column 18:"
    )


def test_broken_json_excerpt_is_short_and_on_one_line() -> None:
    long_text = "{\n" + ",\n".join(f'  "key{i}": {i}' for i in range(30)) + "\n  oops\n}"
    text = mistake(make().render_json, long_text)
    assert "\n" not in text
    assert len(text) < 200
    assert text.startswith("The JSON is not valid: Expecting ',' delimiter at line 32, column 3: …")
    assert "oops" in text


def test_empty_json() -> None:
    assert mistake(make().render_json, "") == (
        "The JSON is not valid: Expecting value at line 1, column 1: (empty)"
    )


# -- find_placeholders ----------------------------------------------------------------------


def test_find_placeholders_in_order_without_duplicates_or_escapes() -> None:
    text = '{"a": "${b}", "c": ${a}, "d": "$${escaped}", "e": "${b}", "f": "${env.HOME}"}'
    assert find_placeholders(text) == ["b", "a", "env.HOME"]
    assert find_placeholders("plain") == []


def test_find_placeholders_reports_mistakes() -> None:
    assert "is not closed" in mistake(find_placeholders, "${abc")
