"""One `wsbdd demo` run of the bundled features, shared by every test that reads it."""

from __future__ import annotations

import fcntl
import json
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


def run_bundled_once(where: Path) -> BundledRun:
    """:func:`run_bundled` in ``where``, made by the first process to ask and read back by
    the others (pytest-xdist's workers share ``where``): they wait on a file lock, which the
    system lets go of if the process holding it dies, while the first one runs."""
    where.mkdir(parents=True, exist_ok=True)
    saved = where / "run.json"
    with open(where / "run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if saved.exists():
            kept = json.loads(saved.read_text(encoding="utf-8"))
            result = CompletedProcess(
                kept["args"], kept["returncode"], kept["stdout"], kept["stderr"]
            )
            return BundledRun(result, Path(kept["reports"]))
        run = run_bundled(where)
        kept = {
            "args": [str(a) for a in run.result.args],
            "returncode": run.result.returncode,
            "stdout": run.result.stdout,
            "stderr": run.result.stderr,
            "reports": str(run.reports),
        }
        saved.write_text(json.dumps(kept), encoding="utf-8")
        return run
