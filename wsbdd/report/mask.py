"""Secrets never reach a report: tokens, credentials in headers, secret variables.

A :class:`Masker` knows two kinds of secret.  *Values* it has been told about
(the token a connect step used, the value of a variable listed in ``secrets``,
an ``Authorization`` header) are replaced wherever they appear, in every
spelling a report could give them (as written, JSON-escaped, URL-encoded).
*Places* are masked whatever their value: the token in ``with token "…"``, the
value after ``Authorization:`` or ``Cookie:``, a header table row naming one of
those headers, a ``token=`` query parameter.

*Fields* of a codec's frames: a codec class may declare ``secret_fields`` and
``public_fields``, regexes (``re.MULTILINE``) whose group 1 is a value.  The group
of a ``secret_fields`` match is masked whatever it is (STOMP's ``passcode:…``
header); the group of a ``public_fields`` match is never masked for being equal to
a known secret (STOMP's ``login:guest`` stays readable when the passcode is
``guest`` too).  :func:`codec_fields` collects them from the registered codecs.
A one-line rendering of a frame (``CONNECT⏎login:guest⏎…␀``) is read as the lines
it stands for, so its fields are found too.

Each report writer masks its text before it truncates or escapes it, so half a
secret never survives a cut.  :class:`MaskingStream` does the same for
behave's own console output.
"""

from __future__ import annotations

import json
import logging
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from wsbdd.model.secrets import (
    LINE_MARKS,
    MASK,
    PUBLIC_PLACES,
    SECRET_HEADERS,
    credential_name_patterns,
    is_secret_header,
)
from wsbdd.report.console import encodes

__all__ = [
    "MASK",
    "SECRET_HEADERS",
    "Fields",
    "Masker",
    "MaskingStream",
    "codec_fields",
    "is_secret_header",
]


