"""How long the HTML report takes to write, how big it is, and how it opens in Chromium.

Run ``python bench/bench_report.py [--scenarios 1000] [--quick] [--json] [--keep report.html]``.

A synthetic run (no behave, no sockets): features of 20 scenarios, each
scenario with 3 clients, 7 steps and 14 frames (70 % under 130 bytes, 25 %
of 250 to 500, 5 % of about 4 KiB), one scenario in 20 failed.  For N
scenarios (1,000 by default, 100 with ``--quick``) it measures:

- **write**: rendering the report (``render_html``) and writing the file;
- **size**: the file, in all and per scenario;
- **page load** in a real headless Chromium (Debian's ``chromium``, driven over
  the DevTools protocol by ``tests/browsers/chromium.py``, as the tests do): first
  contentful paint, DOMContentLoaded and load, from a cold and a warm start;
- **opening the diagrams**, in a second visit: first what the report's own
  "Open failed" button does (each failed scenario's diagram), then every
  scenario and every diagram of the run at once; each timed from the change to
  the end of the forced layout (script + layout) and to the second animation
  frame after it (the page has painted).  Every diagram must then be open and
  laid out with a non-zero height.

It **fails** (exit status 1, the reason on stderr) when the opening script
throws or does not parse, when any diagram did not open, or when the page
logged an error, threw, or asked for anything but itself; a missing Chromium is
a failure too, unless ``--no-browser`` says to leave the browser out.

It leaves out: building the run from behave's objects at the end of a real run
(``build_run``), scrolling, opening each message of a diagram (a payload is laid
out when its row is opened, one at a time), Firefox, and the cost of the
transcript while the scenarios run.  There is no baseline to take a ratio
against (no other tool draws these diagrams), so its times are absolute and
asserted against no goal: they depend on the machine (a shared 2-core VM gives
noisy numbers; the first note, a fixed Python loop, says how busy it was; run it
twice).
The default run takes well under a minute and stops by itself (each browser
visit has a 120 s deadline).

``--json`` prints one JSON document instead of the text:
``{"benchmark": "report", "rows": [{"measure", "value", "unit", "goal", "met"}],
"notes": [...]}``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

from wsbdd.model.transcript import Event, StepMark
from wsbdd.report.collect import Conversation
from wsbdd.report.html import render_html
from wsbdd.report.mask import Masker
from wsbdd.report.model import FeatureReport, RunReport, ScenarioReport, StepReport
from wsbdd.report.options import ReportOptions

# The browser drivers live with the tests (they are not part of the installed package).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

CLIENTS = ("Alice", "Bob", "Carol")
STEPS = (
    ("Given", "clients Alice, Bob and Carol are connected"),
    ("When", 'Alice sends {"type": "join", "room": "lobby"}'),
    ("And", 'Bob sends {"type": "join", "room": "lobby"}'),
    ("And", 'Carol sends {"type": "join", "room": "lobby"}'),
    ("When", 'Alice sends {"type": "message", "room": "lobby", "content": "hello ${uuid}"}'),
    ("Then", 'Bob receives a message where $.content starts with "hello"'),
    ("And", "Carol receives no message within 300 ms"),
)


def _payload(rng: random.Random, who: str) -> str:
    """A chat frame: mostly short, a quarter medium, one in twenty a few KiB."""
    roll = rng.random()
    count = rng.randint(1, 8) if roll < 0.7 else rng.randint(30, 70) if roll < 0.95 else 600
    words = " ".join(
        rng.choice(("hello", "world", "lobby", "chat", "ok", "ping")) for _ in range(count)
    )
    return json.dumps(
        {
            "type": "chat",
            "room": "lobby",
            "from": who,
            "content": words,
            "seq": rng.randint(1, 9999),
        }
    )


def synthetic_scenario(number: int, rng: random.Random, failed: bool) -> ScenarioReport:
    t0 = 1000.0 + number
    marks = [StepMark(t0 + i * 0.01, i, f"{kw} {name}") for i, (kw, name) in enumerate(STEPS)]
    events: list[Event] = []
    for i, client in enumerate(CLIENTS):
        at = t0 + 0.001 * (i + 1)
        events.append(
            Event(at, client, "connecting", detail={"url": "ws://127.0.0.1:8765/"}, step=marks[0])
        )
        events.append(
            Event(at + 0.0005, client, "connected", detail={"status": 101}, step=marks[0])
        )
    for frame in range(14):
        at = t0 + 0.011 + frame * 0.004
        step = marks[min(len(marks) - 1, 1 + frame // 3)]
        client = CLIENTS[frame % 3]
        kind = "sent" if frame % 2 == 0 else "received"
        events.append(Event(at, client, kind, "text", _payload(rng, client), frame, step=step))
    for i, client in enumerate(CLIENTS):
        events.append(
            Event(
                t0 + 0.09 + i * 0.001,
                client,
                "closed",
                detail={"code": 1000, "reason": "", "clean": True, "by": "client"},
                step=marks[-1],
            )
        )
    events.sort(key=lambda e: e.at)
    steps = []
    for i, (keyword, name) in enumerate(STEPS):
        status = "passed"
        error = ""
        if failed and i == 5:
            status = "failed"
            error = (
                'Bob expected a message where $.content starts with "hello" within 5 s; '
                "Bob had 2 unread messages, none matched."
            )
        elif failed and i > 5:
            status = "skipped"
        steps.append(
            StepReport(keyword, name, i + 3, status, 0.01 if status != "skipped" else None, error)
        )
    return ScenarioReport(
        number=number,
        keyword="Scenario",
        name=f"Scenario number {number} talks in the lobby",
        line=3,
        filename="features/synthetic.feature",
        status="failed" if failed else "passed",
        tags=["@chat", f"@group{number % 7}"],
        duration=0.07,
        steps=steps,
        conversation=Conversation(events, marks, t0),
    )


def synthetic_run(scenarios: int, seed: int = 5) -> RunReport:
    rng = random.Random(seed)
    features = []
    per_feature = 20
    for f in range(0, scenarios, per_feature):
        feature = FeatureReport(
            "Feature",
            f"Synthetic feature {f // per_feature + 1}",
            1,
            "features/synthetic.feature",
            ["People chat in rooms."],
        )
        for n in range(f, min(scenarios, f + per_feature)):
            feature.scenarios.append(synthetic_scenario(n + 1, rng, failed=(n % 20 == 7)))
        features.append(feature)
    # Two processes, each running its scenarios one after another: the report's timeline.
    started = time.time()
    clock = {"1": started, "2": started}
    for feature in features:
        for scenario in feature.scenarios:
            scenario.worker = "1" if scenario.number % 2 else "2"
            scenario.started = clock[scenario.worker]
            clock[scenario.worker] += max(scenario.duration, 0.01)
    return RunReport(
        "Synthetic run",
        started,
        123.4,
        "ws://127.0.0.1:8765",
        features,
        ReportOptions(),
        Masker(["secret-token-123"]),
    )


OPENING = """(async () => {
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const laidOut = d => d.open && d.closest('details.scenario').open
    && d.querySelector('.dg-wrap').getBoundingClientRect().height > 0;
  const count = list => ({total: list.length, opened: list.filter(laidOut).length});
  const button = document.getElementById('open-failed');
  if (!button) { throw new Error('the report has no "Open failed" button (#open-failed)'); }
  let started = performance.now();
  button.click();
  void document.body.offsetHeight;
  const failedLayoutMs = performance.now() - started;
  await frames();
  const failedPaintedMs = performance.now() - started;
  const failed = count(Array.from(
    document.querySelectorAll('details.scenario.o-failed details.conversation')));
  started = performance.now();
  document.querySelectorAll('details.scenario').forEach(d => { d.open = true; });
  document.querySelectorAll('details.conversation').forEach(d => { d.open = true; });
  void document.body.offsetHeight;
  const allLayoutMs = performance.now() - started;
  await frames();
  const allPaintedMs = performance.now() - started;
  const all = count(Array.from(document.querySelectorAll('details.conversation')));
  return {failedLayoutMs, failedPaintedMs, failed, allLayoutMs, allPaintedMs, all};
})()"""
"""Opens the failed diagrams with the report's button, then every diagram; says how long
each took and how many diagrams ended up open and laid out.  A plain string (no
formatting), so its braces are JavaScript's."""

