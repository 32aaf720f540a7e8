"""Exceptions that reach the feature writer as one plain sentence.

Every class here subclasses :class:`AssertionError` on purpose: behave prints an
``AssertionError`` as ``ASSERT FAILED: <sentence>`` without a Python traceback,
which is what a tester reading a CI log at 2 a.m. needs.  Anything else that
escapes a step is a bug in wsbdd and keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "WsbddError",
    "ExpectationFailed",
    "FeatureMistake",
    "ConnectionProblem",
    "ConfigError",
    "in_step",
]


class WsbddError(AssertionError):
    """Base class: the message is written for a person, not a programmer."""


class ExpectationFailed(WsbddError):
    """The application did not behave as the scenario says (a real test failure)."""


class FeatureMistake(WsbddError):
    """The feature text itself is wrong: unknown client, broken JSON, bad JSONPath, …

    The message names what is wrong and how to fix it.
    """


class ConnectionProblem(WsbddError):
    """A client could not connect, or the connection broke while a step needed it."""


class ConfigError(Exception):
    """The project's wsbdd configuration is invalid; the run stops before any scenario.

    Not an ``AssertionError``: it is raised before scenarios run, from hooks or the
    command line, and names the file, the key and the problem.  ``file`` and
    ``line`` say where, when that is known (``wsbdd check`` prints them).
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.line = line


def in_step(step: str) -> str:
    """`` (in the step "…")`` to put after a sentence's subject, or nothing outside a step."""
    return f' (in the step "{step}")' if step else ""
