"""Phrases from configuration: reading, checking, registering as steps, clashes, running."""

from __future__ import annotations

import contextlib
import re
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from behave.step_registry import StepRegistry
from test_check import NOT_JSON, python_json_reason

from wsbdd.catalogue.project import _builtin_registry
from wsbdd.facade.session import Run
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.settings.config import load_settings
from wsbdd.vocabulary import (
    PhraseError,
    find_clash,
    load_phrases,
    parse_phrases,
    preset_names,
    register_phrases,
)
from wsbdd.vocabulary.patterns import readable, samples
from wsbdd.vocabulary.running import make_step_function, substep_text

WHERE = "pyproject.toml [tool.wsbdd] phrases"

JOIN = {
    "step": '{client} joins room "{room}"',
    "send": '{"type": "join", "room": "${room}", "name": "${client}"}',
    "await": '$.type is "joined" and $.room is "${room}"',
}


def one(table: dict, **others) -> object:
    return parse_phrases([table], WHERE, None, **others)[0]


def error_of(*tables: dict) -> str:
    with pytest.raises(PhraseError) as caught:
        parse_phrases(list(tables), WHERE)
    return str(caught.value)


# -- reading a phrase ------------------------------------------------------------------------


def test_a_phrase_has_typed_parameters_and_matches_single_clients_and_groups():
    phrase = one(
        {
            "step": "{client} answers {n:number} to {host:client} in {team:group}",
            "send": '{"n": ${n}}',
        }
    )
    assert [(p.name, p.type) for p in phrase.params] == [
        ("client", "client"),
        ("n", "number"),
        ("host", "client"),
        ("team", "group"),
    ]
    compiled = phrase.compiled
    assert compiled.fullmatch("Alice answers 42 to Bob in red")
    assert compiled.fullmatch("client Alice answers -1.5 to client Bob in red")
    both = compiled.fullmatch('every client in group "players" and Host answers 3 to Bob in red')
    assert both and both["p0_group"] == "players" and both["p0_others"] == "Host"
    assert not compiled.fullmatch("Alice answers three to Bob in red")


def test_quoted_text_may_be_empty_and_stops_at_the_quote():
    phrase = one(JOIN)
    assert phrase.compiled.fullmatch('Alice joins room ""')
    assert not phrase.compiled.fullmatch('Alice joins room "a" and "b"')
    assert phrase.example == 'Alice joins room "hello"'
    assert phrase.group_example == 'every client in group "players" joins room "hello"'


def test_a_phrase_says_what_it_does_when_it_has_no_meaning():
    phrase = one({**JOIN, "remember": {"members": "$.members"}})
    assert phrase.describe() == (
        'Sends {"type": "join", "room": "${room}", "name": "${client}"}, then waits for a '
        'message where $.type is "joined" and $.room is "${room}", remembers ${members}.'
    )
    assert one({**JOIN, "meaning": "Enter a room."}).describe() == "Enter a room."


def test_several_messages_steps_and_within():
    phrase = one(
        {
            "step": "{client} warms up",
            "send": ['{"type": "ping"}', '{"type": "whoami"}'],
            "await": '$.type is "you"',
            "within": "500 ms",
            "steps": ['Then ${client} receives a message where $.type is "pong"'],
        }
    )
    assert phrase.sends == ('{"type": "ping"}', '{"type": "whoami"}')
    assert phrase.within == 0.5
    assert phrase.steps == ('Then ${client} receives a message where $.type is "pong"',)


# -- what is wrong with a phrase, in one sentence ---------------------------------------------


def test_invalid_json_in_send_names_file_phrase_and_position():
    message = error_of(
        {"step": '{client} orders "{item}"', "send": '{"type": "order" "item": "${item}"}'}
    )
    assert message == (
        "pyproject.toml [tool.wsbdd] phrases, phrase 1 '{client} orders \"{item}\"': send is "
        "not valid JSON: Expecting ',' delimiter at line 1, column 18: "
        '{"type": "order" "item": "${item}"}.'
    )


