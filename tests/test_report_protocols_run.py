"""A real `wsbdd run` of a project with a STOMP-like codec of its own (``protocol =
"stompish:Stompish"``): the passcode of its frames is masked and the login equal to it
stays readable on the console, in the HTML report, in JUnit XML and in Cucumber JSON.

The codec declares ``secret_fields`` / ``public_fields`` as the real STOMP codec does;
the report layer reads them from the codec the settings name.  The bundled demo server
answers; the scenario fails on purpose, so the console shows the failure and the
conversation.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

CODEC = '''\
from typing import ClassVar

from wsbdd.codec import BaseCodec


class Stompish(BaseCodec):
    """Text frames end with NUL, as STOMP's do; credentials in the CONNECT headers."""

    __slots__ = ()
    name: ClassVar[str] = "stompish"
    secret_fields: ClassVar[tuple[str, ...]] = (r"^passcode:(.*)$",)
    public_fields: ClassVar[tuple[str, ...]] = (r"^login:(.*)$",)

    def encode(self, intent):
        if isinstance(intent, str):
            return (intent + "\\n\\n\\x00",)
        return super().encode(intent)
'''

FEATURE = """\
Feature: STOMP-like frames in the reports

  Scenario: Ann's CONNECT frame names her login and passcode
    Given Ann is connected
    When Ann sends the text:
      \"\"\"
      CONNECT
      accept-version:1.2
      login:guest
      passcode:${pw}
      \"\"\"
    And Ben is connected
    And Ben sends the text:
      \"\"\"
      CONNECT
      login:ben
      passcode:s3cret-never-told
      \"\"\"
    Then Ann receives a message where $.type is "CONNECTED" within 300 ms
"""

PYPROJECT = """\
[tool.wsbdd]
timeout = "5 s"
protocol = "stompish:Stompish"
secrets = ["pw"]

[tool.wsbdd.variables]
pw = "guest"

[tool.wsbdd.report]
cucumber_transcripts = true
"""


@dataclass
class Run:
    folder: Path
    result: subprocess.CompletedProcess[str]

    def read(self, pattern: str) -> str:
        files = sorted((self.folder / "reports").glob(pattern))
        assert files, f"no {pattern} in {list((self.folder / 'reports').rglob('*'))}"
        return "\n".join(path.read_text(encoding="utf-8") for path in files)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("stompish-project")
    (folder / "features" / "steps").mkdir(parents=True)
    (folder / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (folder / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (folder / "features" / "stomp.feature").write_text(FEATURE, encoding="utf-8")
    (folder / "stompish.py").write_text(CODEC, encoding="utf-8")
    (folder / "pyproject.toml").write_text(PYPROJECT)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    environment["PYTHONPATH"] = str(folder)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wsbdd.cli",
            "run",
            "--reports",
            "reports",
            "--no-color",
        ],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    return Run(folder, result)


def _assert_masked(text: str, where: str) -> None:
    assert "login:guest" in text and "login:ben" in text, where
    assert "passcode:guest" not in text, where
    assert "s3cret-never-told" not in text, where  # named by nothing but its field
    assert "passcode:***" in text, where


def test_the_run_fails_on_the_missing_answer(run: Run):
    out = run.result.stdout + run.result.stderr
    assert run.result.returncode == 1, out[-4000:]
    assert "Traceback" not in out, out[-4000:]


def test_the_console_masks_the_passcode_and_keeps_the_login(run: Run):
    out = run.result.stdout
    # The conversation printed after the failed scenario: the frame on one line.
    line = next((x for x in out.splitlines() if "Ann  -> CONNECT⏎" in x), None)
    assert line is not None, out[-4000:]
    assert line.endswith("⏎login:guest⏎passcode:***⏎⏎␀"), line
    # behave's own echo of the steps: the doc strings, indented, are masked too.
    _assert_masked(out, "console")


def test_every_report_file_masks_the_passcode_and_keeps_the_login(run: Run):
    html = run.read("report.html")
    _assert_masked(html, "HTML")
    junit = run.read("junit/*.xml")
    _assert_masked(junit, "JUnit")
    cucumber = run.read("cucumber.json")
    attached = [
        base64.b64decode(embedding["data"]).decode("utf-8")
        for feature in json.loads(cucumber)
        for scenario in feature["elements"]
        for step in scenario["steps"]
        for embedding in step.get("embeddings", ())
    ]
    _assert_masked("\n".join(attached), "Cucumber JSON")
    for name in ("report.html", "cucumber.json"):
        assert "guest" not in run.read(name).replace("login:guest", ""), name
