"""A finished behave run as plain records: what every report writer reads.

:class:`ReportFormatter` is the behave formatter both report formatters build
on.  It only remembers the features behave hands it; when behave closes it,
:func:`build_run` turns behave's model (statuses, durations, error messages,
plus the :class:`~wsbdd.report.collect.Conversation` wsbdd's hooks attached to
each scenario) into :class:`RunReport` records, and the subclass writes them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from behave.formatter.base import Formatter

from wsbdd import __version__
from wsbdd.model.failures import Failure, render
from wsbdd.report.collect import (
    Conversation,
    ReportRecorder,
    conversation_of,
    current_recorder,
    note_start,
    shown_text_of,
    started_at,
)
from wsbdd.report.mask import Masker
from wsbdd.report.metadata import run_metadata
from wsbdd.report.options import ReportOptions

__all__ = [
    "StepReport",
    "ScenarioReport",
    "FeatureReport",
    "RunReport",
    "ReportFormatter",
    "build_run",
    "outcome_of",
    "explain",
]

OUTCOMES = ("failed", "passed", "skipped")
WORKER_VARIABLE = "WSBDD_WORKER"
"""Set by a parallel run in each of its processes: the process's number, kept per scenario."""


def outcome_of(status_name: str) -> str:
    """``passed``, ``failed`` or ``skipped``: what a reader of the summary needs."""
    if status_name == "passed":
        return "passed"
    if status_name in ("skipped", "untested", "untested_undefined", "untested_pending", ""):
        return "skipped"
    return "failed"


def explain(error_message: str | None) -> tuple[str, str]:
    """Split behave's error text into the plain sentence and the technical rest.

    ``ASSERT FAILED: Bob expected …`` → (``Bob expected …``, ``""``); a Python
    traceback → (``The step stopped with an unexpected error: KeyError: 'x'``,
    the traceback).
    """
    text = (error_message or "").strip()
    if not text:
        return "", ""
    for prefix in ("ASSERT FAILED: ", "Assertion Failed: "):
        if text.startswith(prefix):
            return text[len(prefix) :], ""
    if text.startswith("HOOK-ERROR in "):
        head, _, rest = text.partition(": ")
        for kind in (
            "AssertionError: ",
            "ExpectationFailed: ",
            "ConnectionProblem: ",
            "FeatureMistake: ",
        ):
            if rest.startswith(kind):
                return rest[len(kind) :].strip(), ""
        return f"{head[len('HOOK-ERROR in ') :]} hook failed: {rest.splitlines()[0]}", text
    if text.startswith("Traceback"):
        last = [line for line in text.splitlines() if line.strip()][-1]
        return f"The step stopped with an unexpected error: {last.strip()}", text
    if text.startswith("ERROR: "):
        return f"The step stopped with an unexpected error: {text[7:].splitlines()[0]}", text
    return text, ""


@dataclass
class StepReport:
    keyword: str
    name: str
    line: int
    status: str
    """behave's status name: passed, failed, error, undefined, skipped, untested, …"""
    duration: float | None = None
    error: str = ""
    """The plain-language explanation of a failure."""
    error_detail: str = ""
    """A traceback or other technical detail, shown folded."""
    text: str | None = None
    content_type: str = ""
    table: list[list[str]] | None = None
    location: str = ""
    background: bool = False
    failure: Failure | None = None
    """The failure as data when wsbdd raised it (who, expected, observed, candidates)."""
    shown: str = ""
    """The step's text as it ran: ``${variables}`` filled in, secrets masked ("" → ``name``)."""

    @property
    def outcome(self) -> str:
        return outcome_of(self.status)

    @property
    def executed(self) -> bool:
        return self.status not in ("skipped", "untested", "untested_undefined")

    @property
    def full_text(self) -> str:
        """``Given Alice is connected``: how the step is marked in the transcript."""
        return f"{self.keyword} {self.name}"


@dataclass
class ScenarioReport:
    number: int
    keyword: str
    name: str
    line: int
    filename: str
    status: str
    tags: list[str] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    duration: float = 0.0
    steps: list[StepReport] = field(default_factory=list)
    error: str = ""
    """A failure outside any step (an ``after_scenario`` check, such as strict mode)."""
    error_detail: str = ""
    conversation: Conversation | None = None
    tag_lines: dict[str, int] = field(default_factory=dict)
    background: tuple[str, str, int] | None = None
    """Keyword, name and line of the feature's Background, when it has one."""
    started: float | None = None
    """Wall-clock time (``time.time()``) the scenario started, for the run's timeline."""
    worker: str = ""
    """Which process of a parallel run ran it (``"1"``, ``"2"``…); "" in a one-process run."""
    flaky: str = ""
    """Set when a rerun passed what the first run failed: the first run's failure sentence."""

    @property
    def outcome(self) -> str:
        return outcome_of(self.status)

    @property
    def failed_step(self) -> StepReport | None:
        return next((s for s in self.steps if s.outcome == "failed"), None)


