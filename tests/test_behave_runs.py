"""behave as a user runs it, in a subprocess: the bundled features, failures, and mistakes."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from bundled import BundledRun
from subprocesses import behave as run_behave

ROOT = Path(__file__).resolve().parent.parent


def behave(cwd: Path, *args: str, env: dict[str, str] | None = None) -> CompletedProcess[str]:
    return run_behave(cwd, *args, env=env)


def failures(output: str) -> str:
    """The failed steps and their sentences, for assertion messages."""
    lines = output.splitlines()
    keep = [
        "\n".join(lines[max(0, i - 3) : i + 12])
        for i, line in enumerate(lines)
        if "ASSERT FAILED" in line or "HOOK-ERROR" in line or "Traceback" in line
    ]
    return "\n---\n".join(keep) or output[-3000:]


def make_project(tmp_path: Path, feature: str, pyproject: str = "") -> Path:
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (tmp_path / "features" / "example.feature").write_text(textwrap.dedent(feature))
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(textwrap.dedent(pyproject))
    return tmp_path


def test_the_bundled_features_pass_against_the_demo_server(bundled_run: BundledRun):
    output = bundled_run.output
    assert bundled_run.result.returncode == 0, failures(output)
    assert re.search(r"\d+ scenarios passed, 0 failed", output)
    assert "Traceback" not in output
    assert "Task was destroyed but it is pending" not in output


def test_wsbdd_demo_runs_the_bundled_features_and_writes_the_reports(bundled_run: BundledRun):
    assert bundled_run.result.returncode == 0, failures(bundled_run.output)
    assert "against the bundled demo server" in bundled_run.result.stdout
    junit = sorted(p.name for p in (bundled_run.reports / "junit").glob("*.xml"))
    assert "TESTS-chat.xml" in junit
    assert (
        (bundled_run.reports / "report.html")
        .read_text(encoding="utf-8")
        .startswith("<!DOCTYPE html>")
    )
    cucumber = (bundled_run.reports / "cucumber.json").read_text(encoding="utf-8")
    assert cucumber.startswith("[")
    # No runner banner; the presets' phrases are located in their TOML, not in wsbdd's code.
    assert "USING RUNNER" not in bundled_run.output
    assert '"location": "wsbdd/presets/chat.toml:' in cucumber
    assert "vocabulary/running.py" not in cucumber


FAILING = """\
    Feature: Failures read as sentences
      Scenario: Bob waits for a greeting that never comes
        Given clients Alice and Bob are connected
        When Alice sends {"type": "join", "room": "lobby"}
        And Bob sends {"type": "join", "room": "lobby"}
        Then Bob receives a message where $.type is "joined"
        When Alice sends {"type": "message", "room": "lobby", "content": "Hi"}
        Then Bob receives a message where $.content starts with "hello" within 500 ms

      Scenario: The next scenario starts clean
        Given Alice is connected
        When Alice sends {"type": "ping"}
        Then Alice receives a message where $.type is "pong"