def test_a_template_using_an_unknown_parameter_suggests_the_close_one():
    message = error_of({"step": '{client} orders "{item}"', "send": '{"item": "${itme}"}'})
    assert message.startswith(
        "pyproject.toml [tool.wsbdd] phrases, phrase 1 '{client} orders \"{item}\"': send uses "
        '"${itme}", which is not a parameter of this phrase (its parameters: client, item); '
        'did you mean "${item}"?'
    )
    assert 'reads = ["itme"]' in message


def test_names_a_phrase_may_use_without_declaring_them():
    settings = load_settings(".", userdata={}, environ={})
    tables = [
        {**JOIN, "remember": {"room_id": "$.id"}},
        {
            "step": "{client} greets {n:number} times",
            "send": '{"id": "${room_id}", "n": ${n}, "at": "${now}", "me": "${client}", '
            '"u": "${config.url}", "e": "${env.HOME}", "k": "${cycle:a,b}"}',
        },
        {"step": "{client} reads", "send": '{"x": "${later}"}', "reads": ["later"]},
    ]
    assert len(parse_phrases(tables, WHERE, None, settings)) == 3


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (
            {"step": "{client} waits", "await": '$.type iz "x"'},
            'await is not a valid condition: unknown matcher "iz"',
        ),
        ({"step": "{n:nummber} things", "steps": ["x"]}, 'did you mean "number"?'),
        ({"step": "Given {client} waits", "await": "$.a exists"}, 'write the step without "Given"'),
        ({**JOIN, "sned": "x"}, 'unknown key "sned"; did you mean "send"?'),
        ({"step": "the server is up", "send": "{}"}, "it has send but no client to do it"),
        ({"step": "{client} x", "send": "{}", "remember": {"a": "$.a"}}, "add await"),
        ({"step": "{client} x"}, "it does nothing; give it send, await or steps"),
        ({"step": "{client} {room}", "send": "{}"}, "needs some words besides its parameters"),
        ({"step": "{client} sees {client}", "send": "{}"}, "the parameter {client} appears twice"),
        ({"step": "{client} in {ro om}", "send": "{}"}, '"{ro om}" is not a parameter'),
        ({"step": "{client} x", "await": "$.a exists", "within": "soon"}, "write a duration"),
        ({"step": "{client} x", "send": '{"u": "${config.urll}"}'}, '"${config.url}"'),
    ],
)
def test_each_malformed_phrase_is_one_sentence(table, problem):
    message = error_of(table)
    assert message.startswith("pyproject.toml [tool.wsbdd] phrases, phrase 1")
    assert problem in message
    assert "\n" not in message


def test_phrases_written_as_a_single_table_get_the_double_bracket_hint():
    with pytest.raises(PhraseError) as caught:
        parse_phrases({"step": "x"}, WHERE)
    assert str(caught.value) == (
        "pyproject.toml [tool.wsbdd] phrases: phrases must be a list of tables; write each "
        "phrase under its own [[tool.wsbdd.phrases]] (two brackets)."
    )


def test_an_unknown_preset_lists_the_known_ones():
    assert "chat" in preset_names()
    assert error_of({"preset": "chatt"}) == (
        'pyproject.toml [tool.wsbdd] phrases, phrase 1: there is no preset "chatt"; did you '
        f'mean "chat"? presets: {", ".join(preset_names())}.'
    )


def test_phrases_load_from_wsbdd_toml_with_file_and_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wsbdd.toml").write_text(
        textwrap.dedent(
            """\
            timeout = 2

            [[phrases]]
            step = '{client} pings'
            send = '{"type": "ping"}'

            [[phrases]]
            step = '{client} breaks'
            send = '{"type": }'
            """
        )
    )
    settings = load_settings(tmp_path, userdata={}, environ={})
    with pytest.raises(PhraseError) as caught:
        load_phrases(settings, tmp_path)
    assert caught.value.line == 8
    assert str(caught.value).startswith("wsbdd.toml phrases, phrase 2 '{client} breaks': send is")
    assert Path(caught.value.file).name == "wsbdd.toml"


# -- registering: real behave steps, and clashes named both ways ---------------------------


