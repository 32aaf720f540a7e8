"""Running wsbdd's commands and behave as a user does: a real subprocess, with a deadline.

The child gets this environment without any ``WSBDD_*`` variable (a developer's own
settings must not leak into a test), plus what the test adds; no standard input.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["run_module", "behave"]


def run_module(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``python -m ARGS`` in ``cwd``; the output is text."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def behave(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``behave --no-color ARGS`` in ``cwd``."""
    return run_module(cwd, "behave", "--no-color", *args, env=env)
