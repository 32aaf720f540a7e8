"""allure-behave's formatter in a run: each scenario's conversation attached to its Allure
result, the run's secrets masked in every file Allure wrote.

The real allure-behave (the ``test`` extra) in real subprocesses, against the demo server.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from subprocesses import behave, run_module

from wsbdd.report.allure_results import ALLURE_FORMATTER, ATTACHMENT_NAME

SECRET = "alice-token"  # the demo's token for Alice, written in a step: a secret

FEATURE = """\
Feature: Allure attachments

  Scenario: Signed in, Alice hears her own echo
    Given Alice is connected to "/secure" with token "alice-token"
    When Alice sends {"type": "echo", "content": "my token is alice-token"}
    Then Alice receives a message where $.type is "echo"

  Scenario: Two clients in a room
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    Then Alice receives a message where $.type is "joined"

  Scenario: A reply that never comes
    Given Alice is connected to "/secure" with token "alice-token"
    When Alice sends {"type": "echo", "content": "again alice-token"}
    Then Alice receives a message where $.type is "never-sent" within 300 ms

  Scenario: No connection at all
    Given I set "greeting" to "hello"
"""


def make_project(folder: Path) -> Path:
    (folder / "features" / "steps").mkdir(parents=True)
    (folder / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (folder / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (folder / "features" / "allure.feature").write_text(FEATURE, encoding="utf-8")
    (folder / "wsbdd.toml").write_text(
        textwrap.dedent(
            """\
            timeout = "5 s"  # the failing step says how long it waits
            ignore = ['$.type is "welcome"']
            """
        ),
        encoding="utf-8",
    )
    return folder


def results(folder: Path) -> dict[str, dict[str, Any]]:
    """Allure's test results by scenario name."""
    found = {}
    for path in folder.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["name"]] = data
    return found


def conversation(folder: Path, result: dict[str, Any]) -> str | None:
    """The text of the result's conversation attachment (None when it has none)."""
    named = [a for a in result.get("attachments", []) if a["name"] == ATTACHMENT_NAME]
    assert len(named) <= 1
    if not named:
        return None
    assert named[0]["type"] == "text/plain"
    return (folder / named[0]["source"]).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plain_behave(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CompletedProcess[str]]:
    project = make_project(tmp_path_factory.mktemp("allure"))
    folder = project / "allure-results"
    run = behave(project, "-f", ALLURE_FORMATTER, "-o", str(folder), "-f", "progress")
    return folder, run


def test_every_scenario_with_a_conversation_has_it_attached(
    plain_behave: tuple[Path, CompletedProcess[str]],
):
    folder, run = plain_behave
    assert run.returncode == 1, (run.stdout + run.stderr)[-3000:]
    found = results(folder)
    assert {name: r["status"] for name, r in found.items()} == {
        "Signed in, Alice hears her own echo": "passed",
        "Two clients in a room": "passed",
        "A reply that never comes": "failed",
        "No connection at all": "passed",
    }
    echo = conversation(folder, found["Signed in, Alice hears her own echo"])
    assert echo is not None
    assert echo.startswith("WebSocket conversation (1 client, ")
    assert '-- When Alice sends {"type": "echo", "content": "my token is ***"}' in echo
    assert '<- {"type":"echo","content":"my token is ***","n":1}' in echo
    room = conversation(folder, found["Two clients in a room"])
    assert room is not None and "(2 clients, " in room
    assert "Bob    connected" in room and 'Alice  <- {"type":"joined"' in room
    # Each scenario its own: no frame of one in another's attachment.
    assert "lobby" not in echo and "echo" not in room
    failed = conversation(folder, found["A reply that never comes"])
    assert failed is not None
    assert '-- Then Alice receives a message where $.type is "never-sent"' in failed
    assert conversation(folder, found["No connection at all"]) is None


def test_no_file_allure_wrote_holds_the_secret(plain_behave: tuple[Path, CompletedProcess[str]]):
    folder, run = plain_behave
    files = list(folder.iterdir())
    assert len(files) >= 5
    for path in files:
        assert SECRET not in path.read_text(encoding="utf-8"), path.name
    # Masked, not dropped: the step Allure lists still says a token was given.
    steps = [s["name"] for r in results(folder).values() for s in r.get("steps", [])]
    assert 'Given Alice is connected to "/secure" with token "***"' in steps
    assert SECRET not in run.stdout + run.stderr


def test_wsbdd_run_with_the_allure_formatter_attaches_too(tmp_path: Path):
    project = make_project(tmp_path)
    run = run_module(
        project, "wsbdd", "run", "-f", ALLURE_FORMATTER, "-o", "allure-results", "--no-color"
    )
    folder = project / "allure-results"
    found = results(folder)
    assert len(found) == 4, (run.stdout + run.stderr)[-3000:]
    attached = {name: conversation(folder, r) for name, r in found.items()}
    assert sum(text is not None for text in attached.values()) == 3
    for path in folder.iterdir():
        assert SECRET not in path.read_text(encoding="utf-8"), path.name
    # wsbdd's own reports are written as well, and the console shows the failure once.
    assert (project / "reports" / "report.html").is_file()
    assert (run.stdout + run.stderr).count("WebSocket conversation (") == 1