def test_phrases_register_for_every_keyword_and_twice_is_harmless():
    registry = StepRegistry()
    phrases = parse_phrases([JOIN], WHERE)
    assert register_phrases(phrases, registry) == phrases
    assert register_phrases(parse_phrases([JOIN], WHERE), registry) == []
    for step_type in ("given", "when", "then"):
        assert len(registry.steps[step_type]) == 1
    step = SimpleNamespace(step_type="then", name='Bob joins room "x"')
    assert registry.find_match(step) is not None


def test_the_chat_preset_does_not_clash_with_the_built_in_steps():
    registry = _builtin_registry()
    phrases = parse_phrases([{"preset": "chat"}], WHERE)
    assert len(register_phrases(phrases, registry)) == len(phrases) >= 10


def test_a_phrase_that_clashes_with_a_built_in_step_names_both():
    registry = _builtin_registry()
    phrase = parse_phrases([{"step": "{client} sends {what}", "send": "{}"}], WHERE)
    with pytest.raises(PhraseError) as caught:
        register_phrases(phrase, registry)
    message = str(caught.value)
    assert message.startswith(
        "pyproject.toml [tool.wsbdd] phrases, phrase 1 '{client} sends {what}': it clashes with "
        "the built-in step "
    )
    assert "sends" in message and "both match" in message
    assert "Reword the phrase" in message


def test_two_phrases_that_overlap_name_each_other():
    registry = StepRegistry()
    phrases = parse_phrases(
        [
            JOIN,
            {"step": '{client} joins room "{room}" quickly', "send": "{}"},
            {"step": "{client} joins {place}", "send": "{}"},
        ],
        WHERE,
    )
    register_phrases(phrases[:2], registry)
    clash = find_clash(phrases[2], registry)
    assert clash is not None
    with pytest.raises(PhraseError) as caught:
        register_phrases(phrases[2:], registry)
    assert str(caught.value).startswith(
        "pyproject.toml [tool.wsbdd] phrases, phrase 3 '{client} joins {place}': it clashes "
        "with the phrase 1 '{client} joins room \"{room}\"' in pyproject.toml [tool.wsbdd] "
        'phrases; both match "'
    )


def test_readable_forms_and_samples_of_step_regexes():
    name = r"(?:client )?(?P<name>[A-Za-z_][\w.\-]*)"
    within = r"(?: within (?P<amount>\d+(?:\.\d+)?) ?(?P<unit>ms|s|seconds?))?"
    pattern = name + r" receives a message where (?P<where>(?!.*:$).+?)" + within
    assert readable(pattern) == "{client} receives a message where {conditions} [within {time}]"
    found = samples(pattern)
    assert found and all(re.fullmatch(pattern, text) for text in found)
    assert readable(name + r" sends binary (?P<encoding>hex|base64)") == (
        "{client} sends binary hex/base64"
    )


# -- running a phrase against the demo server, without behave -------------------------------


@pytest.fixture(scope="module")
def run():
    with Run.start() as started:
        yield started


def context_for(session) -> SimpleNamespace:
    """Just enough of behave's context for a step to run outside behave."""
    return SimpleNamespace(
        wsbdd=session, text=None, table=None, use_with_user_mode=contextlib.nullcontext
    )


def call(phrase, session, line: str, step_type: str = "when") -> None:
    match = phrase.compiled.fullmatch(line)
    assert match, line
    make_step_function(phrase, step_type)(context_for(session), **match.groupdict())


def test_a_phrase_sends_awaits_and_remembers(run):
    phrase = one({**JOIN, "remember": {"members": "$.members"}})
    with run.session() as session:
        session.connect("Alice")
        call(phrase, session, 'Alice joins room "lobby"')
        assert session.vars.get("members") == ["Alice"]


def test_several_messages_are_sent_in_order(run):
    phrase = one(
        {
            "step": "{client} echoes {n:number} and {word}",
            "send": ['{"type": "echo", "content": ${n}}', '{"type": "echo", "content": "${word}"}'],
        }
    )
    with run.session() as session:
        session.connect("Alice")
        call(phrase, session, "Alice echoes 7 and seven")
        first = session.receive("Alice", None)
        second = session.receive("Alice", None)
        assert (first.value["content"], second.value["content"]) == (7, "seven")


