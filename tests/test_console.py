"""What plain behave and ``wsbdd run`` print: a failed scenario's conversation (once, masked),
no ``USING RUNNER`` line, and phrase steps located at their line in the project's TOML.

Real subprocesses on a project laid out as ``wsbdd init`` makes it, against the demo server.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from subprocesses import behave, run_module

from wsbdd.glue.runner import RUNNER
from wsbdd.report.outputs import behave_args
from wsbdd.settings.config import load_settings
from wsbdd.vocabulary.phrases import load_phrases

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "wsbdd" / "scaffold" / "template"
SECRET = "alice-token"  # the demo's token for Alice; written in a step, so a secret

SETTINGS = """\
timeout = "5 s"  # the failing steps say how long they wait
ignore = ['$.type is "welcome"']

# The team's words. (This comment quotes one: {client} joins room "{room}" -- the
# location must be the phrase's own line, not this one.)

[[phrases]]
step    = '{client} waves'
send    = '{"type": "echo", "content": "wave"}'

[[phrases]]
meaning = "The step key need not come first."
step    = '{client} joins room "{room}"'
send    = '{"type": "join", "room": "${room}", "name": "${client}"}'
await   = '$.type is "joined" and $.room is "${room}"'
"""

FEATURE = """\
Feature: Console output

  Scenario: A failure shows its conversation
    Given Alice is connected to "/secure" with token "alice-token"
    And Alice joins room "lobby"
    When Alice sends {"type": "echo", "content": "I said alice-token aloud"}
    Then Alice receives a message where $.type is "never-sent" within 300 ms

  Scenario: A passing scenario prints no conversation
    Given Alice is connected
    When Alice waves
    Then Alice receives a message where $.content is "wave"
"""


def make_project(folder: Path, *, runner_in_config: bool = True) -> Path:
    """A project as ``wsbdd init`` lays it out (its behave.ini and environment.py)."""
    (folder / "features" / "steps").mkdir(parents=True)
    shutil.copy(TEMPLATE / "environment.py.tmpl", folder / "features" / "environment.py")
    (folder / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    ini = (TEMPLATE / "behave.ini").read_text(encoding="utf-8")
    assert f"runner = {RUNNER}" in ini  # what `wsbdd init` writes
    if not runner_in_config:
        ini = "\n".join(line for line in ini.splitlines() if not line.startswith("runner"))
    (folder / "behave.ini").write_text(ini, encoding="utf-8")
    (folder / "wsbdd.toml").write_text(SETTINGS, encoding="utf-8")
    (folder / "features" / "console.feature").write_text(FEATURE, encoding="utf-8")
    return folder


def step_line(settings: Path, words: str) -> int:
    """The line of the ``step = '…'`` key holding ``words``."""
    lines = settings.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith("step") and words in line)


def output(result: CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("console"))


@pytest.fixture(scope="module")
def pretty(project: Path) -> CompletedProcess[str]:
    """Plain behave, its default (pretty) console output, behave's capture on."""
    return behave(project, "-f", "pretty")


def test_plain_behave_prints_a_failed_scenarios_conversation_once(pretty: CompletedProcess[str]):
    text = output(pretty)
    assert pretty.returncode == 1, text[-3000:]
    # Only the failed scenario's: the passing one's conversation stays out of the log.
    assert text.count("WebSocket conversation (") == 1, text[-3000:]
    conversation = text[text.index("WebSocket conversation (") :]
    conversation = conversation[: conversation.index("CAPTURED_SCENARIO_OUTPUT_END")]
    assert "-- When Alice sends" in conversation
    assert '-> {"type": "echo", "content": "I said *** aloud"}' in conversation
    assert "closed with code 1000 by the client" in conversation
    assert "waves" not in conversation


def test_plain_behave_masks_the_secret_everywhere(pretty: CompletedProcess[str]):
    assert SECRET not in output(pretty)
    assert 'with token "***"' in pretty.stdout


def test_plain_behave_prints_no_runner_banner(pretty: CompletedProcess[str]):
    assert "USING RUNNER" not in output(pretty)
    assert pretty.stdout.startswith("Feature: Console output")


def test_pretty_output_locates_phrases_at_their_line_in_wsbdd_toml(
    project: Path, pretty: CompletedProcess[str]
):
    joins = step_line(project / "wsbdd.toml", "joins room")
    waves = step_line(project / "wsbdd.toml", "waves")
    assert re.search(rf'And Alice joins room "lobby" +# wsbdd\.toml:{joins}\n', pretty.stdout)
    assert re.search(rf"When Alice waves +# wsbdd\.toml:{waves}\n", pretty.stdout)
    assert "vocabulary/running.py" not in pretty.stdout


def test_no_capture_prints_the_conversation_once_and_masked(project: Path):
    result = behave(project, "--no-capture", "-f", "plain")
    text = output(result)
    assert result.returncode == 1, text[-3000:]
    assert text.count("WebSocket conversation (") == 1
    assert SECRET not in text
    assert "USING RUNNER" not in text


def test_with_junit_the_conversation_is_printed_once_too(project: Path, tmp_path: Path):
    result = behave(project, "-f", "progress3", "--junit", "--junit-directory", str(tmp_path))
    text = output(result)
    assert text.count("WebSocket conversation (") == 1, text[-3000:]
    assert SECRET not in text
    # JUnit still has every scenario's conversation, the passing one's as well.
    junit = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.xml"))
    assert junit.count("WebSocket conversation (") == 2
    assert SECRET not in junit


