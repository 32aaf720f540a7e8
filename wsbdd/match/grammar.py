"""The one grammar of step words: conditions, durations, counts, client lists and values.

Everything a step line, a phrase, the ``ignore`` setting, ``where()`` in Python
and ``wsbdd check`` read from a feature writer's words is read here (conditions
by :mod:`wsbdd.match.conditions`, which this module re-exports), so no two of
them can read the same words differently.  Pure: importing this module
registers no step and imports no behave; the step modules in ``wsbdd.steps``
build their patterns from the pieces below.

* **Durations** (``within 5 seconds``, ``I wait 300 ms``, ``over 2 minutes``,
  ``timeout = "500 ms"``): a number, an optional space and one of the units in
  :data:`DURATION_UNITS`: ``ms``, ``msec``, ``msecs``, ``millis``,
  ``millisecond(s)``; ``s``, ``sec``, ``secs``, ``second(s)``; ``min``,
  ``mins``, ``minute(s)``; ``h``, ``hour(s)``.
* **Counts**: digits, or ``no`` (0), ``a`` / ``one`` (1), ``two``, ``three``.
* **Client lists**: ``Alice``, ``Alice and Bob``, ``Alice, Bob and Carol``
  (``, `` or `` and `` between names; each name once).
* **Values**: ``"quoted text"`` (escapes: see :func:`~wsbdd.match.unescape`),
  ``'text as written'``, numbers, ``true``/``false``/``null``, JSON lists and
  objects, ``${variables}``.  In a condition, text must be quoted; in a table
  cell, which is delimited, unquoted text is text as written.

Every mistake a feature writer can make here becomes a
:class:`~wsbdd.errors.FeatureMistake` that names the fix.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from wsbdd.model.errors import FeatureMistake
from wsbdd.model.variables import GENERATORS, Variables, find_placeholders

from .conditions import (
    Condition,
    condition_from_cell,
    parse_condition,
    parse_conditions,
    split_conditions,
)
from .messages import Like, Where
from .values import parse_value, quoted_text, unescape
from .words import MATCHER_WORDS

__all__ = [
    "NAME",
    "NAMES",
    "NUMBER",
    "DURATION_UNITS",
    "UNIT",
    "DURATION",
    "parse_duration",
    "WITHIN",
    "QUOTED",
    "quoted",
    "seconds",
    "split_names",
    "count_word",
    "COUNT",
    "COUNT_WORDS",
    "NAME_TEXT",
    "member_names",
    "condition",
    "conditions",
    "parse_condition",
    "parse_conditions",
    "split_conditions",
    "cell_value",
    "body_condition",
    "table_matcher",
    "row_matchers",
    "template_matcher",
    "templates",
    "payload_text",
    "decode_binary",
    "expand_cycles",
    "per_member",
    "differs_per_member",
    "format_seconds",
    "entries_from_table",
    "per_client_words",
]

NAME_TEXT = r"[A-Za-z_][\w.\-]*"
"""One client or group name: letters, digits, ``_ . -``, no spaces."""
# A client name, with an optional leading "client" ("client Alice" or "Alice").
NAME = r"(?:client )?(?P<name>" + NAME_TEXT + ")"
NAMES = NAME_TEXT + r"(?:(?:, | and )" + NAME_TEXT + r")*"
"""A client list: "Alice", "Alice and Bob", "Alice, Bob and Carol"."""
NUMBER = r"\d+(?:\.\d+)?"

DURATION_UNITS: dict[str, float] = {
    "ms": 0.001,
    "msec": 0.001,
    "msecs": 0.001,
    "millis": 0.001,
    "millisecond": 0.001,
    "milliseconds": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
}
"""Every unit a duration takes, everywhere (steps, phrases, settings, load tables), in seconds."""
UNIT = "(?:" + "|".join(sorted(DURATION_UNITS, key=lambda unit: (-len(unit), unit))) + ")"
"""The units as a pattern, longest first ("msecs" is not read as "ms" and a stray "ecs")."""
DURATION = NUMBER + " ?" + UNIT
"""A duration inside a step pattern: "5 seconds", "300 ms", "1.5 minutes", "90s"."""
# An optional deadline at the end of a step: "within 5 seconds", "within 300 ms".
WITHIN = rf"(?: within (?P<amount>{NUMBER}) ?(?P<unit>{UNIT}))?"

T = TypeVar("T")
_NAME_RE = re.compile(NAME_TEXT)
_VARIABLE_ONLY = re.compile(r"\$\{([^}]+)\}")
_NO_VARIABLES = Variables()
_DURATION_TEXT = re.compile(rf"({NUMBER})\s*({UNIT})?")
_DURATION_EXAMPLE = 'write it like "30 seconds", "500 ms" or "1.5 minutes"'


LONGEST_WAIT = 24 * 60 * 60.0
"""The longest any step waits, and the longest duration a setting accepts (one day)."""


def too_long(text: str) -> str:
    """The sentence for a duration longer than :data:`LONGEST_WAIT`."""
    return (
        f'"{text}" is longer than wsbdd ever waits (24 hours); write a shorter time '
        "(a soak test of days is several scenarios)."
    )


def seconds(amount: str | None, unit: str | None) -> float | None:
    """``("300", "ms")`` → 0.3; ``(None, None)`` → None (use the configured default).  A
    time longer than :data:`LONGEST_WAIT` is a mistake of the step's."""
    if amount is None:
        return None
    value = float(amount) * DURATION_UNITS[(unit or "s").lower()]
    if value > LONGEST_WAIT:
        raise FeatureMistake(too_long(f"{amount} {unit or 's'}"))
    return value


