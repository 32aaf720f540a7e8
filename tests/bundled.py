"""One `wsbdd demo` run of the bundled features, shared by every test that reads it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

from subprocesses import run_module


@dataclass(frozen=True)
class BundledRun:
    """What one `wsbdd demo` run of the bundled features printed and wrote."""

    result: CompletedProcess[str]
    reports: Path

    @property
    def output(self) -> str:
        return self.result.stdout + self.result.stderr


def run_bundled(where: Path) -> BundledRun:
    """`wsbdd demo` runs behave in the repository's root with its configuration, as
    `behave` there would, and also writes the reports; so one run shows both that the
    features pass and that the command a newcomer types works."""
    reports = where / "reports"
    result = run_module(
        where, "wsbdd.cli", "demo", "--reports", str(reports), "--no-color", "-f", "plain"
    )
    return BundledRun(result, reports)
