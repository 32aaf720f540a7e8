"""Phrases in a real behave run: configured words become steps; bad config stops the run."""

from __future__ import annotations

import textwrap
from pathlib import Path
from subprocess import CompletedProcess

from subprocesses import behave as run_behave

WSBDD_TOML = """\
[[phrases]]
preset = "chat"

[[phrases]]
step     = '{client} echoes {n:number} twice'
send     = '{"type": "echo", "content": ${n}, "times": 2}'
await    = '$.type is "echo" and $.content is ${n} and $.n is 2'
within   = "3 s"

[[phrases]]
step     = '{client} asks who it is'
send     = ['{"type": "ping"}', '{"type": "whoami"}']
await    = '$.type is "you"'
remember = { my_name = "$.name", my_rooms = "$.rooms" }
"""

FEATURE = """\
Feature: The app's own words
  Scenario: Chat words from the preset
    Given Alice is in room "lobby"
    And Bob is in room "lobby"
    Then Alice is told that Bob joined room "lobby"
    When Alice says "hi Bob" in room "lobby"
    Then Bob hears Alice say "hi Bob" in room "lobby"

  Scenario: Numbers, several messages and remembered values
    Given Alice is in room "den"
    When Alice echoes 42 twice
    And Alice asks who it is
    Then Alice receives a message where $.type is "pong"
    And I set "copy" to "${my_name} in ${my_rooms}"
    And Alice sends {"type": "echo", "content": "${copy}"}
    Then Alice receives a message where $.content is "Alice in [\\"den\\"]"

  Scenario: A whole group at once
    Given 4 clients in group "players" are connected
    When every client in group "players" joins room "quiz"
    And every client in group "players" says "I am ${client} (${index})" in room "quiz"
    Then player1 receives a message where $.content is "I am player4 (4)"
    And every client in group "players" hears player2 say "I am player2 (2)" in room "quiz"
"""


def behave(cwd: Path, *args: str) -> CompletedProcess[str]:
    return run_behave(cwd, "-f", "plain", *args)


def project(tmp_path: Path, config: str, feature: str = FEATURE) -> Path:
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (tmp_path / "features" / "words.feature").write_text(feature)
    (tmp_path / "wsbdd.toml").write_text(config)
    return tmp_path


def test_configured_phrases_run_as_steps_for_clients_and_groups(tmp_path):
    result = behave(project(tmp_path, WSBDD_TOML))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "3 scenarios passed, 0 failed" in output
    assert 'Then Bob hears Alice say "hi Bob" in room "lobby" ... passed' in output


def test_a_phrase_that_expands_to_steps_runs_them(tmp_path):
    feature = """\
    Feature: Expansion
      Scenario: A phrase made of steps
        When Alice is seated in "den" as guest 3
        Then Alice is connected
        And Alice receives a message where $.type is "pong" and $.id is 3
    """
    config = (
        WSBDD_TOML
        + """
[[phrases]]
step  = '{client} is seated in "{room}" as guest {seat:number}'
steps = [
  'Given ${client} is in room "${room}"',
  'And ${client} sends {"type": "ping", "id": ${seat}}',
]
"""
    )
    result = behave(project(tmp_path, config, textwrap.dedent(feature)))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "1 scenario passed" in output


def test_a_failing_phrase_says_what_it_waited_for(tmp_path):
    feature = """\
    Feature: Failure
      Scenario: The reply never comes
        Given Alice is connected
        When Alice waits for applause
    """
    config = """\
[[phrases]]
step   = '{client} waits for applause'
await  = '$.type is "applause"'
within = "300 ms"
"""
    result = behave(project(tmp_path, config, textwrap.dedent(feature)))
    assert result.returncode == 1
    assert (
        'ASSERT FAILED: Alice expected a message where $.type is "applause" within 300 ms'
        in result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_a_malformed_phrase_stops_the_run_with_one_sentence(tmp_path):
    config = """\
[[phrases]]
step = '{client} orders "{item}"'
send = '{"type": "order" "item": "${item}"}'
"""
    result = behave(project(tmp_path, config))
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert (
        "ConfigError: wsbdd.toml phrases, phrase 1 '{client} orders \"{item}\"': send is not "
        "valid JSON: Expecting ',' delimiter at line 1, column 18" in result.stdout
    )
    assert "Traceback" not in output
    assert "Scenario" not in result.stdout


def test_a_clash_with_a_built_in_step_stops_the_run_naming_both(tmp_path):
    config = """\
[[phrases]]
step = '{client} receives a message where {what}'
send = '{"type": "ping"}'
"""
    result = behave(project(tmp_path, config))
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if x.startswith("ConfigError:"))
    assert (
        "phrase 1 '{client} receives a message where {what}': it clashes with the built-in" in line
    )
    assert "{client} receives a message where {conditions} [within {time}]" in line
    assert "Traceback" not in result.stdout + result.stderr


def test_bad_toml_stops_the_run_with_one_sentence(tmp_path):
    result = behave(project(tmp_path, "[[phrases]\nstep = 'x'\n"))
    assert result.returncode == 1
    assert "ConfigError: wsbdd.toml is not valid TOML" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_json_and_condition_parameters_and_within_in_a_real_run(tmp_path):
    feature = r"""
    Feature: Structure in the app's words
      Scenario: JSON in, a condition out, a deadline of the feature's own
        Given 3 clients in group "p" are connected
        When every client in group "p" echoes {"who": "${client}", "seat": ${index}}
        Then every client in group "p" gets a reply where $.content.seat is ${index} within 2 s
        When Alice is connected
        And Alice echoes [1, 2, {"deep": true}]
        Then Alice gets a reply where $.content[2].deep is true
        When Alice sends {"type": "echo", "content": "ack:17"}
        Then Alice receives a message where $.content starts with "ack"
        And I remember the text matching "ack:(\d+)" from Alice's last message as "ack"
        When Alice echoes {"acked": ${ack}}
        Then Alice gets a reply where $.content.acked is "17" within 1 second

      Scenario: A reply that never comes fails at the feature's own deadline
        Given Alice is connected
        When Alice echoes {"n": 1}
        Then Alice gets a reply where $.content.n is 2 within 300 ms
    """
    config = """\
[[phrases]]
step  = '{client} echoes {value:json}'
send  = '{"type": "echo", "content": ${value}}'

[[phrases]]
step   = '{client} gets a reply where {cond:condition}'
await  = '$.type is "echo" and ${cond}'
within = "5 s"
"""
    result = behave(project(tmp_path, config, textwrap.dedent(feature)))
    output = result.stdout + result.stderr
    assert "1 scenario passed, 1 failed" in output, output[-4000:]
    assert (
        'ASSERT FAILED: Alice expected a message where $.type is "echo" and $.content.n is 2 '
        "within 300 ms"
    ) in output
    assert "Traceback" not in output