def parse_duration(text: str, *, unit_required: bool = True) -> float:
    """``"2 seconds"`` → 2.0, ``"500 ms"`` → 0.5, ``"1.5 minutes"`` → 90.0, ``"90s"`` → 90.0.

    Units in any case.  ``unit_required=False`` reads a bare number as seconds
    (``"2"`` → 2.0), as the settings do.
    """
    found = _DURATION_TEXT.fullmatch(text.strip().lower())
    if not found or (unit_required and found.group(2) is None):
        raise FeatureMistake(f'wsbdd cannot read the duration "{text}": {_DURATION_EXAMPLE}.')
    value = float(found.group(1)) * DURATION_UNITS[found.group(2) or "s"]
    if value > LONGEST_WAIT:
        raise FeatureMistake(too_long(text.strip()))
    return value


def split_names(text: str) -> list[str]:
    """``"Alice, Bob and Carol"`` → ``["Alice", "Bob", "Carol"]``."""
    parts = [p.strip() for p in re.split(r",|\band\b", text) if p.strip()]
    for part in parts:
        if not _NAME_RE.fullmatch(part):
            raise FeatureMistake(
                f'"{part}" is not a client name; list clients like "Alice, Bob and Carol" '
                "(letters, digits, _ . - and no spaces)."
            )
    duplicates = sorted({p for p in parts if parts.count(p) > 1})
    if duplicates:
        raise FeatureMistake(f"{', '.join(duplicates)} is listed twice; name each client once.")
    return parts


def member_names(group: str, count: int) -> list[str]:
    """The names of a crowd's members: ``players`` → player1 … playerN (a plural group
    name loses its s)."""
    base = group[:-1] if group.endswith("s") and len(group) > 1 else group
    base = "".join(ch if ch.isalnum() or ch in "_.-" else "_" for ch in base)
    return [f"{base}{i}" for i in range(1, count + 1)]


COUNT_WORDS: dict[str, int] = {"no": 0, "a": 1, "one": 1, "two": 2, "three": 3}
"""Counts written as words; any other count is digits."""
COUNT = r"(?:\d+|" + "|".join(COUNT_WORDS) + ")"
"""A count inside a step pattern: "3", "no", "a", "one", "two", "three"."""


def count_word(text: str) -> int:
    """``"3"`` → 3, ``"no"`` → 0, ``"one"`` → 1."""
    return COUNT_WORDS[text] if text in COUNT_WORDS else int(text)


def cell_value(text: str, variables: Variables) -> Any:
    """A value in a table cell: quoted text, JSON, ``${x}``, or unquoted text as written."""
    text = text.strip()
    whole = _VARIABLE_ONLY.fullmatch(text)
    if whole:
        return variables.get(whole.group(1))
    if len(text) >= 2 and text[0] == text[-1] == '"':
        # Unescape first, then fill in variables: a value's own backslashes and quotes
        # are kept as they are (see quoted below).
        return variables.render_text(quoted_text(text))
    if text.startswith('"'):
        return parse_value(variables.render_json_text(text))
    return parse_value(variables.render_text(text))


QUOTED = r'(?:[^"\\]|\\.)*'
"""The inside of a double-quoted text on a step line: a quote inside is written \\"."""


def quoted(text: str, variables: Variables) -> str:
    """A double-quoted text from a step line (its inside), escapes read, variables filled in.

    The one rule for every quoted text on a step line and in a condition (see
    :func:`wsbdd.match.unescape`): ``\\n``, ``\\t``, ``\\"``, ``\\\\``; other
    backslashes stay.  Escapes are read before ``${variables}`` are filled in, so a
    variable's value is inserted exactly as it is.
    """
    return variables.render_text(unescape(text))


