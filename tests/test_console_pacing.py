"""An unbuffered console is paced: step lines wait up to ``console_hold`` to be written
together, never longer, and never after anything that must follow them."""

from __future__ import annotations

import io
import os
import selectors
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from behave.configuration import Configuration
from behave.formatter.plain import PlainFormatter
from behave.model import Step
from behave.model_core import Status

from wsbdd.report.collect import ReportRecorder, console_hold
from wsbdd.report.console import PacedConsole, paces, write_held
from wsbdd.report.mask import Masker

DEADLINE = 60.0


class _Console(io.TextIOWrapper):
    """An unbuffered console stream that keeps its writes (each one a system call)."""

    def __init__(self, encoding: str = "utf-8") -> None:
        super().__init__(io.BytesIO(), encoding=encoding, write_through=True)
        self.writes: list[str] = []
        self.written = threading.Event()

    def write(self, text: str) -> int:
        count = super().write(text)  # an encoding error is raised before it is kept
        self.writes.append(text)
        self.written.set()
        return count


# -- the stream ------------------------------------------------------------------------


def test_only_a_console_written_at_every_write_and_no_terminal_is_paced(tmp_path):
    assert paces(io.TextIOWrapper(io.BytesIO(), write_through=True))
    assert paces(io.TextIOWrapper(io.BytesIO(), line_buffering=True))
    assert not paces(io.TextIOWrapper(io.BytesIO()))  # block-buffered: Python joins already
    with open(tmp_path / "out.txt", "w") as file:  # behave's -o file
        assert not paces(file)
    leader, follower = os.openpty()
    try:
        with open(follower, "w", buffering=1, closefd=False) as terminal:
            assert terminal.isatty()
            assert not paces(terminal)  # someone watches: every line at once
    finally:
        os.close(leader)
        os.close(follower)


def test_held_pieces_are_written_as_one_when_flushed():
    console = _Console()
    paced = PacedConsole(console, hold=60.0)
    for piece in ("one ", "two ", "three\n"):
        paced.write(piece)
    assert console.writes == []
    paced.flush()
    assert console.writes == ["one two three\n"]


def test_held_text_is_written_within_the_hold_with_no_further_write():
    console = _Console()
    paced = PacedConsole(console, hold=0.05)
    started = time.monotonic()
    paced.write("a step's line\n")
    assert console.written.wait(DEADLINE), "the held line was never written"
    assert console.writes == ["a step's line\n"]
    assert time.monotonic() - started >= 0.05  # held, then written by the pacing thread


def test_a_write_after_the_hold_writes_everything_held():
    console = _Console()
    paced = PacedConsole(console, hold=0.0)  # every held piece is due at once
    paced.write("first\n")
    paced.write("second\n")  # due: written now, in this thread, with the first
    assert "first\nsecond\n" in "".join(console.writes)


def test_a_piece_the_console_cannot_encode_fails_at_once_after_what_was_held():
    console = _Console(encoding="ascii")
    paced = PacedConsole(console, hold=60.0)
    paced.write("before ")
    with pytest.raises(UnicodeEncodeError):
        paced.write("caf\u00e9 ")
    assert console.writes == ["before "]
    paced.write("after\n")
    paced.flush()
    assert console.writes == ["before ", "after\n"]


def test_write_held_writes_every_paced_console():
    first, second = _Console(), _Console()
    paced = [PacedConsole(first, hold=60.0), PacedConsole(second, hold=60.0)]
    paced[0].write("a\n")
    paced[1].write("b\n")
    write_held()
    assert (first.writes, second.writes) == (["a\n"], ["b\n"])


# -- behave's formatter ----------------------------------------------------------------


def _formatter(stream: io.TextIOWrapper) -> PlainFormatter:
    opener = SimpleNamespace(stream=stream, open=lambda: stream, close=lambda: None)
    return PlainFormatter(opener, Configuration(command_args=[], load_config=False))


