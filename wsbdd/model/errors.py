"""Exceptions that reach the feature writer as one plain sentence.

Every class here subclasses :class:`AssertionError` on purpose: behave prints an
``AssertionError`` as ``ASSERT FAILED: <sentence>`` without a Python traceback,
which is what a tester reading a CI log at 2 a.m. needs.  Anything else that
escapes a step is a bug in wsbdd and keeps its traceback.

The hierarchy::

    AssertionError
     └── WsbddError              holds a Failure (wsbdd.model.failures); str() renders it
          ├── ExpectationFailed  the application did not behave as the scenario says
          ├── FeatureMistake     the feature text is wrong
          └── ConnectionProblem  a client could not connect, or lost its connection
    Exception
     └── ConfigError             the settings are invalid (file, line)

Each error holds its failure as data (``error.failure``: who, expected, observed,
candidates, notes, step) and derives its text from it with
:func:`wsbdd.model.failures.render`, the one composer, which is also the only code
that writes ``In the step "…":``.
"""

from __future__ import annotations

from typing import Self

from wsbdd.model.failures import Failure, render

__all__ = [
    "WsbddError",
    "ExpectationFailed",
    "FeatureMistake",
    "ConnectionProblem",
    "ConfigError",
    "Failure",
]


class WsbddError(AssertionError):
    """Base class: the message is written for a person, not a programmer.

    Built from a sentence (``FeatureMistake("The address … is not valid.")``) or from
    a :class:`~wsbdd.model.failures.Failure`; ``step`` names the step it belongs to.
    """

    failure: Failure

    def __init__(self, failure: str | Failure = "", *, step: str = "") -> None:
        if not isinstance(failure, Failure):
            failure = Failure(sentence=str(failure))
        self.failure = failure.at_step(step)
        # args hold the text, so pickling (parallel shards) and behave's printing of
        # ``exc.args`` keep the sentence; the fields stay on ``failure``.
        super().__init__(render(self.failure))

    def __str__(self) -> str:
        return render(self.failure)

    def at_step(self, step: str) -> Self:
        """Place this failure in ``step`` (unless it names one already); returns itself."""
        failure = self.failure.at_step(step)
        if failure is not self.failure:
            self.failure = failure
            self.args = (render(failure),)
        return self


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