def test_a_phrase_for_a_group_sends_for_every_member_with_its_own_values(run):
    say = one(
        {
            "step": '{client} says "{text}" in room "{room}"',
            "send": '{"type": "message", "room": "${room}", "content": "${text}"}',
        }
    )
    join = one(JOIN)
    with run.session() as session:
        session.connect_group("players", ["p1", "p2", "p3"])
        call(join, session, 'every client in group "players" joins room "r"')
        call(
            say, session, 'every client in group "players" says "${client} is ${index}" in room "r"'
        )
        from wsbdd.match import where

        message = session.receive("p1", where('$.from is "p3"'))
        assert message.value["content"] == "p3 is 3"


def test_a_missing_reply_fails_with_the_awaited_condition(run):
    phrase = one(
        {"step": "{client} waits for a cheer", "await": '$.type is "cheer"', "within": "200 ms"}
    )
    with run.session() as session:
        session.connect("Alice")
        with pytest.raises(ExpectationFailed) as caught:
            call(phrase, session, "Alice waits for a cheer")
        assert str(caught.value).startswith(
            'Alice expected a message where $.type is "cheer" within 200 ms'
        )


def test_a_phrase_expands_to_its_steps_with_parameters(run):
    import wsbdd.steps  # noqa: F401  (registers the built-in steps the phrase runs)

    phrase = one(
        {
            "step": '{client} is ready in "{room}"',
            "steps": [
                "Given ${client} is connected",
                'When ${client} sends {"type": "join", "room": "${room}"}',
                'Then ${client} receives a message where $.room is "${room}"',
                'And I remember $.members from ${client}\'s last message as "who"',
            ],
        }
    )
    with run.session() as session:
        call(phrase, session, 'Alice is ready in "den"', "given")
        assert session.client("Alice").connected
        who = session.vars.get("who")
        assert isinstance(who, list) and len(who) == 1 and who[0].startswith("guest-")
        assert "room" not in session.vars.names()


def test_substep_lines_get_the_keyword_and_literal_names():
    values = {"client": "Alice", "n": "3"}
    assert substep_text("${client} sends ${n} messages:", "when", values) == (
        "When Alice sends 3 messages:"
    )
    assert substep_text("Then ${client} is connected", "given", values) == (
        "Then Alice is connected"
    )


def test_a_group_remembers_a_list_and_each_members_value(run):
    phrase = one(
        {
            "step": "{client} asks who it is",
            "send": '{"type": "whoami"}',
            "await": '$.type is "you"',
            "remember": {"me": "$.client_id"},
        }
    )
    with run.session() as session:
        session.connect_group("crew", ["c1", "c2"])
        call(phrase, session, 'every client in group "crew" asks who it is')
        ids = session.vars.get("me")
        assert len(ids) == 2 and ids[0] != ids[1]
        assert session.vars.get("me.c2") == ids[1]


# -- parameters that carry structure, and within -----------------------------------------------

ECHO_JSON = {
    "step": "{client} echoes the object {value:json}",
    "send": '{"type": "echo", "content": ${value}}',
    "await": '$.type is "echo"',
}
REPLY_WHERE = {
    "step": "{client} asks for an echo of {text} and gets a reply where {cond:condition}",
    "send": '{"type": "echo", "content": "${text}"}',
    "await": '$.type is "echo" and ${cond}',
}


def test_a_json_parameter_is_inserted_as_json(run):
    phrase = one(ECHO_JSON)
    with run.session() as session:
        session.connect("Alice")
        session.vars.set("level", 2)
        call(phrase, session, 'Alice echoes the object {"level": ${level}, "tags": ["a"]}')
        assert session.last_message("Alice").value["content"] == {"level": 2, "tags": ["a"]}
        call(phrase, session, "Alice echoes the object 17")
        assert session.last_message("Alice").value["content"] == 17


def test_a_json_parameter_that_is_not_json_is_one_sentence_naming_the_step(run):
    phrase = one(ECHO_JSON)
    with run.session() as session:
        session.connect("Alice")
        session.begin_step('When Alice echoes the object {"level": 2,}')
        with pytest.raises(FeatureMistake) as caught:
            call(phrase, session, 'Alice echoes the object {"level": 2,}')
        assert str(caught.value) == (
            'In the step "When Alice echoes the object {"level": 2,}": {value} must be JSON, '
            'such as {"level": 2}, [1, 2], 3 or "text": The JSON is not valid: '
            f"{python_json_reason(NOT_JSON)}: {NOT_JSON}"
        )