def _print_steps(formatter: PlainFormatter, count: int) -> None:
    for n in range(count):
        step = Step("x.feature", n, "When", "when", f"Alice sends token top-secret-{n}")
        step.status = Status.passed
        formatter.steps.append(step)
        formatter.result(step)


@pytest.mark.parametrize("hold, writes", [(60.0, 1), (0.0, 50)])
def test_fifty_step_lines_are_one_write_when_paced_and_fifty_when_not(hold, writes):
    console = _Console()
    formatter = _formatter(console)
    recorder = ReportRecorder.__new__(ReportRecorder)
    recorder.masker = Masker(["top-secret-7"])
    recorder.mask_formatters([formatter], hold)
    _print_steps(formatter, 50)
    formatter.close()  # writes what is held (behave then prints its summary)
    assert len(console.writes) == writes
    text = "".join(console.writes)
    assert text.count(" ... passed") == 50
    assert "top-secret-7" not in text and "token ***" in text


@pytest.mark.parametrize(
    "args, paced",
    [([], True), (["--no-capture"], False), (["--no-capture-hooks"], False)],
)
def test_lines_are_held_only_while_behave_captures_what_steps_and_hooks_print(args, paced):
    # With a step's print going straight to sys.stdout, a held line would come after it.
    config = Configuration(command_args=args, load_config=False)
    settings = SimpleNamespace(console_hold=0.05)
    assert console_hold(settings, SimpleNamespace(config=config)) == (0.05 if paced else 0.0)


# -- behave in a subprocess, as CI runs it -----------------------------------------------


def _project(tmp_path: Path, feature: str) -> Path:
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (tmp_path / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (tmp_path / "features" / "paced.feature").write_text(textwrap.dedent(feature))
    return tmp_path


def _unbuffered_behave(project: Path, hold: str | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    env["PYTHONUNBUFFERED"] = "1"
    if hold is not None:
        env["WSBDD_CONSOLE_HOLD"] = hold
    return subprocess.Popen(
        [sys.executable, "-m", "behave", "--no-color", "-f", "plain"],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one pipe: the order the reader sees
    )


def _chunks(process: subprocess.Popen[bytes]) -> list[bytes]:
    """What the child wrote, read as it comes, one entry per read."""
    assert process.stdout is not None
    chunks: list[bytes] = []
    deadline = time.monotonic() + DEADLINE
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(deadline - time.monotonic()):
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            chunks.append(chunk)
    process.kill() if process.poll() is None else None
    process.wait(DEADLINE)
    return chunks


def test_a_step_line_is_written_while_the_next_step_still_waits(tmp_path):
    project = _project(
        tmp_path,
        """\
        Feature: Pacing
          Scenario: A quick step, then a long wait
            Given Alice is connected
            Then Alice receives no message where $.type is "never" within 3 seconds
        """,
    )
    chunks = _chunks(_unbuffered_behave(project))
    output = b"".join(chunks).decode()
    assert "1 scenario passed" in output, output
    first = next(i for i, c in enumerate(chunks) if b"Alice is connected ... passed" in c)
    # Held at most 50 ms: the line came on its own, long before the 3 s step ended.
    assert b"receives no message" not in b"".join(chunks[: first + 1]), output


def test_held_lines_come_before_wsbdds_notes_and_behaves_summary(tmp_path):
    project = _project(
        tmp_path,
        """\
        Feature: Pacing
          Scenario: An undefined step
            Given Alice is connected
            When Alice does a cartwheel
        """,
    )
    # Held for up to a minute: only writing them first keeps the order.
    output = b"".join(_chunks(_unbuffered_behave(project, hold="60 s"))).decode()
    step_line = output.index("When Alice does a cartwheel ... undefined")
    note = output.index('wsbdd: features/paced.feature:4: No step matches "When Alice does')
    summary = output.index("0 scenarios passed, 0 failed")
    assert step_line < note < summary, output
