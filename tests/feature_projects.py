"""What the tests of a protocol's feature folder (tests/features/socketio, graphql, stomp)
check alike: that the folder's features hold no raw frame or envelope and its project no
Python step of its own, and a run of them that writes the HTML report and JUnit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

__all__ = ["assert_written_in_words", "run_with_reports"]


def assert_written_in_words(features: Path, raw: str) -> None:
    """No feature in ``features`` matches the pattern ``raw`` (a frame or envelope written by
    hand), and the project's only step module imports wsbdd's steps."""
    texts = "\n".join(p.read_text(encoding="utf-8") for p in features.glob("*.feature"))
    assert not re.search(raw, texts)
    steps = list((features / "steps").glob("*.py"))
    assert [p.name for p in steps] == ["wsbdd_steps.py"]
    code = [
        line
        for line in steps[0].read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert code == ["from wsbdd.steps import *  # noqa: F403"]


def run_with_reports(run: Callable[..., str], tmp_path: Path) -> tuple[str, str]:
    """``run(*behave_args)`` of the passing scenarios with the HTML report and JUnit written
    under ``tmp_path``: behave's output and the report's HTML (JUnit files were written)."""
    report = tmp_path / "report.html"
    output = run(
        "--tags=not @fails",
        "-f",
        "wsbdd.report.html:HtmlFormatter",
        "-o",
        str(report),
        "--junit",
        "--junit-directory",
        str(tmp_path / "junit"),
    )
    assert list((tmp_path / "junit").glob("*.xml")), output[-2000:]
    return output, report.read_text(encoding="utf-8")
