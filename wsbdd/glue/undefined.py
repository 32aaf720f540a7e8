"""'Did you mean …?' for a step behave found no definition for, at run time too.

behave itself only prints a Python snippet for an undefined step.  The sentence comes from
the vocabulary's suggester (the one ``wsbdd check`` uses), which sits above this layer: it
installs itself here (:func:`explain_with`) when ``wsbdd.steps`` is imported, and the hooks
ask :func:`explain` after each scenario that had an undefined step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["explain_with", "explain"]

_explainer: Callable[[Any], str] | None = None


def explain_with(explainer: Callable[[Any], str]) -> None:
    """Use ``explainer(step) -> sentence`` for undefined steps from now on."""
    global _explainer
    _explainer = explainer


def explain(step: Any) -> str:
    """The sentence for an undefined ``step``: where it is, and the closest step there is."""
    where = f"{getattr(step, 'filename', '?')}:{getattr(step, 'line', '?')}"
    if _explainer is None:
        sentence = f'No step matches "{step.keyword} {step.name}".'
    else:
        sentence = _explainer(step)
    return f"{where}: {sentence}"
