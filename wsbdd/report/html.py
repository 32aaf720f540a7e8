"""The HTML report: one self-contained file a product owner opens in a browser.

Use it as a behave formatter::

    behave -f wsbdd.report.html:HtmlFormatter -o reports/report.html

(``wsbdd run`` and ``wsbdd demo`` write it to ``reports/report.html``.)

Safety, because chat content is hostile by nature:

* Jinja2 autoescaping on every value, in text and in attributes; nothing from
  a run is ever marked safe, and no value becomes a link, a URL or script;
* text from the wire is made visible (:func:`wsbdd.report.text.visible`) and
  secrets are masked (:class:`wsbdd.report.mask.Masker`) before it is cut or
  escaped;
* a Content-Security-Policy allows only the report's own script (by hash) and
  no network access at all, so even a mistake in escaping could not run code
  or fetch anything.
"""

from __future__ import annotations

import base64
import hashlib
import time
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from wsbdd import __version__
from wsbdd.load.metrics import format_latency
from wsbdd.model.failures import Failure
from wsbdd.report.diagram import build_diagram
from wsbdd.report.model import ReportFormatter, RunReport, ScenarioReport, StepReport
from wsbdd.report.text import format_duration, one_line, visible

__all__ = ["HtmlFormatter", "render_html"]