log = logging.getLogger("wsbdd.report")

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
    # with passcode "…" in a step (STOMP)
    (
        ("with passcode",),
        re.compile(r'(\bwith passcode ")((?:[^"\\\r\n]|\\.)*)(")', re.IGNORECASE),
        rf"\g<1>{MASK}\g<3>",
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


_CUT = re.compile(rf"(?<![^\s\"'<>…])([^\s\"'<>…]{{{MIN_LENGTH},}}+)…")
"""A run of characters a sentence cut short with an ellipsis.  It is matched from the run's
first character only and never given back (a possessive run): a long run that no ellipsis
ends costs one pass, not one pass per character (64 KiB of it took seconds per text)."""


_PROJECT_PLACES: dict[tuple[str, ...], list[tuple[re.Pattern[str], str]]] = {}


def _project_places() -> list[tuple[re.Pattern[str], str]]:
    """The places of the project's own credential names (the ``credential_names``
    setting): a JSON field so named, and a header line or ``name=value`` so named."""
    fields = credential_name_patterns('[^"]')
    if not fields:
        return []
    places = _PROJECT_PLACES.get(fields)
    if places is None:
        names = "|".join(credential_name_patterns(r"[\w.-]"))
        places = [
            (
                re.compile(
                    rf'("(?:{"|".join(fields)})")(\s*:\s*")((?!\*\*\*")(?:[^"\\]|\\.)*)(")',
                    re.IGNORECASE,
                ),
                rf"\g<1>\g<2>{MASK}\g<4>",
            ),
            (
                re.compile(
                    rf"""((?<![\w.-])(?:{names})(?![\w.-])["']?[ \t]*[:=][ \t]*["']?)"""
                    r"""((?!\*\*\*)[^"'\r\n|&#\s]+)""",
                    re.IGNORECASE,
                ),
                rf"\g<1>{MASK}",
            ),
        ]
        _PROJECT_PLACES[fields] = places
    return places


def _spellings(value: str) -> set[str]:
    """The ways a report may write ``value``: raw, JSON-escaped, URL-encoded."""
    found = {value}
    for ascii_only in (True, False):
        found.add(json.dumps(value, ensure_ascii=ascii_only)[1:-1])
    found.add(quote(value, safe=""))
    found.add(quote_plus(value, safe=""))
    return {s for s in found if s}


@dataclass(frozen=True)
class Fields:
    """Where secrets sit in frames, and where known secrets may show: compiled patterns
    whose group 1 is the value (see the module's docstring)."""

    secret: tuple[re.Pattern[str], ...] = ()
    public: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def of(cls, secret: Iterable[str] = (), public: Iterable[str] = ()) -> Fields:
        """Fields from regex texts (``r"^passcode:(.*)$"``), compiled with ``re.MULTILINE``."""
        return cls(_compiled(secret), _compiled(public))

    def __bool__(self) -> bool:
        return bool(self.secret or self.public)


def _compiled(patterns: Iterable[str | re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    found: list[re.Pattern[str]] = []
    for pattern in patterns:
        try:
            compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.M)
        except re.error as error:
            log.warning("wsbdd: the field pattern %r is not a regex (%s); ignored", pattern, error)
            continue
        if compiled.groups < 1:
            log.warning("wsbdd: the field pattern %r has no group 1 (the value); ignored", pattern)
        elif compiled not in found:
            found.append(compiled)
    return tuple(found)


_LEAD = re.compile(r"^(?:\^|\\b|\\A)*((?:[\w:=\- \"',]|\\[.:=\-\"/ {}()\[\]])+)")
_literals: dict[re.Pattern[str], str] = {}


def _literal(pattern: re.Pattern[str]) -> str:
    """Text every match of ``pattern`` contains, lower-cased (``passcode:`` for
    ``^passcode:(.*)$``), so that text without it is not searched; "" when unknown."""
    found = _literals.get(pattern)
    if found is None:
        lead = _LEAD.match(pattern.pattern)
        text = lead.group(1) if lead else ""
        text = re.sub(r"\\(.)", r"\1", text)
        # A literal followed by a quantifier (``a?``, ``ab*``) is not always there.
        rest = pattern.pattern[lead.end() : lead.end() + 1] if lead else ""
        if rest in ("?", "*", "{") and text:
            text = text[:-1]
        found = text.lower() if len(text) >= 3 else ""
        _literals[pattern] = found
    return found


def _worth(pattern: re.Pattern[str], lowered: str) -> bool:
    literal = _literal(pattern)
    return not literal or literal in lowered


_BUILT_IN = Fields((), tuple(re.compile(p, re.M | re.I) for p in PUBLIC_PLACES))
_collected: tuple[tuple[tuple[str, int], ...], Fields] | None = None


def codec_fields(extra: Sequence[Any] = ()) -> Fields:
    """The ``secret_fields`` and ``public_fields`` of every registered codec (and of the
    codec classes in ``extra``), with wsbdd's own places in steps (``with passcode "…"``
    masked, the login of ``as "guest" with passcode`` kept).

    Read again only when the registry changed (a project registered its codec)."""
    global _collected
    from wsbdd.codec.registry import codec_names, find_codec

    factories = [find_codec(name) for name in codec_names()]
    factories.extend(extra)
    key = tuple((getattr(f, "__qualname__", ""), id(f)) for f in factories)
    if _collected is not None and _collected[0] == key:
        return _collected[1]
    secret: list[str | re.Pattern[str]] = [*_BUILT_IN.secret]
    public: list[str | re.Pattern[str]] = [*_BUILT_IN.public]
    for factory in factories:
        secret.extend(_patterns(factory, "secret_fields"))
        public.extend(_patterns(factory, "public_fields"))
    fields = Fields(_compiled(secret), _compiled(public))
    _collected = (key, fields)
    return fields


def _patterns(factory: Any, attribute: str) -> tuple[str | re.Pattern[str], ...]:
    found = getattr(factory, attribute, ())
    if isinstance(found, str):
        found = (found,)
    try:
        return tuple(p for p in found if isinstance(p, str | re.Pattern))
    except TypeError:  # not a tuple of patterns: nothing to use
        return ()


_AS_LINES = str.maketrans(LINE_MARKS)
"""A frame written on one line (``⏎``, ``␀``) read as the lines it stands for: the same
length, so a match's place is the same in both."""


def _as_lines(text: str) -> str:
    if any(mark in text for mark in LINE_MARKS):
        return text.translate(_AS_LINES)
    return text


_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def _values_of(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Where the group 1 of ``pattern`` is in ``text``, read as lines: ``⏎`` as the newline
    it stands for, and each line without its indentation too (a frame quoted indented, as
    behave prints a doc string).  Sorted places, none empty."""
    view = _as_lines(text)
    found = {m.span(1) for m in pattern.finditer(view) if m.end(1) > m.start(1) >= 0}
    if _INDENT.search(view) is None:
        return sorted(found)
    pieces: list[str] = []
    starts: list[int] = []  # where, in the unindented text, each line's shift begins
    shifts: list[int] = []  # how many characters were taken out before it
    removed = position = 0
    for indent in _INDENT.finditer(view):
        pieces.append(view[position : indent.start()])
        starts.append(indent.start() - removed)
        removed += indent.end() - indent.start()
        shifts.append(removed)
        position = indent.end()
    pieces.append(view[position:])

    def back(at: int) -> int:
        i = bisect_right(starts, at) - 1
        return at + (shifts[i] if i >= 0 else 0)

    for m in pattern.finditer("".join(pieces)):
        if m.end(1) > m.start(1) >= 0:
            found.add((back(m.start(1)), back(m.end(1))))
    return sorted(found)


class Masker:
    """Replaces secrets with ``***`` in any text a report writes.

    ``fields``: where secrets sit in frames (:class:`Fields`, with wsbdd's own places in
    steps); None takes them from the registered codecs (:func:`codec_fields`), again on
    :meth:`refresh_fields`.
    """

    def __init__(self, values: Iterable[str] = (), *, fields: Fields | None = None) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._dirty = False
        self._screen_key: tuple[Any, ...] | None = None
        self._screen: re.Pattern[str] | None = None
        self._own_fields = fields is not None
        self.fields = (
            Fields(fields.secret + _BUILT_IN.secret, fields.public + _BUILT_IN.public)
            if fields is not None
            else codec_fields()
        )
        self.add(*values)

    def refresh_fields(self, extra: Sequence[Any] = ()) -> None:
        """Read the registered codecs' fields again (a codec registered since), with the
        codec classes in ``extra`` (the one the settings name as ``module:Class``)."""
        if not self._own_fields:
            self.fields = codec_fields(extra)

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
        fields = self.fields
        lowered = text.lower()
        screen = self._screen_for(fields)
        if (
            screen is not None
            and screen.search(lowered) is None
            and (self._pattern is None or self._pattern.search(text) is None)
        ):
            return text  # nothing below could change it (most lines behave prints)
        if fields.secret:
            masked = self._mask_fields(text, fields, lowered)
            if masked is not text:
                text, lowered = masked, masked.lower()
        values = self._pattern
        if values is not None and values.search(text) is not None:
            if fields.public:
                text = self._mask_values_but_public(text, values, fields.public, lowered)
            else:
                text = values.sub(MASK, text)
            lowered = text.lower()
        for words, pattern, replacement in _PLACES:
            if any(word in lowered for word in words):
                text = pattern.sub(replacement, text)
        for pattern, replacement in _project_places():
            text = pattern.sub(replacement, text)
        if "…" in text and self._values:
            text = _CUT.sub(self._cut_secret, text)
        return text

    def _screen_for(self, fields: Fields) -> re.Pattern[str] | None:
        """One pattern, searched in the lower-cased text, that finds every text some step of
        :meth:`mask` other than the known values could change: a secret field's or a
        place's words, and an ellipsis once secrets are known.  None when there is no such
        pattern (a field with no text every match holds, the project's own credential
        names): then every step runs."""
        key = (fields, bool(self._values), credential_name_patterns('[^"]'))
        if self._screen_key == key:
            return self._screen
        words = [word for place_words, _, _ in _PLACES for word in place_words]
        literals = [_literal(pattern) for pattern in fields.secret]
        screen: re.Pattern[str] | None = None
        if all(literals) and not key[2]:
            if self._values:
                words.append("…")
            screen = re.compile("|".join(re.escape(word) for word in {*words, *literals}))
        self._screen_key, self._screen = key, screen
        return screen

    def _cut_secret(self, match: re.Match[str]) -> str:
        """A secret shortened for a sentence (``"s3cr3t-very-lo…"``): its beginning is as
        secret as the whole, so a piece of at least MIN_LENGTH that begins a known secret
        and ends where the text was cut is masked too."""
        piece = match.group(1)
        for start in range(len(piece) - MIN_LENGTH + 1):
            tail = piece[start:]
            if any(value.startswith(tail) and value != tail for value in self._values):
                return piece[:start] + MASK + "…"
        return match.group(0)

    @staticmethod
    def _mask_fields(text: str, fields: Fields, lowered: str) -> str:
        """The group 1 of every secret field as ``***`` (``text`` itself when none is)."""
        for pattern in fields.secret:
            if not _worth(pattern, lowered):
                continue
            spans = [(a, b) for a, b in _values_of(pattern, text) if text[a:b] != MASK]
            for start, end in reversed(spans):
                text = text[:start] + MASK + text[end:]
        return text

    @staticmethod
    def _mask_values_but_public(
        text: str, values: re.Pattern[str], public: Sequence[re.Pattern[str]], lowered: str
    ) -> str:
        """Known secret values as ``***``, except inside the group 1 of a public field."""
        worth = [pattern for pattern in public if _worth(pattern, lowered)]
        if not worth:
            return values.sub(MASK, text)
        kept = sorted(span for pattern in worth for span in _values_of(pattern, text))
        if not kept:
            return values.sub(MASK, text)
        starts = [start for start, _ in kept]

        def replace(match: re.Match[str]) -> str:
            i = bisect_right(starts, match.start()) - 1
            if i >= 0 and kept[i][0] <= match.start() and match.end() <= kept[i][1]:
                return match.group()
            return MASK

        return values.sub(replace, text)

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
        XML-, HTML- and JSON-escaped spellings are masked too.
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
            for quoted in (json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
                if quoted != value:  # as JSON writes it (Allure's result files)
                    masked = masked.replace(quoted, MASK)
        if masked == text:
            return False
        path.write_text(masked, encoding="utf-8")
        return True


class MaskingStream:
    """A text stream that masks secrets in everything written to it.

    Wraps the streams of behave's own formatters (the console, ``-o`` files),
    so a token in a step or an error message is printed as ``***``.

    Inside :meth:`gathered` the writes are joined and written as one when the block
    ends: a formatter writes a step's line in pieces, and an unbuffered console
    (``PYTHONUNBUFFERED``, common in CI containers) makes each piece a system call.
    """

    def __init__(self, stream: Any, masker: Masker) -> None:
        self._stream = stream
        self._masker = masker
        self._gathered: list[str] | None = None

    @property
    def wrapped(self) -> Any:
        return self._stream

    def write(self, text: str) -> int:
        gathered = self._gathered
        if gathered is not None and isinstance(text, str) and encodes(self._stream, text):
            gathered.append(text)  # masked with the rest of the block, as one text
        else:  # written now, after what was gathered: an encoding error is raised here
            self._write_gathered()
            self._stream.write(self._masker.mask(text) if isinstance(text, str) else text)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._write_gathered()
        self._stream.flush()

    def gathered(self) -> _Gathering:
        """Join the writes of the block into one write at its end (in their order), masked
        as one text: a secret written in two pieces is masked too."""
        return _Gathering(self)

    def _write_gathered(self) -> None:
        gathered = self._gathered
        if gathered:
            text = "".join(gathered)
            gathered.clear()
            self._stream.write(self._masker.mask(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _Gathering:
    """:meth:`MaskingStream.gathered`'s block (a plain context manager: it runs at every
    step).  A block inside another leaves the writing to the outer one."""

    __slots__ = ("_stream", "_outer")

    def __init__(self, stream: MaskingStream) -> None:
        self._stream = stream
        self._outer = False

    def __enter__(self) -> None:
        stream = self._stream
        self._outer = stream._gathered is not None
        if not self._outer:
            stream._gathered = []

    def __exit__(self, *_: object) -> None:
        if self._outer:
            return
        stream = self._stream
        try:
            stream._write_gathered()
        finally:
            stream._gathered = None
