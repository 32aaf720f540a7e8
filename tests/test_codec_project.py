"""Adding a protocol takes one codec module and one steps module (issue 13's proof).

A project gets tests/line_codec.py and tests/line_steps.py, unchanged, and nothing
else of its own; `wsbdd run` plays a feature written in the protocol's words against
a real line-protocol server, and the sentences, the transcript and the HTML report show
what went over the wire.  A second test reads both modules: they import only wsbdd's
public names, so neither Client, Session, the load engine nor the report had to change.
"""

from __future__ import annotations

import ast
import html
import shutil
from pathlib import Path

import pytest
from subprocesses import run_module
from test_codec_session import LineServer
from test_public_paths import PUBLIC

TESTS = Path(__file__).resolve().parent
EXAMPLE = [TESTS / "line_codec.py", TESTS / "line_steps.py"]

FEATURE = """\
Feature: the line protocol in its own words
  Scenario: an event said comes back
    Given Alice is connected
    When Alice says {"type": "said", "text": "hi"}
    Then Alice hears an event where $.type is "said" and $.text is "hi"
    And Alice is still connected

  Scenario: an event that never comes
    Given Alice is connected
    When Alice says {"type": "said", "text": "hi"}
    Then Alice hears an event where $.text is "bye"

  Scenario: a message the codec cannot send
    Given Alice is connected
    When Alice sends binary hex "01ff"

  Scenario: an event that is not JSON
    Given Alice is connected
    When Alice says {"type": }
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    with LineServer() as server:
        project = tmp_path_factory.mktemp("line-project")
        (project / "features" / "steps").mkdir(parents=True)
        (project / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
        steps = project / "features" / "steps"
        (steps / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
        shutil.copy(TESTS / "line_steps.py", steps / "line_steps.py")
        shutil.copy(TESTS / "line_codec.py", project / "line_codec.py")
        (project / "features" / "line.feature").write_text(FEATURE)
        (project / "pyproject.toml").write_text(
            f'[tool.wsbdd]\nurl = "ws://127.0.0.1:{server.port}"\n'
            'codec = "line_codec:LineCodec"\ntimeout = "1 s"\n'
        )
        result = run_module(project, "wsbdd.cli", "run", "--reports", "reports", "--no-color")
    report = project / "reports" / "report.html"
    assert report.is_file(), (result.stdout + result.stderr)[-3000:]
    return result, html.unescape(report.read_text(encoding="utf-8"))


def test_a_feature_in_the_protocols_words_runs_against_a_real_server(run):
    result, _ = run
    output = result.stdout + result.stderr
    assert "1 scenario passed, 3 failed" in output, output[-3000:]
    assert "Traceback" not in output


def test_an_event_that_never_comes_fails_showing_the_event_that_came(run):
    result, report = run
    sentence = (
        'Alice expected a message where $.text is "bye" within 1.0 s, but had 1 unread '
        "message, it did not match:"
    )
    # The event as the wire carried it, and what the condition's path saw in its value.
    closest = 'EVENT {"type": "said", "text": "hi"}   ($.text was "hi")'
    for text in (result.stdout, report):
        assert sentence in text and closest in text


def test_the_transcript_and_the_report_show_the_frames_the_intent_made(run):
    result, report = run
    assert '-> SAY {"type": "said", "text": "hi"}' in result.stdout  # the Say intent's frame
    # A received event: the frame on the wire, and what the codec decoded it into.
    decoded = '<- EVENT {"type": "said", "text": "hi"}  (decoded: {"type": "said", "text": "hi"})'
    assert decoded in result.stdout
    assert 'decoded: <code>{"type": "said", "text": "hi"}</code>' in report
    sent = 'data-dir="sent" data-frame="text">'
    received = 'data-dir="received" data-frame="text">'
    assert sent in report and received in report
    assert report.count('<span>SAY {"type": "said", "text": "hi"}</span>') == 2  # 2 scenarios
    assert '<span>EVENT {"type": "said", "text": "hi"}</span>' in report


def test_an_intent_the_codec_refuses_and_broken_json_fail_in_one_sentence_each(run):
    result, report = run
    refused = (
        'In the step "When Alice sends binary hex "01ff"": The line codec cannot send '
        "bytes: it sends text or a Say, not bytes."
    )
    assert refused in result.stdout and refused in report
    assert 'ASSERT FAILED: In the step "When Alice says {"type": }": ' in result.stdout


# -- the proof: public names only -------------------------------------------------------------


def wsbdd_imports(source: str) -> list[tuple[str, str]]:
    """Every (module, name) a source takes from wsbdd; ``import wsbdd.x`` gives (wsbdd.x, "")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "wsbdd":
            found += [(node.module or "", alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, "") for a in node.names if a.name.split(".")[0] == "wsbdd"]
    return found


def private(imports: list[tuple[str, str]]) -> list[str]:
    return [
        f"{module}:{name}" if name else module
        for module, name in imports
        if module not in PUBLIC or (name and name not in PUBLIC[module])
    ]


def test_the_scan_catches_a_private_import():
    source = (
        "from wsbdd.io.client import Client\n"
        "import wsbdd.load.engine\n"
        "from wsbdd.codec import Codec, find_codec\n"
    )
    assert private(wsbdd_imports(source)) == [
        "wsbdd.io.client:Client",
        "wsbdd.load.engine",
        "wsbdd.codec:find_codec",
    ]


@pytest.mark.parametrize("module", EXAMPLE, ids=lambda path: path.name)
def test_the_example_protocol_imports_only_wsbdds_public_names(module: Path):
    imports = wsbdd_imports(module.read_text(encoding="utf-8"))
    assert imports, "the example uses wsbdd"
    assert private(imports) == []


def test_docs_codecs_shows_the_steps_module_whole():
    steps = (TESTS / "line_steps.py").read_text(encoding="utf-8")
    body = steps[steps.index("from behave import step") :]
    page = (TESTS.parent / "docs" / "codecs.md").read_text(encoding="utf-8")
    marker = "<!-- example: run by tests/test_codec_project.py -->\n```python\n"
    assert marker + body + "```\n" in page
