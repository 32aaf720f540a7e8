"""A parallel run: plan, start one behave process per shard, watch them, merge one report.

Each shard is ``python -m wsbdd.parallel.shard CPU ...``: behave on the shard's
explicit ``file:line`` locations, with the user's own arguments, ``WSBDD_WORKER``
set to its number, its results under ``reports/shards/<k>/``: its journal
(:mod:`wsbdd.parallel.journal`, each scenario's report in the results file's
format, written as the scenario ends).  Its console output is shown line by
line, each line prefixed with ``[k]``.  When all have ended (or been stopped:
past their time budget, or by Ctrl-C), their results are merged
(:func:`wsbdd.report.merge.merge_runs`) and written once to ``reports/``
(:func:`wsbdd.report.outputs.write_reports`).  A shard that did not finish keeps
what its journal recorded; each of its other scenarios is reported as an error:
"This scenario did not run: process k ...".

The journal is the shard's only results file: a whole-run ``results.json``
written at the end as well would repeat the same work (building and masking
every scenario's record) a second time in every shard.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from wsbdd.model.errors import ConfigError
from wsbdd.parallel.journal import JOURNAL_FORMATTER, read_journal
from wsbdd.parallel.plan import (
    Plan,
    PlannedScenario,
    parse_processes,
    plan_run,
    previous_durations,
    scenario_budget,
    shard,
)
from wsbdd.parallel.spawn import (
    PRESTARTED,
    STOP_GRACE,
    available_cpus,
    cpu_for,
    dismiss,
    spawn,
)
from wsbdd.report.model import (
    FeatureReport,
    RunReport,
    ScenarioReport,
    StepReport,
)

__all__ = ["run_parallel", "Shard", "SHARDS_FOLDER"]

SHARDS_FOLDER = "shards"
STARTUP_SECONDS = 60.0
"""Added to every shard's budget: starting Python, behave, the hooks and the demo server."""


@dataclass
class Shard:
    """One process of the run and what became of it."""

    number: int
    scenarios: list[PlannedScenario]
    cpu: int | None
    folder: Path
    budget: float
    process: subprocess.Popen[bytes] | None = None
    deadline: float = 0.0
    stopped: str = ""
    """Why the parallel run stopped it ("" when it ended by itself)."""
    reader: threading.Thread | None = None
    lines: int = 0

    @property
    def journal(self) -> Path:
        return self.folder / "journal.jsonl"

    def what_happened(self) -> str:
        """What became of the process, in words ("" when behave ended by itself)."""
        if self.stopped:
            return self.stopped
        code = self.process.returncode if self.process is not None else None
        if code is None:
            return "never started"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            return f"was killed by signal {name}"
        if code not in (0, 1):
            return f"exited with code {code}"
        return ""


def _say(text: str) -> None:
    print(f"wsbdd: {text}", flush=True)


def _command(plan: Plan, piece: Shard) -> list[str]:
    ours = ["-f", JOURNAL_FORMATTER, "-o", str(piece.journal)]
    console = ["-f", plan.console] if plan.console else []
    return [*ours, *plan.options, *console, *(s.location for s in piece.scenarios)]


def _relay(piece: Shard, stream: IO[bytes], width: int, lock: threading.Lock) -> None:
    """Print a shard's output line by line, each line whole and prefixed with its number."""
    prefix = f"[{piece.number:>{width}}] "
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        with lock:
            sys.stdout.write(prefix + line + "\n")
            sys.stdout.flush()
        piece.lines += 1
    stream.close()


def _start(plan: Plan, piece: Shard, width: int, lock: threading.Lock) -> None:
    assert piece.process is not None and piece.process.stdin is not None
    try:
        piece.process.stdin.write((json.dumps(_command(plan, piece)) + "\n").encode())
        piece.process.stdin.close()
    except OSError:  # it died before its arguments arrived: what_happened() will say how
        pass
    piece.deadline = time.monotonic() + piece.budget
    assert piece.process.stdout is not None
    piece.reader = threading.Thread(
        target=_relay,
        args=(piece, piece.process.stdout, width, lock),
        name=f"wsbdd-shard-{piece.number}-output",
        daemon=True,
    )
    piece.reader.start()


