"""The report of a big run reads well: 300 scenarios, 30 failing the same way.

One real ``wsbdd run`` (a subprocess, the bundled demo server) of a project in a git
checkout: a Scenario Outline with 300 rows, 30 of which wait for an echo that never
comes, among pongs the ``ignore`` setting names; a token from a secret variable; a
``${word}`` variable in the step text; a phrase of the project's vocabulary that fails.
The report is read as HTML and opened in headless Chromium.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from browsers.chromium import INSTALL_HINT, find_chromium, visit

ROWS = 300
FAILING = 30
TOKEN = "alice-token"

SETTINGS = """\
ignore = ['$.type is "welcome"', '$.type is "pong"']
secrets = ["token"]

[variables]
word = "hello"
token = "alice-token"

[report]
title = "Three hundred rounds"
metadata = { "App version" = "2.4.1", Environment = "staging" }

[[phrases]]
step = '{client} hears "{text}" back'
await = '$.type is "echo" and $.content is "${text}"'
within = "200 ms"
"""

PHRASES = """\
@phrases
Feature: In the app's own words

  Scenario: A phrase that does not come true
    Given Alice is connected
    When Alice sends {"type": "echo", "content": "hi"}
    Then Alice hears "bye" back
"""


def _outline() -> str:
    rows = []
    for n in range(1, ROWS + 1):
        # Every tenth row waits for an echo of a word Alice never said.
        expect = "nobody" if n % (ROWS // FAILING) == 0 else "${word}"
        rows.append(f"      | {n:<3} | {expect:<8} |")
    return (
        "@rounds\n"
        "Feature: Three hundred rounds of echoes\n\n"
        "  @echo\n"
        "  Scenario Outline: Round <n>\n"
        '    Given Alice is connected to "/secure" with token "${token}"\n'
        '    When Alice sends {"type": "ping"}\n'
        '    And Alice sends {"type": "ping"}\n'
        '    And Alice sends {"type": "echo", "content": "${word}-<n>"}\n'
        '    Then Alice receives a message where $.type is "echo" and $.content is '
        '"<expect>-<n>" within 200 ms\n\n'
        "    Examples:\n"
        "      | n   | expect   |\n" + "\n".join(rows) + "\n"
    )


@dataclass
class BigRun:
    folder: Path
    html: str
    result: subprocess.CompletedProcess[str]
    commit: str


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> BigRun:
    folder = tmp_path_factory.mktemp("big-project")
    (folder / "features" / "steps").mkdir(parents=True)
    (folder / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (folder / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (folder / "features" / "rounds.feature").write_text(_outline(), encoding="utf-8")
    (folder / "features" / "phrases.feature").write_text(PHRASES, encoding="utf-8")
    (folder / "wsbdd.toml").write_text(SETTINGS, encoding="utf-8")
    (folder / ".gitignore").write_text("reports/\n")
    _git(folder, "init", "-q", "-b", "main")
    _git(folder, "add", ".")
    _git(
        folder,
        "-c",
        "user.name=Tester",
        "-c",
        "user.email=tester@example.invalid",
        "commit",
        "-q",
        "-m",
        "the project",
    )
    commit = _git(folder, "rev-parse", "--short=12", "HEAD")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wsbdd.cli",
            "run",
            "--no-color",
            "-f",
            "null",
            "-D",
            "wsbdd.report.metadata.Build=ci-1234",
        ],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    page = folder / "reports" / "report.html"
    assert page.is_file(), (result.stdout + result.stderr)[-3000:]
    return BigRun(folder, page.read_text(encoding="utf-8"), result, commit)


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_the_run_fails_with_31_of_301(big: BigRun):
    assert big.result.returncode == 1, (big.result.stdout + big.result.stderr)[-3000:]
    assert "31 of 301 scenarios failed." in _text(big.html)


def test_thirty_alike_failures_are_one_cause(big: BigRun):
    causes = re.findall(r'<li class="cause">(.*?)</details></li>', big.html, re.S)
    assert len(causes) == 2  # the 30 rounds, and the phrase
    first = causes[0]
    summary = _text(re.search(r"<summary>(.*?)</summary>", first, re.S).group(1))
    assert summary.startswith(
        '30 scenarios: Alice expected a message where $.type is "echo" and $.content is "…" '
        "within 200 ms, but had 4 unread messages, none matched (no match)"
    )
    assert 'Then Alice receives a message where $.type is "…" and $.content is "…"' in summary
    links = re.findall(r'<a href="#s(\d+)">', first)
    assert len(links) == FAILING
    # Each opens to its scenario: the 10th, 20th, … row.
    assert [int(n) for n in links] == list(range(11, ROWS + 2, 10))  # phrases.feature is first


def test_the_phrase_leads_and_its_conditions_come_second(big: BigRun):
    text = _text(big.html)
    assert '"Alice hears "bye" back" did not happen:\nAlice expected a message where' in text


def test_ignored_messages_are_folded_in_the_failure_and_in_the_diagram(big: BigRun):
    scenario = re.search(r'id="s11".*?</details>\n</div>\n</details>', big.html, re.S).group(0)
    text = _text(scenario)
    sentence = text.split("Expected and observed")[0]
    assert "none matched:" in sentence and "  + 2 pongs ignored" in sentence
    assert '"type":"pong"' not in sentence  # folded: listed only when the fields are opened
    assert '"type":"echo","content":"hello-' in sentence  # the near miss is listed
    # In the conversation the two pongs are one line that opens to them.
    folded = re.findall(
        r'<details class="mark" data-client="Alice" data-mark="ignored">'
        r"<summary>.*?</summary>(.*?)</details>",
        scenario,
        re.S,
    )
    assert len(folded) == 1 and "+ 2 pongs ignored" in scenario
    assert folded[0].count('{"type":"pong"') == 2
    assert scenario.count('<span data-json>{"type":"pong"') == 0


def test_steps_show_variables_resolved_and_secrets_masked(big: BigRun):
    text = _text(big.html)
    assert '"content": "hello-17"' in text
    assert 'to "/secure" with token "***"' in text
    assert TOKEN not in big.html
    # As written, it is there too: when the step is pointed at.
    assert (
        'title="as written: Alice sends {&#34;type&#34;: &#34;echo&#34;, '
        "&#34;content&#34;: &#34;${word}-17" in big.html
    )


def test_tables_count_per_feature_and_per_tag(big: BigRun):
    feature_rows = re.findall(
        r"<tr[^>]*><th scope=\"row\"><a href=\"#f\d\">(.*?)</a></th>"
        r"<td>(\d+)</td><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td>"
        r"<td[^>]*>(\d+)</td>",
        big.html,
    )
    assert [(unescape(n), *map(int, c)) for n, *c in feature_rows] == [
        ("In the app's own words", 1, 0, 1, 0),
        ("Three hundred rounds of echoes", 300, 270, 30, 0),
    ] or [(unescape(n), *map(int, c)) for n, *c in feature_rows] == [
        ("Three hundred rounds of echoes", 300, 270, 30, 0),
        ("In the app's own words", 1, 0, 1, 0),
    ]
    tag_rows = re.findall(
        r'data-tag="(@\w+)">@\w+</th><td>(\d+)</td><td[^>]*>(\d+)</td>'
        r"<td[^>]*>(\d+)</td><td[^>]*>(\d+)</td>",
        big.html,
    )
    assert {tag: tuple(map(int, c)) for tag, *c in tag_rows} == {
        "@echo": (300, 270, 30, 0),
        "@phrases": (1, 0, 1, 0),
        "@rounds": (300, 270, 30, 0),
    }


def test_the_header_says_what_the_run_was(big: BigRun):
    facts = dict(re.findall(r'<div class="md"><dt>(.*?)</dt><dd>(.*?)</dd></div>', big.html))
    assert facts["Git commit"] == f"{big.commit} (main)"
    assert facts["App version"] == "2.4.1"
    assert facts["Environment"] == "staging"
    assert facts["Build"] == "ci-1234"
    assert re.fullmatch(r"\d+\.\d+.*", facts["wsbdd"])
    assert list(facts)[:2] == ["wsbdd", "Git commit"]


_BARS = "document.querySelectorAll('#timeline a.bar').length"
_FAILED_BARS = "document.querySelectorAll('#timeline a.bar.o-failed').length"
_CAUSE = "document.querySelector('li.cause .count').textContent"
_FEATURE_TOTAL = (
    "Array.from(document.querySelectorAll('#by-feature tbody tr'))"
    ".map(r => r.cells[0].textContent + '=' + r.cells[1].textContent"
    " + '/' + r.cells[3].textContent)"
    ".sort().join(';')"
)
_COMMIT = (
    "Array.from(document.querySelectorAll('.facts .md'))"
    ".map(d => d.textContent).filter(t => t.startsWith('Git commit')).join('')"
)
_SHOWN = "document.body.innerText.indexOf('hello-17') >= 0"
_SECRET = f"document.documentElement.outerHTML.indexOf('{TOKEN}')"
_OPENS = (
    "(() => { const bar = document.querySelector('#timeline a.bar.o-failed'); bar.click();"
    " const target = document.getElementById(bar.getAttribute('href').slice(1));"
    " return target.open && location.hash === bar.getAttribute('href'); })()"
)


@pytest.fixture(scope="module")
def seen(big: BigRun) -> Any:
    if find_chromium() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return visit(
        big.folder / "reports" / "report.html",
        evaluate=[_BARS, _FAILED_BARS, _CAUSE, _FEATURE_TOTAL, _COMMIT, _SHOWN, _SECRET, _OPENS],
    )


def test_chromium_shows_the_groups_tables_timeline_and_header(seen: Any, big: BigRun):
    assert (seen.console_errors, seen.exceptions, seen.requests) == ([], [], [])
    assert seen.evaluate_errors == {}
    assert seen.evaluated[_CAUSE] == "30 scenarios"
    assert seen.evaluated[_BARS] == ROWS + 1
    assert seen.evaluated[_FAILED_BARS] == FAILING + 1
    assert seen.evaluated[_FEATURE_TOTAL] == (
        "In the app's own words=1/1;Three hundred rounds of echoes=300/30"
    )
    assert seen.evaluated[_COMMIT] == f"Git commit{big.commit} (main)"
    assert seen.evaluated[_SHOWN] is True
    assert seen.evaluated[_SECRET] == -1
    assert seen.evaluated[_OPENS] is True
