"""A run's results as one JSON file, ``results.json``: what merging and reruns read back.

Every ``wsbdd run`` and ``wsbdd demo`` writes ``reports/results.json`` beside the
other reports (:class:`ResultsFormatter`, a behave formatter)::

    behave -f wsbdd.report.results:ResultsFormatter -o reports/results.json

It holds the whole :class:`~wsbdd.report.model.RunReport`: every feature,
scenario and step with its status, duration, error and failure as data, and
each scenario's conversation (events, step marks, load measurements), so that a
report written from the file read back (:func:`read_results`) shows what the
run's own report showed.  ``wsbdd report merge`` and ``wsbdd run --processes``
combine such files (:mod:`wsbdd.report.merge`).

Secrets never reach the file: every text in it (step names, doc strings,
tables, errors, failure fields, payloads, codec values and labels, the server
address, the metadata) is masked with the run's masker as it is written, so a
run read back masks nothing more and needs no secret.

Times: ``started`` values are wall-clock (``time.time()``); a conversation's
times are the writing process's monotonic clock, with that process's offset to
the wall clock (``clock_offset``), so reading in another process moves them
onto its own monotonic clock and every time of day is shown as it was.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import sys
import time
from array import array
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from wsbdd import __version__
from wsbdd.load.metrics import Latencies, LoadMetrics
from wsbdd.model.errors import ConfigError
from wsbdd.model.failures import Failure
from wsbdd.model.message import NOT_JSON, wall_offset
from wsbdd.model.transcript import Event, StepMark
from wsbdd.report.collect import Conversation
from wsbdd.report.mask import Masker
from wsbdd.report.model import (
    FeatureReport,
    ReportFormatter,
    RunReport,
    ScenarioReport,
    StepReport,
)
from wsbdd.report.options import ReportOptions

__all__ = [
    "RESULTS_FILE",
    "FORMAT",
    "ResultsFormatter",
    "dump_run",
    "load_run",
    "read_results",
    "results_json",
]

RESULTS_FILE = "results.json"
FORMAT = "wsbdd-results/1"
"""The file's layout; files of another wsbdd version are refused all the same."""

_BYTES = "__bytes__"
_NOT_JSON = "__not_json__"
_REPR = "__repr__"
_LATENCY_FIELDS = ("delivery", "round_trip", "connect_times")


# -- values ----------------------------------------------------------------------------


def _value(value: Any, mask: Callable[[str], str]) -> Any:
    """Any value kept in the report (a codec's decoded value, an event's detail) as JSON,
    every text masked; bytes and the odd Python object are tagged so they read back."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, bytes | bytearray):
        return {_BYTES: base64.b64encode(_masked_bytes(bytes(value), mask)).decode("ascii")}
    if value is NOT_JSON:
        return {_NOT_JSON: True}
    if isinstance(value, Mapping):
        return {mask(str(key)): _value(entry, mask) for key, entry in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_value(entry, mask) for entry in value]
    return {_REPR: mask(repr(value))}


def _masked_bytes(data: bytes, mask: Callable[[str], str]) -> bytes:
    """A binary payload with every secret it spells in UTF-8 replaced by ``***``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    masked = mask(text)
    return data if masked == text else masked.encode("utf-8")


def _read_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_read_value(entry) for entry in value]
    if isinstance(value, dict):
        if len(value) == 1:
            if _BYTES in value:
                return base64.b64decode(value[_BYTES])
            if _NOT_JSON in value:
                return NOT_JSON
            if _REPR in value:
                return value[_REPR]
        return {key: _read_value(entry) for key, entry in value.items()}
    return value


def _samples(latencies: Latencies) -> str:
    """Exact latency samples, as little-endian doubles in base64 (a crowd has thousands)."""
    samples = array("d", latencies)
    if sys.byteorder != "little":  # pragma: no cover
        samples.byteswap()
    return base64.b64encode(samples.tobytes()).decode("ascii")


def _read_samples(text: str) -> Latencies:
    samples = array("d")
    samples.frombytes(base64.b64decode(text))
    if sys.byteorder != "little":  # pragma: no cover
        samples.byteswap()
    return Latencies(samples)


# -- writing ---------------------------------------------------------------------------


def _failure(failure: Failure | None, mask: Callable[[str], str]) -> dict[str, Any] | None:
    if failure is None:
        return None
    return {f.name: _value(getattr(failure, f.name), mask) for f in dataclasses.fields(failure)}


