"""Mistakes the run names in its first step, found by ``wsbdd check`` before the run.

A scenario with no steps (a keyword of another language read as description), a Scenario
Outline with no Examples rows or a placeholder with no column, and step words no run
accepts: a wait of 0 seconds for a quiet window or of more than a day, a regular
expression that does not compile, sending 0 messages, a group of 0 clients, a close code
no client may send, a load step that sends nothing or demands a share or rate that checks
nothing; a step that reads a response, or a load step's messages, before any step made
them.  The sentences are the run's own: the same functions say them, here without the
step's name (a check finding names its line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any, cast

from wsbdd.catalogue.project import Problem, display
from wsbdd.expect import Quiet
from wsbdd.expect.response import compile_capture
from wsbdd.glue.mistakes import empty_scenario, missing_column, outline_without_examples
from wsbdd.load.metrics import parse_percentile
from wsbdd.load.schedule import count_offsets, parse_duration, parse_rate
from wsbdd.match import refusals
from wsbdd.match.grammar import seconds
from wsbdd.model.closing import unsendable_close
from wsbdd.model.errors import FeatureMistake

__all__ = ["early_problems"]

_FREE_TEXT = {"payload", "where", "reply", "target", "token", "name", "names"}
"""Words these checks never read: a variable in them does not hide a count or a time."""

_QUIET = {"wsbdd.steps.receiving.receives_nothing", "wsbdd.steps.groups.nobody_receives"}


def _paced(words: dict[str, Any]) -> None:
    """A load step's pace, read as the step reads it (wsbdd.steps.load)."""
    if words.get("duration"):
        refusals.sending_time(words["duration"], parse_duration(words["duration"]))
    elif words.get("count"):
        times = refusals.times_to_send(words["count"])
        if words.get("rate"):
            low, high = parse_rate(words["rate"])
            if low == high:
                count_offsets(times, low)


def _step_checks(name: str, words: dict[str, Any]) -> Iterator[Callable[[], Any]]:
    """What the step ``name`` (its function's qualified name) would refuse at once."""
    amount = words.get("amount")
    unit = words.get("unit")
    if amount is not None:
        yield lambda: seconds(amount, unit)  # more than a day: a FeatureMistake
        if name in _QUIET:
            yield lambda: Quiet("", None, seconds(amount, unit) or 0.0)
    count = str(words.get("count"))
    if name in ("wsbdd.steps.sending.sends_many", "wsbdd.steps.sending.sends_many_inline"):
        yield lambda: refusals.messages_to_send(count)
    elif name == "wsbdd.steps.groups.some_receive":
        yield lambda: refusals.watch_window(words["op"], words["n"], amount, unit)
    elif name in ("wsbdd.steps.variables.remember_text_match", "wsbdd.steps.http.remember_match"):
        yield lambda: compile_capture(words["pattern"])
    elif name == "wsbdd.steps.groups.crowd_connected":
        yield lambda: refusals.group_size(count, words["group"])
    elif name.startswith("wsbdd.steps.load.crowd_"):
        yield lambda: refusals.crowd_size(int(count.replace(",", "")))
    elif name.startswith("wsbdd.steps.load.every_sends_paced"):
        yield lambda: _paced(words)
    elif name.startswith("wsbdd.steps.load.every_sends_closed_loop"):
        yield lambda: refusals.times_to_send(count)
    elif name in (
        "wsbdd.steps.load.share_back",
        "wsbdd.steps.load.share_delivered",
        "wsbdd.steps.load.connections_succeeded",
    ):
        yield lambda: refusals.share(words["percent"])
    elif name == "wsbdd.steps.load.throughput_at_least":
        yield lambda: refusals.least_rate(words["what"], words["bound"])
    elif name == "wsbdd.steps.load.percentile_below":
        yield lambda: parse_percentile(words["which"])
    elif name == "wsbdd.steps.connection.closes" and words.get("code"):
        reason = words.get("reason") or ""
        yield lambda: unsendable_close(int(words["code"]), "" if "${" in reason else reason)


_READS_RESPONSE = {
    f"wsbdd.steps.http.{name}"
    for name in (
        "response_status",
        "response_where",
        "response_table",
        "response_like",
        "response_header",
        "response_no_header",
        "response_body",
        "remember_from_response",
        "remember_header",
        "remember_match",
    )
}
_READS_LOAD = {
    f"wsbdd.steps.load.{name}"
    for name in ("delivered_to_group", "share_delivered", "back_to_sender", "share_back")
}


def _order_check(name: str, state: set[str]) -> Callable[[], Any] | None:
    """A step that reads a response, or a load step's messages, when every step before it
    only read them too (any other step might have made them: a refused handshake is a
    response).  The sentence is the one the session or the load driver says."""
    from wsbdd.facade.session import Session
    from wsbdd.load.driver import LoadDriver

    if name in _READS_RESPONSE and not state:
        return lambda: Session.response(cast(Any, SimpleNamespace(last_response=None)))
    if name in _READS_LOAD and not state:
        return lambda: LoadDriver._need_run(cast(Any, SimpleNamespace(last=None)))
    if name not in _READS_RESPONSE and name not in _READS_LOAD:
        state.add(name)
    return None


def _steps(registry: Any, scenario: Any) -> Iterator[Problem]:
    state: set[str] = set()
    for step in getattr(scenario, "all_steps", ()):
        match = registry.find_match(step)
        if match is None:
            continue
        func = match.func
        name = f"{getattr(func, '__module__', '')}.{getattr(func, '__name__', '')}"
        if not name.startswith("wsbdd.steps."):
            # A phrase or the project's own step: its words are its own, and what it
            # requests or sends is unknown.
            state.add(name)
            continue
        words = {a.name: a.value for a in match.arguments if a.name}
        checks = list(_step_checks(name, words))
        if any(
            "${" in str(value) or "<" in str(value)
            for key, value in words.items()
            if key not in _FREE_TEXT
        ):
            checks = []  # a value filled in at run time
        in_order = _order_check(name, state)
        for check in [*checks, *([in_order] if in_order else [])]:
            try:  # a check raises its sentence, or returns it (a close code's)
                said = check()
            except FeatureMistake as mistake:
                said = str(mistake)
            if isinstance(said, str):
                yield Problem(display(step.filename), step.line, said)
                break


def early_problems(features: list[Any], registry: Any) -> set[Problem]:
    """Every finding of this module for ``features`` (parsed by behave)."""
    problems: set[Problem] = set()
    for feature in features:
        for scenario in getattr(feature, "scenarios", ()):
            where = (display(scenario.filename), scenario.line)
            if type(scenario).__name__ == "ScenarioOutline":
                sentence = outline_without_examples(scenario)
                if sentence is not None:
                    problems.add(Problem(*where, sentence))
                for made in scenario.scenarios:
                    found = missing_column(made)
                    if found is not None:
                        step, sentence = found
                        problems.add(Problem(display(step.filename), step.line, sentence))
                    problems.update(_steps(registry, made))
                continue
            sentence = empty_scenario(scenario)
            if sentence is not None:
                problems.add(Problem(*where, sentence))
            problems.update(_steps(registry, scenario))
    return problems
