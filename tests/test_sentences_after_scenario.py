"""What wsbdd's behave hooks fail a scenario or a feature with, pinned whole.

wsbdd's ``after_scenario`` hook gathers the scenario's leftover problems (no steps at
all, a last send that failed, strict mode's unexpected messages) and fails the
scenario with their sentence.  Here the hook runs on scenarios behave's own parser
made, with a real Session against the demo server.
"""

from __future__ import annotations

import types

import pytest
from behave.model_core import Status
from behave.parser import parse_feature

from tests.sentences import clock
from wsbdd.facade.session import Run
from wsbdd.glue.environment import after_scenario
from wsbdd.settings.config import Settings


def scenario(text: str, *, passed: bool = True):
    found = parse_feature(f"Feature: chat\n{text}", filename="chat.feature").scenarios[0]
    for step in found.all_steps:
        step.status = Status.passed if passed else Status.untested
    return found


def hook_says(session, ran) -> str | None:
    try:
        after_scenario(types.SimpleNamespace(wsbdd=session), ran)
    except AssertionError as error:
        return clock(str(error))
    return None


@pytest.fixture(scope="module")
def strict_run():
    with Run.start(Settings(strict=True, timeout=2.0)) as run:
        yield run


def test_strict_mode_fails_a_scenario_that_left_a_message_unread(strict_run):
    ran = scenario("  Scenario: echo\n    Given Alice is connected\n")
    session = strict_run.session()
    session.connect("Alice")
    session.send("Alice", '{"type": "echo", "content": "x"}')
    assert hook_says(session, ran) == (
        "Strict mode: Alice received 1 message nobody expected:\n"
        '  #2 HH:MM:SS.mmm {"type":"echo","content":"x","n":1}'
    )


def test_strict_mode_passes_a_scenario_that_read_its_messages(strict_run):
    ran = scenario("  Scenario: echo\n    Given Alice is connected\n")
    session = strict_run.session()
    session.connect("Alice")
    session.send("Alice", '{"type": "echo", "content": "x"}')
    session.receive("Alice")
    assert hook_says(session, ran) is None


def test_a_scenario_without_steps(strict_run):
    ran = scenario("  Scenario: nothing\n    Alice is connected\n", passed=False)
    assert hook_says(strict_run.session(), ran) == (
        'The scenario "nothing" (chat.feature:2) has no steps, so it checks nothing. A line '
        "that does not begin with Given, When, Then, And or But is read as its description; a "
        'keyword of another language needs "# language: de" (or its code) as the file\'s '
        "first line."
    )


# -- before the first step, and after the feature (also pinned through behave itself in
# -- test_sentences_run_mistakes.py) ------------------------------------------------------------


def test_a_misspelt_tag_fails_the_scenario_before_its_first_step(strict_run):
    from wsbdd.glue.environment import before_scenario

    found = parse_feature(
        "Feature: chat\n  @strikt\n  Scenario: tagged\n    Given Alice is connected\n",
        filename="chat.feature",
    ).scenarios[0]
    context = types.SimpleNamespace(wsbdd_run=strict_run)
    with pytest.raises(AssertionError) as raised:
        before_scenario(context, found)
    assert str(raised.value) == (
        "@strikt is not a tag wsbdd or behave acts on; did you mean @strict (wsbdd: fail when "
        "a client received a message no step checked)?"
    )
    context.wsbdd.close()


def test_an_outline_without_examples_fails_its_feature():
    from wsbdd.glue.environment import after_feature

    feature = parse_feature(
        "Feature: chat\n  Scenario Outline: nobody wrote them\n    Given <who> is connected\n",
        filename="chat.feature",
    )
    with pytest.raises(AssertionError) as raised:
        after_feature(types.SimpleNamespace(), feature)
    assert str(raised.value) == (
        'The Scenario Outline "nobody wrote them" (chat.feature:2) has no Examples rows, so it '
        "never ran: add an Examples table with at least one row under it."
    )
    after_feature(types.SimpleNamespace(), parse_feature("Feature: chat\n", filename="f"))
