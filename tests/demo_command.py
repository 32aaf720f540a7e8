"""`wsbdd demo-server` as a user starts it, for tests that point a project's url at it."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["demo_server_command"]


@contextmanager
def demo_server_command() -> Iterator[str]:
    """`wsbdd demo-server --port 0` as a user starts it; yields the address it prints."""
    server = subprocess.Popen(
        [sys.executable, "-m", "wsbdd.cli", "demo-server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.put(line)
        lines.put("")  # the server ended

    threading.Thread(target=read, daemon=True).start()
    try:
        line = lines.get(timeout=30)
        prefix = "wsbdd demo server listening on "
        assert line.startswith(prefix), f"wsbdd demo-server printed {line!r}"
        yield line[len(prefix) :].strip()
    finally:
        server.terminate()
        server.wait(timeout=10)
