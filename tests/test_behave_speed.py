"""wsbdd's context skips behave's stack walk on the runner's own writes, and nothing else:
behave's "context attribute masked" warnings still appear, naming the same place."""

from __future__ import annotations

import traceback
from pathlib import Path
from types import SimpleNamespace

import pytest
from behave.model_type import Status
from behave.runner import Context, ContextMaskWarning
from subprocesses import behave

from wsbdd.glue.behave_speed import speed_up_context, speed_up_statuses


class _Runner:  # what Context needs of behave's runner (weakref-able)
    def __init__(self, verbose: bool = False) -> None:
        self.config = SimpleNamespace(verbose=verbose)


def contexts(verbose: bool = False) -> tuple[Context, Context, _Runner]:
    runner = _Runner(verbose)
    plain, quick = Context(runner), Context(runner)
    speed_up_context(quick)
    return plain, quick, runner


def runner_writes(context: Context, text: object) -> None:
    """As behave's Step.run does: in behave mode, one line per attribute."""
    context.text = text
    context.table = None


def entering_a_scenario(context: Context) -> None:
    context._push(layer="feature")
    context._push(layer="scenario")


def test_the_runners_writes_walk_the_stack_once_per_line_not_once_per_step(monkeypatch):
    calls = []
    real = traceback.extract_stack

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(traceback, "extract_stack", counted)
    plain, quick, _ = contexts()
    for context in (plain, quick):
        entering_a_scenario(context)
    calls.clear()
    for n in range(100):
        runner_writes(quick, f"step {n}")
    assert len(calls) == 2  # one per line of runner_writes, the first time only
    calls.clear()
    for n in range(100):
        runner_writes(plain, f"step {n}")
    assert len(calls) == 200  # behave alone: two per step
    assert quick.text == plain.text == "step 99" and quick.table is None


def test_the_record_is_the_place_behave_records():
    plain, quick, _ = contexts()
    for context in (plain, quick):
        entering_a_scenario(context)
        runner_writes(context, "hello")
        runner_writes(context, "again")
    for attr in ("text", "table"):
        ours, theirs = quick._record[attr], plain._record[attr]
        assert (ours.filename, ours.lineno, ours.name, ours.line) == (
            theirs.filename,
            theirs.lineno,
            theirs.name,
            theirs.line,
        )
    assert quick._stack[0]["text"] == "again" and "text" in quick._stack[-1]  # root kept None
    assert quick._stack[-1]["text"] is None


def test_user_code_masking_an_attribute_behave_set_still_warns():
    _, quick, _ = contexts()
    entering_a_scenario(quick)
    runner_writes(quick, "from the feature")
    with quick.use_with_user_mode():
        with pytest.warns(
            ContextMaskWarning, match="user code is masking context attribute 'text'"
        ):
            quick.text = "mine"
    assert quick.text == "mine"


def set_by_user_in_before_all(context: Context) -> None:
    with context.use_with_user_mode():
        context.scenario = "my own value"


def test_behave_masking_an_attribute_the_user_set_still_names_the_users_place():
    messages = []
    for context in contexts()[:2]:
        set_by_user_in_before_all(context)
        entering_a_scenario(context)
        with pytest.warns(ContextMaskWarning) as caught:
            context.scenario = "behave's scenario"  # behave mode, as Scenario.run writes it
        messages.append(str(caught[0].message))
    theirs, ours = messages
    assert ours == theirs
    # behave names the place by its source line (FrameSummary[3]), then file and line.
    assert "behave runner is masking context attribute 'scenario' originally set in " in ours
    assert f'context.scenario = "my own value" ({__file__}:' in ours


def test_user_code_masking_its_own_attribute_still_warns_in_verbose_mode():
    _, quick, _ = contexts(verbose=True)
    with quick.use_with_user_mode():
        quick.thing = 1
        quick._push(layer="scenario")
        with pytest.warns(
            ContextMaskWarning, match="user code is masking context attribute 'thing'"
        ):
            quick.thing = 2


def test_the_class_name_in_behaves_messages_is_unchanged():
    _, quick, _ = contexts()
    with pytest.raises(AttributeError, match="'Context' object has no attribute 'nothing_here'"):
        quick.nothing_here  # noqa: B018
    assert isinstance(quick, Context)


def test_anything_but_behaves_own_context_is_left_alone():
    stand_in = SimpleNamespace(text=None)
    speed_up_context(stand_in)
    assert type(stand_in) is SimpleNamespace


