"""Report settings from ``[tool.wsbdd.report]`` (or ``report.*`` in ``wsbdd.toml``).

::

    [tool.wsbdd.report]
    title = "Chat service: acceptance tests"
    payload_cap = "64 KiB"      # longest payload shown whole when a message is opened
    diagram_chars = 120         # characters of payload written on an arrow
    cucumber_transcripts = false  # also attach each conversation to Cucumber JSON
    metadata = { "App version" = "2.4.1", Environment = "staging" }  # shown in the header

A metadata field can also come from ``behave -D wsbdd.report.metadata.NAME=VALUE``
(``wsbdd run -D wsbdd.report.metadata.Build=1234``), which adds to or replaces the
table's field of that name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wsbdd.model.errors import ConfigError

__all__ = ["ReportOptions"]

_SIZE = re.compile(r"^\s*(\d+)\s*(bytes?|b|kib|kb|k|mib|mb|m)?\s*$", re.IGNORECASE)
_UNITS = {
    "": 1,
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "k": 1024,
    "kb": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mib": 1024**2,
}


def _where(key: str) -> str:
    return f"[tool.wsbdd.report] {key}"


def _toml(value: Any) -> str:
    """The value as the tester wrote it in TOML (true, "ten"), not as Python shows it."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _size(value: Any, key: str) -> int:
    if isinstance(value, bool):
        raise ConfigError(
            f'{_where(key)} must be a size like 65536 or "64 KiB", not {_toml(value)}.'
        )
    if isinstance(value, int):
        size = value
    else:
        match = _SIZE.match(str(value))
        if not match:
            raise ConfigError(
                f'{_where(key)} must be a size like 65536 or "64 KiB", not "{value}".'
            )
        size = int(match.group(1)) * _UNITS[(match.group(2) or "").lower()]
    if size < 256:
        raise ConfigError(f"{_where(key)} must be at least 256 bytes, not {size}.")
    return size


def _metadata(value: Any) -> tuple[tuple[str, str], ...]:
    """The user's own header fields, in the order written: names and values as texts."""
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{_where('metadata')} must be a table of names and texts, such as "
            f'{{ "App version" = "2.4.1" }}, not {_toml(value)}.'
        )
    fields = []
    for name, entry in value.items():
        if isinstance(entry, bool) or not isinstance(entry, str | int | float):
            raise ConfigError(
                f"{_where('metadata')}: the field {_toml(str(name))} must be a text or a "
                f"number, not {_toml(entry)}."
            )
        if not str(name).strip():
            raise ConfigError(f"{_where('metadata')}: a field has an empty name.")
        fields.append((str(name).strip(), str(entry)))
    return tuple(fields)


def _count(value: Any, key: str, lowest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        raise ConfigError(
            f"{_where(key)} must be a whole number of at least {lowest}, not {_toml(value)}."
        )
    return value


@dataclass(frozen=True)
class ReportOptions:
    """How the reports look; every field has a sensible default."""

    title: str = "Acceptance tests"
    payload_cap: int = 64 * 1024
    """A payload longer than this is cut (with a note) in the detail view."""
    diagram_chars: int = 120
    """How much of a payload is written on its arrow."""
    cucumber_transcripts: bool = False
    """Attach each scenario's conversation to its last step in Cucumber JSON (``embeddings``)."""
    metadata: tuple[tuple[str, str], ...] = ()
    """The user's own fields for the report's header (name, value), in order."""

    @classmethod
    def from_table(cls, table: Mapping[str, Any] | None) -> ReportOptions:
        """Validate the raw ``report`` table; a mistake is a :class:`ConfigError` sentence."""
        table = dict(table or {})
        known = {"title", "payload_cap", "diagram_chars", "cucumber_transcripts", "metadata"}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigError(
                f"{_where(unknown[0])} is not a report setting; known settings: "
                + ", ".join(sorted(known))
                + "."
            )
        options = cls()
        title = table.get("title", options.title)
        if not isinstance(title, str) or not title.strip():
            raise ConfigError(f"{_where('title')} must be a non-empty text.")
        transcripts = table.get("cucumber_transcripts", False)
        if not isinstance(transcripts, bool):
            raise ConfigError(f"{_where('cucumber_transcripts')} must be true or false.")
        return cls(
            title=title.strip(),
            payload_cap=_size(table.get("payload_cap", options.payload_cap), "payload_cap"),
            diagram_chars=_count(
                table.get("diagram_chars", options.diagram_chars), "diagram_chars", 20
            ),
            cucumber_transcripts=transcripts,
            metadata=_metadata(table.get("metadata", {})),
        )
