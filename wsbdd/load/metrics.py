"""What a load step measured, and how it reads to a tester.

Pure: no sockets, no event loop.  Latencies are kept as exact samples, never as
running averages, so a percentile is the value of a real message (nearest rank)
and a failure can quote it.  :class:`LoadMetrics` gathers one step's counts,
latencies and the test client's own health, and renders them as a plain-text
table or a JSON-ready dict for reports.
"""

from __future__ import annotations

import bisect
import math
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from wsbdd.model.errors import FeatureMistake

__all__ = [
    "HdrLatencies",
    "Latencies",
    "LoadMetrics",
    "parse_percentile",
    "percentile_words",
    "format_latency",
    "format_percent",
]

_SUMMARY = (("p50", 50.0), ("p90", 90.0), ("p95", 95.0), ("p99", 99.0), ("max", 100.0))


class Latencies:
    """Exact latency samples in seconds (array('d')); percentiles by nearest rank."""

    __slots__ = ("_samples", "_sorted")

    def __init__(self, samples: Iterable[float] = ()) -> None:
        self._samples = array("d", samples)
        self._sorted: list[float] | None = None

    def add(self, seconds: float) -> None:
        self._samples.append(seconds)
        self._sorted = None

    def extend(self, samples: Iterable[float]) -> None:
        self._samples.extend(samples)
        self._sorted = None

    def __len__(self) -> int:
        return len(self._samples)

    def __iter__(self) -> Iterator[float]:
        """The samples in the order they were added."""
        return iter(self._samples)

    def __repr__(self) -> str:
        return f"Latencies({len(self)} samples)"

    def _ordered(self) -> list[float]:
        # Sorting once per batch of additions keeps many percentile checks cheap.
        if self._sorted is None:
            self._sorted = sorted(self._samples)
        return self._sorted

    def percentile(self, p: float) -> float | None:
        """The sample at nearest rank ``ceil(p/100 * n)``; ``p=0`` is the minimum; None if empty."""
        if not 0 <= p <= 100:
            raise ValueError(f"A percentile is a number from 0 to 100, not {p}.")
        ordered = self._ordered()
        if not ordered:
            return None
        # Exact arithmetic: 99.9 / 100 * 1000 in floats is 999.0000000000001, one rank too high.
        rank = math.ceil(Fraction(str(p)) * len(ordered) / 100)
        return ordered[max(rank, 1) - 1]

    @property
    def min(self) -> float | None:
        ordered = self._ordered()
        return ordered[0] if ordered else None

    @property
    def max(self) -> float | None:
        ordered = self._ordered()
        return ordered[-1] if ordered else None

    @property
    def mean(self) -> float | None:
        if not self._samples:
            return None
        return math.fsum(self._samples) / len(self._samples)

    def summary(self) -> dict[str, float | None]:
        """p50, p90, p95, p99 and max, in seconds (None when there are no samples)."""
        return {key: self.percentile(p) for key, p in _SUMMARY}

    def histogram(self, bins: int = 24) -> list[tuple[float, float, int]]:
        """``(low, high, count)`` bins from min to max; every sample is counted exactly once.

        Bins are log-spaced, since latencies spread over orders of magnitude; when
        the smallest sample is 0 or less they are evenly spaced instead.  Each bin
        holds ``low <= x < high``, except the last, which also holds the maximum.
        """
        if bins < 1:
            raise ValueError(f"A histogram needs at least one bin, not {bins}.")
        ordered = self._ordered()
        if not ordered:
            return []
        low, high = ordered[0], ordered[-1]
        if low == high:
            return [(low, high, len(ordered))]
        if low > 0:
            ratio = high / low
            edges = [low * ratio ** (i / bins) for i in range(bins + 1)]
        else:
            edges = [low + (high - low) * i / bins for i in range(bins + 1)]
        edges[0], edges[-1] = low, high
        starts = [bisect.bisect_left(ordered, edge) for edge in edges[:-1]] + [len(ordered)]
        return [(edges[i], edges[i + 1], starts[i + 1] - starts[i]) for i in range(bins)]


