"""When each client sends: rates, durations and phases turned into send instants.

Pure: no sockets, no event loop, no clock.  A load step reads its words with
:func:`parse_rate`, :func:`parse_duration` and :func:`phases_from_rows`, then asks
:func:`send_offsets` or :func:`count_offsets` for one client's send instants in
seconds from the start.  The engine sends at those instants and measures how
late it was; the schedule itself never drifts, because every instant is solved
from the start rather than accumulated from the previous send.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wsbdd.match.grammar import parse_duration as _parse_duration
from wsbdd.model.errors import FeatureMistake

__all__ = [
    "Phase",
    "MAX_SENDS_PER_CLIENT",
    "MAX_TOTAL_DURATION",
    "send_offsets",
    "count_offsets",
    "parse_rate",
    "parse_duration",
    "phases_from_rows",
]

MAX_SENDS_PER_CLIENT = 100_000
"""A typo such as "5000 per second" for an hour must not start an unbounded run."""

MAX_TOTAL_DURATION = 3600.0
"""The longest a table of phases may last, in seconds (one hour)."""

# Cumulative counts within this distance of a whole number are that number, so
# 0.1/s for 30 s sends exactly 3 messages whatever the float rounding says.
_SNAP = 1e-9


@dataclass(frozen=True)
class Phase:
    """A stretch of a load run with a send rate per client that is constant or ramps linearly."""

    name: str
    duration: float
    start_rate: float
    end_rate: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.duration) and self.duration > 0):
            raise ValueError(
                f'The phase "{self.name}" must last more than 0 seconds, not {self.duration}.'
            )
        for rate in (self.start_rate, self.end_rate):
            if not (math.isfinite(rate) and rate >= 0):
                raise ValueError(
                    f'The phase "{self.name}" sends at {rate} messages a second: '
                    "a rate is a number of 0 or more."
                )

    @property
    def sends(self) -> float:
        """How many messages one client sends in this phase (the area under the rate)."""
        return (self.start_rate + self.end_rate) * self.duration / 2

    def instant(self, count: float) -> float:
        """Seconds into the phase at which ``count`` messages have been sent.

        Solves ``r0*t + (r1-r0)*t²/(2d) = count`` for ``0 <= count <= sends``.
        """
        if count <= 0:
            return 0.0
        r0 = self.start_rate
        a = (self.end_rate - r0) / (2 * self.duration)
        if a == 0:
            return count / r0
        # 2c / (r0 + sqrt(r0² + 4ac)) is the usual root rearranged: no cancellation
        # when a is tiny, and no 0/0 when r0 is 0.
        root = math.sqrt(max(r0 * r0 + 4 * a * count, 0.0))
        return 2 * count / (r0 + root)


def _snapped(value: float) -> float:
    nearest = round(value)
    return float(nearest) if abs(value - nearest) <= _SNAP * max(1.0, abs(value)) else value


def _too_many(count: int) -> FeatureMistake:
    return FeatureMistake(
        f"This load would send {count:,} messages per client; at most "
        f"{MAX_SENDS_PER_CLIENT:,} are allowed, so lower the rate or shorten the run, "
        'like "10 per second" for "60 seconds" (600 messages).'
    )


def send_offsets(phases: Sequence[Phase]) -> list[float]:
    """One client's send instants, in seconds from the start of the first phase, in order.

    Message k is sent the moment the cumulative count over all phases so far
    passes k: the first at the start of the first phase that sends anything,
    and a fraction left over at the end of a phase carries into the next.
    Sends fall strictly before the end of the last phase.
    """
    total = 0.0
    for phase in phases:
        total = _snapped(total + phase.sends)
    planned = math.ceil(total)
    if planned > MAX_SENDS_PER_CLIENT:
        raise _too_many(planned)

    offsets: list[float] = []
    phase_start = 0.0
    count_before = 0.0
    next_send = 0
    for phase in phases:
        count_after = _snapped(count_before + phase.sends)
        while next_send < count_after:
            into = phase.instant(next_send - count_before)
            offsets.append(phase_start + min(max(into, 0.0), phase.duration))
            next_send += 1
        phase_start += phase.duration
        count_before = count_after
    return offsets


def count_offsets(count: int, rate: float | None) -> list[float]:
    """``count`` sends at ``rate`` per second, the first at 0; ``rate=None`` sends all at once."""
    if count < 0:
        raise FeatureMistake(
            f"A client cannot send {count} messages; write a count of 0 or more, "
            'like "100 messages".'
        )
    if count > MAX_SENDS_PER_CLIENT:
        raise _too_many(count)
    if rate is None:
        return [0.0] * count
    if not (math.isfinite(rate) and rate > 0):
        raise FeatureMistake(
            f"At a rate of {rate:g} per second no message would ever be sent; "
            'write a rate above 0, like "5 per second".'
        )
    return [k / rate for k in range(count)]


_NUMBER = r"\d+(?:\.\d+)?"
_RATE = re.compile(
    rf"(?P<low>{_NUMBER})(?:\s*(?:to|-|–)\s*(?P<high>{_NUMBER}))?"
    r"\s*(?:(?:messages?|sends?)\s*)?"
    r"(?:per\s+|/\s*)(?P<unit>seconds?|secs?|s|minutes?|mins?)"
    r"(?:\s+per\s+client)?"
)
_RATE_EXAMPLE = 'write it like "5 per second" or "1 to 5 per second"'
_DURATION_EXAMPLE = 'write it like "30 seconds", "500 ms" or "1.5 minutes"'


def parse_rate(text: str) -> tuple[float, float]:
    """Sends per second per client at the start and end: ``"1 to 5 per second"`` → (1, 5).

    ``"5 per second"`` → (5, 5), ``"30 per minute"`` → (0.5, 0.5), ``"2/s"`` → (2, 2).
    """
    found = _RATE.fullmatch(text.strip().lower())
    if not found:
        raise FeatureMistake(f'wsbdd cannot read the rate "{text}": {_RATE_EXAMPLE}.')
    per = 1.0 if found["unit"].startswith("s") else 60.0
    low = float(found["low"]) / per
    high = float(found["high"]) / per if found["high"] is not None else low
    return low, high


def parse_duration(text: str) -> float:
    """``"2 seconds"`` → 2.0, ``"500 ms"`` → 0.5, ``"1.5 minutes"`` → 90.0, ``"90s"`` → 90.0.

    The grammar's one duration reader (:func:`wsbdd.match.grammar.parse_duration`):
    every step and setting takes the same units.
    """
    return _parse_duration(text)


_TABLE_EXAMPLE = (
    "| phase | duration | rate | with rows like | warm-up | 30 seconds | 1 to 5 per second |"
)
_HEADINGS = {"phase": "phase", "duration": "duration", "rate": "rate", "rate per client": "rate"}


def _headings(row: Mapping[str, str]) -> dict[str, str]:
    """Normalised column → the heading as written, for one row."""
    columns: dict[str, str] = {}
    for heading in row.keys():
        key = " ".join(str(heading).split()).lower()
        if key not in _HEADINGS:
            raise FeatureMistake(
                f'The phase table has a column "{heading}" that wsbdd does not know: '
                f"use the columns {_TABLE_EXAMPLE}."
            )
        columns[_HEADINGS[key]] = heading
    return columns


def phases_from_rows(rows: Sequence[Mapping[str, str]]) -> list[Phase]:
    """Phases from a table with the columns phase (optional), duration and rate."""
    if not rows:
        raise FeatureMistake(f"The phase table has no rows: write it like {_TABLE_EXAMPLE}.")
    columns = _headings(rows[0])
    for needed in ("duration", "rate"):
        if needed not in columns:
            raise FeatureMistake(
                f'The phase table needs a "{needed}" column: write it like {_TABLE_EXAMPLE}.'
            )

    phases: list[Phase] = []
    total = 0.0
    for number, row in enumerate(rows, start=1):
        cells = {column: str(row[heading] or "").strip() for column, heading in columns.items()}
        name = cells.get("phase") or f"phase {number}"
        try:
            duration = parse_duration(cells["duration"])
        except FeatureMistake:
            raise FeatureMistake(
                f'Row {number} of the phase table has the duration "{cells["duration"]}", '
                f"which wsbdd cannot read: {_DURATION_EXAMPLE}."
            ) from None
        if duration <= 0:
            raise FeatureMistake(
                f'Row {number} of the phase table lasts "{cells["duration"]}": every phase must '
                'last more than 0 seconds, like "30 seconds".'
            )
        try:
            start_rate, end_rate = parse_rate(cells["rate"])
        except FeatureMistake:
            raise FeatureMistake(
                f'Row {number} of the phase table has the rate "{cells["rate"]}", '
                f"which wsbdd cannot read: {_RATE_EXAMPLE}."
            ) from None
        total += duration
        if total > MAX_TOTAL_DURATION:
            raise FeatureMistake(
                f"Row {number} of the phase table takes the phases to "
                f"{f'{total:,.1f}'.removesuffix('.0')} seconds in all, "
                "more than the one hour wsbdd allows: shorten them, like "
                "| steady | 10 minutes | 5 per second |."
            )
        phases.append(Phase(name, duration, start_rate, end_rate))
    return phases
