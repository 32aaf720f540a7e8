"""One grammar: ``where()`` in Python, the Gherkin step and ``wsbdd check`` read a condition
the same way (issue 13).

Each row is a condition text and what it means: the matcher it builds (its description)
or the mistake it is (a part of the one sentence every reader gives).  The Gherkin side
is run for real: the line ``Then Bob receives a message where …`` is matched by the
built-in step's own pattern, and the words it captures are read by the step's grammar.
``wsbdd check`` reads a feature holding every line and must report exactly the rows
that are mistakes, with the same sentence.  Before issue 13 the readers disagreed on
several of these rows: ``is greather than 3`` and ``is bigger than 3`` were silently
text comparisons in Gherkin, ``$.t is chat`` compared with the text "chat", and
``and`` split conditions in Gherkin but was part of the value in Python.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from wsbdd.check import check
from wsbdd.match import where
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.variables import Variables

OK = "ok"
MISTAKE = "mistake"

ROWS: list[tuple[str, str, str]] = [
    # valid: the text, and the matcher it describes
    ('$.type is "chat"', OK, 'where $.type is "chat"'),
    ("$.n is greater than 3", OK, "where $.n is greater than 3"),
    ("$.n is 3", OK, "where $.n is 3"),
    ("$.n is -2.5", OK, "where $.n is -2.5"),
    ("$.ok is true", OK, "where $.ok is true"),
    ("$.ok is false", OK, "where $.ok is false"),
    ("$.x is null", OK, "where $.x is null"),
    ('$.t is one of "a", "b"', OK, 'where $.t is one of ["a", "b"]'),
    ('$.t is one of ["a", "b"]', OK, 'where $.t is one of ["a", "b"]'),
    ('$.a is "x" and $.b is "y"', OK, 'where $.a is "x" and $.b is "y"'),
    ('$.t is "a and $.b is 2"', OK, 'where $.t is "a and $.b is 2"'),
    ("$.t is 'single quoted'", OK, 'where $.t is "single quoted"'),
    ('$.tags contains "x"', OK, 'where $.tags contains "x"'),
    ('$.tags does not contain "x"', OK, 'where $.tags does not contain "x"'),
    ('$.c starts with "he" and $.c ends with "!"', OK, None),
    ('$.id matches "[a-z]+-\\d+"', OK, 'where $.id matches "[a-z]+-\\\\d+"'),
    ('$.id does not match "tmp-.*"', OK, 'where $.id does not match "tmp-.*"'),
    ("$.n is at least 2 and $.n is at most 9", OK, None),
    ("$.n is less than 2", OK, "where $.n is less than 2"),
    ("$.n >= 2", OK, "where $.n is at least 2"),
    ('$.t equals "x"', OK, 'where $.t is "x"'),
    ('$.t IS  NOT "x"', OK, 'where $.t is not "x"'),
    ("$.items has length 3", OK, "where $.items has length 3"),
    ("$.items is empty", OK, "where $.items is empty"),
    ("$.id exists and $.error does not exist", OK, None),
    ("$.user is an object", OK, "where $.user is an object"),
    ('$.user is {"name": "bob"}', OK, 'where $.user is {"name": "bob"}'),
    ('$.players[?(@.score > 10)].name contains "bo"', OK, None),
    ('$ is "40"', OK, 'where $ is "40"'),
    ("$.id is a uuid and $.at is a timestamp", OK, None),
    # mistakes: the text, and a part of the sentence every reader gives
    (
        "$.n is greather than 3",
        MISTAKE,
        'Unknown matcher "is greather than"; did you mean "is greater than"?',
    ),
    (
        "$.n is bigger than 3",
        MISTAKE,
        'Unknown matcher "is bigger than"; did you mean "is greater than"?',
    ),
    ("$.kind is string", MISTAKE, 'Unknown matcher "is string"; did you mean "is a string"?'),
    ("$.n is nul", MISTAKE, 'did you mean "is null"?'),
    ("$.t is chat", MISTAKE, 'put text in quotes: $.t is "chat".'),
    ("$.t is yes", MISTAKE, 'put text in quotes: $.t is "yes".'),
    ("$.t is TRUE", OK, "where $.t is true"),  # matcher words are read in any case
    ("$.x is cheese and $.y is 2", MISTAKE, 'put text in quotes: $.x is "cheese".'),
    (
        '$.t is one of "a" and "b"',
        MISTAKE,
        'lists its values with "and"; separate them with commas',
    ),
    (
        '$.t equalz "x"',
        MISTAKE,
        'Unknown matcher "equalz"; did you mean "equals" (the same as "is")?',
    ),
    ('$.a is "x" and $.b iz "y"', MISTAKE, 'Unknown matcher "iz"'),
    ('type is "chat"', MISTAKE, "does not start with a JSONPath"),
    ("$.type", MISTAKE, "has no matcher after the path"),
    ('$.type "chat"', MISTAKE, "has no matcher between the path and the value"),
    ("$.n is", MISTAKE, 'The matcher "is" needs a value after it'),
    ("$.id exists 5", MISTAKE, 'The matcher "exists" takes no value'),
    ('$.n is greater than "3"', MISTAKE, 'The matcher "is greater than" needs a number'),
    ('$.id matches "[a-"', MISTAKE, "is not valid"),
    ('$.o is {"a": 1', MISTAKE, "is not valid JSON"),
    ('$.t is "${missing}"', MISTAKE, 'The variable "${missing}" is not set'),
    (
        '$.a[?(@.b == 1)] is "x" and $.c is bigger than 3',
        MISTAKE,
        'did you mean "is greater than"?',
    ),
]


def python_reading(text: str) -> tuple[str, str]:
    try:
        return OK, where(text).describe()
    except FeatureMistake as mistake:
        return MISTAKE, str(mistake)


def gherkin_reading(text: str) -> tuple[str, str]:
    import wsbdd.steps  # noqa: F401  (registers the built-in steps)
    from wsbdd.glue.step_lookup import step_registry
    from wsbdd.match import grammar

    line = f"Bob receives a message where {text}"
    found = [
        m for m in step_registry().steps["then"] + step_registry().steps["step"] if m.match(line)
    ]
    assert [m.func.__name__ for m in found] == ["receives_where"], line
    words = {argument.name: argument.value for argument in found[0].match(line).arguments}
    try:
        return OK, grammar.conditions(words["where"], Variables()).describe()
    except FeatureMistake as mistake:
        return MISTAKE, str(mistake)


def test_the_table_is_long_enough_and_has_both_kinds():
    assert len(ROWS) >= 40
    assert {verdict for _, verdict, _ in ROWS} == {OK, MISTAKE}


@pytest.mark.parametrize(("text", "verdict", "meaning"), ROWS, ids=[row[0] for row in ROWS])
def test_python_and_gherkin_read_a_condition_alike(text: str, verdict: str, meaning: str | None):
    python = python_reading(text)
    gherkin = gherkin_reading(text)
    assert python == gherkin
    assert python[0] == verdict, python[1]
    if meaning is not None:
        assert meaning in python[1]


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_wsbdd_check_finds_exactly_the_mistakes_with_the_same_sentence(project: Path):
    lines = [f"Then Bob receives a message where {text}" for text, _, _ in ROWS]
    body = "Feature: Conditions\n  Scenario: Every row\n    Given Bob is connected\n"
    body += textwrap.indent("\n".join(lines), "    ") + "\n"
    (project / "features" / "rows.feature").write_text(body)
    findings: dict[int, str] = {}
    for problem in check():
        findings[problem.line] = problem.message
    for number, (text, verdict, _) in enumerate(ROWS, start=4):
        if verdict == OK:
            assert number not in findings, (text, findings.get(number))
        else:
            assert number in findings, text
            if "${" in text:  # check knows the scenario: "used before it is set"
                assert '"${missing}" is used before it is set' in findings[number]
            else:
                assert python_reading(text)[1] in findings[number], (text, findings[number])
    assert len(findings) == sum(1 for _, verdict, _ in ROWS if verdict == MISTAKE)


def test_ignore_reads_and_as_a_step_does():
    """``ignore`` entries are read by the same grammar: `and $` joins, text is quoted."""
    from wsbdd.match.conditions import parse_conditions

    assert len(parse_conditions('$.type is "ping" and $.room is "x"')) == 2
    with pytest.raises(FeatureMistake, match='put text in quotes: \\$.type is "ping"'):
        parse_conditions("$.type is ping")


def test_variables_are_filled_in_quoted_values_of_both_kinds():
    from wsbdd.match import grammar

    variables = Variables()
    variables.set("client", "player1")
    variables.set("n", 3)
    read = grammar.conditions(
        '$.text contains \'"who": "${client}"\' and $.name is "${client}" and $.n is ${n}',
        variables,
    )
    assert read.describe() == (
        'where $.text contains "\\"who\\": \\"player1\\"" and $.name is "player1" and $.n is 3'
    )


BEHAVE_ROWS = [text for text, verdict, _ in ROWS if verdict == MISTAKE and "${" not in text][:6]


def test_behave_gives_each_mistake_the_same_sentence_and_runs_the_valid_rows(tmp_path: Path):
    """A sample of the table through a real behave run against the demo server."""
    from subprocesses import behave

    scenarios = [
        "  Scenario: Valid\n"
        "    Given Alice is connected\n"
        '    When Alice sends {"type": "echo", "content": "hi"}\n'
        '    Then Alice receives a message where $.type is "echo"'
        ' and $.content is one of "hi", "ho"\n'
    ]
    for number, text in enumerate(BEHAVE_ROWS, 1):
        scenarios.append(
            f"  Scenario: Row {number}\n"
            "    Given Alice is connected\n"
            f"    Then Alice receives a message where {text}\n"
        )
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (tmp_path / "features" / "rows.feature").write_text("Feature: Rows\n" + "\n".join(scenarios))
    result = behave(tmp_path, "-f", "plain")
    output = result.stdout
    assert "Traceback" not in output + result.stderr
    failed = [line for line in output.splitlines() if line.startswith("ASSERT FAILED: ")]
    assert len(failed) == len(BEHAVE_ROWS), output[-3000:]
    for text, line in zip(BEHAVE_ROWS, failed, strict=True):
        assert python_reading(text)[1] in line, (text, line)
    assert f"1 scenario passed, {len(BEHAVE_ROWS)} failed" in output


@pytest.mark.parametrize(
    "unit",
    [
        "ms",
        "msec",
        "millis",
        "milliseconds",
        "s",
        "sec",
        "second",
        "seconds",
        "min",
        "minute",
        "minutes",
        "h",
        "hours",
    ],
)
def test_one_set_of_duration_units_everywhere(unit: str):
    """A step's deadline, a wait, a load step's ramp, a phase table, a phrase's within and
    a setting read "2 <unit>" as the same number of seconds (there were six readers)."""
    import wsbdd.steps  # noqa: F401
    from wsbdd.glue.step_lookup import step_registry
    from wsbdd.load.schedule import parse_duration as phase_duration
    from wsbdd.match.grammar import DURATION_UNITS, parse_duration
    from wsbdd.settings.config import load_settings
    from wsbdd.vocabulary import parse_phrases

    expected = 2 * DURATION_UNITS[unit]
    assert parse_duration(f"2 {unit}") == expected
    assert phase_duration(f"2 {unit}") == expected
    settings = load_settings(".", userdata={"wsbdd.timeout": f"2 {unit}"}, environ={})
    assert settings.timeout == pytest.approx(expected)
    (phrase,) = parse_phrases(
        [{"step": "{client} waits", "await": "$ exists", "within": f"2 {unit}"}], "test"
    )
    assert phrase.within == pytest.approx(expected)

    registry = step_registry()
    lines = {
        f"Bob receives a message where $.type exists within 2 {unit}": "receives_where",
        f"I wait 2 {unit}": "pause",
        f'50 clients in group "crowd" are connected over 2 {unit}': "crowd_ramp",
        f'every client in group "g" sends {{"a": 1}} for 2 {unit} at 5 per second': (
            "every_sends_paced"
        ),
    }
    for line, name in lines.items():
        found = [m for steps in registry.steps.values() for m in steps if m.match(line)]
        assert {m.func.__name__ for m in found} == {name}, line


def _table(headings: list[str], *rows: list[str]) -> object:
    from types import SimpleNamespace

    return SimpleNamespace(headings=headings, rows=[SimpleNamespace(cells=row) for row in rows])


def test_a_table_cell_is_one_value_but_its_matcher_is_checked():
    from wsbdd.match import grammar

    variables = Variables()
    table = _table(["path", "matcher", "value"], ["$.type", "is", "chat"], ["$.n", ">", "3"])
    assert grammar.table_matcher(table, variables).describe() == (
        'where $.type is "chat" and $.n is greater than 3'
    )
    rows = grammar.row_matchers(_table(["$.type", "$.n"], ["chat", "is at least 2"]), variables)
    assert rows[0].describe() == 'where $.type is "chat" and $.n is at least 2'
    with pytest.raises(FeatureMistake, match='Unknown matcher "is greather than"; did you mean'):
        grammar.table_matcher(
            _table(["path", "matcher", "value"], ["$.n", "is greather than", "3"]), variables
        )
    with pytest.raises(FeatureMistake, match='did you mean "is greater than"'):
        grammar.row_matchers(_table(["$.n"], ["is greather than 3"]), variables)
