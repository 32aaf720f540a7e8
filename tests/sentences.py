"""One harness for failure sentences, in the spirit of PyHamcrest's ``matcher_test``.

Every failure sentence wsbdd writes is pinned whole (never a substring) by one of
three checks:

- :func:`assert_met`: no failure when the expectation holds;
- :func:`assert_failure`: an :class:`~wsbdd.expect.Outcome` failed with exactly this text;
- :func:`assert_raises_sentence`: a call raised a wsbdd error with exactly this text,
  and its ``failure`` renders to that same text (the one renderer);
- :func:`assert_config_sentence`: a call raised a :class:`~wsbdd.errors.ConfigError`
  (settings and phrases, refused before any scenario runs) with exactly this text.

Clock times in message lines (``12:03:44.120``) read ``HH:MM:SS.mmm``.
"""

from __future__ import annotations

import contextlib
import re
import types
from collections.abc import Callable
from typing import Any

from wsbdd.expect import Outcome
from wsbdd.model.errors import ConfigError, WsbddError
from wsbdd.model.failures import render

__all__ = [
    "assert_met",
    "assert_failure",
    "assert_raises_sentence",
    "sentence_of",
    "clock",
    "run_step",
    "assert_config_sentence",
    "step_context",
]

_CLOCK = re.compile(r"\b\d\d:\d\d:\d\d\.\d\d\d\b")


def clock(text: str) -> str:
    """``text`` with wall-clock times replaced by ``HH:MM:SS.mmm``."""
    return _CLOCK.sub("HH:MM:SS.mmm", text)


def assert_met(outcome: Outcome | None) -> None:
    """The expectation holds: met, with no failure and no sentence."""
    assert outcome is not None, "undecided"
    assert outcome.met, outcome.failure
    assert outcome.why is None and outcome.failure == ""


def assert_failure(expected: str, outcome: Outcome | None) -> None:
    """The expectation failed with exactly ``expected`` (whole text, times as HH:MM:SS.mmm)."""
    assert outcome is not None, "undecided"
    assert not outcome.met
    assert outcome.why is not None
    assert clock(render(outcome.why)) == expected


def sentence_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> WsbddError:
    """The wsbdd error ``call`` raises (fails the test when it raises none)."""
    try:
        call(*args, **kwargs)
    except WsbddError as error:
        # The text behave, the report and JUnit show is the renderer's, from the data.
        assert str(error) == render(error.failure) == error.args[0]
        return error
    raise AssertionError(f"{getattr(call, '__name__', call)} raised nothing")


def assert_raises_sentence(
    expected: str,
    call: Callable[..., Any],
    *args: Any,
    kind: type[WsbddError] = WsbddError,
    **kwargs: Any,
) -> WsbddError:
    """``call(*args, **kwargs)`` raises a ``kind`` whose text is exactly ``expected``."""
    error = sentence_of(call, *args, **kwargs)
    assert isinstance(error, kind), f"{type(error).__name__}, not {kind.__name__}: {error}"
    assert clock(str(error)) == expected
    return error


def run_step(session: Any, line: str, *, table: Any = None, text: str | None = None) -> Any:
    """Run the built-in step ``line`` ("When Alice sends …") the way behave would.

    The step is looked up by its pattern among the registered steps, with a context
    holding ``session`` (what wsbdd's hooks put there), ``table`` and ``text``, so a
    sentence is reached through the words a tester writes.
    """
    import wsbdd.steps  # noqa: F401  (registers the built-in steps)
    from wsbdd.glue.step_lookup import step_registry

    keyword, _, rest = line.partition(" ")
    kind = {"given": "given", "when": "when", "then": "then"}[keyword.lower()]
    steps = step_registry().steps
    found = [m for m in steps[kind] + steps["step"] if m.match(rest)]
    assert len(found) == 1, f"{len(found)} steps match {line!r}"
    words = {argument.name: argument.value for argument in found[0].match(rest).arguments}
    session.begin_step(line)
    return found[0].func(step_context(session, table=table, text=text), **words)


class _Context(types.SimpleNamespace):
    """What a step sees of behave's context: the session, the table, the docstring."""

    def use_with_user_mode(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # behave runs a matched step's function in this


def step_context(session: Any, *, table: Any = None, text: str | None = None) -> Any:
    """A context like behave's for one step: ``wsbdd`` (the session), ``table`` and ``text``."""
    return _Context(wsbdd=session, table=table, text=text)


def assert_config_sentence(
    expected: str,
    call: Callable[..., Any],
    *args: Any,
    kind: type[ConfigError] = ConfigError,
    **kwargs: Any,
) -> ConfigError:
    """``call(*args, **kwargs)`` raises a ``kind`` of ConfigError with exactly ``expected``."""
    try:
        call(*args, **kwargs)
    except ConfigError as error:
        assert isinstance(error, kind), f"{type(error).__name__}, not {kind.__name__}: {error}"
        assert str(error) == expected
        return error
    raise AssertionError(f"{getattr(call, '__name__', call)} raised nothing")
