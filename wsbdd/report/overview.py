"""A big run at a glance: failures grouped by cause, counts per feature and per tag, and
when each scenario ran.

Thirty scenarios that fail the same way (one Scenario Outline's rows, one broken
message type) are one cause: the same step, its quoted values and numbers set
aside, and the same kind of mismatch (timed out, no match, …).  The report
lists the cause once, with its count, and opens it to the scenarios.

Pure: records in, records out; :mod:`wsbdd.report.html` draws them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from wsbdd.model.failures import Failure
from wsbdd.report.model import RunReport, ScenarioReport
from wsbdd.report.text import format_duration

__all__ = [
    "Cause",
    "alike",
    "Tally",
    "Bar",
    "Lane",
    "failure_causes",
    "mismatch_kind",
    "step_pattern",
    "tallies_by_feature",
    "tallies_by_tag",
    "timeline",
]

_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_NUMBER = re.compile(r"(?<![\w$])-?\d+(?:\.\d+)?")
_NUMBER_IN_WORD = re.compile(r"(?<=[A-Za-z_])\d+")


def step_pattern(text: str) -> str:
    """A step's text with its values set aside: ``Bob receives a message where $.n is 3 within
    "2" s`` → ``Bob receives a message where $.n is N within "…" s``; ``user17`` → ``userN``."""
    text = _QUOTED.sub('"…"', text)
    text = _NUMBER_IN_WORD.sub("N", text)
    return _NUMBER.sub("N", text)


def mismatch_kind(failure: Failure | None, sentence: str, status: str = "") -> str:
    """What kind of failure: ``timed out``, ``no match``, ``unexpected message``,
    ``connection refused``, ``could not connect``, ``handshake rejected``, ``connection
    closed``, ``undefined step``, ``error`` or ``failed``; from the failure's data when
    wsbdd raised it, else from its sentence."""
    if status == "undefined":
        return "undefined step"
    text = sentence.lower()
    if failure is not None and failure.expected:
        expected = failure.expected.lower()
        observed = failure.observed.lower()
        if "connection" in " ".join(failure.notes).lower() and "while waiting" in " ".join(
            failure.notes
        ):
            return "connection closed"
        if expected.startswith("no "):
            return "unexpected message"
        if "in that time" in observed or observed.startswith("none came"):
            return "timed out"
        if "matched" in observed or "did not match" in observed or observed.startswith("had "):
            return "no match"
        return "not as expected"
    if "could not connect" in text:
        return "connection refused" if "refused" in text else "could not connect"
    if "handshake" in text and ("http 4" in text or "http 5" in text or "rejected" in text):
        return "handshake rejected"
    if "unexpected error" in text or "hook failed" in text:
        return "error"
    if "closed" in text or "lost" in text:
        return "connection closed"
    if "did not run" in text:
        return "did not run"
    return "failed"


@dataclass
class Cause:
    """Failed scenarios that failed alike: the same step (its values set aside) and the same
    kind of mismatch."""

    step: str
    """The failed step's pattern (``Then Bob receives a message where $.n is N``), or "" when
    the scenario failed outside any step."""
    kind: str
    sentence: str
    """The first line of the failure: as it is when every scenario says the same, with its
    values set aside when they differ."""
    scenarios: list[tuple[ScenarioReport, str]] = field(default_factory=list)
    """Each scenario with its own first line of the failure."""

    @property
    def count(self) -> int:
        return len(self.scenarios)


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line[:-1] if line.endswith(":") else line  # the list it announced is not shown


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|\s+|[^\s"\d]+|.')


def alike(first: str, other: str) -> str:
    """Two sentences of one cause as one: where they differ, a quoted value is ``"…"``, a
    number ``N``, a word ``…``; the rest as written.  Sentences of different shapes are
    set aside whole (:func:`step_pattern`)."""
    if first == other:
        return first
    a, b = _TOKEN.findall(first), _TOKEN.findall(other)
    if len(a) != len(b):
        return step_pattern(first)
    merged = []
    for x, y in zip(a, b, strict=True):
        if x == y:
            merged.append(x)
        elif x.startswith('"'):
            merged.append('"…"')
        elif _NUMBER.fullmatch(x):
            merged.append("N")
        else:
            merged.append("…")
    return "".join(merged)


def failure_causes(run: RunReport) -> list[Cause]:
    """The run's failed scenarios grouped by cause, the commonest first (ties: first met)."""
    causes: dict[tuple[str, str], Cause] = {}
    for scenario in run.scenarios:
        if scenario.outcome != "failed":
            continue
        step = scenario.failed_step
        if step is not None and step.error:
            sentence = step.error
            kind = mismatch_kind(step.failure, sentence, step.status)
            pattern = step_pattern(f"{step.keyword} {step.name}")
        else:
            sentence = scenario.error or (step.error if step is not None else "") or "failed"
            kind = mismatch_kind(None, sentence, step.status if step is not None else "")
            pattern = step_pattern(f"{step.keyword} {step.name}") if step is not None else ""
        line = _first_line(sentence)
        key = (pattern, kind) if pattern else ("", f"{kind}\n{step_pattern(line)}")
        cause = causes.get(key)
        if cause is None:
            cause = causes[key] = Cause(pattern, kind, line)
        elif cause.sentence != line:
            cause.sentence = alike(cause.sentence, line)
        cause.scenarios.append((scenario, line))
    return sorted(causes.values(), key=lambda c: -c.count)


