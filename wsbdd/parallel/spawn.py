"""Starting a parallel run's processes early: before the command line is even parsed.

Each process (``python -m wsbdd.parallel.shard CPU``) starts Python and imports
behave and wsbdd, then waits for its behave arguments on its standard input.
``wsbdd run --processes N`` starts them first thing, so that their start-up
overlaps with the work the command does before it knows what each shard runs
(reading its own command line, planning).  Processes nobody claims are dismissed.

This module imports nothing of wsbdd or behave: it runs before them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["available_cpus", "cpu_for", "spawn", "dismiss", "Prestarted", "STOP_GRACE"]

WORKER_VARIABLE = "WSBDD_WORKER"  # wsbdd.report.model.WORKER_VARIABLE (a test holds them equal)
STOP_GRACE = 10.0
"""How long processes get to stop (dismissed, or after Ctrl-C) before they are killed."""


def available_cpus() -> list[int]:
    """The CPUs this process may run on, in order (all of them where affinity is unknown)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def cpu_for(number: int, cpus: Sequence[int]) -> int | None:
    """Process ``number``'s CPU: the ``number``-th available, round the list (None: one CPU)."""
    if len(cpus) < 2:
        return None  # nothing to choose: leave it where the system puts it
    return cpus[(number - 1) % len(cpus)]


def spawn(number: int, cpu: int | None, cwd: Path) -> subprocess.Popen[bytes]:
    """Start shard process ``number`` on its CPU; it waits for its arguments on stdin."""
    env = dict(os.environ)
    env[WORKER_VARIABLE] = str(number)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    command = [sys.executable, "-m", "wsbdd.parallel.shard", str(-1 if cpu is None else cpu)]
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole, Ctrl-C relayed
    )


def dismiss(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """Tell shard processes there is nothing for them, and wait for them to go."""
    for process in processes:
        try:
            assert process.stdin is not None
            process.stdin.close()  # end of input: the shard exits without running behave
        except OSError:
            pass
    for process in processes:
        try:
            process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


class Prestarted:
    """Shard processes started ahead for one folder; :meth:`take` hands them over once."""

    def __init__(self) -> None:
        self._cwd: Path | None = None
        self._processes: list[subprocess.Popen[bytes]] = []

    def start(self, count: int, cwd: Path) -> None:
        cpus = available_cpus()
        self._cwd = cwd.resolve()
        self._processes = [spawn(k, cpu_for(k, cpus), cwd) for k in range(1, count + 1)]

    def take(self, count: int, cwd: Path) -> list[subprocess.Popen[bytes]]:
        """The first ``count`` processes started for ``cwd`` (the rest are dismissed)."""
        if self._cwd != cwd.resolve():
            self.dismiss()
            return []
        taken, rest = self._processes[:count], self._processes[count:]
        self._processes = []
        dismiss(rest)
        return taken

    def dismiss(self) -> None:
        processes, self._processes = self._processes, []
        dismiss(processes)


PRESTARTED = Prestarted()
"""The processes ``wsbdd run --processes N`` started before parsing its command line."""


def processes_wanted(args: Sequence[str]) -> str | None:
    """The value of ``--processes`` in a ``run``/``demo`` command line ("" alone; None: absent)."""
    if not args or args[0] not in ("run", "demo"):
        return None
    for i, arg in enumerate(args):
        if arg == "--":
            return None
        if arg.startswith("--processes="):
            return arg.split("=", 1)[1]
        if arg == "--processes":
            following = args[i + 1] if i + 1 < len(args) else ""
            return "" if following.startswith("-") else following
    return None
