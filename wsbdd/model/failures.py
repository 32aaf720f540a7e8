"""Failures as data, and the one place that writes them as sentences.

A failure is a :class:`Failure`: who expected what, what was observed instead,
the closest candidates (one line each, the closest messages with why each did
not match) and any further notes.  A failure with no expected/observed shape
(a feature-text mistake, a refused configuration) is a plain ``sentence``.
``step`` names the step the failure belongs to, when that is not the step
behave is running already.

:func:`render` is the only composer: the console (behave prints
``str(error)``), the HTML report and JUnit all show what it writes, and it is
the only code that writes ``In the step "…":``.  The exceptions of
:mod:`wsbdd.errors` hold a :class:`Failure` and derive ``str()`` from it, the
way websockets' ``InvalidStatus`` holds its response.

:func:`where_they_differ` is the pytest-style note for two long values that
differ: the first differing position with a little context on each side,
instead of two identically truncated strings.

Pure: imports nothing from wsbdd, so every layer may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["Failure", "render", "ignored_line", "where_they_differ", "DIFF_CONTEXT", "LONG"]

LONG = 80
"""A value rendered longer than this is cut in sentences: its difference is pointed at."""
DIFF_CONTEXT = 20
"""Characters shown on each side of the first difference."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One failure as data; :func:`render` writes it.

    ``who expected <expected>, but <observed>.`` followed by ``candidates`` and
    ``notes``, one per line.  When ``expected`` spans lines (a table of rows), the
    ``but …`` part starts a line of its own.
    """

    who: str = ""
    expected: str = ""
    """The end of "<who> expected …": ``a message where $.type is "chat" within 1.0 s``."""
    observed: str = ""
    """The end of "…, but …": ``received no message in that time``."""
    candidates: tuple[str, ...] = ()
    """The closest observed messages, one line each (already indented)."""
    notes: tuple[str, ...] = ()
    """Further sentences, one line each, after the candidates."""
    sentence: str = ""
    """The whole first sentence, for a failure without the expected/observed shape."""
    step: str = ""
    """The step the failure belongs to (``When alice sends "hi"``), or empty."""
    folded: str = ""
    """One line after the candidates for the background messages left out of them
    (``  + 4 heartbeats ignored``: the ``ignore`` setting names them), or empty."""
    ignored: tuple[str, ...] = ()
    """The folded messages' lines, as candidates are written (the report opens them)."""

    def at_step(self, step: str) -> Failure:
        """This failure placed in ``step``, unless it names a step already."""
        if self.step or not step:
            return self
        return replace(self, step=step)

    def noted(self, *notes: str) -> Failure:
        """This failure with more notes after the ones it has."""
        return replace(self, notes=(*self.notes, *notes))

    @property
    def headline(self) -> str:
        """The first sentence, without the step (what a one-line summary shows)."""
        if self.sentence:
            return self.sentence
        # No one named: the run itself expected it ("Expected at least 95% of connections …").
        head = f"{self.who} expected {self.expected}" if self.who else f"Expected {self.expected}"
        if self.observed:
            joint = "\nbut " if "\n" in self.expected else ", but "
            head += joint + self.observed
        return _ended(head)


def _ended(text: str) -> str:
    """A sentence ends with a full stop, unless it ends with ``:`` (a list follows) or ``.``."""
    return text if text.endswith((".", ":", "?", "!")) else text + "."


def render(failure: Failure) -> str:
    """The failure as the reader sees it on the console, in the report and in JUnit."""
    head = failure.headline
    if failure.step:
        head = f'In the step "{failure.step}": {head}'
    folded = (failure.folded,) if failure.folded else ()
    if not failure.candidates and not failure.notes and not folded:
        return head
    return "\n".join([head, *failure.candidates, *folded, *failure.notes])


def ignored_line(kinds: dict[str, int]) -> str:
    """``+ 4 heartbeats ignored``; ``+ 5 ignored: 4 heartbeats, 1 welcome``: messages the
    ``ignore`` setting names, by what each entry calls them, as one line."""
    total = sum(kinds.values())

    def plural(kind: str, n: int) -> str:
        if kind == "":
            return "message" if n == 1 else "messages"
        return kind if n == 1 or kind.endswith("s") else kind + "s"

    if len(kinds) == 1:
        (kind,) = kinds
        return f"+ {total} {plural(kind, total)} ignored"
    parts = ", ".join(f"{n} {plural(kind, n)}" for kind, n in kinds.items())
    return f"+ {total} ignored: {parts}"


def _window(text: str, at: int, context: int, quoted: bool) -> str:
    start, end = max(0, at - context), min(len(text), at + context + 1)
    inside = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return f'"{inside}"' if quoted else inside


def where_they_differ(
    expected: str, observed: str, *, quoted: bool = False, context: int = DIFF_CONTEXT
) -> str:
    """Where two long values first differ, pytest-style, with a little context each side.

    ``first difference at character 93: expected "…brown fox…", was "…brown cat…"``;
    empty when they are equal.  Positions count from 1.  ``quoted`` puts each
    excerpt in double quotes (for text; JSON renderings carry their own).
    """
    if expected == observed:
        return ""
    at = 0
    for a, b in zip(expected, observed, strict=False):
        if a != b:
            break
        at += 1
    head = f"first difference at character {at + 1}: expected "
    if at == len(observed):
        return f"{head}{_window(expected, at, context, quoted)}, but the value ends there"
    if at == len(expected):
        return f"{head}the value to end, but it goes on: {_window(observed, at, context, quoted)}"
    return (
        f"{head}{_window(expected, at, context, quoted)}, "
        f"was {_window(observed, at, context, quoted)}"
    )