def _signal_group(piece: Shard, sig: int) -> None:
    if piece.process is None or piece.process.returncode is not None:
        return
    try:
        os.killpg(piece.process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _watch(pieces: list[Shard]) -> None:
    """Wait for every shard to end; stop one that runs past its budget."""
    ended: queue.Queue[int] = queue.Queue()

    def waiter(piece: Shard) -> None:
        assert piece.process is not None
        piece.process.wait()
        ended.put(piece.number)

    for piece in pieces:
        threading.Thread(target=waiter, args=(piece,), daemon=True).start()
    running = {piece.number: piece for piece in pieces}
    while running:
        nearest = min(p.deadline for p in running.values())
        try:
            number = ended.get(timeout=max(0.05, nearest - time.monotonic()))
        except queue.Empty:
            now = time.monotonic()
            for piece in running.values():
                if now >= piece.deadline and not piece.stopped:
                    piece.stopped = (
                        f"ran past its time budget of {piece.budget:.0f} s and was stopped"
                    )
                    _say(f"process {piece.number} {piece.stopped}.")
                    _signal_group(piece, signal.SIGKILL)
                    piece.deadline = now + STOP_GRACE
            continue
        running.pop(number, None)


def _stop_all(pieces: list[Shard]) -> None:
    """Ctrl-C: relay it to every shard, give them a moment to end, then kill what is left."""
    for piece in pieces:
        if piece.process is not None and piece.process.poll() is None:
            piece.stopped = "was stopped by Ctrl-C"
            _signal_group(piece, signal.SIGINT)
    deadline = time.monotonic() + STOP_GRACE
    for piece in pieces:
        if piece.process is None:
            continue
        try:
            piece.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except (subprocess.TimeoutExpired, KeyboardInterrupt):  # slow, or Ctrl-C again
            for other in pieces:
                _signal_group(other, signal.SIGKILL)
            piece.process.wait()


def _key(filename: str, line: int) -> tuple[str, int]:
    return (os.path.normpath(filename), int(line))


def _feature_of(scenario: PlannedScenario) -> FeatureReport:
    return FeatureReport(
        keyword=scenario.feature_keyword,
        name=scenario.feature_name,
        line=scenario.feature_line,
        filename=scenario.filename,
        description=list(scenario.feature_description),
        tags=list(scenario.feature_tags),
    )


def _scenario_of(
    planned: PlannedScenario, status: str, error: str = "", worker: str = ""
) -> ScenarioReport:
    steps = [
        StepReport(keyword=k, name=n, line=line, status="skipped", background=bg)
        for k, n, line, bg in planned.steps
    ]
    return ScenarioReport(
        number=0,
        keyword=planned.keyword,
        name=planned.name,
        line=planned.line,
        filename=planned.filename,
        status=status,
        tags=[f"@{tag}" for tag in planned.tags],
        steps=steps,
        error=error,
        worker=worker,
    )


def _synthetic_run(
    scenarios: Sequence[tuple[PlannedScenario, ScenarioReport]], started: float
) -> RunReport | None:
    """Records for scenarios no process reported: skipped by the selection, or did not run."""
    from wsbdd import __version__
    from wsbdd.report.mask import Masker
    from wsbdd.report.options import ReportOptions

    if not scenarios:
        return None
    features: dict[str, FeatureReport] = {}
    for planned, report in scenarios:
        feature = features.setdefault(planned.filename, _feature_of(planned))
        feature.scenarios.append(report)
    return RunReport(
        title=ReportOptions().title,
        started=started,
        duration=0.0,
        base_url="",
        features=list(features.values()),
        options=ReportOptions(),
        masker=Masker(),
        version=__version__,
    )


def _keep_only(run: RunReport, keys: set[tuple[str, int]]) -> RunReport:
    """The run with only the scenarios in ``keys`` (a shard reports the rest as skipped)."""
    for feature in run.features:
        feature.scenarios = [s for s in feature.scenarios if _key(s.filename, s.line) in keys]
    run.features = [f for f in run.features if f.scenarios]
    return run


def _collect(piece: Shard, started: float) -> tuple[list[RunReport], list[ScenarioReport]]:
    """The shard's runs (one per scenario, from its journal) and its scenarios that did not run."""
    keys = {_key(s.filename, s.line) for s in piece.scenarios}
    happened = piece.what_happened()
    journal = read_journal(piece.journal)
    runs = [run for run in (_keep_only(r, keys) for r in journal.done.values()) if run.features]
    running = journal.running if happened else None
    reported = {_key(s.filename, s.line) for run in runs for f in run.features for s in f.scenarios}
    missing = []
    for planned in piece.scenarios:
        if _key(planned.filename, planned.line) in reported:
            continue
        when = "during it" if running == planned.location else "before it started"
        if not happened:
            happened, when = "did not report it", ""
        sentence = f"This scenario did not run: process {piece.number} {happened}"
        sentence += f" {when}." if when else "."
        missing.append(_scenario_of(planned, "error", sentence, worker=str(piece.number)))
    return runs, missing


def run_parallel(
    extra: Sequence[str],
    cwd: Path,
    reports: Path,
    processes: str | None,
    *,
    shard_timeout: float | None = None,
) -> int:
    """Run behave's selection of scenarios in ``processes`` processes; one merged report."""
    from wsbdd.report.merge import merge_runs
    from wsbdd.report.outputs import describe_reports, write_reports

    cpus = available_cpus()
    try:
        wanted = parse_processes(processes, len(cpus))
    except ConfigError as error:
        print(f"wsbdd: {error}", file=sys.stderr)
        return 2
    # The shards start Python and import behave and wsbdd while the plan is made
    # (``wsbdd run`` started them before it even read its command line).
    # Ahead of the plan, at most one per CPU: more may turn out to have nothing to run.
    ahead = min(wanted, len(cpus))
    spawned = PRESTARTED.take(ahead, cwd)
    spawned += [spawn(k, cpu_for(k, cpus), cwd) for k in range(len(spawned) + 1, ahead + 1)]
    try:
        plan = plan_run(extra, cwd)
    except ConfigError as error:
        dismiss(spawned)
        print(f"wsbdd: {error}", file=sys.stderr)
        return 2
    except BaseException:
        dismiss(spawned)
        raise
    for sentence in plan.unread:
        _say(sentence)
    if not plan.scenarios:
        dismiss(spawned)
        _say("the arguments select no scenario: nothing to run.")
        return 1 if plan.unread else 0
    count = wanted
    if wanted > len(plan.scenarios):
        count = len(plan.scenarios)
        _say(
            f"--processes {wanted} is more than the {len(plan.scenarios)} scenarios selected: "
            f"running {count} processes, one scenario each."
        )
    results_before = reports / "results.json"
    groups = shard(plan.scenarios, count, previous_durations(results_before))
    dismiss(spawned[len(groups) :])
    spawned += [spawn(k, cpu_for(k, cpus), cwd) for k in range(len(spawned) + 1, len(groups) + 1)]
    if len(groups) > len(cpus) >= 2:
        _say(
            f"{len(groups)} processes on {len(cpus)} CPUs: process k runs on CPU number "
            f"(k - 1) mod {len(cpus)} of {cpus}, so some share a CPU."
        )
    folder = reports / SHARDS_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    pieces = []
    for number, scenarios in enumerate(groups, start=1):
        budget = shard_timeout or STARTUP_SECONDS + sum(
            scenario_budget(s, plan.timeout, plan.connect_timeout) for s in scenarios
        )
        piece = Shard(number, scenarios, cpu_for(number, cpus), folder / str(number), budget)
        piece.process = spawned[number - 1]
        piece.folder.mkdir(parents=True, exist_ok=True)
        pieces.append(piece)
    _say(
        f"{len(plan.scenarios)} scenarios in {len(pieces)} processes: "
        + ", ".join(
            f"{p.number}: {len(p.scenarios)}" + (f" on CPU {p.cpu}" if p.cpu is not None else "")
            for p in pieces
        )
    )
    started_wall, started = time.time(), time.monotonic()
    lock = threading.Lock()
    width = len(str(len(pieces)))
    interrupted = False
    # A CI job cancelled (SIGTERM) stops the shards as Ctrl-C does, reports written.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler) if main else None
    try:
        for piece in pieces:
            _start(plan, piece, width, lock)
        _watch(pieces)
    except KeyboardInterrupt:
        interrupted = True
        _say("Ctrl-C: stopping every process.")
        _stop_all(pieces)
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    for piece in pieces:
        if piece.reader is not None:
            piece.reader.join(timeout=STOP_GRACE)
    runs: list[RunReport] = []
    did_not_run: list[tuple[PlannedScenario, ScenarioReport]] = []
    unfinished = []
    for piece in pieces:
        shard_runs, missing = _collect(piece, started_wall)
        runs.extend(shard_runs)
        by_key = {_key(s.filename, s.line): s for s in piece.scenarios}
        did_not_run += [(by_key[_key(m.filename, m.line)], m) for m in missing]
        if piece.what_happened() or missing:
            unfinished.append((piece, len(missing)))
    skipped = (
        [(s, _scenario_of(s, "skipped")) for s in plan.unselected] if plan.show_skipped else []
    )
    extra_run = _synthetic_run([*did_not_run, *skipped], started_wall)
    if extra_run is not None:
        runs.append(extra_run)
    merged = merge_runs(runs)
    write_reports(merged, reports)
    wall = time.monotonic() - started
    counts = merged.count("scenarios")
    summary = (
        f"{counts['total']} scenarios in {len(pieces)} processes: {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['skipped']} skipped"
    )
    if did_not_run:
        summary += f" ({len(did_not_run)} did not run)"
    _say(f"{summary}; {wall:.1f} s.")
    for piece, lost in unfinished:
        happened = piece.what_happened() or "did not report everything"
        if lost:
            happened += f": {lost} of its {len(piece.scenarios)} scenarios did not run"
        _say(f"process {piece.number} {happened}.")
    print(describe_reports(reports))
    if interrupted:
        return 130
    failed_codes = [p for p in pieces if p.process is not None and p.process.returncode not in (0,)]
    if plan.unread:
        _say(f"{len(plan.unread)} feature file(s) could not be read and did not run (above).")
    return 1 if counts["failed"] or unfinished or failed_codes or plan.unread else 0
