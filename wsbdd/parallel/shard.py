"""One process of a parallel run: ``python -m wsbdd.parallel.shard CPU``, then its arguments.

It is started before the run is planned, so that starting Python and importing
behave and wsbdd overlap with the planning: it puts itself on its CPU (``-1``: no
pinning), imports what every shard needs, and only then reads its behave
arguments, one JSON list on its standard input (an empty line: nothing to run,
exit).  Then it is behave, run in this process.  Inside a one-CPU affinity
wsbdd's runtime does not pin its loop thread again.

What it imports ahead registers no step: a project that does not use wsbdd's
step library gets none of its steps.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys

__all__ = ["main", "AHEAD"]

AHEAD = (
    "behave.__main__",
    "behave.runner",
    "wsbdd.facade.session",
    "wsbdd.glue.environment",
    "wsbdd.report.results",
    "wsbdd.parallel.journal",
)
"""Imported before the arguments arrive (what a wsbdd project's behave run loads first)."""


def _end_with_parent() -> None:
    """Linux: this process is killed when the parallel run that started it dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(1)


def main(argv: list[str] | None = None) -> int:
    _end_with_parent()
    args = list(sys.argv[1:] if argv is None else argv)
    cpu = int(args[0]) if args else -1
    if cpu >= 0 and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {cpu})
        except OSError:  # the CPU went away since the plan: run where the system puts us
            pass
    for name in AHEAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - behave reports a broken import itself, later
            break
    line = sys.stdin.readline().strip()
    if not line:
        return 0
    behave_args = json.loads(line)
    sys.stdin.close()
    from behave.__main__ import main as behave_main

    return int(behave_main(list(behave_args)) or 0)


if __name__ == "__main__":
    sys.exit(main())
