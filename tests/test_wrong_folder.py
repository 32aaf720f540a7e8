"""behave run where there are no settings: where it looked (said once), why steps are undefined."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from subprocess import CompletedProcess

from demo_command import demo_server_command
from subprocesses import behave as run_behave

from wsbdd.scaffold import create_project

NOTICE = "wsbdd: no wsbdd.toml or [tool.wsbdd] in pyproject.toml in "
UNDEFINED = "undefined, and no phrases were loaded"

BUILT_IN_ONLY = """\
Feature: Built-in steps only
  Scenario: Alice hears herself
    Given client Alice is connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    Then Alice receives a message where $.type is "joined"
"""


def behave(cwd: Path, *args: str, env: dict[str, str] | None = None) -> CompletedProcess[str]:
    return run_behave(cwd, "-f", "plain", *args, env=env)


def glue_only(folder: Path) -> Path:
    """A project with behave's glue and a feature, but no settings file."""
    (folder / "features" / "steps").mkdir(parents=True)
    (folder / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (folder / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (folder / "features" / "solo.feature").write_text(textwrap.dedent(BUILT_IN_ONLY))
    return folder


def test_one_folder_up_names_the_project_folder_and_why_phrases_are_undefined(tmp_path):
    create_project(tmp_path / "shop")

    result = behave(tmp_path, "shop/features")

    assert result.returncode == 1  # behave's own verdict on undefined steps, unchanged
    notices = [line for line in result.stderr.splitlines() if line.startswith(NOTICE)]
    assert notices == [
        f"{NOTICE}{tmp_path.resolve()}; using the defaults (the bundled demo server, no "
        "phrases). Found shop/wsbdd.toml: run behave from that folder (cd shop)."
    ]
    hints = [line for line in result.stderr.splitlines() if UNDEFINED in line]
    assert hints == [
        f"wsbdd: 3 steps are undefined, and no phrases were loaded: there is no wsbdd.toml or "
        f"[tool.wsbdd] in pyproject.toml in {tmp_path.resolve()}; found shop/wsbdd.toml: run "
        "behave from that folder (cd shop)."
    ]
    # behave's snippets still follow, so the hint is read just above them
    assert result.stderr.index(UNDEFINED) < result.stderr.index("You can implement step")

    # from the right folder: no notice, and the same features pass
    right = behave(tmp_path / "shop")
    assert right.returncode == 0, right.stdout[-3000:]
    assert "wsbdd: " not in right.stderr


def test_the_features_folder_itself_points_one_folder_up(tmp_path):
    create_project(tmp_path)
    result = behave(tmp_path / "features", ".")
    assert "Found ../wsbdd.toml: run behave from that folder (cd ..)." in result.stderr
    assert result.stderr.count(NOTICE) == 1


def test_no_settings_anywhere_says_how_to_point_at_a_server(tmp_path):
    project = glue_only(tmp_path / "solo")

    result = behave(project)

    assert result.returncode == 0, result.stdout[-3000:]  # the demo answers built-in steps
    assert result.stderr.splitlines() == [
        f"{NOTICE}{project.resolve()}; using the defaults (the bundled demo server, no "
        "phrases). Run behave from your project's folder, or pass -D wsbdd.url=ws://… to "
        "test a server."
    ]


def test_a_url_given_from_outside_is_on_purpose(tmp_path):
    project = glue_only(tmp_path)
    with demo_server_command() as url:
        by_option = behave(
            project, "-D", f"wsbdd.url={url}", "-D", 'wsbdd.ignore=$.type is "welcome"'
        )
        by_environment = behave(project, env={"WSBDD_URL": url})
    for result in (by_option, by_environment):
        assert result.returncode == 0, result.stdout[-3000:]
        assert NOTICE not in result.stderr


def test_wsbdd_check_from_the_wrong_folder_says_why_phrases_match_no_step(tmp_path):
    create_project(tmp_path / "shop")
    result = subprocess.run(
        [sys.executable, "-m", "wsbdd.cli", "check", "shop/features"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert 'No step matches "And Alice joins room "lobby""' in result.stdout
    assert (
        "wsbdd check: no phrases were loaded: there is no wsbdd.toml or [tool.wsbdd] in "
        f"pyproject.toml in {tmp_path.resolve()}; found shop/wsbdd.toml: run wsbdd check from "
        "that folder (cd shop).\n"
    ) in result.stderr


def test_the_sentences_keep_the_case_of_paths_and_prefer_the_nearest_file(tmp_path):
    from wsbdd.glue.settings_notice import nearby_settings, no_settings_notice, settings_file

    outer = tmp_path / "Work"
    (outer / "Shop" / "features").mkdir(parents=True)
    (outer / "pyproject.toml").write_text("[tool.wsbdd]\ntimeout = 1\n")
    (outer / "Shop" / "pyproject.toml").write_text("[project]\nname = 'shop'\n")  # no [tool.wsbdd]
    (outer / "Shop" / "wsbdd.toml").write_text("timeout = 2\n")
    assert settings_file(outer / "Shop" / "features") is None
    assert settings_file(outer / "Shop") == outer / "Shop" / "wsbdd.toml"
    assert nearby_settings(outer / "Shop" / "features") == outer / "Shop" / "wsbdd.toml"
    # behave's paths are searched before the folders above: the nearest file to them wins
    notice = no_settings_notice(tmp_path, ["Work/Shop/features"], {}, {})
    assert notice is not None
    assert notice.endswith(
        "Found Work/Shop/wsbdd.toml: run behave from that folder (cd Work/Shop)."
    ), notice
    assert no_settings_notice(outer / "Shop", [], {}, {}) is None
    assert no_settings_notice(tmp_path, [], {"wsbdd.url": "ws://127.0.0.1:1"}, {}) is None
    assert no_settings_notice(tmp_path, [], {}, {"WSBDD_URL": "ws://127.0.0.1:1"}) is None