BROWSER_TIMEOUT = 120.0


def opening_problems(result: Any, error: str | None, diagrams: int, failed: int) -> list[str]:
    """Why the opening of the diagrams does not count, in sentences (none: it counts)."""
    if error:
        return [f"the opening script threw in Chromium: {error}"]
    if not isinstance(result, dict) or not {"failed", "all"} <= result.keys():
        return [f"the opening script returned {result!r}, not its measurements"]
    problems = []
    for label, expected, seen in (
        ("failed", failed, result["failed"]),
        ("all", diagrams, result["all"]),
    ):
        what = "failed scenarios' diagrams" if label == "failed" else "diagrams"
        if seen["total"] != expected:
            problems.append(f"the page has {seen['total']} {what}, the run has {expected}")
        if seen["opened"] != seen["total"]:
            problems.append(
                f"{seen['total'] - seen['opened']} of {seen['total']} {what} did not open"
                " (closed, or laid out with no height)"
            )
    return problems


def page_problems(label: str, seen: Any) -> list[str]:
    """What a visit saw that a report must never do: errors, exceptions, requests."""
    problems = []
    for kind, found in (
        ("logged an error", seen.console_errors),
        ("threw", seen.exceptions),
        ("asked for", seen.requests),
    ):
        if found:
            problems.append(f"the page ({label} visit) {kind}: {'; '.join(found[:3])}")
    return problems


Row = dict[str, Any]