class HdrLatencies(Latencies):
    """Latencies kept in an HdrHistogram: mergeable across processes, exact to its precision.

    What a Locust worker sends its master (:meth:`encode`), and what the master merges
    (:meth:`merge`) before the verdict steps judge the whole crowd.  Samples are
    recorded in whole microseconds with ``digits`` significant decimal digits (3:
    every value within 0.1%), from 1 µs to an hour.  A percentile is the nearest
    rank over the recorded counts, as for :class:`Latencies`, and is reported as
    the highest value its bucket stands for: never below the exact sample, at most
    0.1% above it (and 1 µs).  Never an average of averages: merging adds counts.
    Needs the optional ``hdrhistogram`` package (``pip install 'wsbdd[locust]'``).
    """

    __slots__ = ("_hdr",)

    LOWEST = 1
    HIGHEST = 3_600_000_000  # an hour, in microseconds
    DIGITS = 3

    def __init__(self, samples: Iterable[float] = (), *, hdr: Any = None) -> None:
        super().__init__()
        if hdr is None:
            from hdrh.histogram import HdrHistogram

            hdr = HdrHistogram(self.LOWEST, self.HIGHEST, self.DIGITS)
        self._hdr = hdr
        self.extend(samples)

    @classmethod
    def decode(cls, encoded: str | bytes) -> HdrLatencies:
        """A histogram :meth:`encode` wrote (base64 text), in another process maybe."""
        from hdrh.histogram import HdrHistogram

        text = encoded.encode("ascii") if isinstance(encoded, str) else encoded
        into = cls()
        if text:
            into._hdr.add(HdrHistogram.decode(text))
        return into

    def encode(self) -> str:
        """Compressed, base64: a few hundred bytes whatever the number of samples."""
        return self._hdr.encode().decode("ascii") if len(self) else ""

    def merge(self, other: HdrLatencies) -> None:
        """Add ``other``'s counts to this one's (the samples of both, as one histogram)."""
        if len(other):
            self._hdr.add(other._hdr)

    def add(self, seconds: float) -> None:
        micros = max(self.LOWEST, min(self.HIGHEST, round(seconds * 1e6)))
        self._hdr.record_value(micros)

    def extend(self, samples: Iterable[float]) -> None:
        for seconds in samples:
            self.add(seconds)

    def __len__(self) -> int:
        return int(self._hdr.get_total_count())

    def __repr__(self) -> str:
        return f"HdrLatencies({len(self)} samples)"

    def _buckets(self) -> list[tuple[float, int]]:
        """(highest value the bucket stands for, in seconds; count), ascending."""
        return [
            (step.value_iterated_to / 1e6, int(step.count_at_value_iterated_to))
            for step in self._hdr.get_recorded_iterator()
        ]

    def _ordered(self) -> list[float]:
        # Only the report's histogram asks for every value: one per sample, bucketed.
        return [value for value, count in self._buckets() for _ in range(count)]

    def percentile(self, p: float) -> float | None:
        if not 0 <= p <= 100:
            raise ValueError(f"A percentile is a number from 0 to 100, not {p}.")
        total = len(self)
        if not total:
            return None
        rank = max(math.ceil(Fraction(str(p)) * total / 100), 1)
        seen = 0
        value = 0.0
        for value, count in self._buckets():
            seen += count
            if seen >= rank:
                return value
        return value

    @property
    def min(self) -> float | None:
        return self.percentile(0)

    @property
    def max(self) -> float | None:
        return self.percentile(100)

    @property
    def mean(self) -> float | None:
        return float(self._hdr.get_mean_value()) / 1e6 if len(self) else None


_ORDINAL = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<suffix>st|nd|rd|th)")
_PREFIXED = re.compile(r"p(?P<number>\d+(?:\.\d+)?)")
_PERCENTILE_WORDS = {"median": 50.0, "maximum": 100.0, "max": 100.0, "highest": 100.0}
_PERCENTILE_EXAMPLE = 'write it like "95th", "99.9th", "median" or "maximum"'


def _ordinal_suffix(number: str) -> str:
    last_two = number[-2:]
    if last_two in ("11", "12", "13"):
        return "th"
    return {"1": "st", "2": "nd", "3": "rd"}.get(number[-1], "th")


def percentile_words(p: float) -> str:
    """50 → ``"median"``, 95 → ``"95th percentile"``, 100 → ``"maximum"`` (for sentences)."""
    if p == 50:
        return "median"
    if p == 100:
        return "maximum"
    text = f"{p:g}"
    suffix = "th" if "." in text else _ordinal_suffix(text)
    return f"{text}{suffix} percentile"


def parse_percentile(word: str) -> float:
    """``"95th"`` → 95, ``"p99.9"`` → 99.9, ``"median"`` → 50, ``"maximum"`` → 100."""
    text = word.strip().lower()
    if text in _PERCENTILE_WORDS:
        return _PERCENTILE_WORDS[text]
    ordinal = _ORDINAL.fullmatch(text)
    prefixed = _PREFIXED.fullmatch(text)
    number: str | None = None
    if ordinal:
        suffix = ordinal["suffix"]
        # "99.9th" is how people write it; after a decimal point "th" is always accepted.
        if suffix == _ordinal_suffix(ordinal["number"]) or (
            "." in ordinal["number"] and suffix == "th"
        ):
            number = ordinal["number"]
    elif prefixed:
        number = prefixed["number"]
    if number is None:
        raise FeatureMistake(f'wsbdd does not know the percentile "{word}": {_PERCENTILE_EXAMPLE}.')
    value = float(number)
    if value > 100:
        raise FeatureMistake(
            f'The percentile "{word}" is above 100, the highest there is: {_PERCENTILE_EXAMPLE}.'
        )
    return value


