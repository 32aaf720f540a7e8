"""The console: behave's own formatters write through wsbdd's masking stream, a step's
line in one write (one system call on an unbuffered console), errors where behave expects them."""

from __future__ import annotations

import io

import pytest
from behave.model_core import Status

from wsbdd.report.mask import MASK, Masker, MaskingStream


class _Console(io.TextIOWrapper):
    """A console stream that counts its writes (each a system call, unbuffered)."""

    def __init__(self, encoding: str = "utf-8") -> None:
        super().__init__(io.BytesIO(), encoding=encoding, write_through=True)
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        written = super().write(text)  # an encoding error is raised before it is counted
        self.writes.append(text)
        return written


def _plain_formatter(stream: io.TextIOWrapper):
    from behave.configuration import Configuration
    from behave.formatter.plain import PlainFormatter
    from behave.model import Step

    formatter = PlainFormatter(_Opener(stream), Configuration(command_args=[], load_config=False))
    step = Step("x.feature", 3, "When", "when", "Alice sends token top-secret-1")
    step.status = Status.passed
    return formatter, step


class _Opener:
    def __init__(self, stream: io.TextIOWrapper) -> None:
        self.stream = stream

    def open(self) -> io.TextIOWrapper:
        return self.stream


def test_a_step_line_reaches_the_console_in_one_write_and_masked():
    from wsbdd.report.collect import ReportRecorder

    console = _Console()
    formatter, step = _plain_formatter(console)
    recorder = ReportRecorder.__new__(ReportRecorder)
    recorder.masker = Masker(["top-secret-1"])
    recorder.mask_formatters([formatter])
    formatter.match(None)  # behave's plain formatter queues the step at match time
    formatter.steps.append(step)
    formatter.result(step)
    assert console.writes == [f"    When Alice sends token {MASK} ... passed in 0.000s\n"]


def test_a_piece_the_console_cannot_encode_fails_where_it_is_written():
    # behave's plain formatter suppresses an encoding error of the status piece only: the
    # pieces written around it still reach the console, in their order.
    console = _Console(encoding="ascii")
    stream = MaskingStream(console, Masker())
    with stream.gathered():
        stream.write("before ")
        with pytest.raises(UnicodeEncodeError):
            stream.write("caf\u00e9 ")
        stream.write("after\n")
        stream.flush()  # what was gathered goes out first
        stream.write("last\n")
    assert console.writes == ["before ", "after\n", "last\n"]


def test_a_secret_a_formatter_writes_in_two_pieces_is_masked_whole():
    console = _Console()
    stream = MaskingStream(console, Masker(["top-secret-1"]))
    with stream.gathered():
        stream.write("    When Alice sends token top-se")
        stream.write("cret-1 ... passed\n")
    assert console.writes == [f"    When Alice sends token {MASK} ... passed\n"]
