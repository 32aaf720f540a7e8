"""The phrases' sentences (the app's own words, from configuration), pinned whole.

A phrase is written in TOML as a tester would write it in pyproject.toml; the
reading sentences come from ``parse_phrases`` (what ``wsbdd check`` and ``before_all``
call), the running ones from the phrase's step function with a real Session against
the demo server.
"""

# ruff: noqa: E501  (the table pins whole sentences, one string each)
from __future__ import annotations

import tomllib
import types

import pytest
from behave.step_registry import StepRegistry

import wsbdd.steps  # noqa: F401  (a phrase's steps run the built-in steps)
from tests.sentences import (
    assert_config_sentence,
    assert_raises_sentence,
    sentence_of,
    step_context,
)
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.vocabulary.phrases import PhraseError, parse_phrases
from wsbdd.vocabulary.registration import register_phrases
from wsbdd.vocabulary.running import make_step_function

WHERE = "pyproject.toml [tool.wsbdd] phrases"


def phrases(toml: str):
    return parse_phrases(tomllib.loads(toml)["tool"]["wsbdd"]["phrases"], WHERE)


def one(body: str):
    return phrases("[[tool.wsbdd.phrases]]\n" + body)


CASES = [
    pytest.param(
        "step = '{client} waves'\nsend = '{}'\nsned = 'x'",
        'phrase 1: unknown key "sned"; did you mean "send"?',
        id="unknown key",
    ),
    pytest.param(
        "step = '{client} waves'\nzzzzzz = 'x'",
        'phrase 1: unknown key "zzzzzz"; keys are step, send, await, within, remember, steps, socketio, meaning, reads.',
        id="unknown key far",
    ),
    pytest.param(
        "send = '{}'",
        "phrase 1: it has no step; write step = '{client} joins room \"{room}\"'.",
        id="no step",
    ),
    pytest.param(
        'step = """{client} waves\nagain"""\nsend = \'{}\' ',
        "phrase 1: the step must be a single line.",
        id="multiline step",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = '{}'\nawait = '$.a exists'\nremember = 'x'",
        "phrase 1 '{client} waves': remember must be a table, e.g. remember = { quiz_id = \"$.id\" }.",
        id="remember not table",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = '{}'\nawait = '$.a exists'\nremember = { \"config.x\" = \"$.a\" }",
        'phrase 1 \'{client} waves\': remember: "config.x" is not a variable name you can set; use letters, digits and _ . - (env. and config. names read the environment and the settings), e.g. remember = { quiz_id = "$.id" }.',
        id="remember bad name",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = '{}'\nawait = '$.a exists'\nremember = { x = 3 }",
        "phrase 1 '{client} waves': remember: the path for \"x\" must be a JSONPath in quotes.",
        id="remember path not text",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = '{}'\nawait = '$.a exists'\nremember = { x = \"$.a[\" }",
        "phrase 1 '{client} waves': the JSONPath \"$.a[\" is not valid (Parse error near the end of string); check its brackets and quotes, e.g. $.items[0].name or $.items[?(@.id == 3)].",
        id="remember bad path",
    ),
    pytest.param(
        "step = '{client waves'\nsend = '{}'",
        'phrase 1 \'{client waves\': the "{" at position 1 is not closed; write parameters like {room}, and "{{" for a literal brace.',
        id="unclosed brace",
    ),
    pytest.param(
        "step = '{client} waves}'\nsend = '{}'",
        'phrase 1 \'{client} waves}\': the "}" at position 15 closes nothing; write "}}" for a literal brace.',
        id="stray brace",
    ),
    pytest.param(
        "step = '{client} waves {n:numbr} times'\nsend = '{}'",
        'phrase 1 \'{client} waves {n:numbr} times\': the parameter {n:numbr} has the unknown type "numbr"; did you mean "number"? types are text, number, client, group, json, condition.',
        id="unknown type",
    ),
    pytest.param(
        "step = '{client} waves {n:zzzz} times'\nsend = '{}'",
        "phrase 1 '{client} waves {n:zzzz} times': the parameter {n:zzzz} has the unknown type \"zzzz\"; types are text, number, client, group, json, condition.",
        id="unknown type far",
    ),
    pytest.param(
        "step = 'When {client} waves'\nsend = '{}'",
        "phrase 1 'When {client} waves': write the step without \"When\": feature files add Given, When or Then themselves, and the phrase works after each of them.",
        id="keyword",
    ),
    pytest.param(
        "step = '{client}'\nsend = '{}'",
        "phrase 1 '{client}': the step needs some words besides its parameters.",
        id="only params",
    ),
    pytest.param(
        "step = '{client} waves {a b}'\nsend = '{}'",
        "phrase 1 '{client} waves {a b}': \"{a b}\" is not a parameter; name parameters with letters, digits and _, like {room} or {count:number}.",
        id="bad param name",
    ),
    pytest.param(
        "step = '{client} waves {index}'\nsend = '{}'",
        "phrase 1 '{client} waves {index}': a parameter cannot be called index: ${index} is the member's number in a group.",
        id="index param",
    ),
    pytest.param(
        "step = '{client} waves {x} {x}'\nsend = '{}'",
        "phrase 1 '{client} waves {x} {x}': the parameter {x} appears twice.",
        id="twice",
    ),
    pytest.param(
        "step = '{client} sends \"{body:json}\"'\nsend = '${body}'",
        'phrase 1 \'{client} sends "{body:json}"\': the parameter {body:json} is written without quotes around it: the feature gives JSON as it is, e.g. {"level": 2}.',
        id="quoted json",
    ),
    pytest.param(
        "step = '{client} waits for \"{c:condition}\"'\nawait = '${c}'",
        'phrase 1 \'{client} waits for "{c:condition}"\': the parameter {c:condition} is written without quotes around it: the feature gives the condition as it is, e.g. $.type is "ok".',
        id="quoted condition",
    ),
    pytest.param(
        "step = '{client} waves'\nawait = 3",
        "phrase 1 '{client} waves': await must be a condition such as '$.type is \"joined\"'.",
        id="await not text",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = []",
        "phrase 1 '{client} waves': send must be text or a list of texts.",
        id="send empty list",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = ['{}', ' ']",
        "phrase 1 '{client} waves': every entry of send must be non-empty text.",
        id="send empty entry",
    ),
    pytest.param(
        'step = \'{client} waves\'\nsend = \'{}\'\nmeaning = """a\nb"""',
        "phrase 1 '{client} waves': meaning must be one line of text.",
        id="meaning two lines",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = '{}'\nawait = '$.a exists'\nwithin = 'soon'",
        'phrase 1 \'{client} waves\': within is "soon"; write a duration such as 2, "500 ms" or "3 seconds".',
        id="within bad",
    ),
    pytest.param(
        "step = '{client} waves'",
        "phrase 1 '{client} waves': it does nothing; give it send, await or steps.",
        id="does nothing",
    ),
    pytest.param(
        "step = 'someone waves'\nsend = '{}'",
        "phrase 1 'someone waves': it has send but no client to do it; put {client} (or {group}) in the step.",
        id="no client",
    ),
    pytest.param(
        "step = 'someone waves'\nawait = '$.a exists'",
        "phrase 1 'someone waves': it has await but no client to do it; put {client} (or {group}) in the step.",
        id="no client await",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = '{}'\nremember = { x = \"$.a\" }",
        "phrase 1 '{client} waves': remember reads the reply that await waits for; add await.",
        id="remember without await",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = '{}'\nwithin = 2",
        "phrase 1 '{client} waves': within is how long await waits; add await or remove within.",
        id="within without await",
    ),
    pytest.param(
        "step = '{client} waits for {c:condition}'\nsend = '{\"a\": \"${c}\"}'\nawait = '${c}'",
        "phrase 1 '{client} waits for {c:condition}': send uses ${c}, a condition; a condition is what await waits for: write await = '${c}' (or combine it: '$.type is \"reply\" and ${c}').",
        id="send uses condition",
    ),
    pytest.param(
        "step = '{client} waits for {c:condition}'\nawait = '$.a is \"${c}\"'",
        "phrase 1 '{client} waits for {c:condition}': await uses ${c} inside a condition; a condition parameter stands for a whole condition: await = '${c}' or '$.type is \"reply\" and ${c}'.",
        id="await condition inside",
    ),
    pytest.param(
        "step = '{client} waits for {c:condition}'\nsteps = ['Given {client} is connected']",
        "phrase 1 '{client} waits for {c:condition}': the condition {c:condition} is used nowhere; write await = '${c}'.",
        id="condition unused",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = '{\"a\": }'",
        "phrase 1 '{client} waves': send is not valid JSON: Expecting value at line 1, column 7: {\"a\": }.",
        id="bad json",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = ['{}', '{\"a\": 1']",
        "phrase 1 '{client} waves': send (message 2) is not valid JSON: Expecting ',' delimiter at line 1, column 8: {\"a\": 1.",
        id="bad json 2",
    ),
    pytest.param(
        "step = '{client} joins {room}'\nsend = '{\"room\": \"${rooom}\"}'",
        'phrase 1 \'{client} joins {room}\': send uses "${rooom}", which is not a parameter of this phrase (its parameters: client, room); did you mean "${room}"? a value set elsewhere in the scenario must be listed in reads, e.g. reads = ["rooom"].',
        id="unknown name",
    ),
    pytest.param(
        "step = '{client} joins {room}'\nsend = '{\"room\": \"${zzz}\"}'",
        'phrase 1 \'{client} joins {room}\': send uses "${zzz}", which is not a parameter of this phrase (its parameters: client, room); a value set elsewhere in the scenario must be listed in reads, e.g. reads = ["zzz"].',
        id="unknown name far",
    ),
    pytest.param(
        "step = '{client} waves'\nsend = '{\"t\": \"${config.timout}\"}'",
        'phrase 1 \'{client} waves\': send uses "${config.timout}", which is not a wsbdd setting; did you mean "${config.timeout}".',
        id="unknown config",
    ),
    pytest.param(
        "step = '{client} waves'\nsteps = ['Given ${who} is connected']",
        'phrase 1 \'{client} waves\': step 1 of steps uses "${who}", which is not a parameter of this phrase (its parameters: client); a value set elsewhere in the scenario must be listed in reads, e.g. reads = ["who"].',
        id="unknown name in steps",
    ),
    pytest.param(
        "step = '{client} waves'\nawait = '$.a is bigger than 3'",
        'phrase 1 \'{client} waves\': await is not a valid condition: unknown matcher "is bigger than"; did you mean "is greater than"? To compare with the text "bigger than 3", put it in quotes: is "bigger than 3".',
        id="bad await",
    ),
    pytest.param(
        "preset = 'chta'",
        'phrase 1: there is no preset "chta"; did you mean "chat"? presets: chat, quiz.',
        id="no preset",
    ),
    pytest.param(
        "preset = 'zzzzzz'",
        'phrase 1: there is no preset "zzzzzz"; presets: chat, quiz.',
        id="no preset far",
    ),
    pytest.param(
        "preset = 'chat'\nstep = 'x'",
        "phrase 1: a preset entry takes no other keys (found step).",
        id="preset with keys",
    ),
]


@pytest.mark.parametrize(("body", "sentence"), CASES)
def test_a_phrase_that_cannot_be_read(body, sentence):
    assert_config_sentence(f"{WHERE}, {sentence}", one, body, kind=PhraseError)


def test_a_phrase_that_reads():
    (phrase,) = one("step = '{client} waves'\nsend = '{\"type\": \"wave\"}'")
    assert phrase.step == "{client} waves"


def test_phrases_that_are_not_a_list_of_tables():
    assert_config_sentence(
        f"{WHERE}: phrases must be a list of tables; write each phrase under its own "
        "[[tool.wsbdd.phrases]] (two brackets).",
        parse_phrases,
        {"step": "x"},
        WHERE,
        kind=PhraseError,
    )
    assert_config_sentence(
        f"{WHERE}, phrase 1: must be a table with a step, written under [[tool.wsbdd.phrases]].",
        parse_phrases,
        ["x"],
        WHERE,
        kind=PhraseError,
    )


def test_a_phrase_that_clashes_with_another():
    both = phrases(
        "[[tool.wsbdd.phrases]]\nstep = '{client} waves'\nsend = '{}'\n"
        "[[tool.wsbdd.phrases]]\nstep = '{client} {how:text}s'\nsend = '{}'\n"
    )
    assert_config_sentence(
        f"{WHERE}, phrase 2 '{{client}} {{how:text}}s': it clashes with the phrase 1 "
        f"'{{client}} waves' in {WHERE}; both match \"x waves\". Reword the phrase so that "
        "every line of a feature means one step.",
        register_phrases,
        both,
        StepRegistry(),
        kind=PhraseError,
    )


RUNNING = """
[[tool.wsbdd.phrases]]
step = '{client} echoes {body:json}'
send = '{"type": "echo", "content": ${body}}'
await = '$.type is "echo"'
remember = { seen = "$.missing" }

[[tool.wsbdd.phrases]]
step = '{client} does the dance'
steps = ['${client} frobnicates']

[[tool.wsbdd.phrases]]
step = '{client} pings'
steps = ['When ${client} sends:']
"""


def test_running_a_phrase(s):
    echo, dance, pings = (make_step_function(p, "when") for p in phrases(RUNNING))
    assert_raises_sentence(
        "wsbdd's hooks are not installed: put `from wsbdd.environment import *` in "
        "environment.py next to your steps folder.",
        echo,
        types.SimpleNamespace(),
        p0="Alice",
        p1="1",
        kind=FeatureMistake,
    )
    s.connect("Alice")
    context = step_context(s)
    s.begin_step("When Alice echoes {x")
    assert_raises_sentence(
        'In the step "When Alice echoes {x": {body} must be JSON, such as {"level": 2}, [1, 2], '
        '3 or "text": The JSON is not valid: Expecting property name enclosed in double quotes '
        "at line 1, column 2: {x",
        echo,
        context,
        p0="Alice",
        p1="{x",
        kind=FeatureMistake,
    )
    s.begin_step("When Alice echoes 1")
    assert_raises_sentence(
        'Alice\'s reply has no $.missing, so "seen" cannot be remembered:\n'
        '  #2 HH:MM:SS.mmm {"type":"echo","content":1,"n":1}',
        echo,
        context,
        p0="Alice",
        p1="1",
        kind=ExpectationFailed,
    )
    s.begin_step("When Alice does the dance")
    assert_raises_sentence(
        "In the step \"When Alice does the dance\": The phrase 2 '{client} does the dance' in "
        f'{WHERE} runs the step "When Alice frobnicates", which matches no step; run `wsbdd '
        "check` to see the closest ones.",
        dance,
        context,
        p0="Alice",
        kind=FeatureMistake,
    )
    s.begin_step("When Alice pings")
    error = assert_raises_sentence(
        'In the step "When Alice pings": This step needs a docstring under it (between """ '
        'lines), e.g. {"type": "ping"}\n'
        "(That was step 1 of the phrase: When Alice sends:)",
        pings,
        context,
        p0="Alice",
        kind=FeatureMistake,
    )
    # The inner step's failure keeps its data; the phrase adds a note to it.
    assert error.failure.notes == ("(That was step 1 of the phrase: When Alice sends:)",)


def test_registering_phrases_from_a_broken_configuration(tmp_path):
    from wsbdd.vocabulary.registration import register_configured_phrases

    (tmp_path / "wsbdd.toml").write_text("timout = 3\n")
    assert_config_sentence(
        f'{tmp_path / "wsbdd.toml"}: unknown key "timout"; did you mean "timeout"?',
        register_configured_phrases,
        tmp_path,
        StepRegistry(),
        kind=PhraseError,
    )


@pytest.fixture
def spinning():
    """A phrase whose steps run itself, registered for this test only."""
    from wsbdd.glue.step_lookup import step_registry

    (phrase,) = phrases(
        "[[tool.wsbdd.phrases]]\nstep = '{client} spins'\nsteps = ['When ${client} spins']\n"
    )
    registry = step_registry()
    before = {kind: list(steps) for kind, steps in registry.steps.items()}
    register_phrases([phrase])
    yield phrase
    for kind, steps in before.items():
        registry.steps[kind][:] = steps


def test_a_phrase_that_runs_itself(s, spinning):
    s.connect("Alice")
    s.begin_step("When Alice spins")
    error = sentence_of(make_step_function(spinning, "when"), step_context(s), p0="Alice")
    assert isinstance(error, FeatureMistake)
    head = (
        "In the step \"When Alice spins\": The phrase 1 '{client} spins' in "
        f"{WHERE} keeps expanding into itself through its steps; a phrase's steps must not "
        "lead back to the same phrase."
    )
    # Each level of the phrase says which of its steps it was running.
    lines = str(error).split("\n")
    assert lines[0] == head
    assert set(lines[1:]) == {"(That was step 1 of the phrase: When Alice spins)"}