def text_content(value: Any) -> Markup:
    """Escape ``value`` for an element's text (never an attribute): ``&``, ``<`` and ``>``.

    Autoescaping also turns every quote into ``&#34;``, which a text node does not
    need and which makes a JSON payload a third longer; attributes keep Jinja's
    full escaping.  A leading newline is doubled because ``<pre>`` drops one.
    """
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text.startswith("\n"):
        text = "\n" + text
    return Markup(text)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("wsbdd.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["text"] = text_content
    return env


@cache
def _asset(name: str) -> str:
    return (resources.files("wsbdd.report") / "templates" / name).read_text(encoding="utf-8")


def _verdict(run: RunReport) -> str:
    counts = run.count("scenarios")
    if counts["total"] == 0:
        return "No scenario ran."
    if counts["failed"]:
        return (
            f"{counts['failed']} of {counts['total']} scenario{'s' * (counts['total'] != 1)} "
            "failed."
        )
    if counts["passed"]:
        return (
            f"All {counts['passed']} scenarios that ran passed."
            if counts["passed"] > 1
            else ("The scenario passed.")
        )
    return "Every scenario was skipped."


def _step_view(step: StepReport, clean: Any) -> dict[str, Any]:
    masker_cells = clean.masker.mask_cells
    return {
        "keyword": clean(step.keyword),
        "name": clean(step.name),
        "status": step.status,
        "outcome": step.outcome,
        "background": step.background,
        "duration": format_duration(step.duration) if step.executed else "",
        "text": clean(step.text) if step.text is not None else None,
        "table": [[visible(c) for c in row] for row in masker_cells(step.table)]
        if step.table
        else None,
        "error": clean(step.error),
        "error_detail": clean(step.error_detail),
        "failure": [(label, clean(value)) for label, value in failure_fields(step.failure)],
    }


def failure_fields(failure: Failure | None) -> list[tuple[str, str]]:
    """An expectation failure's fields, labelled, for the report's folded table (empty for a
    failure that is only a sentence)."""
    if failure is None or not failure.expected:
        return []
    rows = [("Who", failure.who)] if failure.who else []
    rows.append(("Expected", failure.expected))
    if failure.observed:
        rows.append(("Observed", failure.observed))
    if failure.candidates:
        rows.append(("Closest", "\n".join(line.strip() for line in failure.candidates)))
    return rows


class _Cleaner:
    """Masks secrets, then makes invisible characters visible (escaping is Jinja's job)."""

    def __init__(self, run: RunReport) -> None:
        self.masker = run.masker

    def __call__(self, text: str | None) -> str:
        return visible(self.masker.mask(text)) if text else ""


def _scenario_view(run: RunReport, scenario: ScenarioReport, clean: _Cleaner) -> dict[str, Any]:
    options = run.options
    diagram = build_diagram(
        scenario.conversation,
        scenario.steps,
        scenario_error=scenario.error,
        mask=run.masker.mask,
        payload_cap=options.payload_cap,
        anchor_prefix=f"s{scenario.number}-m",
    )
    return {
        "load": _load_views(scenario, clean),
        "number": scenario.number,
        "keyword": clean(scenario.keyword),
        "name": clean(scenario.name),
        "outcome": scenario.outcome,
        "status": scenario.status,
        "tags": [clean(t) for t in scenario.tags],
        "description": clean("\n".join(scenario.description)),
        "duration": format_duration(scenario.duration),
        "steps": [_step_view(step, clean) for step in scenario.steps],
        "error": clean(scenario.error),
        "error_detail": clean(scenario.error_detail),
        "diagram": diagram,
        "flaky": clean(scenario.flaky),
    }


def _load_views(scenario: ScenarioReport, clean: _Cleaner) -> list[dict[str, Any]]:
    """Each load step's metrics table and latency histogram (bars as percentages of the tallest)."""
    conversation = scenario.conversation
    views = []
    for step, metrics in conversation.measurements if conversation is not None else []:
        samples = metrics.delivery if len(metrics.delivery) else metrics.round_trip
        kind = "delivery" if len(metrics.delivery) else "round-trip"
        bins = samples.histogram(24) if len(samples) else []
        tallest = max((count for _, _, count in bins), default=0) or 1
        views.append(
            {
                "step": clean(step),
                "rows": [(label, clean(text)) for label, text in metrics.rows()],
                "note": clean(metrics.saturation_note()),
                "saturated": metrics.saturated,
                "kind": kind,
                "samples": f"{len(samples):,}",
                "low": format_latency(bins[0][0]) if bins else "",
                "high": format_latency(bins[-1][1]) if bins else "",
                "bars": [
                    {
                        "height": max(1, round(100 * count / tallest)) if count else 0,
                        "title": f"{format_latency(low)} to {format_latency(high)}: {count:,}",
                    }
                    for low, high, count in bins
                ],
            }
        )
    return views


def render_html(run: RunReport) -> str:
    """The whole report as one HTML document (inline CSS and script, nothing external)."""
    clean = _Cleaner(run)
    features = []
    failures = []
    tags: set[str] = set()
    for feature in run.features:
        scenarios = []
        for scenario in feature.scenarios:
            view = _scenario_view(run, scenario, clean)
            scenarios.append(view)
            tags.update(view["tags"])
            if scenario.outcome == "failed":
                step = scenario.failed_step
                why = step.error if step is not None and step.error else scenario.error
                failures.append(
                    {
                        "number": scenario.number,
                        "feature": clean(feature.name),
                        "name": view["name"],
                        "why": clean(one_line(run.masker.mask(why or scenario.status), 240)),
                    }
                )
        features.append(
            {
                "keyword": clean(feature.keyword),
                "name": clean(feature.name),
                "description": clean("\n".join(feature.description)),
                "tags": [clean(t) for t in feature.tags],
                "outcome": feature.outcome,
                "scenarios": scenarios,
            }
        )
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=clean(run.title),
            version=__version__,
            outcome=run.outcome,
            verdict=_verdict(run),
            scenarios=run.count("scenarios"),
            flaky=sum(1 for scenario in run.scenarios if scenario.flaky),
            features_count=run.count("features"),
            started=time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(run.started)),
            duration=format_duration(run.duration),
            server=clean(run.base_url) or "(not recorded: wsbdd's hooks were not installed)",
            tags=sorted(tags),
            failures=failures,
            features=features,
            css=_asset("report.css"),
            script=script,
            script_hash=f"sha256-{digest}",
            diagram_chars=run.options.diagram_chars,
        )
    )


class HtmlFormatter(ReportFormatter):
    """behave formatter: ``-f wsbdd.report.html:HtmlFormatter -o reports/report.html``."""

    name = "wsbdd.html"
    description = "Self-contained HTML report with each scenario's WebSocket conversation"

    def render(self, run: RunReport) -> str:
        return render_html(run)
