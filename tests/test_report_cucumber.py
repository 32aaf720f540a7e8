"""Cucumber JSON, read by tools wsbdd did not write.

Two independent consumers, both run as real ``node`` subprocesses on the files
wsbdd writes (the README's test command installs them under ``.venv/node``):

* ``@cucumber/cucumber-json-converter``, the Cucumber project's own validator:
  it checks a file against the JSON schemas of the Cucumber implementations
  (cucumber-ruby, cucumber-jvm, cucumber-js, behave) and converts it to one
  common schema, which it checks too. wsbdd's file must pass as cucumber-ruby's.
* ``multiple-cucumber-html-reporter``, a dashboard people use on Cucumber JSON:
  it must draw the run, and show the conversations attached with
  ``cucumber_transcripts = true``.

``test_report_run.py`` puts the file of a real run through the same validator.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from wsbdd.model.transcript import Event, StepMark
from wsbdd.report.collect import Conversation
from wsbdd.report.cucumber import to_cucumber
from wsbdd.report.mask import Masker
from wsbdd.report.model import FeatureReport, RunReport, ScenarioReport, StepReport
from wsbdd.report.options import ReportOptions

# The README's test command installs the consumers next to the venv's Python.
NODE_MODULES = Path(
    os.environ.get("WSBDD_NODE_MODULES") or Path(sys.prefix) / "node" / "node_modules"
)
CONVERTER = "@cucumber/cucumber-json-converter"
REPORTER = "multiple-cucumber-html-reporter"
INSTALL = (
    "npm install --prefix .venv/node --loglevel=error --no-audit --no-fund "
    "@cucumber/cucumber-json-converter@0.0.3 multiple-cucumber-html-reporter@3.9.3"
)

# For each file: which Cucumber implementations' schemas it passes (and the file
# converted to the common schema), or every schema's complaint.
_VALIDATE = """
const fs = require('fs');
const { convertMulti } = require('@cucumber/cucumber-json-converter');
const verdicts = process.argv.slice(1).map(file => {
  try {
    const converted = convertMulti(JSON.parse(fs.readFileSync(file, 'utf8')));
    return { ok: true, implementations: converted.map(c => c.implementation), converted };
  } catch (error) {
    return { ok: false, error: String(error.message) };
  }
});
process.stdout.write(JSON.stringify(verdicts));
"""
_DRAW = """
require('multiple-cucumber-html-reporter').generate({
  jsonDir: process.argv[1], reportPath: process.argv[2],
  disableLog: true, openReportInBrowser: false, saveCollectedJSON: false,
});
"""


def _node(script: str, *args: str) -> str:
    node = shutil.which("node")
    missing = [
        p for p in (CONVERTER, REPORTER) if not (NODE_MODULES / p / "package.json").is_file()
    ]
    if node is None or missing:
        pytest.fail(
            f"The Cucumber JSON consumers are not installed ({node or 'node'}, "
            f"{', '.join(missing) or 'packages present'} in {NODE_MODULES}); "
            f"install them with `{INSTALL}` (the README's test command does).",
            pytrace=False,
        )
    result = subprocess.run(
        [node, "-e", script, "--", *args],
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def cucumber_verdicts(*files: Path) -> list[dict[str, Any]]:
    """What the Cucumber project's validator says of each file."""
    verdicts: list[dict[str, Any]] = json.loads(_node(_VALIDATE, *map(str, files)))
    return verdicts


def assert_valid_cucumber(file: Path) -> dict[str, Any]:
    """``file`` passes the validator as cucumber-ruby's JSON; returns it converted."""
    (verdict,) = cucumber_verdicts(file)
    assert verdict["ok"], verdict["error"][:4000]
    assert verdict["implementations"] == ["cucumber-ruby"]
    converted: dict[str, Any] = verdict["converted"][0]
    return converted


# -- a run of every shape wsbdd writes ---------------------------------------------------------

T = 100.0


def _scenario(number: int, name: str, status: str, steps: list[StepReport], **more: Any) -> Any:
    marks = [StepMark(T + i, i, s.full_text) for i, s in enumerate(steps)]
    events = [
        Event(T + 0.001, "Alice", "connected", detail={"url": "ws://127.0.0.1:1/"}, step=marks[0]),
        Event(T + 0.002, "Alice", "sent", "text", '{"type": "join"}', step=marks[0]),
        Event(T + 0.003, "Alice", "received", "text", '{"type": "joined"}', 1, step=marks[0]),
    ]
    return ScenarioReport(
        number=number,
        keyword="Scenario",
        name=name,
        line=10 * number,
        filename="features/chat.feature",
        status=status,
        tags=["@chat"],
        tag_lines={"@chat": 10 * number - 1},
        steps=steps,
        conversation=Conversation(events, marks, T),
        **more,
    )