def format_latency(seconds: float | None) -> str:
    """``0.00085`` → ``"850 µs"``, ``0.0032`` → ``"3.20 ms"``, ``0.123`` → ``"123 ms"``."""
    if seconds is None:
        return "–"
    if seconds < 0:
        return "-" + format_latency(-seconds)
    # Thresholds compare the rounded value, so 999.6 µs reads "1.00 ms", not "1000 µs".
    if round(seconds * 1e6) < 1000:
        return f"{seconds * 1e6:.0f} µs"
    ms = seconds * 1000
    if round(ms, 2) < 10:
        return f"{ms:.2f} ms"
    if round(ms, 1) < 100:
        return f"{ms:.1f} ms"
    if round(ms) < 1000:
        return f"{ms:.0f} ms"
    if round(seconds, 2) < 10:
        return f"{seconds:.2f} s"
    if round(seconds, 1) < 100:
        return f"{seconds:.1f} s"
    return f"{seconds:,.0f} s"


def format_percent(part: int, whole: int) -> str:
    """``(998, 1000)`` → ``"99.8% (998 of 1,000)"``; never shows 100% or 0% when it is not."""
    if whole == 0:
        return f"none ({part:,} of 0)"
    exact = Decimal(part * 100) / Decimal(whole)
    decimals = 2
    while True:
        shown = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
        misleading = (shown == 100 and part < whole) or (shown == 0 and part > 0)
        if not misleading or decimals >= 20:
            break
        decimals += 1
    text = f"{shown:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}% ({part:,} of {whole:,})"


def _format_rate(per_second: float) -> str:
    if per_second >= 100:
        return f"{per_second:,.0f}"
    if per_second >= 10:
        return f"{per_second:.1f}"
    return f"{per_second:.2f}"


def _percentiles_text(latencies: Latencies, keys: Iterable[str]) -> str:
    summary = latencies.summary()
    return " · ".join(f"{key} {format_latency(summary[key])}" for key in keys)


def _latency_row(latencies: Latencies) -> str:
    keys = ("p50", "p90", "p95", "p99", "max")
    count = len(latencies)
    return f"{_percentiles_text(latencies, keys)}   ({count:,} sample{'' if count == 1 else 's'})"


_LABEL_WIDTH = 14


@dataclass
class Deliveries:
    """Who got which message and how fast: what a tally counts and a load step reports."""

    sent: int = 0
    expected: int = 0
    delivered: int = 0
    duplicates: int = 0
    unexpected: int = 0
    delivery: Latencies = field(default_factory=Latencies)
    round_trip: Latencies = field(default_factory=Latencies)

    def take_deliveries(self, counted: Deliveries) -> None:
        """Take what ``counted`` found arrive (not its sends: those are counted as sent)."""
        self.expected = counted.expected
        self.delivered = counted.delivered
        self.duplicates = counted.duplicates
        self.unexpected = counted.unexpected
        self.delivery = counted.delivery
        self.round_trip = counted.round_trip


