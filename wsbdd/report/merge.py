"""Many runs as one: the shards of a parallel run, or a run and the rerun of its failures.

:func:`merge_runs` combines :class:`~wsbdd.report.model.RunReport` records (read
back from ``results.json`` files with :func:`wsbdd.report.results.read_results`)
into one run that every report writer takes as it is:

* features are joined by file name, ordered by file name, their scenarios by line,
  and the scenarios numbered again from 1;
* the merged run started when the first of them started and lasted until the last
  one ended (the wall-clock span, not the sum);
* the same scenario (file, line and name: each row of a Scenario Outline is its own)
  found in two runs keeps the result of the run that started later, unless that
  result is "skipped":
  a shard that did not run a scenario (behave lists the file's other scenarios as
  skipped) never hides the shard that did;
* with ``rerun=True`` the later runs are reruns of the first one's failures: a
  scenario that failed and then passed is kept as passed, with
  :attr:`~wsbdd.report.model.ScenarioReport.flaky` holding the first failure's
  sentence, which the HTML report, JUnit and Cucumber JSON show.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from wsbdd.model.errors import ConfigError
from wsbdd.report.mask import Masker
from wsbdd.report.model import FeatureReport, RunReport, ScenarioReport

__all__ = ["merge_runs", "failure_sentence", "scenario_key", "repeated"]

ScenarioKey = tuple[str, int, str]


def scenario_key(scenario: ScenarioReport) -> ScenarioKey:
    """What makes two results the same scenario: file, line and name."""
    return (scenario.filename, scenario.line, scenario.name)


def failure_sentence(scenario: ScenarioReport) -> str:
    """The first line of why a scenario failed (its failed step's sentence, or its own)."""
    step = scenario.failed_step
    text = step.error if step is not None and step.error else scenario.error
    text = (text or "").strip()
    if not text:
        return f"The scenario ended with the status {scenario.status}."
    first = text.splitlines()[0].rstrip()
    # "…, none matched:" announces the candidates left out here: the sentence ends instead.
    return first[:-1] + "." if first.endswith(":") else first


def _ran(scenario: ScenarioReport) -> bool:
    return scenario.outcome != "skipped"


def repeated(runs: Sequence[RunReport]) -> list[ScenarioKey]:
    """The scenarios that ran (not skipped) in more than one of ``runs``, in first-seen order."""
    seen: dict[ScenarioKey, int] = {}
    for run in runs:
        for scenario in run.scenarios:
            if _ran(scenario):
                key = scenario_key(scenario)
                seen[key] = seen.get(key, 0) + 1
    return [key for key, count in seen.items() if count > 1]


def _joined(values: Sequence[str]) -> str:
    return ", ".join(dict.fromkeys(v for v in values if v))


def merge_runs(runs: Sequence[RunReport], *, rerun: bool = False) -> RunReport:
    """One run from ``runs`` (see the module); the records of ``runs`` are left untouched."""
    if not runs:
        raise ValueError("merge_runs needs at least one run to merge, and was given none.")
    versions = list(dict.fromkeys(run.version for run in runs if run.version))
    # "Later" is when a run started, not where it stands in the list (a glob's order).
    runs = sorted(runs, key=lambda run: run.started)
    first = runs[0]
    if len(versions) > 1:
        raise ConfigError(
            "These results were written by different wsbdd versions ("
            + ", ".join(versions)
            + "): run them again with one version to merge them."
        )
    features: dict[str, FeatureReport] = {}
    results: dict[ScenarioKey, ScenarioReport] = {}
    for run in runs:
        for feature in run.features:
            key = feature.filename or feature.name
            if key not in features:
                joined = copy.copy(feature)
                joined.scenarios = []
                joined.tags = list(feature.tags)
                features[key] = joined
            for scenario in feature.scenarios:
                _take(results, features[key], scenario, rerun)
    merged_features = []
    number = 0
    for key in sorted(features):
        feature = features[key]
        feature.scenarios.sort(key=lambda s: (s.line, s.name))
        for scenario in feature.scenarios:
            number += 1
            scenario.number = number
        merged_features.append(feature)
    started = min(run.started for run in runs)
    ended = max(run.started + run.duration for run in runs)
    metadata: dict[str, list[str]] = {}
    for run in runs:
        for name, value in run.metadata.items():
            metadata.setdefault(name, []).append(value)
    masker = Masker()
    for run in runs:
        masker.add(*run.masker.values)
    return RunReport(
        title=first.title,
        started=started,
        duration=max(0.0, ended - started),
        base_url=_joined([run.base_url for run in runs]),
        features=merged_features,
        options=first.options,
        masker=masker,
        metadata={name: _joined(values) for name, values in metadata.items()},
        version=versions[0] if versions else first.version,
    )


def _take(
    results: dict[ScenarioKey, ScenarioReport],
    feature: FeatureReport,
    scenario: ScenarioReport,
    rerun: bool,
) -> None:
    """Keep ``scenario`` in ``feature``, unless an earlier result of it that ran wins."""
    key = scenario_key(scenario)
    taken = copy.copy(scenario)
    earlier = results.get(key)
    if earlier is None:
        results[key] = taken
        feature.scenarios.append(taken)
        return
    if not _ran(scenario) and _ran(earlier):
        return  # this run did not run it: the run that did stands
    if rerun and taken.outcome == "passed" and not taken.flaky:
        if earlier.flaky:
            taken.flaky = earlier.flaky
        elif earlier.outcome == "failed":
            taken.flaky = failure_sentence(earlier)
    results[key] = taken
    at = next(i for i, s in enumerate(feature.scenarios) if s is earlier)
    feature.scenarios[at] = taken
