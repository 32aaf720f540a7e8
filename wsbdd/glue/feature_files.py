"""A feature file behave cannot parse fails that file only, under plain ``behave`` too.

behave parses every feature file before the first hook runs and stops the whole run at
the first one it cannot read.  It loads the hooks (environment.py) *before* it parses,
so wsbdd's hooks module, when imported, has behave's runner parse file by file: a file
that cannot be read is left out with one sentence naming it, the other files run, and
the run fails at its end (:func:`unread_problem`): under ``wsbdd run`` and plain ``behave``
alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["guard_feature_parsing", "unread_problem", "unreadable_sentence"]

_UNREAD: list[str] = []
"""Sentences for the files left out in this process's run."""


def unreadable_sentence(location: Any, error: Exception) -> str:
    """The sentence for a feature file behave cannot read (also a parallel run's plan's)."""
    given = str(getattr(location, "filename", location))
    # behave may name the file by its absolute path: relative to the project reads better.
    full = os.path.abspath(given)
    name = os.path.relpath(full) if full.startswith(os.getcwd() + os.sep) else given
    reason = " ".join(str(getattr(error, "reason", "") or error).split()).replace(full, name)
    line = getattr(error, "line", None) or 1
    return (
        f"{name}:{line}: this feature file cannot be read, so it did not run (the other "
        f"files did): {reason}"
    )


def guard_feature_parsing() -> None:
    """Make behave's runner parse feature files one by one, leaving out those it cannot
    read (once per process)."""
    import behave.runner as runner
    from behave.parser import ParserError

    original: Callable[..., list[Any]] = runner.parse_features
    if getattr(original, "_wsbdd_guarded", False):
        return

    def parse_features(feature_files: Sequence[Any], language: str | None = None) -> list[Any]:
        try:
            return original(feature_files, language=language)
        except ParserError:
            pass  # parse again file by file, to run every file that can be read
        features: list[Any] = []
        for location in feature_files:
            try:
                features.extend(original([location], language=language))
            except ParserError as error:
                sentence = unreadable_sentence(location, error)
                if sentence not in _UNREAD:
                    _UNREAD.append(sentence)
        return features

    parse_features._wsbdd_guarded = True  # type: ignore[attr-defined]
    runner.parse_features = parse_features  # type: ignore[assignment]


def unread_problem() -> str | None:
    """The sentences for the files left out, to fail the run at its end; None if none."""
    return "\n".join(_UNREAD) if _UNREAD else None
