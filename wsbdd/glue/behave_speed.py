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
below 1.4); if behave's changes shape, the context is left as it is.
"""

from __future__ import annotations

import sys
import traceback
from types import CodeType
from typing import Any

from behave.runner import Context, ContextMode

__all__ = ["speed_up_context"]

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


# behave's messages name the class ("'Context' object has no attribute 'x'"): keep its name.
_QuickContext.__name__ = _QuickContext.__qualname__ = "Context"


# The names behave 1.3.3's Context.__setattr__ uses: a different behave has other code.
_KNOWN_NAMES = (
    "__dict__", "_stack", "_record", "_emit_warning", "six", "PY2",
    "traceback", "extract_stack", "_origin", "_mode",
)  # fmt: skip


def _same_shape() -> bool:
    return Context.__setattr__.__code__.co_names == _KNOWN_NAMES


def speed_up_context(context: Any) -> None:
    """Make ``context`` (behave's own ``Context`` of this run) skip the stack walk on
    its runner's writes.  Anything else (a subclass of someone else, a stand-in)
    is left alone."""
    if type(context) is Context and _same_shape():
        # Through object: Context.__setattr__ would store "__class__" as data.
        object.__setattr__(context, "__class__", _QuickContext)
