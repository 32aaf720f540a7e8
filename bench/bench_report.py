"""How big and how fast the HTML report is for a 1,000-scenario run.

Run ``python bench/bench_report.py [--scenarios 1000] [--keep report.html]``.

A synthetic run (no behave, no sockets): 50 features of 20 scenarios, each
scenario with 3 clients, 7 steps and 14 frames (70 % under 130 bytes, 25 %
of 250 to 500, 5 % of about 4 KiB), one scenario in 20 failed.  It prints the
time to render the report, its size, and what headless Chromium measures when
it opens the file: first paint, first contentful paint, DOMContentLoaded and
load, then how long opening every
diagram of the failed scenarios takes.  Asserts nothing: timings depend on the
machine (a shared 2-core VM gives noisy numbers; run it twice).
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

from wsbdd.report.collect import Conversation
from wsbdd.report.html import render_html
from wsbdd.report.mask import Masker
from wsbdd.report.model import FeatureReport, RunReport, ScenarioReport, StepReport
from wsbdd.report.options import ReportOptions
from wsbdd.transcript import Event, StepMark

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
    return RunReport(
        "Synthetic run",
        time.time(),
        123.4,
        "ws://127.0.0.1:8765",
        features,
        ReportOptions(),
        Masker(["secret-token-123"]),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--keep", help="also write the report here")
    ns = parser.parse_args(argv)

    calibration = timeit.timeit("sum(range(1000))", number=10000)
    print(
        f"machine:   sum(range(1000)) x 10,000 took {calibration:.2f} s "
        "(about 0.1 s on an idle laptop; larger means a busy or slow machine)"
    )
    run = synthetic_run(ns.scenarios)
    started = time.perf_counter()
    html = render_html(run)
    rendered = time.perf_counter() - started
    size = len(html.encode("utf-8"))
    frames = sum(len(s.conversation.events) for s in run.scenarios if s.conversation)
    print(f"scenarios: {ns.scenarios}, transcript events: {frames}")
    print(f"render:    {rendered:.2f} s")
    print(
        f"size:      {size / 1024 / 1024:.2f} MiB ({size / ns.scenarios / 1024:.1f} KiB a scenario)"
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(ns.keep) if ns.keep else Path(folder) / "report.html"
        path.write_text(html, encoding="utf-8")
        try:
            from wsbdd.report.browser import ChromiumMissing, visit
        except ImportError as exc:  # pragma: no cover
            print(f"browser:   skipped ({exc})")
            return 0
        try:
            first = visit(path)
            opening = "document.querySelectorAll('details.o-failed details.conversation')"
            timed = (
                f"(() => {{ const t = performance.now(); {opening}.forEach(d => d.open = true);"
                " document.body.offsetHeight; return performance.now() - t; }})()"
            )
            second = visit(path, evaluate=[timed])
        except ChromiumMissing as exc:
            print(f"browser:   skipped ({exc})")
            return 0
    for label, visit_result in (("cold", first), ("warm", second)):
        print(
            f"chromium {label}: first paint {visit_result.first_paint_ms or 0:.0f} ms, "
            f"first contentful paint {visit_result.first_contentful_paint_ms or 0:.0f} ms, "
            f"DOMContentLoaded {visit_result.dom_content_loaded_ms or 0:.0f} ms, "
            f"load {visit_result.load_ms or 0:.0f} ms"
        )
    opened = next(iter(second.evaluated.values()), None)
    if opened is not None:
        print(
            f"opening the {ns.scenarios // 20} failed diagrams: {opened:.0f} ms (script + layout)"
        )
    problems = first.console_errors + first.exceptions + first.requests
    print(f"console errors / exceptions / requests: {len(problems)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