@dataclass
class Tally:
    """Passed, failed and skipped scenarios of one feature or tag, and their time."""

    name: str
    anchor: str = ""
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.skipped

    @property
    def duration(self) -> str:
        return format_duration(self.seconds)

    def add(self, scenario: ScenarioReport) -> None:
        setattr(self, scenario.outcome, getattr(self, scenario.outcome) + 1)
        self.seconds += scenario.duration


def tallies_by_feature(run: RunReport) -> list[Tally]:
    """One row per feature, in the report's order (``anchor``: the feature's id)."""
    rows = []
    for index, feature in enumerate(run.features, 1):
        tally = Tally(feature.name, f"f{index}")
        for scenario in feature.scenarios:
            tally.add(scenario)
        rows.append(tally)
    return rows


def tallies_by_tag(run: RunReport) -> list[Tally]:
    """One row per tag a scenario carries (its own or inherited), by name."""
    tallies: dict[str, Tally] = {}
    for scenario in run.scenarios:
        for tag in dict.fromkeys(scenario.tags):
            tallies.setdefault(tag, Tally(tag)).add(scenario)
    return [tallies[name] for name in sorted(tallies, key=str.lower)]


@dataclass
class Bar:
    """One scenario on the timeline: where it starts and how long it is, in % of the run."""

    scenario: ScenarioReport
    left: float
    width: float
    title: str


@dataclass
class Lane:
    """One process of the run (``worker``: "" in a one-process run)."""

    worker: str
    bars: list[Bar] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"process {self.worker}" if self.worker else "this run"


@dataclass
class Timeline:
    lanes: list[Lane]
    span: float
    """Seconds from the first scenario's start to the last one's end."""
    untimed: int = 0
    """Scenarios with no start time (written by a run without wsbdd's report formatters)."""

    @property
    def bars(self) -> int:
        return sum(len(lane.bars) for lane in self.lanes)


def timeline(scenarios: Sequence[ScenarioReport], names: dict[int, str] | None = None) -> Timeline:
    """Each scenario as a bar in its process's lane, placed by when it started."""
    timed = [s for s in scenarios if s.started is not None]
    untimed = len(scenarios) - len(timed)
    if not timed:
        return Timeline([], 0.0, untimed)
    start = min(s.started for s in timed if s.started is not None)
    end = max((s.started or 0.0) + s.duration for s in timed)
    span = max(end - start, 1e-3)
    lanes: dict[str, Lane] = {}
    for scenario in sorted(timed, key=lambda s: (s.started or 0.0, s.number)):
        offset = (scenario.started or 0.0) - start
        name = (names or {}).get(scenario.number, scenario.name)
        title = (
            f"{name}: {scenario.outcome}, started at +{format_duration(offset)}, "
            f"took {format_duration(scenario.duration)}"
        )
        lane = lanes.setdefault(scenario.worker, Lane(scenario.worker))
        lane.bars.append(
            Bar(
                scenario,
                round(100 * offset / span, 3),
                round(100 * scenario.duration / span, 3),
                title,
            )
        )
    ordered = sorted(lanes.values(), key=lambda lane: (len(lane.worker), lane.worker))
    return Timeline(ordered, span, untimed)