def row(
    measure: str, value: float, unit: str, goal: str | None = None, met: bool | None = None
) -> Row:
    return {"measure": measure, "value": float(value), "unit": unit, "goal": goal, "met": met}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, help="how many (default 1000; 100 with --quick)")
    parser.add_argument("--quick", action="store_true", help="100 scenarios: a smoke run")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--keep", help="also write the report here")
    parser.add_argument(
        "--no-browser", action="store_true", help="leave Chromium out (write time and size only)"
    )
    ns = parser.parse_args(argv)
    scenarios = ns.scenarios or (100 if ns.quick else 1000)
    say = (lambda text: None) if ns.json else print
    rows: list[Row] = []
    notes: list[str] = []

    calibration = timeit.timeit("sum(range(1000))", number=10000)
    notes.append(
        f"machine: sum(range(1000)) x 10,000 took {calibration:.2f} s "
        "(about 0.1 s on an idle laptop; larger means a busy or slow machine)"
    )
    say(notes[-1])
    run = synthetic_run(scenarios)
    failed = sum(1 for s in run.scenarios if s.status == "failed")
    diagrams = sum(1 for s in run.scenarios if s.conversation is not None)
    frames = sum(len(s.conversation.events) for s in run.scenarios if s.conversation)
    notes.append(
        f"synthetic run: {scenarios} scenarios ({failed} failed), {frames} transcript events"
    )
    say(notes[-1])

    problems: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(ns.keep) if ns.keep else Path(folder) / "report.html"
        started = time.perf_counter()
        html = render_html(run)
        rendered = time.perf_counter() - started
        with path.open("w", encoding="utf-8") as stream:
            stream.write(html)
        written = time.perf_counter() - started
        size = path.stat().st_size
        rows += [
            row("scenarios", scenarios, "count"),
            row("write the report (render + write the file)", written, "s"),
            row("of which render_html", rendered, "s"),
            row("report size", size / 1024 / 1024, "MiB"),
            row("report size per scenario", size / scenarios / 1024, "KiB"),
        ]
        say(f"write:     {written:.2f} s (render {rendered:.2f} s)")
        say(
            f"size:      {size / 1024 / 1024:.2f} MiB "
            f"({size / scenarios / 1024:.1f} KiB a scenario)"
        )

        if ns.no_browser:
            notes.append("browser left out (--no-browser): no page load, no diagrams opened")
            say(notes[-1])
        else:
            from browsers.chromium import ChromiumMissing, visit

            try:
                cold = visit(path, timeout=BROWSER_TIMEOUT)
                warm = visit(path, evaluate=[OPENING], timeout=BROWSER_TIMEOUT)
            except ChromiumMissing as exc:
                problems.append(f"cannot open the report: {exc}")
            else:
                for label, seen in (("cold", cold), ("warm", warm)):
                    for name, value in (
                        ("first contentful paint", seen.first_contentful_paint_ms),
                        ("DOMContentLoaded", seen.dom_content_loaded_ms),
                        ("load", seen.load_ms),
                    ):
                        if value is not None:
                            rows.append(row(f"page load ({label} start): {name}", value, "ms"))
                    say(
                        f"chromium {label}: first contentful paint "
                        f"{seen.first_contentful_paint_ms or 0:.0f} ms, DOMContentLoaded "
                        f"{seen.dom_content_loaded_ms or 0:.0f} ms, load {seen.load_ms or 0:.0f} ms"
                    )
                    problems += page_problems(label, seen)
                result = warm.evaluated.get(OPENING)
                opening = opening_problems(
                    result, warm.evaluate_errors.get(OPENING), diagrams, failed
                )
                problems += opening
                if not opening:
                    rows += [
                        row(f"open the {failed} failed diagrams (button): script + layout",
                            result["failedLayoutMs"], "ms"),
                        row(f"open the {failed} failed diagrams (button): painted",
                            result["failedPaintedMs"], "ms"),
                        row(f"open all {diagrams} diagrams: script + layout",
                            result["allLayoutMs"], "ms"),
                        row(f"open all {diagrams} diagrams: painted",
                            result["allPaintedMs"], "ms"),
                    ]  # fmt: skip
                    say(
                        f"open the {failed} failed diagrams (Open failed button): "
                        f"{result['failedLayoutMs']:.0f} ms script + layout, "
                        f"{result['failedPaintedMs']:.0f} ms painted"
                    )
                    say(
                        f"open all {diagrams} diagrams (every scenario too): "
                        f"{result['allLayoutMs']:.0f} ms script + layout, "
                        f"{result['allPaintedMs']:.0f} ms painted"
                    )
                opened = result["all"]["opened"] if isinstance(result, dict) and not opening else 0
                rows.append(
                    row("diagrams open and laid out", opened, "count",
                        f"all {diagrams}", opened == diagrams)
                )  # fmt: skip
                say(f"diagrams open and laid out: {opened} of {diagrams}")
                page = sum(
                    len(s.console_errors) + len(s.exceptions) + len(s.requests)
                    for s in (cold, warm)
                )
                rows.append(
                    row("page errors, exceptions and requests", page, "count", "0", page == 0)
                )
                say(f"console errors / exceptions / requests: {page}")

    for problem in problems:
        notes.append(f"FAILED: {problem}")
        print(f"bench_report: FAILED: {problem}", file=sys.stderr)
    if ns.json:
        print(json.dumps({"benchmark": "report", "rows": rows, "notes": notes}, indent=2))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
