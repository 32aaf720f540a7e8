"""``wsbdd steps``: every registered step, grouped, with a meaning and a tested example."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from behave.parser import parse_file

from wsbdd.catalogue import collect, entry_key
from wsbdd.catalogue.project import feature_files, load_project
from wsbdd.catalogue.render import html_page, markdown

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bundled():
    """The catalogue of wsbdd's own project (its features run in CI)."""
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        project = load_project(ROOT)
        # As `wsbdd steps` does: examples the bundled features lack come from tests/features
        # (run by the tests against real servers other than the demo, e.g. HTTP steps).
        extra = [parse_file(str(f)) for f in feature_files([ROOT / "tests" / "features"])]
        yield project, collect(project, extra)
    finally:
        os.chdir(cwd)


def test_every_registered_step_is_in_the_catalogue(bundled):
    project, sections = bundled
    registered = {
        entry_key(matcher.func)
        for matchers in project.registry.steps.values()
        for matcher in matchers
    }
    entries = [entry for section in sections for entry in section.entries]
    assert len(entries) == len(registered)
    texts = {entry.text for entry in entries}
    assert "{client} receives a message where {conditions} [within {time}]" in texts
    assert '{client} joins room "{room}" [within {time}]' in texts
    assert '{client} hears {sender} say "{text}" in room "{room}" [within {time}]' in texts


def test_every_step_has_a_meaning_and_an_example_from_a_feature_that_runs_in_ci(bundled):
    _, sections = bundled
    missing = [
        f"{section.title}: {entry.text}"
        for section in sections
        for entry in section.entries
        if not entry.meaning or entry.example is None
    ]
    assert missing == [], "give these steps a docstring and use them in features/"
    for section in sections:
        for entry in section.entries:
            assert entry.example is not None
            assert entry.example.file.startswith(("features/", "tests/features/"))
            assert (ROOT / entry.example.file).is_file()


def test_steps_are_grouped_by_purpose(bundled):
    _, sections = bundled
    titles = [section.title for section in sections]
    assert titles[:5] == [
        "Connecting",
        "Groups of clients",
        "Sending",
        "Checking what clients receive",
        "Remembering values and pausing",
    ]
    assert "Phrases: the chat preset" in titles
    phrase = next(s for s in sections if s.title == "Phrases: the chat preset").entries[0]
    assert phrase.also == 'every client in group "{group}" joins room "{room}"'
    assert phrase.keywords == "Given/When/Then"


def test_markdown_shows_each_step_with_its_example(bundled):
    _, sections = bundled
    text = markdown(sections)
    assert text.startswith("# Steps\n")
    assert "## Checking what clients receive" in text
    assert '### `{client} joins room "{room}" [within {time}]`' in text
    assert re.search(r"```gherkin\n(Given|When|Then|And) [^\n]+ joins room \"\w+\"\n```", text)
    assert "<sub>from features/" in text


def test_html_is_one_standalone_escaped_page(bundled):
    _, sections = bundled
    page = html_page(sections)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script>alert" not in page
    assert html.escape('{client} joins room "{room}" [within {time}]') in page
    assert page.count('class="step"') == sum(len(s.entries) for s in sections)


def test_a_projects_own_python_step_is_listed_with_its_file(tmp_path, monkeypatch):
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (tmp_path / "features" / "steps" / "mine.py").write_text(
        "from behave import then\n\n"
        "@then('the shop is open')\n"
        "def shop_open(context):\n"
        '    """The shop accepts orders."""\n'
    )
    (tmp_path / "features" / "a.feature").write_text(
        "Feature: Shop\n  Scenario: Open\n    Then the shop is open\n"
    )
    monkeypatch.chdir(tmp_path)
    sections = collect(load_project(tmp_path))
    own = next(s for s in sections if s.title.startswith("Your own steps"))
    (entry,) = own.entries
    assert (entry.text, entry.keywords, entry.meaning) == (
        "the shop is open",
        "Then",
        "The shop accepts orders.",
    )
    assert entry.example is not None and entry.example.line == 3


def test_the_command_writes_markdown_and_html(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    out = tmp_path / "steps.html"
    result = subprocess.run(
        [sys.executable, "-m", "wsbdd.cli", "steps", "-o", str(out)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.match(r"wsbdd steps: \d+ steps written to ", result.stdout)
    assert out.read_text().startswith("<!DOCTYPE html>")
    printed = subprocess.run(
        [sys.executable, "-m", "wsbdd.cli", "steps"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert printed.returncode == 0
    assert printed.stdout.startswith("# Steps")