@dataclass
class FeatureReport:
    keyword: str
    name: str
    line: int
    filename: str
    description: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    scenarios: list[ScenarioReport] = field(default_factory=list)
    tag_lines: dict[str, int] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        outcomes = {s.outcome for s in self.scenarios}
        if "failed" in outcomes:
            return "failed"
        if "passed" in outcomes:
            return "passed"
        return "skipped"


@dataclass
class RunReport:
    title: str
    started: float
    """Wall-clock time (``time.time()``) the run started."""
    duration: float
    base_url: str
    features: list[FeatureReport]
    options: ReportOptions
    masker: Masker
    metadata: dict[str, str] = field(default_factory=dict)
    """What the run was (wsbdd version, server, git commit, the user's own fields), in order."""
    version: str = ""
    """The wsbdd version that wrote the run (merging runs of different versions is refused)."""

    def count(self, what: str) -> dict[str, int]:
        """Outcome counts of ``"features"`` or ``"scenarios"``: passed, failed, skipped, total."""
        items: Iterable[Any] = (
            self.features if what == "features" else (s for f in self.features for s in f.scenarios)
        )
        counts = dict.fromkeys((*OUTCOMES, "total"), 0)
        for item in items:
            counts[item.outcome] += 1
            counts["total"] += 1
        return counts

    @property
    def scenarios(self) -> list[ScenarioReport]:
        return [s for f in self.features for s in f.scenarios]

    @property
    def outcome(self) -> str:
        counts = self.count("scenarios")
        if counts["failed"]:
            return "failed"
        return "passed" if counts["passed"] else "skipped"


def _status_name(status: Any) -> str:
    return getattr(status, "name", None) or str(status or "")


def _tags_of(scenario: Any) -> list[Any]:
    """The scenario's own tags, then those it inherits (rule, outline, feature), in order."""
    own = list(scenario.tags)
    feature = getattr(scenario, "feature", None)
    inherited = [tag for tag in (feature.tags if feature is not None else []) if tag not in own]
    rest = sorted(set(scenario.effective_tags) - set(own) - set(inherited))
    return [*own, *rest, *inherited]


def _tag_lines(tags: Iterable[Any]) -> dict[str, int]:
    return {f"@{tag}": int(getattr(tag, "line", 0) or 0) for tag in tags}


PHRASE_ATTRIBUTE = "wsbdd_phrase"
"""Set on a behave step that matched a phrase of the project's vocabulary (``wsbdd.toml``)."""


def phrase_first(words: str, step_type: str, error: str) -> str:
    """A phrase step's failure in the phrase's own words first, the conditions second::

    "Alice is greeted" did not happen:
    Alice expected a message where $.type is "welcome" within 2.0 s, but …
    """
    verb = "did not happen" if step_type == "then" else "failed"
    return f'"{words}" {verb}:\n{error}'


def _step_report(
    step: Any, locations: dict[int, str], background: bool, masker: Masker | None = None
) -> StepReport:
    status = _status_name(step.status)
    error, detail = (
        explain(getattr(step, "error_message", None)) if status != "passed" else ("", "")
    )
    failure = getattr(getattr(step, "exception", None), "failure", None)
    if not isinstance(failure, Failure) or status == "passed":
        failure = None
    elif not detail:
        error = render(failure)  # the one renderer's text, as on the console and in JUnit
    if error and not detail and getattr(step, PHRASE_ATTRIBUTE, False):
        words = shown_text_of(step) or step.name
        error = phrase_first(words, getattr(step, "step_type", ""), error)
    if status == "undefined" and not error:
        error = (
            "wsbdd does not know this step. Check its wording against the step list "
            "(behave --steps-catalog), or define it in your steps folder."
        )
    table = None
    if step.table is not None:
        table = [list(step.table.headings)] + [list(row.cells) for row in step.table.rows]
    duration = getattr(step, "duration", None)
    shown = shown_text_of(step)
    if shown and masker is not None:
        shown = masker.mask(shown)
    return StepReport(
        shown=shown if shown != step.name else "",
        keyword=step.keyword,
        name=step.name,
        line=step.line,
        status=status,
        duration=duration if status not in ("skipped", "untested") else None,
        error=error,
        error_detail=detail,
        failure=failure,
        text=str(step.text) if step.text is not None else None,
        content_type=getattr(step.text, "content_type", "") or "" if step.text is not None else "",
        table=table,
        location=locations.get(id(step), ""),
        background=background,
    )


