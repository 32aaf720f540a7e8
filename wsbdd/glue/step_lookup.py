"""A faster regular-expression step matcher for behave.

behave looks a step up by asking every registered step definition in turn
whether it matches, and its ``re`` matcher does more work per question than the
answer needs: a property look-up for the compiled pattern, a group-name table
rebuilt on every match, and, for the one that matches, the step function's file
location computed again (``os.getcwd`` plus ``relpath``) for each step run.
With sixty-odd definitions that was about 30 µs per step, the largest part of
what wsbdd adds to a send→reply exchange.

:class:`StepPattern` answers the same question with the same patterns
(``^…$`` added, as behave's ``re`` matcher does, and it *is* one, so code that
checks for ``SimplifiedRegexMatcher`` still recognises it), with the pattern
compiled and the group table and location worked out once per definition,
and a quick test first: the longest piece of plain text every match must
contain (" sends ", " receives a message where "), so most definitions turn a
step down with one substring search instead of running their regex.  And a line
found before is answered from memory (up to 4,096 lines per keyword, forgotten
when definitions are added): scenarios repeat their lines, and with 270-odd
definitions a lookup still took 3 to 12 µs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from behave.matchers import Match, SimplifiedRegexMatcher, register_step_matcher_class
from behave.model_type import Argument, FileLocation

__all__ = ["NAME", "StepPattern", "required_text", "step_registry"]

NAME = "wsbdd-re"


def required_text(pattern: str) -> str:
    """The longest run of literal characters at the top level of ``pattern``.

    Top-level literals are outside every group, alternative and repeat, so any
    text the pattern matches contains them.  "" when there is none or the
    pattern cannot be read or ignores case (the check is then skipped, never wrong).
    """
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return ""
    if parsed.state.flags & re.IGNORECASE:
        return ""  # "Sends" would match " sends ": a substring test cannot say
    best, run = "", ""
    for op, argument in parsed:
        if op is sre.LITERAL:
            run += chr(argument)
            continue
        best, run = max(best, run, key=len), ""
    return max(best, run, key=len)


class _Found(Match):
    """behave's Match with the step function's location given, not recomputed, and its
    arguments read from the regex match when something asks for them.

    Running the step needs only the captured values by group name (``groupdict``, one
    call); behave's ``Argument`` objects (one per group, with their spans) are made for
    whoever reads :attr:`arguments` (behave's pretty and JSON formatters), the same list
    behave's ``re`` matcher gives.
    """

    def __init__(self, func: Any, found: re.Match[str], pattern: StepPattern) -> None:
        self.func = func
        self.location = pattern.location
        self._found = found
        self._pattern = pattern
        self._arguments: list[Argument] | None = None

    @property  # type: ignore[override]  # behave's is a plain attribute; this one is built on demand
    def arguments(self) -> list[Argument]:
        if self._arguments is None:
            self._arguments = self._pattern.arguments_of(self._found)
        return self._arguments

    @arguments.setter
    def arguments(self, arguments: list[Argument]) -> None:  # behave's with_arguments
        self._arguments = arguments

    def run(self, context: Any) -> None:
        """behave's ``Match.run``: the step function with the captured values, named groups
        as keywords (with the user's context mode on, as behave does)."""
        if self._arguments is not None or not self._pattern.all_named:
            super().run(context)
            return
        with context.use_with_user_mode():
            self.func(context, **self._found.groupdict())


class StepPattern(SimplifiedRegexMatcher):
    """behave's ``re`` matcher (same patterns, same results), with the per-match work done once."""

    NAME = NAME

    def __init__(
        self,
        func: Any,
        pattern: str,
        step_type: str | None = None,
        source: tuple[str, int] | None = None,
    ) -> None:
        super().__init__(func, pattern, step_type)
        self._source = source
        """Where the step is written when that is not its function's code: a phrase's
        ``(file, line)`` in wsbdd.toml or pyproject.toml."""
        compiled = re.compile(self.pattern, re.UNICODE)
        self.regex = compiled
        names = {index: name for name, index in compiled.groupindex.items()}
        self._names = [names.get(index) for index in range(1, compiled.groups + 1)]
        self.all_named = None not in self._names
        """Every group has a name: the step function gets them all as keywords."""
        self._needle = required_text(self.pattern)
        self._word = _key_word(self._needle)  # made now: the first lookup of a run is a step

    @property
    def location(self) -> FileLocation:
        """Where the step is defined, as behave shows it (``wsbdd.toml:42``; relative to
        the folder behave runs in when it can be)."""
        known: FileLocation | None = self.__dict__.get("_location")  # behave's own cache
        if known is None:
            if self._source is None:
                known = Match.make_location(self.func)
            else:
                filename, line = self._source
                known = FileLocation(_relative(filename), line)
            self._location = known
        return known

    def check_match(self, step_text: str) -> list[Argument] | None:
        found = self._matched(step_text)
        return None if found is None else self.arguments_of(found)

    def _matched(self, step_text: str) -> re.Match[str] | None:
        """The regex's match, asked only when the line holds the required text."""
        return self._regex.match(step_text) if self._needle in step_text else None

    def arguments_of(self, found: re.Match[str]) -> list[Argument]:
        """behave's ``Argument`` list for a match of this pattern (what its ``re`` matcher
        gives: each group's span and text, and its name)."""
        return [
            Argument(found.start(index), found.end(index), value, value, name)
            for index, (value, name) in enumerate(zip(found.groups(), self._names, strict=True), 1)
        ]

    def match(self, step_text: str) -> Match | None:
        # A regex cannot raise here (no type converters), so behave's error wrapping
        # around check_match has nothing to catch.
        return self.found_in(step_text) if self._needle in step_text else None

    def found_in(self, step_text: str) -> Match | None:
        """:meth:`match` for a line already known to hold the required text."""
        found = self._regex.match(step_text)
        return None if found is None else _Found(self.func, found, self)


def _relative(filename: str) -> str:
    """``filename`` relative to the working folder, as behave writes a step's location."""
    try:
        return os.path.relpath(filename)
    except ValueError:  # another drive (Windows)
        return filename


register_step_matcher_class(NAME, StepPattern, override=True)


def step_registry() -> Any:
    """The registry behave's ``@given`` writes to: the one wsbdd's built-in steps are in.

    ``behave.step_registry.registry`` is not always it: behave's ``main`` replaces
    that module attribute with a fresh registry before a run, while ``from behave
    import given`` (and the runner) keep the one made when behave was imported.
    """
    import behave
    from behave.step_registry import StepRegistry
    from behave.step_registry import registry as module_registry

    for cell in getattr(behave.given, "__closure__", None) or ():
        if isinstance(cell.cell_contents, StepRegistry):
            return cell.cell_contents
    return module_registry


_REMEMBERED = 4096
"""Step lines whose definition :func:`speed_up`'s lookup remembers (then it starts over)."""


_WORD = re.compile(r"[A-Za-z]+")


def _key_word(needle: str) -> str | None:
    """The longest word that stands whole inside ``needle`` (letters with a non-letter on
    each side within it), which any line the needle is in has as a word of its own; None
    when there is none (the definition is then asked about every line)."""
    words = [m for m in _WORD.finditer(needle) if m.start() > 0 and m.end() < len(needle)]
    whole = [m.group() for m in words if len(m.group()) >= 3]
    return max(whole, key=len) if whole else None


_Row = tuple[str, Callable[[str], Any]]
"""A table row: the definition's required text, and what matches a line holding it (a
:class:`StepPattern`'s :meth:`~StepPattern.found_in`, another matcher's ``match``)."""


class _Table:
    """One keyword's definitions in behave's order, indexed by a word each one's required
    text holds: a line is only tried against the definitions whose word it has (and those
    with no such word), in the same order, so the first that matches is behave's answer.
    With 300 definitions a line used to cost one substring search each (about 14 µs).
    The rows for a set of words are worked out once: lines of one kind share them."""

    __slots__ = ("rows", "_by_word", "_always", "_words", "_picked")

    def __init__(self, rows: list[tuple[str, Any]]) -> None:
        self.rows: list[_Row] = [(needle, _matcher(definition)) for needle, definition in rows]
        self._by_word: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, (needle, definition) in enumerate(rows):
            word = definition._word if isinstance(definition, StepPattern) else _key_word(needle)
            if word is None:
                self._always.append(index)
            else:
                self._by_word.setdefault(word, []).append(index)
        self._words = frozenset(self._by_word)
        self._picked: dict[frozenset[str], list[_Row]] = {}

    def candidates(self, text: str) -> list[_Row]:
        """The rows that may match ``text``, in the table's order."""
        words = self._words.intersection(_WORD.findall(text))
        known = self._picked.get(words)
        if known is not None:
            return known
        picked = list(self._always)
        for word in words:
            picked.extend(self._by_word[word])
        picked.sort()
        rows = self.rows
        made = [rows[index] for index in picked]
        if len(self._picked) < _REMEMBERED:
            self._picked[words] = made
        return made


def _matcher(definition: Any) -> Callable[[str], Any]:
    return definition.found_in if isinstance(definition, StepPattern) else definition.match


def _needle_of(definition: Any) -> str:
    return definition._needle if isinstance(definition, StepPattern) else ""


def speed_up(registry: Any) -> None:
    """Give ``registry`` a ``find_match`` that answers as behave's does, with fewer calls.

    behave asks each definition in turn (the step's own keyword first, then
    ``@step`` ones) and takes the first that matches.  This asks the same ones in
    the same order, but reads each wsbdd definition's required text from a table
    first, so one that cannot match costs a substring search instead of a call.
    """
    if getattr(registry, "_wsbdd_sped_up", False):
        return
    steps = registry.steps
    tables: dict[str, tuple[tuple[int, ...], _Table]] = {}

    def table(step_type: str) -> _Table:
        # behave only ever appends definitions; the sizes and last entries tell
        # whether the lists changed since the table was made.
        own, shared = steps[step_type], steps["step"]
        key = (len(own), len(shared), id(own[-1]) if own else 0, id(shared[-1]) if shared else 0)
        known = tables.get(step_type)
        if known is not None and known[0] == key:
            return known[1]
        candidates = list(own) if step_type == "step" else [*own, *shared]
        made = _Table([(_needle_of(definition), definition) for definition in candidates])
        tables[step_type] = (key, made)
        return made

    # The same line found again (a scenario repeats its steps, an outline its rows, a
    # background every scenario): the answer is the same while the definitions are.
    remembered: dict[str, tuple[_Table, dict[str, Match | None]]] = {}

    def find_match(step: Any) -> Match | None:
        text = step.name
        step_type = step.step_type
        rows = table(step_type)
        known = remembered.get(step_type)
        if known is None or known[0] is not rows or len(known[1]) >= _REMEMBERED:
            # New definitions (phrases registered), or enough lines remembered: start over.
            known = remembered[step_type] = (rows, {})
        answers = known[1]
        if text in answers:
            return answers[text]
        answer = None
        for needle, match in rows.candidates(text):
            if needle in text:
                found = match(text)
                if found:
                    answer = found
                    break
        answers[text] = answer
        return answer

    registry.find_match = find_match
    registry._wsbdd_sped_up = True