def test_a_condition_parameter_becomes_what_the_phrase_waits_for(run):
    phrase = one(REPLY_WHERE)
    with run.session() as session:
        session.connect("Alice")
        call(
            phrase, session, 'Alice asks for an echo of hi and gets a reply where $.content is "hi"'
        )
        session.begin_step('When Alice asks … where $.content is "nope" within 300 ms')
        with pytest.raises(ExpectationFailed) as caught:
            call(
                phrase,
                session,
                'Alice asks for an echo of hi and gets a reply where $.content is "nope" '
                "within 300 ms",
            )
        assert str(caught.value).startswith(
            'Alice expected a message where $.type is "echo" and $.content is "nope" within 300 ms'
        )


def test_a_broken_condition_parameter_is_one_sentence_naming_the_step(run):
    phrase = one(REPLY_WHERE)
    with run.session() as session:
        session.connect("Alice")
        session.begin_step("When Alice … where $.content iz 3")
        with pytest.raises(FeatureMistake) as caught:
            call(
                phrase,
                session,
                "Alice asks for an echo of hi and gets a reply where $.content iz 3",
            )
        assert str(caught.value).startswith('In the step "When Alice … where $.content iz 3": ')
        assert '"iz' in str(caught.value)


def test_within_on_the_feature_line_overrides_the_phrase_s_wait(run):
    phrase = one({"step": "{client} waits for a cheer", "await": '$.type is "cheer"', "within": 9})
    assert readable(phrase.regex).endswith("waits for a cheer [within {time}]")
    with run.session() as session:
        session.connect("Alice")
        started = time.monotonic()
        with pytest.raises(ExpectationFailed) as caught:
            call(phrase, session, "Alice waits for a cheer within 200 ms")
        assert time.monotonic() - started < 5
        assert "within 200 ms" in str(caught.value)


def test_a_phrase_that_does_not_wait_takes_no_within():
    phrase = one({"step": "{client} cheers", "send": '{"type": "cheer"}'})
    assert phrase.compiled.fullmatch("Alice cheers within 2 seconds") is None


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (
            {"step": '{client} sends "{v:json}"', "send": "${v}"},
            "the parameter {v:json} is written without quotes around it: the feature gives "
            'JSON as it is, e.g. {"level": 2}',
        ),
        (
            {"step": "{client} sends where {c:condition}", "send": '{"c": "${c}"}'},
            "send uses ${c}, a condition; a condition is what await waits for: write await = "
            "'${c}' (or combine it: '$.type is \"reply\" and ${c}')",
        ),
        (
            {"step": "{client} is told {c:condition}", "await": "$.type is ${c}"},
            "await uses ${c} inside a condition; a condition parameter stands for a whole "
            "condition: await = '${c}' or '$.type is \"reply\" and ${c}'",
        ),
    ],
)
def test_typed_parameters_used_wrongly_are_refused_at_load(table, problem):
    assert problem in error_of(table)


def test_a_phrase_may_read_a_per_client_table_of_the_settings(tmp_path):
    (tmp_path / "wsbdd.toml").write_text(
        textwrap.dedent(
            """\
            [variables.seats]
            Alice = 4

            [[phrases]]
            step = '{client} takes a seat'
            send = '{"type": "echo", "content": ${seats.${client}}}'
            """
        )
    )
    settings = load_settings(tmp_path, userdata={}, environ={})
    (phrase,) = load_phrases(settings, tmp_path)
    assert phrase.sends == ('{"type": "echo", "content": ${seats.${client}}}',)
    (tmp_path / "wsbdd.toml").write_text(
        "[[phrases]]\nstep = '{client} takes a seat'\nsend = '{\"content\": ${seats.${client}}}'\n"
    )
    with pytest.raises(PhraseError, match=r'send uses "\$\{seats\}", which is not a parameter'):
        load_phrases(load_settings(tmp_path, userdata={}, environ={}), tmp_path)