def build_run(
    features: Iterable[Any],
    *,
    started: float,
    finished: float,
    locations: dict[int, str] | None = None,
    recorder: ReportRecorder | None = None,
) -> RunReport:
    """Turn behave's features (after the run) into report records.

    ``recorder`` is what wsbdd's hooks kept during the run (secrets, server
    address, settings); without it the report has no masking beyond the
    known places and no server address.
    """
    options = recorder.options if recorder is not None else ReportOptions()
    masker = recorder.masker if recorder is not None else Masker()
    locations = locations or {}
    worker = os.environ.get(WORKER_VARIABLE, "")
    number = 0
    feature_reports = []
    for feature in features:
        report = FeatureReport(
            keyword=feature.keyword,
            name=feature.name,
            line=feature.line,
            filename=str(feature.filename or ""),
            description=list(feature.description or []),
            tags=[f"@{tag}" for tag in feature.tags],
            tag_lines=_tag_lines(feature.tags),
        )
        for scenario in feature.walk_scenarios():
            number += 1
            background_steps = list(getattr(scenario, "background_steps", None) or [])
            background_ids = {id(step) for step in background_steps}
            steps = [
                _step_report(step, locations, id(step) in background_ids, masker)
                for step in scenario.all_steps
            ]
            status = _status_name(scenario.status)
            error, detail = "", ""
            if getattr(scenario, "hook_failed", False) or (
                outcome_of(status) == "failed" and not any(s.outcome == "failed" for s in steps)
            ):
                error, detail = explain(getattr(scenario, "error_message", None))
            background = getattr(scenario, "background", None)
            report.scenarios.append(
                ScenarioReport(
                    number=number,
                    keyword=scenario.keyword,
                    name=scenario.name,
                    line=scenario.line,
                    filename=str(scenario.filename or report.filename),
                    status=status,
                    tags=[f"@{tag}" for tag in _tags_of(scenario)],
                    description=list(scenario.description or []),
                    duration=sum(s.duration or 0.0 for s in steps),
                    steps=steps,
                    error=error,
                    error_detail=detail,
                    conversation=conversation_of(scenario),
                    tag_lines=_tag_lines(_tags_of(scenario)),
                    background=(background.keyword, background.name or "", background.line)
                    if background is not None and background_steps
                    else None,
                    worker=worker,
                    started=started_at(scenario),
                )
            )
        feature_reports.append(report)
    base_url = recorder.base_url if recorder is not None else ""
    return RunReport(
        version=__version__,
        metadata=run_metadata(base_url, options.metadata),
        title=options.title,
        started=started,
        duration=max(0.0, finished - started),
        base_url=base_url,
        features=feature_reports,
        options=options,
        masker=masker,
    )


class ReportFormatter(Formatter):
    """A behave formatter that writes one file from the whole run, when behave closes it."""

    masks_itself = True  # wsbdd's hooks leave its stream alone: it masks what it writes
    reads_conversations = True  # the hooks build each scenario's transcript for it

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self.features: list[Any] = []
        self.started = time.time()
        self._match: Any = None
        self.locations: dict[int, str] = {}

    def feature(self, feature: Any) -> None:
        self.features.append(feature)

    def scenario(self, scenario: Any) -> None:
        note_start(scenario)  # the run's timeline, also under plain behave without the hooks

    def match(self, match: Any) -> None:
        self._match = match

    def result(self, step: Any) -> None:
        location = getattr(self._match, "location", None)
        if location is not None:
            self.locations[id(step)] = str(location)
        if getattr(getattr(self._match, "func", None), "__wsbdd_phrase__", None) is not None:
            try:
                setattr(step, PHRASE_ATTRIBUTE, True)  # its failure leads with its words
            except Exception:  # noqa: BLE001 - the failure is then shown as it is
                pass
        self._match = None

    def render(self, run: RunReport) -> str:  # pragma: no cover - subclasses
        raise NotImplementedError

    def close(self) -> None:
        recorder = current_recorder()
        if recorder is not None and recorder.started < self.started:
            recorder = None  # left over from an earlier run in this process
        run = build_run(
            self.features,
            started=self.started,
            finished=time.time(),
            locations=self.locations,
            recorder=recorder,
        )
        text = self.render(run)
        stream = self.open()
        stream.write(text)
        self.close_stream()
