"""behave's console, paced: a step's line may wait a moment to be written with the next ones.

Python writes an unbuffered console (``PYTHONUNBUFFERED=1``, which many CI containers
set) at every write: a system call per step, and a wake-up of whatever reads the pipe
(the CI runner), which then competes with the server under test for the CPUs while the
next step waits for its answer.  A quick scenario pays it at every step.

:class:`PacedConsole` holds what is written to such a console and writes it in one piece
at most ``hold`` seconds after the first held piece (50 ms by default: the ``console_hold``
setting), whatever the steps do meanwhile: a thread of its own (:class:`_Flusher`) writes
what is due while behave's thread waits or works.  Held text is written first whenever
anything else must come after it: a flush, the formatter's close, wsbdd's notes on
stderr (:func:`write_held`), the end of the process.

Only a console Python writes at once and no person watches as a terminal is paced
(:func:`paces`): a terminal and a block-buffered pipe write as they did.  Pacing also
needs behave to capture what steps and hooks print (its default): a ``print`` of a step
with ``--no-capture`` goes straight to ``sys.stdout`` and would overtake the held lines.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from typing import Any


def paces(stream: Any) -> bool:
    """Whether ``stream`` is a console worth pacing: Python writes it at every write (or
    every line) and it is no terminal."""
    if not (getattr(stream, "write_through", False) or getattr(stream, "line_buffering", False)):
        return False  # block-buffered: Python joins the writes already
    try:
        return not stream.isatty()
    except (AttributeError, ValueError, OSError):  # no isatty, or closed
        return False


def encodes(stream: Any, text: str) -> bool:
    """Whether ``stream`` can encode ``text``: a piece it cannot is written at once, so that
    the error is raised where the writer expects it (behave suppresses it around a status)."""
    encoding = getattr(stream, "encoding", None)
    if not isinstance(encoding, str):
        return True
    try:
        text.encode(encoding, getattr(stream, "errors", None) or "strict")
    except (UnicodeError, LookupError):
        return False
    return True


class PacedConsole:
    """A text stream that holds its writes up to ``hold`` seconds and writes them as one."""

    def __init__(self, stream: Any, hold: float) -> None:
        self._stream = stream
        self._hold = hold
        self._held: list[str] = []
        self._since = 0.0  # when the first held piece came
        self._lock = threading.Lock()
        _consoles.add(self)

    @property
    def wrapped(self) -> Any:
        return self._stream

    def write(self, text: str) -> int:
        if not isinstance(text, str) or not encodes(self._stream, text):
            with self._lock:  # after what is held; an encoding error is raised here
                self._write_held()
                return self._stream.write(text)
        with self._lock:
            held = self._held
            held.append(text)
            if len(held) == 1:
                self._since = time.monotonic()
                _flusher.arm(self, self._since + self._hold)
            elif time.monotonic() - self._since >= self._hold:
                self._write_held()
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with self._lock:
            self._write_held()
            self._stream.flush()

    def write_held(self) -> None:
        """Write what is held now."""
        with self._lock:
            self._write_held()

    def _write_held(self) -> None:
        held = self._held
        if held:
            text = "".join(held)
            held.clear()
            self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


_consoles: weakref.WeakSet[PacedConsole] = weakref.WeakSet()


def write_held() -> None:
    """Write what every paced console holds (before a note on stderr, at the run's end)."""
    for console in list(_consoles):
        try:
            console.write_held()
        except (OSError, ValueError):  # a console closed or gone: nothing to keep order with
            pass


class _Flusher:
    """One thread that writes each paced console's held text when it is due."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._due: dict[PacedConsole, float] = {}
        self._thread: threading.Thread | None = None

    def arm(self, console: PacedConsole, when: float) -> None:
        with self._changed:
            self._due.setdefault(console, when)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wsbdd-console", daemon=True)
                self._thread.start()
            self._changed.notify()

    def forget(self) -> None:
        """In a forked child: no thread runs there yet, and no lock may be held."""
        self._changed = threading.Condition()
        self._due = {}
        self._thread = None

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._due:
                    self._changed.wait()
                now = time.monotonic()
                first = min(self._due.values())
                if first > now:
                    self._changed.wait(first - now)
                    continue
                due = [console for console, when in self._due.items() if when <= now]
                for console in due:
                    del self._due[console]
            for console in due:
                try:
                    console.write_held()
                except (OSError, ValueError):  # the reader went away: the next write says so
                    pass


_flusher = _Flusher()
atexit.register(write_held)


def _after_fork_in_child() -> None:
    _flusher.forget()
    for console in list(_consoles):
        console._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
