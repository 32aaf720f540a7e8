"""Cucumber JSON, the format CI dashboards and Cucumber report tools read.

Use it as a behave formatter::

    behave -f wsbdd.report.cucumber:CucumberJsonFormatter -o reports/cucumber.json

The output follows the common cucumber-json layout: a list of features, each
with ``elements`` (a ``background`` element before each scenario that has one,
then the ``scenario``), each with ``steps`` whose ``result`` has a ``status``
(passed, failed, skipped, undefined, pending) and a ``duration`` in
nanoseconds.  A failure found after the steps (strict mode) is an ``after``
hook result.  With ``cucumber_transcripts = true`` in ``[tool.wsbdd.report]``,
each scenario's conversation is attached as ``text/plain`` to its last step
run (``embeddings``).  Secrets are masked as in every wsbdd report.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from wsbdd.report.model import ReportFormatter, RunReport, ScenarioReport, StepReport
from wsbdd.report.text import transcript_text

__all__ = ["CucumberJsonFormatter", "to_cucumber", "cucumber_status"]


def cucumber_status(status: str) -> str:
    """behave's step status as one of Cucumber's five."""
    if status == "passed":
        return "passed"
    if status in ("skipped", "untested", "untested_undefined", "untested_pending"):
        return "skipped"
    if status == "undefined":
        return "undefined"
    if status in ("pending", "pending_warn"):
        return "pending"
    return "failed"


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.strip().lower()).strip("-") or "unnamed"


def _step(step: StepReport, run: RunReport) -> dict[str, Any]:
    mask = run.masker.mask
    status = cucumber_status(step.status)
    result: dict[str, Any] = {"status": status}
    if step.executed and step.duration is not None:
        result["duration"] = int(step.duration * 1_000_000_000)
    if status in ("failed", "undefined") and (step.error or step.error_detail):
        result["error_message"] = mask("\n\n".join(x for x in (step.error, step.error_detail) if x))
    data: dict[str, Any] = {
        "keyword": step.keyword + " ",
        "name": mask(step.name),
        "line": step.line,
        "match": {"location": step.location} if step.location else {},
        "result": result,
    }
    if step.text is not None:
        data["doc_string"] = {
            "value": mask(step.text),
            "content_type": step.content_type or "",
            "line": step.line + 1,
        }
    if step.table:
        data["rows"] = [{"cells": cells} for cells in run.masker.mask_cells(step.table)]
    return data


def _tags(tags: list[str], lines: dict[str, int], fallback: int) -> list[dict[str, Any]]:
    return [{"name": tag, "line": lines.get(tag) or fallback} for tag in tags]


def _flaky_note(scenario: ScenarioReport) -> list[str]:
    """A flake (a merged rerun passed it) told in the description: no schema field or tag
    needed, and every Cucumber reader shows descriptions."""
    if not scenario.flaky:
        return []
    return [f"Flaky: failed at first ({scenario.flaky}), passed when run again."]


def _elements(feature_id: str, scenario: ScenarioReport, run: RunReport) -> list[dict[str, Any]]:
    mask = run.masker.mask
    background = [s for s in scenario.steps if s.background]
    own = [s for s in scenario.steps if not s.background]
    steps = {id(s): _step(s, run) for s in scenario.steps}
    if run.options.cucumber_transcripts and scenario.conversation is not None:
        ran = [s for s in scenario.steps if s.executed]
        if ran and scenario.conversation.events:
            text = transcript_text(
                scenario.conversation.events, mask, start=scenario.conversation.start
            )
            steps[id(ran[-1])]["embeddings"] = [
                {
                    "mime_type": "text/plain",
                    "data": base64.b64encode(text.encode("utf-8")).decode("ascii"),
                }
            ]
    elements: list[dict[str, Any]] = []
    if background and scenario.background is not None:
        keyword, name, line = scenario.background
        elements.append(
            {
                "keyword": keyword,
                "type": "background",
                "name": mask(name),
                "description": "",
                "line": line,
                "steps": [steps[id(s)] for s in background],
            }
        )
    element: dict[str, Any] = {
        "id": f"{feature_id};{_slug(scenario.name)}",
        "keyword": scenario.keyword,
        "type": "scenario",
        "name": mask(scenario.name),
        "description": mask("\n".join([*scenario.description, *_flaky_note(scenario)])),
        "line": scenario.line,
        "tags": _tags(scenario.tags, scenario.tag_lines, max(1, scenario.line - 1)),
        "steps": [steps[id(s)] for s in own],
    }
    if scenario.error:
        element["after"] = [
            {
                "match": {"location": "wsbdd.environment:after_scenario"},
                "result": {
                    "status": "failed",
                    "duration": 0,
                    "error_message": mask(
                        "\n\n".join(x for x in (scenario.error, scenario.error_detail) if x)
                    ),
                },
            }
        ]
    elements.append(element)
    return elements


def to_cucumber(run: RunReport) -> list[dict[str, Any]]:
    """The run as cucumber-json data (``json.dumps`` it)."""
    features = []
    for feature in run.features:
        feature_id = _slug(feature.name)
        elements: list[dict[str, Any]] = []
        for scenario in feature.scenarios:
            elements.extend(_elements(feature_id, scenario, run))
        features.append(
            {
                "uri": feature.filename,
                "id": feature_id,
                "keyword": feature.keyword,
                "name": feature.name,
                "description": "\n".join(feature.description),
                "line": feature.line,
                "tags": _tags(feature.tags, feature.tag_lines, max(1, feature.line - 1)),
                "elements": elements,
            }
        )
    masked: list[dict[str, Any]] = run.masker.mask_tree(features)
    return masked


class CucumberJsonFormatter(ReportFormatter):
    """behave formatter writing Cucumber JSON (``-o reports/cucumber.json``)."""

    name = "wsbdd.cucumber"
    description = "Cucumber JSON (for CI dashboards), secrets masked"

    def render(self, run: RunReport) -> str:
        return json.dumps(to_cucumber(run), indent=2, ensure_ascii=False) + "\n"
