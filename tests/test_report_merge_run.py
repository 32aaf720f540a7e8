"""``wsbdd report merge`` on real runs: shards, and a run merged with the rerun of its failures.

A project (test_report_run.py's hostile chat and secrets, and a scenario whose expected
greeting is a variable) runs as real ``wsbdd run`` processes:

* ``first``: everything, with behave's ``-f rerun`` writing ``rerun.txt``: three fail;
* ``rerun``: ``@rerun.txt`` with the right greeting (``-D wsbdd.variables.greeting=joined``):
  the greeting passes now, the two others fail again;
* two shards, one feature file each.

Then ``wsbdd report merge`` (a real process too) merges them; the merged HTML is read
with html.parser and opened in headless Chromium, the merged JUnit parsed and counted,
the merged Cucumber JSON put through the Cucumber project's validator, and every file
searched for the secrets.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browsers.chromium import INSTALL_HINT, find_chromium, visit
from test_report_cucumber import assert_valid_cucumber
from test_report_run import FEATURE, PYPROJECT, SECRETS, Node, parse

from wsbdd import __version__
from wsbdd.report.html import render_html
from wsbdd.report.results import read_results

GREETING = """\
Feature: A greeting that depends on the day
  Scenario: Alice is greeted when she joins
    Given Alice is connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    Then Alice receives a message where $.type is "${greeting}" within 2 s