ENVIRONMENT = """
import json, traceback, warnings
from wsbdd.environment import *
from wsbdd import environment as wsbdd_env

def before_all(context):
    context.scenario = "set in before_all"   # behave will mask it: a warning naming this line
    wsbdd_env.before_all(context)
    recorder = warnings.catch_warnings(record=True)
    context.caught = recorder.__enter__()
    warnings.simplefilter("always")
    calls = context.walks = []
    real = traceback.extract_stack
    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    traceback.extract_stack = counted

def after_all(context):
    wsbdd_env.after_all(context)
    with open("outcome.json", "w") as out:
        from behave.model_type import Status
        json.dump({"class": type(context).__module__,
                   "quick statuses": [n for n in ("has_failed", "is_error", "is_untested")
                                      if hasattr(getattr(Status, n), "__wsbdd_quick__")],
                   "walks": len(context.walks),
                   "warnings": [str(w.message) for w in context.caught]}, out)
"""

STEPS = """
from wsbdd.steps import *
from behave import step

@step("nothing happens")
def nothing(context):
    pass

@step("my step writes context.text")
def writes_text(context):
    context.text = "mine"
"""


def test_in_a_behave_run_wsbdd_skips_the_walks_and_behaves_warnings_remain(tmp_path: Path):
    features = tmp_path / "features"
    (features / "steps").mkdir(parents=True)
    (features / "environment.py").write_text(ENVIRONMENT)
    (features / "steps" / "steps.py").write_text(STEPS)
    steps = "\n".join(["    Given nothing happens"] * 40)
    (features / "quiet.feature").write_text(
        f"Feature: quiet\n  Scenario: many steps\n{steps}\n    And my step writes context.text\n"
    )
    result = behave(tmp_path, "-f", "plain", "--no-capture")
    assert result.returncode == 0, result.stdout + result.stderr
    outcome = __import__("json").loads((tmp_path / "outcome.json").read_text())
    assert outcome["class"] == "wsbdd.glue.behave_speed"
    assert outcome["quick statuses"] == ["has_failed", "is_error", "is_untested"], outcome
    # 41 steps; behave alone walks the stack twice per step (82), and once per write
    # of context.scenario/.tags/.feature and wsbdd's hooks' own attributes.
    assert outcome["walks"] < 20, outcome  # 8 here
    caught = outcome["warnings"]
    masked = [w for w in caught if "behave runner is masking context attribute 'scenario'" in w]
    assert masked and 'context.scenario = "set in before_all"' in masked[0], caught
    assert "environment.py:7)" in masked[0], caught
    assert any("user code is masking context attribute 'text'" in w for w in caught), caught


PREDICATES = (
    "has_failed", "is_passed", "is_failure", "is_error", "is_hook_error",
    "is_untested", "is_pending", "is_undefined", "is_final",
)  # fmt: skip


def behaves_own(name: str):
    """behave's own predicate, whether or not this process sped it up already."""
    found = getattr(Status, name)
    return getattr(found, "__wrapped__", found)


def test_the_quick_status_predicates_give_behaves_answers_for_every_status():
    expected = {(name, m): behaves_own(name)(m) for name in PREDICATES for m in Status}
    assert any(expected.values()) and not all(expected.values())
    speed_up_statuses()
    speed_up_statuses()  # twice changes nothing
    for name in PREDICATES:
        assert getattr(Status, name).__wrapped__ is behaves_own(name)  # not wrapped twice
        for member in Status:
            assert getattr(member, name)() is expected[(name, member)], (name, member)


def test_the_quick_status_predicates_never_call_status_eq(monkeypatch):
    speed_up_statuses()
    calls = []
    real = Status.__eq__

    def counted(self, other):
        calls.append(other)
        return real(self, other)

    monkeypatch.setattr(Status, "__eq__", counted)
    for member in Status:
        for name in PREDICATES:
            getattr(member, name)()
    assert calls == []
    for member in Status:  # behave's own predicates: a Python-level __eq__ per member passed
        for name in PREDICATES:
            behaves_own(name)(member)
    assert len(calls) > 100


def test_the_mode_switches_set_and_restore_the_mode_as_behaves_do():
    from behave.runner import ContextMode

    for context in contexts()[:2]:
        assert context._mode is ContextMode.BEHAVE
        with context.use_with_user_mode():
            assert context._mode is ContextMode.USER
            with context._use_with_behave_mode():
                assert context._mode is ContextMode.BEHAVE
            assert context._mode is ContextMode.USER
        assert context._mode is ContextMode.BEHAVE
        with pytest.raises(KeyError), context.use_with_user_mode():  # put back on a raise too
            raise KeyError("a step failed")
        assert context._mode is ContextMode.BEHAVE
    _, quick, _ = contexts()
    assert type(quick.use_with_user_mode()).__name__ == "_Mode"  # wsbdd's, not a generator