def _payload(event: Event, mask: Callable[[str], str]) -> tuple[Any, dict[str, Any]]:
    """The event's payload masked, and what its detail must add so the report shows the
    size the message had (masking changes the length)."""
    payload = event.payload
    extra: dict[str, Any] = {}
    if isinstance(payload, str):
        cut = bool(event.detail.get("cut"))
        # As the renderers do: "…" before masking, so a secret the cut went through is seen.
        masked = mask(payload + "…") if cut else mask(payload)
        if cut:
            masked = masked[:-1] if masked.endswith("…") else masked
        if masked != payload and "size" not in event.detail:
            extra["size"] = len(payload.encode("utf-8", "surrogatepass"))
        return masked, extra
    if isinstance(payload, bytes | bytearray):
        data = bytes(payload)
        masked_bytes = _masked_bytes(data, mask)
        if masked_bytes != data and "size" not in event.detail:
            extra["size"] = len(data)
        return {_BYTES: base64.b64encode(masked_bytes).decode("ascii")}, extra
    return None, extra


def _mark(mark: StepMark, mask: Callable[[str], str]) -> list[Any]:
    return [mark.at, mark.index, mask(mark.text)]


def _event(event: Event, marks: Mapping[int, StepMark], mask: Callable[[str], str]) -> Any:
    payload, extra = _payload(event, mask)
    data: dict[str, Any] = {"at": event.at, "client": mask(event.client), "kind": event.kind}
    if event.frame is not None:
        data["frame"] = event.frame
    if payload is not None:
        data["payload"] = payload
    if event.seq is not None:
        data["seq"] = event.seq
    detail = {**event.detail, **extra}
    if detail:
        data["detail"] = _value(detail, mask)
    step = event.step
    if step is not None:
        # The step's mark by its number when the scenario's marks hold it (they usually do).
        data["step"] = step.index if marks.get(step.index) == step else _mark(step, mask)
    return data


