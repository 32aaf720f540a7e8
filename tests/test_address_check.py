"""``wsbdd check`` reads a step's address as the session will, before anything connects."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from wsbdd.check import check


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(project: Path, steps: str) -> list[str]:
    body = "Feature: Checked\n  Scenario: One\n" + textwrap.indent(textwrap.dedent(steps), "    ")
    (project / "features" / "x.feature").write_text(body)
    return [str(problem) for problem in check()]


def test_addresses_wsbdd_can_use_pass(project: Path) -> None:
    steps = """\
        Given Alice is connected to "/ws?name=a%20b"
        And Bob is connected to "../chat"
        And Carol is connected to "https://127.0.0.1:8443/ws"
        And Dan is connected to "/rooms/${room}"
        And 3 clients in group "g" are connected to "?room=2"
        """
    problems = findings(project, steps)
    assert not [p for p in problems if "address" in p], problems


def test_an_address_wsbdd_cannot_use_is_reported_with_its_line(project: Path) -> None:
    problems = findings(
        project,
        """\
        Given Alice is connected to "ftp://127.0.0.1/ws"
        And Bob is connected to "/my room"
        And 3 clients in group "g" are connected to "ws://127.0.0.1:70000/ws"
        """,
    )
    assert problems == [
        'features/x.feature:3: The address "ftp://127.0.0.1/ws" is not a WebSocket address; '
        'write a path such as "/chat", a query such as "?room=1", or a full URL starting with '
        "ws://, wss://, http:// or https://.",
        'features/x.feature:4: The address "/my room" contains a space or a control character; '
        "write a space in a path or query as %20.",
        'features/x.feature:5: The address "ws://127.0.0.1:70000/ws" has the port "70000"; a '
        "port is a whole number from 1 to 65535.",
    ]
