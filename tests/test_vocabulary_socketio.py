"""One feature, two protocols: the chat preset's phrases have a socketio form, so the same
lines run against the demo's WebSocket chat and against its chat over Socket.IO (a phrase that
only sends plain WebSocket messages says so: tests/test_sentences_phrases_socketio.py)."""

from __future__ import annotations

import re

from subprocesses import behave
from test_behave_runs import failures, make_project

STEPS = """\
    Given Alice is in room "lobby"
    And Bob is in room "lobby"
    Then Alice is told that Bob joined room "lobby"
    When Alice says "hello" to the others in room "lobby"
    Then Bob hears Alice say "hello" in room "lobby"
    When Alice asks to join room "no spaces"
    Then Alice is refused with "invalid_room"
    When Bob leaves room "lobby"
    Then Alice is told that Bob left room "lobby"
"""

# The same lines, word for word, in both scenarios.
FEATURE = (
    "Feature: The chat, whatever the protocol\n\n"
    "  Scenario: Over plain WebSocket\n" + STEPS + "\n"
    "  @socket.io\n  Scenario: Over Socket.IO\n" + STEPS
)

PYPROJECT = """\
[tool.wsbdd]
strict = true
ignore = ['$.type is "welcome"']

[[tool.wsbdd.phrases]]
preset = "chat"
"""


def test_the_chat_presets_words_run_over_websocket_and_over_socketio(tmp_path):
    project = make_project(tmp_path, FEATURE, PYPROJECT)
    result = behave(project, "-f", "plain")
    output = result.stdout + result.stderr
    assert "2 scenarios passed, 0 failed" in output, failures(output)
    check = behave(project, "--dry-run", "-f", "plain")  # the checker too reads both forms
    assert check.returncode == 0


POKE = """\
[tool.wsbdd]

[[tool.wsbdd.phrases]]
step = '{client} pokes {other:client}'
send = '{"type": "poke"}'
socketio = ['${other} receives the event "poke"']
"""


def test_the_checker_reads_the_form_the_client_will_use(tmp_path):
    """Over plain WebSocket the phrase only sends; over Socket.IO its other client must be
    connected: the checker follows the form the run will take."""
    from subprocesses import run_module

    feature = """\
    Feature: Poking
      Scenario: Plain
        Given Alice is connected
        When Alice pokes Zed

      @socket.io
      Scenario: Socket.IO
        Given Alice is connected
        When Alice pokes Zed
    """
    project = make_project(tmp_path, feature, POKE)
    checked = run_module(project, "wsbdd.cli", "check")
    assert checked.stdout.splitlines() == [
        'features/example.feature:9: Zed is used before it connects. Add "Given Zed is '
        'connected" earlier in the scenario (or in its Background). (in step 1 of the phrase '
        '"{client} pokes {other:client}": When Zed receives the event "poke")'
    ], checked.stdout


def test_the_report_names_the_demos_socketio_address_once_a_client_used_it(tmp_path):
    plain = make_project(tmp_path / "plain", FEATURE.split("  @socket.io")[0], PYPROJECT)
    both = make_project(tmp_path / "both", FEATURE, PYPROJECT)
    servers = []
    for project in (plain, both):
        report = project / "report.html"
        result = behave(project, "-f", "wsbdd.report.html:HtmlFormatter", "-o", str(report))
        assert result.returncode == 0, failures(result.stdout + result.stderr)
        page = report.read_text(encoding="utf-8")
        servers.append(
            re.findall(r"ws://127\.0\.0\.1:\d+(?: and http://[\d.:]+ \(Socket\.IO\))?", page)
        )
    assert servers[0] and all("Socket.IO" not in s for s in servers[0])
    assert any(s.endswith("(Socket.IO)") for s in servers[1]), servers[1]
