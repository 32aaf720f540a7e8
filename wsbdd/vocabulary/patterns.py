"""Reading step regexes as people and as examples: readable templates and sample texts.

Pure functions over a regular expression's parse tree (Python's own ``re``
parser), used by three readers:

* the step catalogue shows ``{client} receives a message where {conditions}
  [within {time}]`` instead of a regex;
* clash detection tries each step's *sample texts* against every other step;
* ``wsbdd check`` compares an undefined step with every step's readable form.
"""

from __future__ import annotations

import functools
import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

__all__ = ["readable", "samples", "PLACEHOLDER_NAMES"]

PLACEHOLDER_NAMES = {
    "name": "client",
    "names": "clients",
    "others": "clients",
    "payload": "json",
    "where": "conditions",
    "amount": "time",
    "target": "path",
    "variable": "variable",
    "n": "count",
}
"""How a regex group name reads in the catalogue (``(?P<name>…)`` → ``{client}``)."""

_HIDDEN = {"unit"}  # read together with the amount before it: "within {time}"


# -- readable templates --------------------------------------------------------------------


def _literal_text(items: Any) -> str | None:
    """The text of a subpattern made of literals only (optional literals kept), else None."""
    out = []
    for op, av in items:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.MAX_REPEAT and av[0] == 0 and av[1] == 1:
            inner = _literal_text(av[2])
            if inner is None:
                return None
            out.append(inner)
        else:
            return None
    return "".join(out)


def _alternatives(items: Any) -> list[str] | None:
    """``order|any order`` → ["order", "any order"]; None unless every branch is literal."""
    items = list(items)
    prefix = ""
    while items and items[0][0] is sre.LITERAL:
        prefix += chr(items.pop(0)[1])
    if len(items) == 1 and items[0][0] is sre.BRANCH:
        options = [_literal_text(branch) for branch in items[0][1][1]]
        if all(o is not None for o in options):
            return [prefix + o for o in options if o is not None]
        return None
    text = _literal_text(items)
    return None if text is None else [prefix + text]


def _read(items: Any, names: dict[int, str]) -> str:
    out: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.SUBPATTERN:
            group, _, _, inner = av
            name = names.get(group) if group else None
            if name is None:
                out.append(_read(inner, names))
            elif name in _HIDDEN:
                continue
            else:
                options = _alternatives(inner)
                if options is not None:  # "hex|base64" → hex/base64; " with headers:" as is
                    lead = " " if options[0].startswith(" ") else ""
                    out.append(lead + "/".join(o.strip() for o in options))
                else:
                    out.append("{" + PLACEHOLDER_NAMES.get(name, name) + "}")
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, inner = av
            text = _read(inner, names)
            if low == 0 and high == 1:
                out.append(f"[{text}]" if text.strip() else text)
            else:
                out.append(text if text else "…")
        elif op is sre.BRANCH:
            options = [_read(branch, names) for branch in av[1]]
            shown = "/".join(o for o in options if o)
            out.append(f"[{shown}]" if "" in options else shown)
        elif op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
            continue
        else:
            out.append("…")
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def readable(pattern: str) -> str:
    """``(?:client )?(?P<name>…) is connected`` → ``{client} is connected``."""
    pattern = _strip_anchors(pattern)
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return pattern
    names = {index: name for name, index in parsed.state.groupdict.items()}
    text = _read(parsed, names)
    text = text.replace("[client ]{client}", "{client}").replace("[client ]", "")
    text = re.sub(r"\[ +", " [", text)
    text = re.sub(r" +\]", "] ", text)
    text = re.sub(r"\[\]", "", text)
    text = re.sub(r" {2,}", " ", text).strip()
    return text.replace(" ]", "]").replace("] :", "]:")


def _strip_anchors(pattern: str) -> str:
    if pattern.startswith("^"):
        pattern = pattern[1:]
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1]
    return pattern


# -- sample texts --------------------------------------------------------------------------

_CANDIDATES = 'xa1A "{[$.-_:,'


def _in_class(char: str, items: Any) -> bool:
    code = ord(char)
    negate = False
    found = False
    for op, av in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL and code == av:
            found = True
        elif op is sre.RANGE and av[0] <= code <= av[1]:
            found = True
        elif op is sre.CATEGORY:
            found = found or _category(char, av)
    return found != negate


def _category(char: str, category: Any) -> bool:
    table = {
        sre.CATEGORY_DIGIT: char.isdigit(),
        sre.CATEGORY_NOT_DIGIT: not char.isdigit(),
        sre.CATEGORY_SPACE: char.isspace(),
        sre.CATEGORY_NOT_SPACE: not char.isspace(),
        sre.CATEGORY_WORD: char.isalnum() or char == "_",
        sre.CATEGORY_NOT_WORD: not (char.isalnum() or char == "_"),
    }
    return table.get(category, False)


def _one_char(items: Any) -> str:
    for char in _CANDIDATES:
        if _in_class(char, items):
            return char
    return "x"


def _generate(items: Any, full: bool, last: bool) -> str:
    out: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.NOT_LITERAL:
            out.append("x" if av != ord("x") else "y")
        elif op is sre.ANY:
            out.append("x")
        elif op is sre.IN:
            out.append(_one_char(av))
        elif op is sre.SUBPATTERN:
            out.append(_generate(av[3], full, last))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, inner = av
            times = low if not full else max(low, 1)
            times = min(times, high)
            out.append(_generate(inner, full, last) * times)
        elif op is sre.BRANCH:
            branches = av[1]
            out.append(_generate(branches[-1] if last else branches[0], full, last))
        elif op is sre.CATEGORY:
            out.append("1" if av is sre.CATEGORY_DIGIT else "x")
        # assertions and anchors produce no text
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def samples(pattern: str) -> tuple[str, ...]:
    """A few texts the pattern matches: shortest, with every option, with last alternatives.

    Used to find two steps that would both match one line of a feature.
    """
    pattern = _strip_anchors(pattern)
    try:
        parsed = sre_parse.parse(pattern)
        compiled = re.compile(pattern)
    except re.error:
        return ()
    found: list[str] = []
    for full, last in ((False, False), (True, False), (True, True), (False, True)):
        text = _generate(parsed, full, last)
        if text not in found and compiled.fullmatch(text):
            found.append(text)
    return tuple(found)