def body_condition(text: str, variables: Variables) -> Condition:
    """``contains "Invalid token"`` (after "the body") → a condition on a body's whole text."""
    return condition(f"$ {text}", variables)


def condition(text: str, variables: Variables) -> Condition:
    """``$.content starts with "hello ${name}"`` → a Condition with variables filled in."""
    return parse_condition(text, variables)


def conditions(text: str, variables: Variables) -> Where:
    """``$.type is "chat" and $.room is "lobby"`` → one matcher requiring both."""
    return Where(parse_conditions(text, variables))


def _cells(row: Any) -> list[str]:
    return [str(cell).strip() for cell in row.cells]


def table_matcher(table: Any, variables: Variables) -> Where:
    """A ``| path | matcher | value |`` table (or ``| path | value |``): all rows, one message."""
    if table is None:
        raise FeatureMistake(
            "This step needs a table under it, e.g.\n"
            "  | path      | matcher     | value |\n"
            "  | $.type    | is          | chat  |"
        )
    headings = [h.strip().lower() for h in table.headings]
    found = []
    if headings[:3] == ["path", "matcher", "value"] or headings[:2] == ["path", "matcher"]:
        for row in table.rows:
            cells = _cells(row) + [""]
            path, words, value = cells[0], cells[1], cells[2]
            found.append(condition_from_cell(path, words, value, variables))
    elif headings[:2] == ["path", "value"]:
        for row in table.rows:
            path, value = _cells(row)[:2]
            found.append(condition_from_cell(path, "is", value, variables))
    else:
        raise FeatureMistake(
            f"The table's columns are {' | '.join(table.headings)}; use "
            "| path | matcher | value | (or | path | value | for equality)."
        )
    return Where(found)


def _cell_condition(path: str, cell: str, variables: Variables) -> Condition:
    lowered = cell.lower()
    for words in MATCHER_WORDS:
        if lowered == words or lowered.startswith(words + " "):
            return condition_from_cell(path, words, cell[len(words) :].strip(), variables)
    return condition_from_cell(path, "is", cell, variables)


def row_matchers(table: Any, variables: Variables) -> list[Where]:
    """A table whose headings are JSONPaths: one matcher per row (cells: value or matcher words)."""
    if table is None:
        raise FeatureMistake(
            "This step needs a table whose headings are JSONPaths, e.g.\n"
            "  | $.type | $.content |\n  | chat   | one       |"
        )
    paths = [h.strip() for h in table.headings]
    for path in paths:
        if not path.startswith("$"):
            raise FeatureMistake(
                f'The column "{path}" is not a JSONPath; head each column with a path like $.type.'
            )
    result = []
    for row in table.rows:
        conds = [
            _cell_condition(path, cell, variables)
            for path, cell in zip(paths, _cells(row), strict=True)
            if cell != ""
        ]
        result.append(Where(conds))
    return result


def template_matcher(text: str | None, variables: Variables) -> Like:
    """A docstring JSON template (Karate-style markers allowed) → a partial matcher."""
    if not text:
        raise FeatureMistake('This step needs a JSON docstring under it (between """ lines).')
    return Like(variables.render_json(text))


def templates(text: str | None, variables: Variables) -> list[Like]:
    """A docstring holding a JSON array of templates, one per expected message."""
    value = variables.render_json(text or "")
    if not isinstance(value, list):
        raise FeatureMistake(
            "The docstring must be a JSON array with one template per expected message, "
            'e.g. [{"type": "chat"}, {"type": "chat"}].'
        )
    return [Like(item) for item in value]


