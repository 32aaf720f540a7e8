"""One harness for failure sentences, in the spirit of PyHamcrest's ``matcher_test``.

Every failure sentence wsbdd writes is pinned whole (never a substring) by one of
three checks:

- :func:`assert_met`: no failure when the expectation holds;
- :func:`assert_failure`: an :class:`~wsbdd.expect.Outcome` failed with exactly this text;
- :func:`assert_raises_sentence`: a call raised a wsbdd error with exactly this text,
  and its ``failure`` renders to that same text (the one renderer).

Clock times in message lines (``12:03:44.120``) read ``HH:MM:SS.mmm``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from wsbdd.expect import Outcome
from wsbdd.model.errors import WsbddError
from wsbdd.model.failures import render

__all__ = ["assert_met", "assert_failure", "assert_raises_sentence", "sentence_of", "clock"]

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
