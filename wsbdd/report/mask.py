"""Secrets never reach a report: tokens, credentials in headers, secret variables.

A :class:`Masker` knows two kinds of secret.  *Values* it has been told about
(the token a connect step used, the value of a variable listed in ``secrets``,
an ``Authorization`` header) are replaced wherever they appear, in every
spelling a report could give them (as written, JSON-escaped, URL-encoded).
*Places* are masked whatever their value: the token in ``with token "…"``, the
value after ``Authorization:`` or ``Cookie:``, a header table row naming one of
those headers, a ``token=`` query parameter.

Each report writer masks its text before it truncates or escapes it, so half a
secret never survives a cut.  :class:`MaskingStream` does the same for
behave's own console output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from wsbdd.model.secrets import MASK, SECRET_HEADERS, is_secret_header

__all__ = ["MASK", "SECRET_HEADERS", "Masker", "MaskingStream", "is_secret_header"]


MIN_LENGTH = 4
"""Shorter values are masked only in known places: replacing every ``ab`` in a
report would hide ordinary words and tell a reader what the secret is."""

# Each place: words one of which must be in the (lower-cased) text for the
# pattern to be worth running, the pattern, and its replacement.
_PLACES = [
    # with token "…" in a step
    (
        ("with token",),
        re.compile(r'(\bwith token ")((?:[^"\\\r\n]|\\.)*)(")', re.IGNORECASE),
        rf"\g<1>{MASK}\g<3>",
    ),
    # Authorization: Bearer …, "Cookie": "…", cookie=…
    (
        ("authorization", "cookie", "x-api-key", "x-auth-token"),
        re.compile(
            r"""(\b(?:proxy-)?(?:authorization|set-cookie|cookie|x-api-key|x-auth-token)\b"""
            r"""["']?[ \t]*[:=][ \t]*["']?)((?!\*\*\*)[^"'\r\n|]+)""",
            re.IGNORECASE,
        ),
        rf"\g<1>{MASK}",
    ),
    # "token": "…", "password": "…" in a JSON payload
    (
        ("token", "passw", "secret", "key"),
        re.compile(
            r'("(?:(?:access|refresh|id|auth|api|session)_?)?token"|"password"|"passwd"'
            r'|"(?:client_)?secret"|"api_?key")(\s*:\s*")((?!\*\*\*")(?:[^"\\]|\\.)*)(")',
            re.IGNORECASE,
        ),
        rf"\g<1>\g<2>{MASK}\g<4>",
    ),
    # ?token=… / &password=… in an address
    (
        ("token", "password", "secret"),
        re.compile(
            r"([?&][\w.-]*(?:token|password|secret)[\w.-]*=)((?!\*\*\*)[^&#\s\"'<>]+)",
            re.IGNORECASE,
        ),
        rf"\g<1>{MASK}",
    ),
]


def _spellings(value: str) -> set[str]:
    """The ways a report may write ``value``: raw, JSON-escaped, URL-encoded."""
    found = {value}
    for ascii_only in (True, False):
        found.add(json.dumps(value, ensure_ascii=ascii_only)[1:-1])
    found.add(quote(value, safe=""))
    found.add(quote_plus(value, safe=""))
    return {s for s in found if s}


class Masker:
    """Replaces secrets with ``***`` in any text a report writes."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._dirty = False
        self.add(*values)

    @property
    def values(self) -> frozenset[str]:
        """The secret values known so far (for tests and for checking output files)."""
        return frozenset(self._values)

    def add(self, *values: Any) -> None:
        """Remember secret values; ``None``, non-text and very short values are ignored."""
        for value in values:
            if not isinstance(value, str):
                continue
            value = value.strip()
            if len(value) < MIN_LENGTH or value == MASK:
                continue
            for spelling in _spellings(value):
                if len(spelling) >= MIN_LENGTH and spelling not in self._values:
                    self._values.add(spelling)
                    self._dirty = True

    def add_header(self, name: str, value: Any) -> None:
        """Remember a header's value if the header carries credentials.

        ``Authorization: Bearer abc`` hides ``Bearer abc`` and ``abc``;
        ``Cookie: a=1; sid=xyz`` hides the whole value and each cookie's value.
        """
        if not is_secret_header(name) or not isinstance(value, str):
            return
        self.add(value)
        scheme, _, credential = value.strip().partition(" ")
        if credential:
            self.add(credential)
        for part in re.split(r"[;,]", value):
            self.add(part.partition("=")[2])

    def mask(self, text: str) -> str:
        """``text`` with every known secret and every secret place replaced by ``***``."""
        if not text:
            return text
        if self._dirty:
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
            self._dirty = False
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        lowered = text.lower()
        for words, pattern, replacement in _PLACES:
            if any(word in lowered for word in words):
                text = pattern.sub(replacement, text)
        return text

    def mask_tree(self, value: Any) -> Any:
        """Mask every string inside nested dicts, lists and tuples (keys included)."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {self.mask_tree(k): self.mask_tree(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.mask_tree(v) for v in value)
        return value

    def mask_cells(self, rows: list[list[str]]) -> list[list[str]]:
        """Mask a table; a row whose first cell names a secret header hides its values."""
        masked = []
        for row in rows:
            if row and is_secret_header(row[0]):
                masked.append([self.mask(row[0]), *(MASK for _ in row[1:])])
            else:
                masked.append([self.mask(cell) for cell in row])
        return masked

    def mask_file(self, path: Path) -> bool:
        """Rewrite a text file with its secrets masked; True if anything changed.

        Used for files behave writes itself (JUnit XML), after they are written.
        XML- and HTML-escaped spellings are masked too.
        """
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
        masked = self.mask(text)
        for value in list(self._values):
            escaped = (
                value.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace('"', "&quot;")
            )
            if escaped != value:
                masked = masked.replace(escaped, MASK)
        if masked == text:
            return False
        path.write_text(masked, encoding="utf-8")
        return True


class MaskingStream:
    """A text stream that masks secrets in everything written to it.

    Wraps the streams of behave's own formatters (the console, ``-o`` files),
    so a token in a step or an error message is printed as ``***``.
    """

    def __init__(self, stream: Any, masker: Masker) -> None:
        self._stream = stream
        self._masker = masker

    @property
    def wrapped(self) -> Any:
        return self._stream

    def write(self, text: str) -> int:
        self._stream.write(self._masker.mask(text) if isinstance(text, str) else text)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