def test_steps_doc_locates_phrases_in_wsbdd_toml(project: Path):
    result = behave(project, "--dry-run", "-f", "steps.doc")
    joins = step_line(project / "wsbdd.toml", "joins room")
    assert f"Location: wsbdd.toml:{joins}\n" in result.stdout, result.stdout[-2000:]
    assert "USING RUNNER" not in output(result)


@pytest.fixture(scope="module")
def wsbdd_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CompletedProcess[str]]:
    """``wsbdd run`` in a project whose behave.ini names no runner: wsbdd run chooses it."""
    project = make_project(tmp_path_factory.mktemp("console-run"), runner_in_config=False)
    return project, run_module(project, "wsbdd", "run", "--no-color")


def test_wsbdd_run_prints_the_conversation_once_and_no_banner(
    wsbdd_run: tuple[Path, CompletedProcess[str]],
):
    _, result = wsbdd_run
    text = output(result)
    assert result.returncode == 1, text[-3000:]
    assert "USING RUNNER" not in text
    assert text.count("WebSocket conversation (") == 1, text[-3000:]
    assert SECRET not in text


def test_the_reports_locate_phrases_in_wsbdd_toml(wsbdd_run: tuple[Path, CompletedProcess[str]]):
    project, _ = wsbdd_run
    features = json.loads((project / "reports" / "cucumber.json").read_text(encoding="utf-8"))
    located = {
        step["name"]: step.get("match", {}).get("location")
        for feature in features
        for element in feature["elements"]
        for step in element["steps"]
    }
    joins = step_line(project / "wsbdd.toml", "joins room")
    assert located['Alice joins room "lobby"'] == f"wsbdd.toml:{joins}"
    assert located["Alice waves"] == f"wsbdd.toml:{step_line(project / 'wsbdd.toml', 'waves')}"


def test_the_bundled_features_print_no_banner_and_locate_preset_phrases():
    """The repo's own behave configuration (pyproject.toml) names wsbdd's runner; the
    bundled features' phrases come from the chat preset."""
    result = behave(ROOT, "--dry-run", "-f", "pretty", "features/chat.feature")
    assert "USING RUNNER" not in output(result)
    preset = ROOT / "wsbdd" / "presets" / "chat.toml"
    joins = step_line(preset, "joins room")
    assert re.search(rf'joins room "[^"]+" +# wsbdd/presets/chat\.toml:{joins}\n', result.stdout), (
        result.stdout[-2000:]
    )


def test_phrases_in_pyproject_are_located_at_their_own_table(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.wsbdd]
            timeout = "1 s"  # '{client} waves twice' is the second phrase

            [[tool.wsbdd.phrases]]
            step = '{client} waves'
            send = '{"type": "echo", "content": "wave"}'

            [[ tool.wsbdd.phrases ]]  # spaces and a comment
            send = '''
            [{"type": "echo", "content": "step = '{client} waves'"}]
            '''
            "step" = '{client} waves twice'
            """
        ),
        encoding="utf-8",
    )
    phrases = load_phrases(load_settings(tmp_path, userdata={}, environ={}), tmp_path)
    assert [(p.step, p.line) for p in phrases] == [
        ("{client} waves", 5),
        ("{client} waves twice", 12),
    ]
    assert all(Path(str(p.file)).name == "pyproject.toml" for p in phrases)


def test_wsbdd_run_asks_for_its_runner_only_when_the_project_chose_none(tmp_path: Path):
    args = behave_args(tmp_path / "reports", [], tmp_path)
    assert args[args.index("--runner") + 1] == RUNNER
    (tmp_path / "behave.ini").write_text("[behave]\nrunner = my.own:Runner\n", encoding="utf-8")
    assert "--runner" not in behave_args(tmp_path / "reports", [], tmp_path)


BANNER_SCRIPT = """
import io, sys
from wsbdd.glue.runner import _BannerFilter

real = io.StringIO()
sys.stdout = _BannerFilter(real)
print("USING RUNNER: wsbdd.glue.runner:Runner")
back = sys.stdout is real  # one line, then the real stream is back
print("Feature: next")
other = io.StringIO()
sys.stdout = _BannerFilter(other)
print("USING something else", end="")
print(" entirely")
back = back and sys.stdout is other
sys.stdout = sys.__stdout__
print(back, repr(real.getvalue()), repr(other.getvalue()))
"""


def test_the_banner_filter_drops_only_the_banner():
    """Only the banner line is dropped, and the real stream is back after one line (in a
    child process: sys.stdout is not the test's to replace)."""
    done = subprocess.run(
        [sys.executable, "-c", BANNER_SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert done.stdout == "True 'Feature: next\\n' 'USING something else entirely\\n'\n", (
        done.stdout + done.stderr
    )


def test_a_failure_found_after_the_steps_prints_the_conversation_too(tmp_path: Path):
    """Strict mode fails a scenario whose steps all passed, in after_scenario: its
    conversation is printed all the same (and a passing scenario's is not)."""
    project = make_project(tmp_path)
    (project / "features" / "console.feature").write_text(
        textwrap.dedent(
            """\
            Feature: Strict

              @strict
              Scenario: An echo nobody read
                Given Alice is connected
                When Alice sends {"type": "echo", "content": "unread"}
            """
        ),
        encoding="utf-8",
    )
    result = behave(project, "-f", "plain")
    text = output(result)
    assert result.returncode == 1, text[-3000:]
    assert "unread" in text[: text.index("WebSocket conversation (")], text[-3000:]
    assert text.count("WebSocket conversation (") == 1, text[-3000:]
    assert '<- {"type":"echo","content":"unread","n":1}' in text
