"""Which names carry secrets: one list for reports, failure sentences and transcripts.

Pure (no I/O).  A header such as ``Authorization`` or ``Cookie``, and a query
parameter or form field whose name says ``token``, ``password``, ``secret`` or
``api_key``, is shown as :data:`MASK` wherever wsbdd writes what was sent or
received: the HTML report, JUnit, Cucumber JSON, the console and failure sentences.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

__all__ = [
    "LINE_MARKS",
    "MASK",
    "PUBLIC_PLACES",
    "SECRET_HEADERS",
    "SECRET_WORDS",
    "is_secret_header",
    "is_secret_name",
    "use_credential_names",
    "mentions_credential",
    "credential_name_patterns",
]

MASK = "***"

SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
"""Header names whose values are always masked (compared case-insensitively)."""

SECRET_WORDS = ("token", "password", "passwd", "secret", "apikey", "api_key", "api-key", "csrf")
"""A query parameter or form field whose name contains one of these carries a secret."""


PUBLIC_PLACES = (r'\bas "((?:[^"\\\r\n]|\\.)*)" with passcode\b',)
"""Places in a step whose value stays readable though it equals a secret (group 1): the
login of ``… connected over STOMP as "guest" with passcode "…"``.  Codecs add their own
with ``public_fields`` (see docs/codecs.md, "Secrets in frames")."""

LINE_MARKS = {"\u23ce": "\n", "\u2400": "\x00", "\u240d": "\r"}
"""How a frame of several lines is written on one line in transcripts: ``⏎`` for a
newline, ``␀`` for NUL, ``␍`` for a carriage return (each mark stands for one character)."""


SECRET_HEADER_WORDS = (*SECRET_WORDS, "cookie", "session", "credential", "pwd")
"""A header whose name contains one of these carries a credential (``X-Auth-Token``,
``X-Password``, ``X-Session-Id``), besides :data:`SECRET_HEADERS`."""


_NAMES: list[str] = []
"""The project's own credential names (the ``credential_names`` setting), as written."""


def _glob(pattern: str, char: str) -> str:
    """A name pattern (``*pin*``, ``x-signature``) as a regular expression whose ``*`` stands
    for any run of ``char`` (a class of the characters a name may have)."""
    return "".join(f"{char}*" if c == "*" else char if c == "?" else re.escape(c) for c in pattern)


def use_credential_names(patterns: Iterable[str]) -> None:
    """Make names matching ``patterns`` (``*`` any characters, ``?`` one; case ignored)
    credentials too, besides wsbdd's own: headers, JSON fields and query parameters so
    named are masked in every output.  For the whole process: the run's settings say."""
    _NAMES[:] = [p.strip() for p in patterns if p.strip()]


def credential_name_patterns(char: str) -> tuple[str, ...]:
    """The project's credential names as regular expressions over names made of ``char``
    (the masker's patterns for JSON fields and header lines)."""
    return tuple(_glob(p, char) for p in _NAMES)


@functools.cache
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(_glob(p, ".") for p in names), re.IGNORECASE)


def mentions_credential(text: str) -> bool:
    """Whether ``text`` may name a credential at all: a cheap look before a payload is
    parsed for one (always True once the project names credentials of its own)."""
    if _NAMES:
        return True
    lowered = text.lower()
    return any(word in lowered for word in SECRET_HEADER_WORDS)


def _extra(name: str) -> bool:
    return bool(_NAMES) and _names_pattern(tuple(_NAMES)).fullmatch(name) is not None


def is_secret_header(name: str) -> bool:
    """Whether the value of header *name* is a credential: ``Authorization``, ``Cookie``,
    ``X-Api-Key``, or any name with ``token``, ``secret``, ``password``, ``cookie``,
    ``session``… in it."""
    lowered = name.strip().lower()
    return (
        lowered in SECRET_HEADERS
        or any(word in lowered for word in SECRET_HEADER_WORDS)
        or _extra(lowered)
    )


def is_secret_name(name: str, secrets: tuple[str, ...] = ()) -> bool:
    """Whether a query parameter or form field called *name* carries a secret (``token``,
    ``password``, ``api_key``…, or one of *secrets*)."""
    lowered = name.lower()
    return lowered in secrets or any(word in lowered for word in SECRET_WORDS) or _extra(lowered)