"""


def test_a_failed_expectation_is_one_sentence_and_the_next_scenario_still_runs(tmp_path):
    result = behave(make_project(tmp_path, FAILING), "-f", "plain")
    output = result.stdout
    assert result.returncode == 1
    assert (
        'ASSERT FAILED: Bob expected a message where $.content starts with "hello" within '
        "500 ms, but had " in output
    )
    assert re.search(
        r'#\d+ \d\d:\d\d:\d\d\.\d{3} \{"type":"chat".*\(\$\.content was "Hi"\)', output
    )
    assert "Traceback" not in output + result.stderr
    assert "1 scenario passed, 1 failed" in output


MISTAKES = """\
    Feature: Feature-writer mistakes
      Scenario: Unknown client
        Given Alice is connected
        Then Zed receives a message where $.type is "chat"

      Scenario: Client used before it connected
        When Bob sends {"type": "ping"}

      Scenario: Broken JSON
        Given Alice is connected
        When Alice sends {"type": "join" "room": "lobby"}

      Scenario: Bad JSONPath
        Given Alice is connected
        Then Alice receives a message where $.items[ is 1

      Scenario: Unknown matcher word
        Given Alice is connected
        Then Alice receives a message where $.type equalz "chat"

      Scenario: Undefined variable
        Given Alice is connected
        When Alice sends {"type": "echo", "content": "${msg_id}"}
"""


def _failure_lines(output: str) -> dict[str, str]:
    """Scenario name -> its ASSERT FAILED text."""
    found: dict[str, str] = {}
    current = ""
    for line in output.splitlines():
        if line.strip().startswith("Scenario:"):
            current = line.split("Scenario:", 1)[1].strip()
        elif line.startswith("ASSERT FAILED:"):
            found[current] = line.removeprefix("ASSERT FAILED: ")
    return found


def test_feature_writer_mistakes_are_named_with_their_step_and_fix(tmp_path):
    result = behave(make_project(tmp_path, MISTAKES), "-f", "plain")
    output = result.stdout
    assert result.returncode == 1
    assert "Traceback" not in output + result.stderr
    failures = _failure_lines(output)
    assert failures["Unknown client"] == (
        'In the step "Then Zed receives a message where $.type is "chat"": There is no client '
        'called "Zed" in this scenario. Connect it first, e.g. "Given Zed is connected" '
        "(clients so far: Alice)."
    )
    assert failures["Client used before it connected"].startswith(
        'In the step "When Bob sends {"type": "ping"}": There is no client called "Bob"'
    )
    assert failures["Broken JSON"].startswith(
        'In the step "When Alice sends {"type": "join" "room": "lobby"}": The JSON is not valid'
    )
    assert 'The JSONPath "$.items[" is not valid' in failures["Bad JSONPath"]
    assert 'Unknown matcher "equalz"' in failures["Unknown matcher word"]
    assert failures["Undefined variable"].startswith(
        'In the step "When Alice sends {"type": "echo", "content": "${msg_id}"}": '
        'The variable "${msg_id}" is not set.'
    )
    assert "0 scenarios passed, 6 failed" in output


STRICT = """\
    Feature: Strict mode
      @strict
      Scenario: An unexpected message fails a strict scenario
        Given Alice is connected
        When Alice sends {"type": "echo", "content": "surprise", "times": 2}
        Then Alice receives a message where $.content is "surprise"
"""


def test_strict_mode_fails_on_messages_nobody_expected(tmp_path):
    pyproject = """\
        [tool.wsbdd]
        ignore = ['$.type is "welcome"']
    """
    result = behave(make_project(tmp_path, STRICT, pyproject), "-f", "plain")
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Strict mode: Alice received 1 message nobody expected:" in output
    assert '"content":"surprise","n":2' in output


@pytest.mark.parametrize("how", ["userdata", "environment"])
def test_the_server_url_can_be_given_on_the_command_line_or_in_the_environment(tmp_path, how):
    feature = """\
        Feature: Elsewhere
          Scenario: Nothing listens there
            Given Alice is connected
    """
    project = make_project(tmp_path, feature)
    url = "ws://127.0.0.1:9/"
    if how == "userdata":
        result = behave(project, "-f", "plain", "-D", f"wsbdd.url={url}")
    else:
        result = behave(project, "-f", "plain", env={"WSBDD_URL": url})
    assert result.returncode == 1
    assert (
        "ASSERT FAILED: Alice could not connect to ws://127.0.0.1:9/: the connection was refused"
        in result.stdout
    )


def readme_async_step() -> str:
    """The README's example of a user's own async step, as a user would paste it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Your own async steps", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert found, "the README's async step section lost its example"
    return found.group(1)


USES_ASYNC_STEP = """\
    Feature: A user's own async step
      Scenario: The step awaits a wsbdd connection on wsbdd's loop
        Given Alice is connected
        When Alice sends a burst
        Then Alice has received 10 messages where $.type is "echo"
"""


def test_the_readmes_async_step_runs_on_the_wsbdd_loop(tmp_path):
    project = make_project(tmp_path, USES_ASYNC_STEP)
    (project / "features" / "steps" / "my_steps.py").write_text(readme_async_step())
    result = behave(project, "-f", "plain")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 scenario passed, 0 failed" in result.stdout


def test_proxy_variables_do_not_reroute_connections(tmp_path):
    feature = """\
        Feature: Proxy settings in the environment
          Scenario: Loopback is reached directly
            Given Alice is connected
            When Alice sends {"type": "ping"}
            Then Alice receives a message where $.type is "pong"
    """
    dead_proxy = "http://127.0.0.1:9"
    env = {"HTTPS_PROXY": dead_proxy, "HTTP_PROXY": dead_proxy, "ALL_PROXY": dead_proxy}
    result = behave(make_project(tmp_path, feature), "-f", "plain", env=env)
    assert result.returncode == 0, result.stdout[-3000:]


def test_wsbdd_demo_server_command_serves_until_terminated():
    import signal

    proc = subprocess.Popen(
        [sys.executable, "-m", "wsbdd", "demo-server", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("wsbdd demo server listening on ws://127.0.0.1:")
        url = line.rsplit(" ", 1)[1].strip()

        from websockets.sync.client import connect

        with connect(url + "/", proxy=None, open_timeout=30) as ws:
            assert '"type":"welcome"' in ws.recv(timeout=30)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0  # exits by itself on SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
