"""Mistakes the run itself catches, without `wsbdd check`: a misspelt tag, an Outline
placeholder with no column, a scenario with no steps, an Outline with no Examples.  Each
fails its own scenario (or feature) with one sentence; the other scenarios still run."""

from __future__ import annotations

from sentences import assert_config_sentence
from subprocesses import run_module
from test_behave_runs import behave, make_project

from wsbdd.settings.config import load_settings

BROKEN = "Feature: bad\n  Scenario: x\n    Given Alice is connected\n  Examples oops\n"

FEATURE = """\
    Feature: Mistakes that would pass having checked nothing

      @strikt
      Scenario: A misspelt tag
        Given Alice is connected

      Scenario: Nothing but description
        Angenommen Alice is connected

      Scenario Outline: Nobody wrote the examples
        Given <who> is connected

      Scenario Outline: A column nobody has
        Given <who> is connected
        When <who> sends {"type": "echo", "content": "<text>"}
        Then <who> receives a message where $.content is "<text>"

        Examples:
          | who   | txt |
          | Alice | hi  |

      Scenario: Still runs
        Given Alice is connected
        When Alice sends {"type": "echo", "content": "<b>bold</b>"}
        Then Alice receives a message where $.content is "<b>bold</b>"
"""


def test_each_mistake_fails_with_its_sentence_and_the_rest_runs(tmp_path):
    project = make_project(tmp_path, FEATURE)
    result = behave(project, "-f", "plain", "features")
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert (
        "@strikt is not a tag wsbdd or behave acts on; did you mean @strict (wsbdd: fail when "
        "a client received a message no step checked)?"
    ) in output
    assert (
        'The scenario "Nothing but description" (features/example.feature:7) has no steps, so '
        "it checks nothing. A line that does not begin with Given, When, Then, And or But is "
        'read as its description; a keyword of another language needs "# language: de" (or '
        "its code) as the file's first line."
    ) in output
    assert (
        'The Scenario Outline "Nobody wrote the examples" (features/example.feature:10) has no '
        "Examples rows, so it never ran: add an Examples table with at least one row under it."
    ) in output
    assert (
        'The step "When Alice sends {"type": "echo", "content": "<text>"}" uses <text>, but '
        'the Examples table has no column "text" (its columns: who, txt); add the column or '
        "correct the name."
    ) in output
    assert "1 scenario passed, 0 failed, 3 hook_error" in output
    assert "Traceback" not in output


def test_a_pyproject_that_is_not_toml_stops_wsbdd_run_with_a_sentence(tmp_path):
    project = make_project(tmp_path, "Feature: x\n  Scenario: y\n    Given Alice is connected\n")
    (project / "pyproject.toml").write_text("[tool.wsbdd\ntimeout = 3\n")
    result = run_module(project, "wsbdd", "run")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "wsbdd: pyproject.toml is not valid TOML: Expected ']' at the end of a table "
        "declaration (at line 1, column 12)\n"
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_a_pyproject_that_is_not_utf8(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.wsbdd]\ntimeout = "\xff"\n')
    assert_config_sentence(
        "pyproject.toml is not UTF-8 text (line 2 has the byte 0xff); save it as UTF-8.",
        load_settings,
        tmp_path,
        userdata={},
        environ={},
    )


def test_wsbdd_check_of_one_file_is_not_failed_by_another_files_parse_error(tmp_path):
    project = make_project(tmp_path, "Feature: ok\n  Scenario: y\n    Given Alice is connected\n")
    (project / "wsbdd.toml").write_text("timeout = 2\n")
    broken = project / "features" / "broken.feature"
    broken.write_text(
        "Feature: bad\n  Scenario: x\n    Given Alice is connected\n  Examples oops\n"
    )
    clean = run_module(project, "wsbdd", "check", "features/example.feature")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "broken.feature" not in clean.stdout + clean.stderr
    both = run_module(project, "wsbdd", "check", "features/broken.feature")
    assert both.returncode == 1
    assert (both.stdout + both.stderr).count("features/broken.feature:4: This feature file") == 1


def test_a_feature_file_that_cannot_be_read_does_not_stop_the_others(tmp_path):
    project = make_project(tmp_path, "Feature: ok\n  Scenario: y\n    Given Alice is connected\n")
    (project / "wsbdd.toml").write_text("timeout = 2\n")
    broken = project / "features" / "broken.feature"
    broken.write_text(
        "Feature: bad\n  Scenario: x\n    Given Alice is connected\n  Examples oops\n"
    )
    for args in ([], ["features/"]):
        result = run_module(project, "wsbdd", "run", "-f", "plain", *args)
        assert result.returncode == 1
        assert result.stderr.startswith(
            "wsbdd: features/broken.feature:4: this feature file cannot be read, so it did not "
            'run (the other files did): Failed to parse "features/broken.feature": Parser '
            'failure in state=steps at line 4: "Examples oops"\n'
        )
        assert "1 scenario passed, 0 failed" in result.stdout


def test_an_undefined_step_at_run_time_gets_did_you_mean(tmp_path):
    project = make_project(tmp_path, "Feature: u\n  Scenario: typo\n    Given Alice is conected\n")
    (project / "wsbdd.toml").write_text("timeout = 2\n")
    result = behave(project, "-f", "plain", "features")
    assert result.returncode == 1
    assert (
        'wsbdd: features/example.feature:3: No step matches "Given Alice is conected"; did you '
        'mean "{client} is connected [to "{path}"] [with token "{token}"] [with subprotocol[s] '
        '"{subprotocols}"/no subprotocol] [with headers:]"?'
    ) in result.stderr


def test_plain_behave_runs_the_other_files_when_one_cannot_be_read(tmp_path):
    project = make_project(tmp_path, "Feature: ok\n  Scenario: y\n    Given Alice is connected\n")
    (project / "wsbdd.toml").write_text("timeout = 2\n")
    (project / "features" / "broken.feature").write_text(BROKEN)
    result = behave(project, "-f", "plain", "features")
    sentence = (
        "features/broken.feature:4: this feature file cannot be read, so it did not run (the "
        "other files did): Failed to parse"
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"wsbdd: {sentence}")
    assert f"HOOK-ERROR in after_all: AssertionError: {sentence}" in result.stdout
    assert "1 scenario passed, 0 failed" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
