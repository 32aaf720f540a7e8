"""A shard's journal: each scenario written down the moment it ends.

A shard's results file is written when behave closes its formatters, at the end
of the run.  A process that dies (killed, ``os._exit``, a crash in a C
extension) or hangs never gets there; the journal is what is left: one JSON line
when a scenario starts, and one with the whole scenario's report (masked, in the
results file's own format) when it has ended, its ``after_scenario`` hook
included.  The parallel run reads it only for a shard that did not finish.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wsbdd.report.collect import current_recorder
from wsbdd.report.model import ReportFormatter, RunReport, build_run

__all__ = ["JOURNAL_FORMATTER", "JournalFormatter", "JournalEntry", "read_journal"]

JOURNAL_FORMATTER = "wsbdd.parallel.journal:JournalFormatter"


class _OneScenario:
    """A behave feature seen through one of its scenarios (what build_run walks)."""

    def __init__(self, feature: Any, scenario: Any) -> None:
        self._feature = feature
        self._scenario = scenario

    def __getattr__(self, name: str) -> Any:
        return getattr(self._feature, name)

    def walk_scenarios(self) -> Iterator[Any]:
        yield self._scenario


class JournalFormatter(ReportFormatter):
    """Writes one line as each scenario starts and one as it ends, flushed at once."""

    name = "wsbdd-journal"
    description = "A parallel run's journal (one JSON line per scenario event)"

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._stream: Any = None
        self._feature: Any = None
        self._running: Any = None

    def _write(self, entry: dict[str, Any]) -> None:
        if self._stream is None:
            self._stream = self.open()
        self._stream.write(json.dumps(entry) + "\n")
        self._stream.flush()

    def _finish(self) -> None:
        scenario, self._running = self._running, None
        if scenario is None:
            return
        from wsbdd.report.results import dump_run

        recorder = current_recorder()
        if recorder is not None and recorder.started < self.started:
            recorder = None
        run = build_run(
            [_OneScenario(self._feature, scenario)],
            started=self.started,
            finished=time.time(),
            locations=self.locations,
            recorder=recorder,
        )
        self._write({"done": f"{scenario.filename}:{scenario.line}", "run": dump_run(run)})

    def feature(self, feature: Any) -> None:
        self._finish()
        self._feature = feature

    def scenario(self, scenario: Any) -> None:
        self._finish()
        self._running = scenario
        self._write({"start": f"{scenario.filename}:{scenario.line}", "at": time.time()})

    def eof(self) -> None:
        self._finish()

    def close(self) -> None:
        self._finish()
        if self._stream is not None:
            self.close_stream()


class JournalEntry:
    """What a journal says: the scenarios that ended (as runs), and the one left running."""

    def __init__(self) -> None:
        self.done: dict[str, RunReport] = {}
        self.running: str | None = None
        self.running_since: float | None = None


def read_journal(path: Path) -> JournalEntry:
    """The journal's ended scenarios and the one that was running (a torn last line is skipped)."""
    from wsbdd.report.results import load_run

    entry = JournalEntry()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return entry
    for line in lines:
        try:
            data = json.loads(line)
        except ValueError:
            continue  # the process died in the middle of writing it
        if "start" in data:
            entry.running, entry.running_since = str(data["start"]), data.get("at")
        elif "done" in data:
            try:
                entry.done[str(data["done"])] = load_run(data["run"])
            except Exception:  # noqa: BLE001 - a line we cannot read counts as not run
                continue
            if entry.running == data["done"]:
                entry.running = None
    return entry
