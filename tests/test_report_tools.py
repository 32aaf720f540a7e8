"""The tools the report tests need come with the README's test command, and CI runs it as is."""

from __future__ import annotations

import re
from pathlib import Path

from test_report_cucumber import INSTALL

ROOT = Path(__file__).resolve().parent.parent


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run the test suite", 1)[1]
    (command,) = re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)[:1]
    return command


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip("\n").splitlines()
    assert ci[-1] == _readme_test_command()


def test_the_test_command_installs_both_browsers_and_the_cucumber_consumers():
    command = _readme_test_command()
    assert "for c in chromium firefox-esr npm " in command
    assert "do { command -v $c || dpkg -s $c; }" in command  # a command, else a package
    assert f" && {INSTALL} && .venv/bin/python -m pytest" in command