"""
PROJECT = PYPROJECT.replace(
    'api_key = "sk-live-0123456789"', 'api_key = "sk-live-0123456789"\ngreeting = "hello"'
)
GREETING_NAME = "Alice is greeted when she joins"


def _wsbdd(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    return subprocess.run(
        [sys.executable, "-m", "wsbdd.cli", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@dataclass
class Project:
    folder: Path
    runs: dict[str, subprocess.CompletedProcess[str]]

    def reports(self, name: str) -> Path:
        return self.folder / "reports" / name


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = tmp_path_factory.mktemp("merge-project")
    (folder / "features" / "steps").mkdir(parents=True)
    (folder / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (folder / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (folder / "features" / "report.feature").write_text(FEATURE, encoding="utf-8")
    (folder / "features" / "greeting.feature").write_text(GREETING, encoding="utf-8")
    (folder / "pyproject.toml").write_text(PROJECT)
    later = ["--tags", "not @later"]
    runs = {
        "first": _wsbdd(
            folder,
            "run",
            "--reports",
            "reports/first",
            "--no-color",
            *later,
            "-f",
            "rerun",
            "-o",
            "rerun.txt",
        ),  # fmt: skip
        "rerun": _wsbdd(
            folder,
            "run",
            "--reports",
            "reports/rerun",
            "--no-color",
            "-D",
            "wsbdd.variables.greeting=joined",
            "@rerun.txt",
        ),  # fmt: skip
        "shard1": _wsbdd(
            folder,
            "run",
            "--reports",
            "reports/shard1",
            "--no-color",
            *later,
            "features/report.feature",
        ),  # fmt: skip
        "shard2": _wsbdd(
            folder,
            "run",
            "--reports",
            "reports/shard2",
            "--no-color",
            *later,
            "features/greeting.feature",
        ),  # fmt: skip
    }
    for name, result in runs.items():
        assert (folder / "reports" / name / "results.json").is_file(), (
            name + result.stdout[-3000:] + result.stderr[-3000:]
        )
    runs["merged"] = _wsbdd(
        folder, "report", "merge", "reports/first", "reports/rerun/results.json",
        "--rerun", "--reports", "reports/merged",
    )  # fmt: skip
    runs["sharded"] = _wsbdd(
        folder, "report", "merge", "reports/shard1", "reports/shard2",
        "--reports", "reports/sharded",
    )  # fmt: skip
    return Project(folder, runs)


def _outcomes(page: Node) -> dict[str, str]:
    return {
        node.find("span", "name").text(): node.attrs["data-outcome"] or ""
        for node in page.find_all("details", "scenario")
    }


def test_the_runs_failed_as_planned(project: Project):
    first = project.runs["first"]
    assert first.returncode == 1
    assert "2 scenarios passed, 3 failed, 1 skipped" in first.stdout, first.stdout[-2000:]
    rerun_file = (project.folder / "rerun.txt").read_text()
    assert "features/greeting.feature:2" in rerun_file
    rerun = project.runs["rerun"]
    assert rerun.returncode == 1
    assert "1 scenario passed, 2 failed" in rerun.stdout, rerun.stdout[-2000:]
    assert "wsbdd: results        reports/rerun/results.json" in rerun.stdout


def test_a_run_read_back_shows_what_its_report_showed(project: Project):
    reports = project.reports("first")
    back = render_html(read_results(reports / "results.json"))
    shown = (reports / "report.html").read_text(encoding="utf-8")
    # Each formatter takes the run's end when behave closes it: the run's length may differ.
    took = re.compile(r"<dt>Took</dt><dd>[^<]*</dd>")
    assert took.sub("", back) == took.sub("", shown)


def test_no_secret_reaches_a_results_file_or_a_merged_report(project: Project):
    files = [p for p in (project.folder / "reports").rglob("*") if p.is_file()]
    assert len(files) > 20
    for file in files:
        text = file.read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in text, (file, secret)


def test_the_rerun_merge_keeps_the_reruns_verdicts_and_flags_the_flake(project: Project):
    merged = project.runs["merged"]
    assert merged.returncode == 1, merged.stdout + merged.stderr  # two still fail
    assert (
        "wsbdd: merged 2 runs: 6 scenarios, 3 passed, 2 failed, 1 skipped; "
        "1 flaky (failed, then passed when run again)"
    ) in merged.stdout
    assert "wsbdd: report         reports/merged/report.html" in merged.stdout
    page = parse((project.reports("merged") / "report.html").read_text(encoding="utf-8"))
    assert _outcomes(page) == {
        "Scenario: Alice is greeted when she joins": "passed",
        "Scenario: Alice and Bob chat in the lobby": "passed",
        "Scenario: Bob waits for a greeting that never comes": "failed",
        "Scenario: Signing in with a token": "passed",
        "Scenario: A secret in a failure stays hidden": "failed",
        "Scenario: Not run today": "skipped",
    }
    assert page.find("p", "verdict").text() == "2 of 6 scenarios failed."
    assert page.find("dd", "n-flaky").text() == "1 scenario passed only when run again"
    (badge,) = page.find_all("span", "flaky")
    assert badge.text() == "flaky"
    note = page.find("p", "flaky-note").text()
    assert note == (
        "Flaky: this scenario failed at first and passed when run again. The first failure: "
        + 'Alice expected a message where $.type is "hello" within 2.0 s, but had 2 unread '
        "messages, none matched."
    ), note


def test_the_merged_report_opens_in_chromium_with_the_flake_shown(project: Project, tmp_path: Path):
    if find_chromium() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    flaky = (
        "[...document.querySelectorAll('details.scenario')]"
        ".filter(d => d.querySelector('.flaky'))"
        ".map(d => [d.querySelector('.name').innerText, "
        "getComputedStyle(d.querySelector('.flaky')).display, "
        "d.querySelector('.flaky-note').innerText.slice(0, 60)])"
    )
    seen = visit(
        project.reports("merged") / "report.html",
        open_all=True,
        screenshot=tmp_path / "merged.png",
        evaluate=[flaky, "document.querySelectorAll('details.scenario').length"],
    )
    assert seen.console_errors == [] and seen.exceptions == [] and seen.requests == []
    assert seen.pwned is None  # the hostile chat content stays text in a merged report too
    assert seen.evaluate_errors == {}
    ((name, display, note),) = seen.evaluated[flaky]
    assert name == f"Scenario: {GREETING_NAME}"
    assert display != "none"  # the badge is drawn
    assert note == "Flaky: this scenario failed at first and passed when run aga"
    assert seen.evaluated["document.querySelectorAll('details.scenario').length"] == 6


def _junit(folder: Path) -> dict[str, ET.Element]:
    return {p.name: ET.parse(p).getroot() for p in sorted((folder / "junit").glob("*.xml"))}


def test_the_merged_junit_parses_and_counts_right(project: Project):
    suites = _junit(project.reports("merged"))
    # One file per feature file, named as behave names them (compare the first run's).
    assert (
        sorted(suites)
        == sorted(_junit(project.reports("first")))
        == [
            "TESTS-greeting.xml",
            "TESTS-report.xml",
        ]
    )
    report = suites["TESTS-report.xml"]
    assert report.get("name") == "report.Reports show what was said"
    counts = {k: report.get(k) for k in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": "5", "failures": "2", "errors": "0", "skipped": "1"}
    failure = next(c for c in report if c.get("name", "").startswith("Bob waits")).find("failure")
    assert failure is not None
    assert failure.get("message", "").startswith("Bob expected a message where $.content")
    greeting = suites["TESTS-greeting.xml"]
    assert {k: greeting.get(k) for k in ("tests", "failures", "skipped")} == {
        "tests": "1",
        "failures": "0",
        "skipped": "0",
    }
    (case,) = list(greeting)
    assert (case.get("name"), case.get("status")) == (GREETING_NAME, "passed")
    assert case.find("flakyFailure") is not None
    out = case.findtext("system-out") or ""
    assert "Flaky: this scenario failed, then passed when run again." in out
    # The rerun's conversation, as behave's JUnit carries it.
    assert re.search(r'Alice\s+<- \{"type":"joined"', out), out


def test_the_merged_cucumber_json_passes_the_validator(project: Project):
    converted = assert_valid_cucumber(project.reports("merged") / "cucumber.json")
    scenarios = {
        e["name"]: e
        for f in converted["features"]
        for e in f["elements"]
        if e["type"] == "scenario"
    }
    assert len(scenarios) == 6
    assert scenarios[GREETING_NAME]["description"] == (
        'Flaky: failed at first (Alice expected a message where $.type is "hello" within 2.0 s, '
        "but had 2 unread messages, none matched.), passed when run again."
    )
    data = json.loads((project.reports("merged") / "cucumber.json").read_text())
    assert [f["uri"] for f in data] == ["features/greeting.feature", "features/report.feature"]


def test_shards_merge_into_the_run_they_split(project: Project):
    sharded = project.runs["sharded"]
    assert sharded.returncode == 1, sharded.stdout + sharded.stderr
    assert "wsbdd: merged 2 runs: 6 scenarios, 2 passed, 3 failed, 1 skipped" in sharded.stdout
    first = parse((project.reports("first") / "report.html").read_text(encoding="utf-8"))
    merged = parse((project.reports("sharded") / "report.html").read_text(encoding="utf-8"))
    assert _outcomes(merged) == _outcomes(first)
    numbers = [node.attrs["id"] for node in merged.find_all("details", "scenario")]
    assert numbers == [f"s{i}" for i in range(1, 7)]


def test_merge_refuses_bad_input_in_one_sentence(project: Project, tmp_path: Path):
    nothing = _wsbdd(project.folder, "report", "merge")
    assert nothing.returncode == 2
    assert nothing.stderr == (
        "wsbdd report merge: Name the results to merge: results.json files or the report "
        "folders that hold them (wsbdd report merge reports/shard1 reports/shard2).\n"
    )
    empty = _wsbdd(project.folder, "report", "merge", "features")
    assert (empty.returncode, empty.stderr) == (
        2,
        "wsbdd report merge: The folder features holds no results.json: give a report "
        "folder a run wrote (wsbdd run --reports features), or the file itself.\n",
    )
    data = json.loads((project.reports("shard2") / "results.json").read_text())
    data["wsbdd"] = "0.0.1"
    older = tmp_path / "results.json"
    older.write_text(json.dumps(data))
    mixed = _wsbdd(project.folder, "report", "merge", "reports/shard1", str(older))
    assert (mixed.returncode, mixed.stderr) == (
        2,
        f"wsbdd report merge: {older} was written by wsbdd 0.0.1, and this is wsbdd "
        f"{__version__}: run the tests again with this version to merge their results.\n",
    )
    garbled = tmp_path / "garbled.json"
    garbled.write_text('{"format": ')
    broken = _wsbdd(project.folder, "report", "merge", str(garbled))
    assert (broken.returncode, broken.stderr) == (
        2,
        f"wsbdd report merge: {garbled} is not a wsbdd results file: its JSON is broken "
        "at line 1.\n",
    )


def _shape(folder: Path) -> list[Any]:
    """What a JUnit reader counts: each file's suite and counts, each case and its verdict."""
    shape: list[Any] = []
    for name, suite in _junit(folder).items():
        counts = [suite.get(k) for k in ("name", "tests", "failures", "errors", "skipped")]
        cases = [
            (c.get("classname"), c.get("name"), c.get("status"), [x.tag for x in c]) for c in suite
        ]
        shape.append((name, counts, cases))
    return shape


def test_merged_shards_write_junit_in_the_shape_behave_wrote_for_the_whole_run(project: Project):
    # The first run ran everything in one behave process, with behave's own --junit.
    assert _shape(project.reports("sharded")) == _shape(project.reports("first"))
