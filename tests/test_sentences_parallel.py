"""A parallel run's sentences: ``--processes`` values it refuses, arguments or features
behave refuses while the run is planned, and more processes than scenarios."""

from __future__ import annotations

import argparse
import os
import textwrap
from pathlib import Path

import pytest
from sentences import assert_config_sentence
from subprocesses import run_module

from wsbdd.cli import _seconds
from wsbdd.parallel.plan import parse_processes, plan_run

STEPS = "from behave import step\n\n@step('it passes')\ndef passes(context):\n    pass\n"


def project(tmp_path: Path, scenarios: int = 2) -> Path:
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "steps" / "steps.py").write_text(STEPS)
    text = "Feature: F\n" + "".join(
        f"  Scenario: S{i}\n    Given it passes\n" for i in range(1, scenarios + 1)
    )
    (tmp_path / "features" / "f.feature").write_text(text)
    return tmp_path


def test_processes_must_be_a_whole_number_above_zero() -> None:
    assert_config_sentence(
        "--processes 0 runs nothing: give 1 or more processes "
        "(or --processes alone for one per CPU, 2 here).",
        parse_processes,
        "0",
        2,
    )
    assert_config_sentence(
        '--processes takes a whole number of processes, such as 2, not "two".',
        parse_processes,
        "two",
        2,
    )
    assert parse_processes("", 4) == 4
    assert parse_processes(None, 3) == 3


def test_the_command_line_says_it_in_one_sentence(tmp_path: Path) -> None:
    root = project(tmp_path)
    done = run_module(root, "wsbdd", "run", "--processes", "0")
    assert done.returncode == 2
    cpus = parse_processes(None, len(os.sched_getaffinity(0)))
    assert done.stderr == (
        "wsbdd: --processes 0 runs nothing: give 1 or more processes "
        f"(or --processes alone for one per CPU, {cpus} here).\n"
    )
    assert done.stdout == ""


def test_more_processes_than_scenarios_runs_one_each_and_says_so(tmp_path: Path) -> None:
    root = project(tmp_path, scenarios=2)
    done = run_module(root, "wsbdd", "run", "--processes", "5", "-f", "null")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == (
        "wsbdd: --processes 5 is more than the 2 scenarios selected: running 2 processes, "
        "one scenario each."
    )


def test_shard_timeout_is_a_number_of_seconds() -> None:
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        _seconds("soon")
    assert str(raised.value) == (
        '--shard-timeout takes a number of seconds above 0, such as 600, not "soon"'
    )
    assert _seconds("2.5") == 2.5


def test_what_behave_refuses_while_planning(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert_config_sentence(
        "behave refuses the arguments: unrecognized arguments: --nonsense.",
        plan_run,
        ["--nonsense"],
        root,
    )
    assert_config_sentence(
        "behave cannot find features/none.feature.", plan_run, ["features/none.feature"], root
    )
    (root / "empty").mkdir()
    assert_config_sentence(
        f"behave cannot find the features: No steps directory in '{root / 'empty'}'.",
        plan_run,
        ["empty"],
        root,
    )


def test_a_feature_file_behave_cannot_read_is_left_out(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "features" / "bad.feature").write_text(
        textwrap.dedent("""\
            Feature: bad
              Scenario: x
                Given it passes
              Examples oops
            """)
    )
    plan = plan_run([], root)
    assert [s.name for s in plan.scenarios] == ["S1", "S2"]
    assert plan.unread == [
        "features/bad.feature:4: this feature file cannot be read, so it did not run (the "
        'other files did): Failed to parse "features/bad.feature": Parser failure in '
        'state=steps at line 4: "Examples oops"'
    ]
    done = run_module(root, "wsbdd", "run", "--processes", "2", "-f", "null")
    assert done.returncode == 1
    assert "wsbdd: 1 feature file(s) could not be read and did not run (above)." in done.stdout
