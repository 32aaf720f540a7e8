"""Take behave's stack walk out of its context writes (once per line of code, not per write).

Before every step behave's runner does ``context.text = step.text`` and
``context.table = step.table``.  ``Context.__setattr__`` records where each
write came from, for its "context attribute masked" warnings, with
``traceback.extract_stack``: a walk of the stack that ``os.stat``-s the source
file of every frame (through ``linecache.checkcache``) and reads the line.  Twice
per step, about 10% of a scenario of send→reply steps.

What it records depends only on the line that writes (its file, line number,
function and source text), so :func:`speed_up_context` gives one run's context
a ``__setattr__`` that is behave's own, line for line, except that the record
is taken once per line of code and kept (the same ``FrameSummary`` fields
``extract_stack`` gives), and that behave's runner writing an attribute behave
set first skips the look for masked layers: ``Context._emit_warning`` says
nothing when the writer and the first writer are both behave.  Every warning
behave gives is still given, from the same place, naming the same place.

It is a copy of behave 1.3's ``Context.__setattr__`` (pyproject pins behave
below 1.4); if behave's changes shape, the context is left as it is.  The same
context switches its mode (``use_with_user_mode``, around every step and hook)
with a plain context manager that does what behave's generator-based one does.

:func:`speed_up_statuses` takes the other cost behave's runner adds to every step:
its ``Status`` predicates (``has_failed``, ``is_error``, …) ask ``self in (a, b,
c, …)``, and each member the tuple holds before the match costs a call of
``Status.__eq__``, written in Python (it also compares with strings).  A step's
run asks such questions about 20 times, 60 calls of ``__eq__``: 10–20 µs a
step.  The predicates are replaced by ones that look the member up among those
for which behave's own predicate said True, asked once of every member, so each
gives behave's answer by construction.
"""

from __future__ import annotations

import sys
import traceback
from types import CodeType
from typing import Any

from behave.model_type import Status
from behave.runner import Context, ContextMode, use_context_with_mode

__all__ = ["speed_up_context", "speed_up_statuses"]

_BEHAVE = ContextMode.BEHAVE

# (code, line) -> the FrameSummary extract_stack gives for a frame on that line.
_places: dict[tuple[CodeType, int], traceback.FrameSummary] = {}


def _place(frame: Any) -> traceback.FrameSummary:
    key = (frame.f_code, frame.f_lineno)
    place = _places.get(key)
    if place is None:
        place = _places[key] = traceback.extract_stack(frame, limit=1)[0]
    return place


class _QuickContext(Context):
    """behave's Context; its stack walks happen once per line of code (see the module)."""

    def __setattr__(self, attr: str, value: Any) -> None:
        # behave 1.3's Context.__setattr__, with the two changes the module describes.
        state = self.__dict__
        if attr[0] == "_":
            state[attr] = value
            return
        record, origin, stack = state["_record"], state["_origin"], state["_stack"]
        mode = state["_mode"]
        if not (mode is _BEHAVE and origin.get(attr) is _BEHAVE and attr in record):
            for frame in stack[1:]:
                if attr in frame:
                    place = record[attr]
                    params = {
                        "attr": attr,
                        "filename": place[0],
                        "line": place[1],
                        "function": place[3],
                    }
                    self._emit_warning(attr, params)  # stacklevel=3: our caller, as behave's
        record[attr] = _place(sys._getframe(1))
        stack[0][attr] = value
        if attr not in origin:
            origin[attr] = mode

    def use_with_user_mode(self) -> _Mode:  # type: ignore[override]
        return _Mode(self, _USER)

    def _use_with_behave_mode(self) -> _Mode:  # type: ignore[override]
        return _Mode(self, _BEHAVE)


class _Mode:
    """behave's ``use_context_with_mode`` as a plain context manager: the context's mode
    for the block, the mode before it put back however the block ends.  behave's is a
    generator-based one, made and run twice a step (the step and its before_step hook)."""

    __slots__ = ("_state", "_mode", "_before")

    def __init__(self, context: Context, mode: ContextMode) -> None:
        self._state = context.__dict__  # as behave's writes it: "_mode" goes straight there
        self._mode = mode

    def __enter__(self) -> None:
        state = self._state
        self._before = state["_mode"]
        state["_mode"] = self._mode

    def __exit__(self, *_: object) -> None:
        self._state["_mode"] = self._before


_USER = ContextMode.USER

# behave's messages name the class ("'Context' object has no attribute 'x'"): keep its name.
_QuickContext.__name__ = _QuickContext.__qualname__ = "Context"


# The names behave 1.3.3's Context.__setattr__ uses: a different behave has other code.
_KNOWN_NAMES = (
    "__dict__", "_stack", "_record", "_emit_warning", "six", "PY2",
    "traceback", "extract_stack", "_origin", "_mode",
)  # fmt: skip


# What behave 1.3.3's mode switches use (Context.use_with_user_mode, _use_with_behave_mode
# and the context manager both return).
_MODE_NAMES = ("ContextMode", "BEHAVE", "USER", "_mode")


def _same_shape() -> bool:
    switch = getattr(use_context_with_mode, "__wrapped__", None)
    return (
        Context.__setattr__.__code__.co_names == _KNOWN_NAMES
        and getattr(getattr(switch, "__code__", None), "co_names", None) == _MODE_NAMES
        and Context.use_with_user_mode.__code__.co_names
        == ("use_context_with_mode", "ContextMode", "USER")
        and Context._use_with_behave_mode.__code__.co_names
        == ("use_context_with_mode", "ContextMode", "BEHAVE")
    )


def speed_up_context(context: Any) -> None:
    """Make ``context`` (behave's own ``Context`` of this run) skip the stack walk on
    its runner's writes.  Anything else (a subclass of someone else, a stand-in)
    is left alone."""
    if type(context) is Context and _same_shape():
        # Through object: Context.__setattr__ would store "__class__" as data.
        object.__setattr__(context, "__class__", _QuickContext)


# behave 1.3's Status predicates: no argument but the member, a truth about it alone.
_PREDICATES = (
    "has_failed", "is_passed", "is_failure", "is_error", "is_hook_error",
    "is_untested", "is_pending", "is_undefined", "is_final",
)  # fmt: skip
_SPED_UP = "__wsbdd_quick__"


def _member_lookup(name: str, original: Any) -> Any:
    """``Status.<name>`` answered from the members behave's ``original`` says True of."""
    ids = frozenset(id(member) for member in Status if original(member))

    def predicate(self: Status) -> bool:
        return id(self) in ids

    predicate.__name__ = predicate.__qualname__ = name
    predicate.__doc__ = original.__doc__
    predicate.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(predicate, _SPED_UP, True)
    return predicate


def speed_up_statuses() -> None:
    """Give behave's ``Status`` predicates that answer without ``Status.__eq__`` (see
    the module).  Once per process; a predicate of another shape is left as it is."""
    for name in _PREDICATES:
        original = Status.__dict__.get(name)
        code = getattr(original, "__code__", None)
        if code is None or getattr(original, _SPED_UP, False) or code.co_argcount != 1:
            continue
        setattr(Status, name, _member_lookup(name, original))