def _metrics(metrics: Any, mask: Callable[[str], str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in dataclasses.fields(metrics):
        value = getattr(metrics, f.name)
        data[f.name] = _samples(value) if isinstance(value, Latencies) else _value(value, mask)
    return data


def _conversation(conversation: Conversation | None, mask: Callable[[str], str]) -> Any:
    if conversation is None:
        return None
    marks = {mark.index: mark for mark in conversation.marks}
    return {
        "started_at": conversation.started_at,
        "marks": [_mark(mark, mask) for mark in conversation.marks],
        "events": [_event(event, marks, mask) for event in conversation.events],
        "measurements": [
            [mask(step), _metrics(metrics, mask)]
            for step, metrics in conversation.measurements
            if dataclasses.is_dataclass(metrics)
        ],
    }


def _record(record: Any, masker: Masker, special: Mapping[str, Callable[[Any], Any]]) -> Any:
    """A report record's fields as JSON: texts masked, the ``special`` ones their own way."""
    data: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.name in special:
            data[f.name] = special[f.name](value)
        else:
            data[f.name] = _value(value, masker.mask)
    return data


def _step(step: StepReport, masker: Masker) -> Any:
    mask = masker.mask
    return _record(
        step,
        masker,
        {
            "failure": lambda failure: _failure(failure, mask),
            "table": lambda table: masker.mask_cells(table) if table else table,
        },
    )


def _scenario(scenario: ScenarioReport, masker: Masker) -> Any:
    mask = masker.mask
    return _record(
        scenario,
        masker,
        {
            "steps": lambda steps: [_step(step, masker) for step in steps],
            "conversation": lambda conversation: _conversation(conversation, mask),
        },
    )


def _feature(feature: FeatureReport, masker: Masker) -> Any:
    return _record(
        feature,
        masker,
        {"scenarios": lambda scenarios: [_scenario(s, masker) for s in scenarios]},
    )


def dump_run(run: RunReport) -> dict[str, Any]:
    """The run as JSON-safe data (``json.dumps`` it), every text masked with ``run.masker``."""
    masker = run.masker
    mask = masker.mask
    return {
        "format": FORMAT,
        "wsbdd": run.version or __version__,
        "clock_offset": wall_offset(),
        "title": mask(run.title),
        "started": run.started,
        "duration": run.duration,
        "base_url": mask(run.base_url),
        "metadata": {mask(str(k)): mask(str(v)) for k, v in run.metadata.items()},
        "options": _value(dataclasses.asdict(run.options), mask),
        "features": [_feature(feature, masker) for feature in run.features],
    }


def results_json(run: RunReport) -> str:
    """:func:`dump_run` as the text of ``results.json``."""
    # ASCII: a lone surrogate a codec let through cannot break the file (or the run).
    return json.dumps(dump_run(run), indent=1) + "\n"


# -- reading ---------------------------------------------------------------------------


def _fields_of(cls: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``data`` that are fields of the dataclass ``cls``, values read back."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {key: _read_value(value) for key, value in data.items() if key in names}


def _read_failure(data: Any) -> Failure | None:
    if not data:
        return None
    values = _fields_of(Failure, data)
    for name in ("candidates", "notes", "ignored"):  # tuples, as Failure holds them
        if name in values:
            values[name] = tuple(values[name] or ())
    return Failure(**values)


def _read_step(data: Mapping[str, Any]) -> StepReport:
    values = _fields_of(StepReport, {k: v for k, v in data.items() if k != "failure"})
    return StepReport(**values, failure=_read_failure(data.get("failure")))


def _read_mark(data: list[Any], shift: float) -> StepMark:
    at, index, text = data
    return StepMark(at + shift, int(index), text)


def _read_metrics(data: Mapping[str, Any]) -> LoadMetrics:
    values: dict[str, Any] = {}
    for name, value in _fields_of(LoadMetrics, data).items():
        values[name] = _read_samples(data[name]) if name in _LATENCY_FIELDS else value
    return LoadMetrics(**values)


def _read_conversation(data: Any, shift: float) -> Conversation | None:
    if not data:
        return None
    marks = [_read_mark(mark, shift) for mark in data.get("marks", [])]
    by_index = {mark.index: mark for mark in marks}
    events = []
    for item in data.get("events", []):
        step = item.get("step")
        payload = item.get("payload")
        events.append(
            Event(
                at=item["at"] + shift,
                client=item["client"],
                kind=item["kind"],
                frame=item.get("frame"),
                payload=_read_value(payload) if payload is not None else None,
                seq=item.get("seq"),
                detail=_read_value(item.get("detail") or {}),
                step=(
                    None
                    if step is None
                    else by_index.get(step)
                    if isinstance(step, int)
                    else _read_mark(step, shift)
                ),
            )
        )
    started_at = data.get("started_at")
    return Conversation(
        events=events,
        marks=marks,
        started_at=started_at + shift if started_at is not None else None,
        measurements=[(step, _read_metrics(m)) for step, m in data.get("measurements", [])],
    )


def _read_scenario(data: Mapping[str, Any], shift: float) -> ScenarioReport:
    plain = {k: v for k, v in data.items() if k not in ("steps", "conversation", "background")}
    background = data.get("background")
    return ScenarioReport(
        **_fields_of(ScenarioReport, plain),
        steps=[_read_step(step) for step in data.get("steps", [])],
        conversation=_read_conversation(data.get("conversation"), shift),
        background=tuple(background) if background else None,  # type: ignore[arg-type]
    )


def _read_feature(data: Mapping[str, Any], shift: float) -> FeatureReport:
    plain = {k: v for k, v in data.items() if k != "scenarios"}
    return FeatureReport(
        **_fields_of(FeatureReport, plain),
        scenarios=[_read_scenario(s, shift) for s in data.get("scenarios", [])],
    )


def load_run(data: Mapping[str, Any]) -> RunReport:
    """A run from :func:`dump_run`'s data (whose version the caller checked).

    Its texts are masked already, so its masker knows no secret: it only masks the
    places every report masks (a secret header, a token in an address).
    """
    # Monotonic times of the writing process, moved onto this process's clock.
    offset = data.get("clock_offset")
    shift = (offset - wall_offset()) if isinstance(offset, int | float) else 0.0
    options = ReportOptions(**_fields_of(ReportOptions, data.get("options") or {}))
    return RunReport(
        title=data.get("title") or options.title,
        started=float(data.get("started") or time.time()),
        duration=float(data.get("duration") or 0.0),
        base_url=data.get("base_url") or "",
        features=[_read_feature(feature, shift) for feature in data.get("features", [])],
        options=options,
        masker=Masker(),
        metadata=dict(data.get("metadata") or {}),
        version=str(data.get("wsbdd") or ""),
    )


def read_results(path: Path) -> RunReport:
    """The run a ``results.json`` holds.

    A missing, unreadable or garbled file, or one another wsbdd version wrote, is a
    :class:`~wsbdd.model.errors.ConfigError` of one sentence naming the file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"There is no results file {path}.", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as problem:
        why = problem.strerror if isinstance(problem, OSError) and problem.strerror else problem
        raise ConfigError(f"wsbdd could not read {path}: {why}.", file=str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise ConfigError(
            f"{path} is not a wsbdd results file: its JSON is broken at line {problem.lineno}.",
            file=str(path),
            line=problem.lineno,
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(
            f"{path} is not a wsbdd results file (wsbdd writes them as {RESULTS_FILE} "
            "beside its other reports).",
            file=str(path),
        )
    version = data.get("wsbdd")
    if version != __version__:
        raise ConfigError(
            f"{path} was written by wsbdd {version}, and this is wsbdd {__version__}: "
            "run the tests again with this version to merge their results.",
            file=str(path),
        )
    try:
        return load_run(data)
    except (KeyError, TypeError, ValueError, AttributeError) as problem:
        raise ConfigError(
            f"{path} is not a wsbdd results file: a record in it is incomplete "
            f"({type(problem).__name__}: {problem}).",
            file=str(path),
        ) from None


class ResultsFormatter(ReportFormatter):
    """behave formatter: ``-f wsbdd.report.results:ResultsFormatter -o reports/results.json``."""

    name = "wsbdd.results"
    description = "The run's results as JSON, secrets masked (for wsbdd report merge)"

    def render(self, run: RunReport) -> str:
        return results_json(run)