@dataclass
class LoadMetrics(Deliveries):
    """What one load step measured: connections, messages, latencies, and the client's health.

    "The client" is the test client, wsbdd itself: when it falls behind
    (:attr:`saturated`), its timings describe wsbdd, not the application.
    """

    clients: int = 0
    connect_attempts: int = 0
    connected: int = 0
    connect_times: Latencies = field(default_factory=Latencies)
    started_at: float = 0.0
    sending_took: float = 0.0
    took: float = 0.0
    loop_lag_max: float = 0.0
    schedule_lag_max: float = 0.0
    phases: list[str] = field(default_factory=list)
    lag_threshold: float = 0.1

    @property
    def lost(self) -> int:
        """Expected deliveries that never arrived."""
        return max(self.expected - self.delivered, 0)

    @property
    def saturated(self) -> bool:
        """True when the test client itself fell behind, so its timings say little."""
        return max(self.loop_lag_max, self.schedule_lag_max) > self.lag_threshold

    @property
    def send_rate(self) -> float | None:
        """Messages sent per second while sending (None with fewer than two sends)."""
        if self.sending_took <= 0 or self.sent < 2:
            return None
        return self.sent / self.sending_took

    @property
    def delivery_rate(self) -> float | None:
        """Deliveries per second over the whole step."""
        if self.took <= 0:
            return None
        return self.delivered / self.took

    def latencies(self, kind: str) -> Latencies:
        """The samples for ``"delivery"``, ``"round-trip"`` or ``"connection"``."""
        key = kind.strip().lower().replace(" ", "-")
        if key == "delivery":
            return self.delivery
        if key == "round-trip":
            return self.round_trip
        if key == "connection":
            return self.connect_times
        raise FeatureMistake(
            f'wsbdd measures no "{kind}" latency: name one of "delivery", "round-trip" '
            'or "connection", as in "the 95th percentile delivery latency".'
        )

    def saturation_note(self) -> str:
        """One sentence warning that the numbers are not trustworthy, or "" when they are."""
        if not self.saturated:
            return ""
        return (
            f"The test client was saturated (event loop up to {format_latency(self.loop_lag_max)}"
            f" late, sends up to {format_latency(self.schedule_lag_max)} behind schedule): "
            "these results are not trustworthy; use fewer clients or a lower rate, "
            "or run the load from more machines."
        )

    def rows(self) -> list[tuple[str, str]]:
        """(label, text) lines of the summary: the console table and the report show them."""
        rows: list[tuple[str, str]] = []
        if self.phases:
            rows.append(("phases", ", ".join(self.phases)))
        if self.clients or self.connect_attempts:
            text = f"{self.clients:,} in this step"
            if self.connect_attempts:
                text += f" · connected {format_percent(self.connected, self.connect_attempts)}"
                if self.connect_times:
                    keys = ("p50", "p95", "max")
                    text += f" · connect time {_percentiles_text(self.connect_times, keys)}"
            rows.append(("clients", text))
        if self.sent or self.expected or self.delivered or self.unexpected:
            parts = [f"{self.sent:,} sent"]
            if self.expected:
                parts.append(f"delivered {format_percent(self.delivered, self.expected)}")
                parts.append(f"lost {self.lost:,}")
            parts.append(f"duplicated {self.duplicates:,}")
            parts.append(f"unexpected {self.unexpected:,}")
            rows.append(("messages", " · ".join(parts)))
        if self.delivery:
            rows.append(("delivery", _latency_row(self.delivery)))
        elif self.expected:
            rows.append(("delivery", "no message arrived, so there is no delivery latency"))
        if self.round_trip:
            rows.append(("round trip", _latency_row(self.round_trip)))
        if self.sent:
            parts = []
            if self.send_rate is not None:
                sending = format_latency(self.sending_took)
                parts.append(f"{_format_rate(self.send_rate)} sent/s over {sending}")
            if self.delivery_rate is not None and self.expected:
                parts.append(f"{_format_rate(self.delivery_rate)} delivered/s")
            if self.took > 0:
                parts.append(f"step took {format_latency(self.took)}")
            if parts:
                rows.append(("throughput", " · ".join(parts)))
        verdict = " (fine)"
        if self.saturated:
            verdict = f": SATURATED (over the {format_latency(self.lag_threshold)} limit)"
        rows.append(
            (
                "test client",
                f"event loop late by at most {format_latency(self.loop_lag_max)}, sends at most "
                f"{format_latency(self.schedule_lag_max)} behind schedule{verdict}",
            )
        )
        return rows

    def table(self) -> str:
        """Plain-text, aligned summary for the console and for failure messages."""
        lines = [f"{label:<{_LABEL_WIDTH}}{text}" for label, text in self.rows()]
        note = self.saturation_note()
        if note:
            lines.append(note)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Everything measured, JSON-serialisable (latencies in seconds)."""

        def latency_dict(latencies: Latencies) -> dict[str, Any]:
            return {"count": len(latencies), **latencies.summary()}

        shown = self.delivery if self.delivery else self.round_trip
        return {
            "clients": self.clients,
            "connect_attempts": self.connect_attempts,
            "connected": self.connected,
            "connect_times": latency_dict(self.connect_times),
            "sent": self.sent,
            "expected": self.expected,
            "delivered": self.delivered,
            "duplicates": self.duplicates,
            "unexpected": self.unexpected,
            "delivery": latency_dict(self.delivery),
            "round_trip": latency_dict(self.round_trip),
            "started_at": self.started_at,
            "sending_took": self.sending_took,
            "took": self.took,
            "loop_lag_max": self.loop_lag_max,
            "schedule_lag_max": self.schedule_lag_max,
            "phases": list(self.phases),
            "lag_threshold": self.lag_threshold,
            "lost": self.lost,
            "saturated": self.saturated,
            "send_rate": self.send_rate,
            "delivery_rate": self.delivery_rate,
            "histogram": [list(bin_) for bin_ in shown.histogram()],
        }