def _every_shape(transcripts: bool = False) -> RunReport:
    def step(keyword: str, name: str, status: str, **more: Any) -> StepReport:
        return StepReport(keyword, name, 3, status, 0.002 if status != "skipped" else None, **more)

    background = step("Given", "Alice is connected", "passed", background=True)
    scenarios = [
        _scenario(
            1,
            "Alice joins",
            "passed",
            [
                background,
                step(
                    "When", "Alice sends:", "passed", text='{"type": "join"}', content_type="json"
                ),
                step(
                    "Then",
                    "Alice receives messages:",
                    "passed",
                    table=[["type"], ["joined"]],
                    location="wsbdd/steps/receiving.py:40",
                ),
            ],
            background=("Background", "Connected", 2),
        ),
        _scenario(
            2,
            "Bob waits",
            "failed",
            [
                step(
                    "When", "Bob waits", "failed", error="Bob expected a message", error_detail="x"
                ),
                step("Then", "Bob leaves", "skipped"),
            ],
        ),
        _scenario(3, "Carol", "undefined", [step("Given", "Carol dances", "undefined")]),
        _scenario(4, "Dave", "pending", [step("Given", "Dave waits", "pending")]),
        _scenario(
            5,
            "Erin is strict",
            "failed",
            [step("Given", "Erin is connected", "passed")],
            error="Erin received 1 message nobody expected",
        ),
    ]
    feature = FeatureReport(
        "Feature",
        "Chat",
        1,
        "features/chat.feature",
        ["Rooms."],
        ["@chat"],
        scenarios,
        {"@chat": 1},
    )
    return RunReport(
        "Chat",
        time.time(),
        1.0,
        "ws://127.0.0.1:1/",
        [feature],
        ReportOptions(cucumber_transcripts=transcripts),
        Masker(),
    )


def _write(folder: Path, data: Any, name: str = "cucumber.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def _without_embeddings(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    stripped = copy.deepcopy(data)
    for feature in stripped:
        for element in feature["elements"]:
            for step in element["steps"]:
                step.pop("embeddings", None)
    return stripped


def test_every_shape_wsbdd_writes_passes_the_cucumber_projects_validator(tmp_path: Path):
    data = to_cucumber(_every_shape())
    converted = assert_valid_cucumber(_write(tmp_path, data))
    # What the validator read back: backgrounds, doc strings, tables, the after hook.
    elements = converted["features"][0]["elements"]
    assert [e["type"] for e in elements] == ["background"] + ["scenario"] * 5
    steps = {s["name"]: s for e in elements for s in e["steps"]}
    assert steps["Alice sends:"]["doc_string"]["value"] == '{"type": "join"}'
    assert steps["Alice receives messages:"]["rows"] == [{"cells": ["type"]}, {"cells": ["joined"]}]
    assert [steps[n]["result"]["status"] for n in ("Bob waits", "Bob leaves")] == [
        "failed",
        "skipped",
    ]
    assert steps["Carol dances"]["result"]["status"] == "undefined"
    assert steps["Dave waits"]["result"]["status"] == "pending"
    assert elements[-1]["after"][0]["result"]["error_message"].startswith("Erin received")


def test_the_validator_rejects_broken_cucumber_json(tmp_path: Path):
    # Without this, a validator that accepted anything would pass every test above.
    good = to_cucumber(_every_shape())
    breakages = {
        "not a list": lambda d: d[0],
        "unknown status": lambda d: d[0]["elements"][1]["steps"][0]["result"].update(
            status="passd"
        ),
        "step without keyword": lambda d: d[0]["elements"][1]["steps"][0].pop("keyword"),
        "line as text": lambda d: d[0]["elements"][1].update(line="10"),
        "unknown field": lambda d: d[0]["elements"][1].update(colour="green"),
        "feature without uri": lambda d: d[0].pop("uri"),
        "duration as text": lambda d: d[0]["elements"][1]["steps"][0]["result"].update(
            duration="2 ms"
        ),
    }
    files = [_write(tmp_path, good, "good.json")]
    for n, (name, breakage) in enumerate(breakages.items()):
        broken = copy.deepcopy(good)
        replaced = breakage(broken)
        files.append(_write(tmp_path, replaced if name == "not a list" else broken, f"{n}.json"))
    verdicts = cucumber_verdicts(*files)
    assert verdicts[0]["ok"]
    accepted = [name for name, v in zip(breakages, verdicts[1:], strict=True) if v["ok"]]
    assert accepted == []


def test_a_cucumber_report_tool_shows_the_run_and_its_conversations(tmp_path: Path):
    data = to_cucumber(_every_shape(transcripts=True))
    _write(tmp_path / "json", data)
    _node(_DRAW, str(tmp_path / "json"), str(tmp_path / "html"))
    index = _text((tmp_path / "html" / "index.html").read_text(encoding="utf-8"))
    # Its features table: Chat, 5 scenarios: 1 passed, 2 failed (one of them after its
    # steps, in strict mode), 1 pending, 1 undefined.
    assert re.search(r"Features overview .* Chat @chat .* 5 1 2 1 1 ", index), index[:2000]
    (page,) = (tmp_path / "html" / "features").glob("*.html")
    feature = _text(page.read_text(encoding="utf-8"))
    for name in ("Alice joins", "Bob waits", "Carol", "Dave", "Erin is strict"):
        assert f"Scenario: {name}" in feature
    assert "Bob expected a message" in feature
    assert "Erin received 1 message nobody expected" in feature
    # The conversation attached as text/plain is decoded and shown.
    assert "WebSocket conversation (1 client, 2 frames)" in feature
    assert 'Alice -> {"type": "join"}' in feature
    assert 'Alice <- {"type": "joined"}' in feature
    # The attachments are the only thing the validator's schemas do not describe
    # (cucumber-ruby writes them on steps all the same); the rest passes.
    assert any("embeddings" in s for e in data[0]["elements"] for s in e["steps"])
    assert_valid_cucumber(_write(tmp_path, _without_embeddings(data)))


class _Text(HTMLParser):
    """The words of a page, as a reader sees them (no scripts, no styles)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style") and self.hidden > 0

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.words.append(data)


def _text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.words).split())