def payload_text(text: str, variables: Variables) -> str:
    """The text a client sends: JSON is validated (after variables); anything else is sent as is."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        rendered = variables.render_json_text(stripped)
        try:
            json.loads(rendered)
        except ValueError:
            variables.render_json(stripped)  # raises the explanatory FeatureMistake
        return rendered
    return variables.render_text(text)


_CYCLE = re.compile(r"\$\{cycle:([^}]*)\}")


def expand_cycles(text: str, index: int) -> str:
    """``${cycle:a,b,c}`` → a for member 1, b for 2, c for 3, a for 4, …"""

    def pick(match: re.Match[str]) -> str:
        items = [item.strip() for item in match.group(1).split(",")]
        return items[(index - 1) % len(items)]

    return _CYCLE.sub(pick, text)


_PER_MEMBER = frozenset({"client", "index", *GENERATORS})
"""Placeholders whose value may differ from one member to the next (generators are made
fresh on every use)."""


def differs_per_member(texts: Iterable[str | None]) -> bool:
    """True if any of ``texts`` uses ``${client}``, ``${index}``, ``${cycle:…}`` or a
    generator (``${uuid}``…): then each group member needs a value of its own."""
    for text in texts:
        if not text or "${" not in text:
            continue
        if _CYCLE.search(text):
            return True
        try:
            used = find_placeholders(text)
        except FeatureMistake:
            return True  # building the values says what is wrong, as it always has
        if any(name in _PER_MEMBER for name in used):
            return True
    return False


def per_member(
    names: Sequence[str],
    text: str | None,
    variables: Variables,
    build: Callable[[Any, Variables], T],
    *,
    also: Iterable[str | None] = (),
) -> list[T]:
    """Build one value per group member, with ${client}, ${index} and ${cycle:…} filled in.

    ``also``: other texts ``build`` reads (a table's cells).  When neither ``text`` nor
    those use a member's own placeholder, every member gets the same value, built once:
    a crowd of 5,000 otherwise built 5,000 identical matchers while its broadcast waited.
    """
    if names and not differs_per_member((text, *also)):
        shared = build(text, variables.child(client=names[0], index=1))
        return [shared] * len(names)
    values = []
    for index, name in enumerate(names, 1):
        member = variables.child(client=name, index=index)
        values.append(build(expand_cycles(text, index) if text is not None else None, member))
    return values


def entries_from_table(table: Any, variable: str, variables: Variables) -> dict[str, Any]:
    """A two-column table (``| client | token |``) → ``{"player1": "abc", …}``.

    A cell is text as written (a token ``007`` stays ``007``); ``"quoted"`` text,
    ``{…}`` and ``[…]`` are read as JSON.  ``${…}`` in a cell is filled in first.
    """
    if table is None or len(table.headings) != 2:
        raise FeatureMistake(
            f'Put the entries of "{variable}" in a table of two columns under the step, e.g.\n'
            "  | client  | token |\n  | player1 | abc   |\n  | player2 | def   |"
        )
    entries: dict[str, Any] = {}
    for number, row in enumerate(table.rows, start=1):
        key, value = (str(cell).strip() for cell in row.cells)
        key = variables.render_text(key)
        if not key:
            raise FeatureMistake(
                f'Row {number} of the table for "{variable}" has no name in its first column; '
                "write one, like | player1 | abc |."
            )
        if key in entries:
            raise FeatureMistake(
                f'The table for "{variable}" names "{key}" twice; name each entry once.'
            )
        if value.startswith(('"', "{", "[")):
            entries[key] = parse_value(variables.render_json_text(value))
        else:  # as written: a token "007" or "1e5" must not turn into a number
            entries[key] = variables.render_text(value)
    return entries


_PER_CLIENT = ("client", "index")


def per_client_words(texts: Sequence[str | None], name: str) -> None:
    """Refuse ``${client}``/``${index}`` in a step about one client, with the fix."""
    for text in texts:
        if text and "${" in text:
            for used in find_placeholders(text):
                if used in _PER_CLIENT:
                    raise FeatureMistake(
                        f'"${{{used}}}" stands for each client of a step that connects several '
                        f'(e.g. clients {name}, Bob are connected to "/ws?user=${{client}}"); '
                        f"in a step about {name} alone, write "
                        + (f'"{name}" instead.' if used == "client" else "the number itself.")
                    )


def format_seconds(value: float) -> str:
    """A measured time for a sentence: ``12.3 s``, or under a second in ``ms`` with three
    significant digits, so that a time over a short limit never reads as equal to it
    ("took 0.0 s, more than the 0.0 s allowed").

    >>> format_seconds(12.34), format_seconds(0.25), format_seconds(0.0123), format_seconds(0.00042)
    ('12.3 s', '250 ms', '12.3 ms', '0.420 ms')
    """
    if value >= 1:
        return f"{value:.1f} s"
    ms = value * 1000
    digits = 0 if ms >= 100 or ms == 0 else 1 if ms >= 10 else 2 if ms >= 1 else 3
    return f"{ms:.{digits}f} ms"


def decode_binary(encoding: str, data: str) -> bytes:
    """``hex "01ff"`` or ``base64 "Af8="`` → bytes."""
    try:
        if encoding == "hex":
            return bytes.fromhex(data.replace(" ", ""))
        return base64.b64decode(data, validate=True)
    except (ValueError, binascii.Error):
        example = '"01 ff 7a"' if encoding == "hex" else '"Af96"'
        raise FeatureMistake(
            f'"{data}" is not valid {encoding}; write it like {example}.'
        ) from None
