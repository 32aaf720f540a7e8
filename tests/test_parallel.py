"""``wsbdd run --processes N`` and ``wsbdd demo --processes N``: real runs in real processes.

A tiny project with plain behave steps (no server) shows each rule quickly: the
selection is behave's own (tags, ``-n``, ``-D``, Outline rows), ``@serial``
scenarios share one process, a failure fails the run, a process that dies or
hangs leaves "did not run" scenarios and keeps everything else, Ctrl-C stops
every process, and each process runs on its own CPU.  The bundled suite, run
once in one process and once in two, gives the same merged verdicts.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from bundled import BundledRun
from markupsafe import escape
from subprocesses import run_module

from wsbdd.parallel.plan import PlannedScenario, plan_run, shard, split_paths

ROOT = Path(__file__).resolve().parent.parent

STEPS = """\
import os
import threading

from behave import step


@step("it passes")
def passes(context):
    pass


@step("it fails")
def fails(context):
    assert False, "The answer was 41, not 42."


@step("the process dies")
def dies(context):
    os._exit(3)


@step("it hangs")
def hangs(context):
    print("hanging now", flush=True)
    threading.Event().wait(120)


@step("the greeting is {word}")
def greeting(context, word):
    assert context.config.userdata.get("greeting") == word, context.config.userdata


@step("it says where it runs")
def where(context):
    cpus = sorted(os.sched_getaffinity(0))
    print(f"affinity {cpus} worker {os.environ.get('WSBDD_WORKER')}", flush=True)
"""

BASIC = {
    "a.feature": """\
        Feature: A
          Scenario: A1 passes
            Given it passes

          @fast
          Scenario: A2 fast
            Given it passes

          Scenario Outline: Row <n>
            Given it passes

            Examples:
              | n |
              | 1 |
              | 2 |
              | 3 |
              | 4 |
        """,
    "b.feature": """\
        Feature: B
          Scenario: B1 fails
            Given it fails

          @fast
          Scenario: B2 greets
            Given the greeting is hi
        """,
}


def project(tmp_path: Path, features: dict[str, str]) -> Path:
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "steps" / "steps.py").write_text(STEPS)
    for name, text in features.items():
        (tmp_path / "features" / name).write_text(textwrap.dedent(text))
    return tmp_path


def wsbdd_run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_module(cwd, "wsbdd", "run", *args, timeout=240)


def scenarios(reports: Path) -> dict[str, dict]:
    """The merged results.json's scenarios by name."""
    data = json.loads((reports / "results.json").read_text(encoding="utf-8"))
    return {s["name"]: s for f in data["features"] for s in f["scenarios"]}


# -- the plan: behave's own selection ---------------------------------------------------


def test_the_plan_is_behaves_selection(tmp_path: Path) -> None:
    root = project(tmp_path, BASIC)
    names = [s.name for s in plan_run(["--tags", "@fast"], root).scenarios]
    assert names == ["A2 fast", "B2 greets"]
    names = [s.name for s in plan_run(["-n", "Row", "-D", "greeting=hi"], root).scenarios]
    assert names == ["Row 1 -- @1.1 ", "Row 2 -- @1.2 ", "Row 3 -- @1.3 ", "Row 4 -- @1.4 "]
    plan = plan_run(["--tags=not @fast", "features/b.feature"], root)
    assert [s.name for s in plan.scenarios] == ["B1 fails"]
    assert plan.options == ["--tags=not @fast"]
    row = plan_run(["features/a.feature:15"], root).scenarios
    assert [(s.name, s.location) for s in row] == [("Row 2 -- @1.2 ", "features/a.feature:15")]


def test_paths_are_told_from_option_values() -> None:
    from behave.configuration import setup_parser

    parser = setup_parser()
    args = ["-t", "@a", "-n", "features", "features/x.feature", "-Dk=v", "--format=pretty"]
    assert split_paths([*args, "-k", "more"], parser) == (
        ["-t", "@a", "-n", "features", "-Dk=v", "--format=pretty", "-k"],
        ["features/x.feature", "more"],
    )
    assert split_paths(["--tags", "@b", "--", "-odd.feature"], parser) == (
        ["--tags", "@b"],
        ["-odd.feature"],
    )


def _planned(name: str, line: int, tags: tuple[str, ...] = (), steps: int = 1) -> PlannedScenario:
    return PlannedScenario(
        filename="features/x.feature",
        line=line,
        name=name,
        keyword="Scenario",
        tags=tags,
        feature_name="X",
        feature_keyword="Feature",
        feature_line=1,
        steps=tuple(("Given", "it passes", line + i + 1, False) for i in range(steps)),
    )


def test_serial_scenarios_share_a_shard_and_the_longest_go_first() -> None:
    items = [
        _planned("s1", 3, ("serial",)),
        _planned("long", 6, steps=9),
        _planned("s2", 20, ("serial",)),
        _planned("a", 30),
        _planned("b", 40),
    ]
    shards = shard(items, 2)
    assert [[s.name for s in part] for part in shards] == [["s1", "s2", "a", "b"], ["long"]]
    durations = {("features/x.feature", 30, "a"): 5.0}
    shards = shard(items, 2, durations)
    assert [[s.name for s in part] for part in shards] == [["s1", "long", "s2", "b"], ["a"]]


# -- runs -------------------------------------------------------------------------------


def test_a_failure_fails_the_run_and_the_merged_report_shows_it(tmp_path: Path) -> None:
    root = project(tmp_path, BASIC)
    done = wsbdd_run(root, "--processes", "2", "-D", "greeting=hi")
    assert done.returncode == 1, done.stdout + done.stderr
    found = scenarios(root / "reports")
    assert len(found) == 8
    assert found["B1 fails"]["status"] == "failed"
    failed_step = found["B1 fails"]["steps"][0]
    assert failed_step["error"] == "The answer was 41, not 42."
    assert all(s["status"] == "passed" for n, s in found.items() if n != "B1 fails")
    assert {s["worker"] for s in found.values()} == {"1", "2"}
    for name in ("report.html", "cucumber.json", "results.json"):
        assert (root / "reports" / name).is_file()
    assert sorted(p.name for p in (root / "reports" / "junit").glob("*.xml")) == [
        "TESTS-a.xml",
        "TESTS-b.xml",
    ]
    assert "B1 fails" in (root / "reports" / "report.html").read_text(encoding="utf-8")
    summary = "wsbdd: 8 scenarios in 2 processes: 7 passed, 1 failed, 0 skipped; "
    assert summary in done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert {line[:4] for line in lines} == {"[1] ", "[2] "}


def test_tags_names_and_defines_reach_every_process(tmp_path: Path) -> None:
    root = project(tmp_path, BASIC)
    done = wsbdd_run(root, "--processes", "2", "--tags", "@fast", "-D", "greeting=hi")
    assert done.returncode == 0, done.stdout + done.stderr
    found = scenarios(root / "reports")
    ran = sorted(n for n, s in found.items() if s["status"] == "passed")
    assert ran == ["A2 fast", "B2 greets"]
    assert {s["status"] for n, s in found.items() if n not in ran} == {"skipped"}
    assert {found[n]["worker"] for n in ran} == {"1", "2"}

    done = wsbdd_run(root, "--processes", "2", "-n", "Row", "--no-skipped")
    assert done.returncode == 0, done.stdout + done.stderr
    found = scenarios(root / "reports")
    assert sorted(found) == ["Row 1 -- @1.1 ", "Row 2 -- @1.2 ", "Row 3 -- @1.3 ", "Row 4 -- @1.4 "]
    assert sorted(s["worker"] for s in found.values()) == ["1", "1", "2", "2"]


def test_serial_scenarios_run_in_one_process(tmp_path: Path) -> None:
    features = {
        "s.feature": """\
            Feature: S
              @serial
              Scenario: S1
                Given it passes
              @serial
              Scenario: S2
                Given it passes
              Scenario: S3
                Given it passes
            """,
        "t.feature": """\
            @serial
            Feature: T
              Scenario: T1
                Given it passes
              Scenario: T2
                Given it passes
            """,
    }
    root = project(tmp_path, features)
    done = wsbdd_run(root, "--processes", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    found = scenarios(root / "reports")
    assert len({found[n]["worker"] for n in ("S1", "S2", "T1", "T2")}) == 1
    assert found["S3"]["worker"] != found["S1"]["worker"]


CRASH = {
    "crash.feature": """\
        @serial
        Feature: Crash
          Scenario: Before the crash
            Given it passes
          Scenario: The crash
            Given the process dies
          Scenario: After the crash
            Given it passes
        """,
    "other.feature": """\
        Feature: Other
          Scenario: Other 1
            Given it passes
          Scenario: Other 2
            Given it passes
        """,
}


def test_a_process_that_dies_leaves_did_not_run_and_keeps_the_rest(tmp_path: Path) -> None:
    root = project(tmp_path, CRASH)
    done = wsbdd_run(root, "--processes", "2")
    assert done.returncode == 1, done.stdout + done.stderr
    found = scenarios(root / "reports")
    assert found["Before the crash"]["status"] == "passed"
    assert found["Before the crash"]["worker"] == "1"
    assert found["The crash"]["status"] == "error"
    assert found["The crash"]["error"] == (
        "This scenario did not run: process 1 exited with code 3 during it."
    )
    assert found["After the crash"]["error"] == (
        "This scenario did not run: process 1 exited with code 3 before it started."
    )
    assert [found[n]["status"] for n in ("Other 1", "Other 2")] == ["passed", "passed"]
    assert {found[n]["worker"] for n in ("Other 1", "Other 2")} == {"2"}
    assert "wsbdd: process 1 exited with code 3: 2 of its 3 scenarios did not run." in done.stdout
    assert "5 scenarios in 2 processes: 3 passed, 2 failed, 0 skipped (2 did not run)" in (
        done.stdout
    )
    html = (root / "reports" / "report.html").read_text(encoding="utf-8")
    assert "This scenario did not run: process 1 exited with code 3 during it." in html


HANG = {
    "hang.feature": """\
        @serial
        Feature: Hang
          Scenario: Before the hang
            Given it passes
          Scenario: The hang
            Given it hangs
          Scenario: After the hang
            Given it passes
        """,
    "other.feature": CRASH["other.feature"],
}


def test_a_process_past_its_budget_is_stopped(tmp_path: Path) -> None:
    root = project(tmp_path, HANG)
    started = time.monotonic()
    done = wsbdd_run(root, "--processes", "2", "--shard-timeout", "15")
    assert time.monotonic() - started < 100
    assert done.returncode == 1, done.stdout + done.stderr
    found = scenarios(root / "reports")
    assert found["Before the hang"]["status"] == "passed"
    assert found["The hang"]["error"] == (
        "This scenario did not run: process 1 ran past its time budget of 15 s and was "
        "stopped during it."
    )
    assert [found[n]["status"] for n in ("Other 1", "Other 2")] == ["passed", "passed"]
    assert "wsbdd: process 1 ran past its time budget of 15 s and was stopped." in done.stdout


class Output:
    """A process's output lines, read by a thread as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        stream = process.stdout
        self.reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.reader.start()

    def _read(self, stream: Any) -> None:
        for line in iter(stream.readline, ""):
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, wanted: set[str], seconds: float) -> None:
        """Return once every line in ``wanted`` was printed (fail after ``seconds``)."""
        missing = set(wanted)
        deadline = time.monotonic() + seconds
        while missing and time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            self.seen.append(line)
            missing.discard(line)
        assert not missing, f"not seen within {seconds} s: {missing}\n" + "\n".join(self.seen)

    def rest(self) -> str:
        self.reader.join(timeout=30)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return "\n".join(self.seen)


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_ctrl_c_stops_every_process(tmp_path: Path, sent: signal.Signals) -> None:
    features = dict(HANG)
    features["other.feature"] = "Feature: Other\n  Scenario: Other hang\n    Given it hangs\n"
    root = project(tmp_path, features)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "wsbdd", "run", "--processes", "2", "--no-capture"],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(process)
    try:
        output.wait_for({"[1] hanging now", "[2] hanging now"}, 60)
        process.send_signal(sent)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    rest = output.rest()
    assert process.returncode == 130, rest
    assert "wsbdd: Ctrl-C: stopping every process." in rest
    found = scenarios(root / "reports")
    assert found["Before the hang"]["status"] == "passed"
    # behave in each process stopped the running scenario itself, and said so
    for name in ("The hang", "Other hang"):
        assert found[name]["status"] == "error"
        assert found[name]["steps"][0]["error"] == "ABORTED: By user (KeyboardInterrupt)."
    assert found["After the hang"]["error"] == (
        "This scenario did not run: process 1 was stopped by Ctrl-C before it started."
    )
    assert "wsbdd: process 2 was stopped by Ctrl-C." in rest


def test_each_process_runs_on_its_own_cpu(tmp_path: Path) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        pytest.skip("one CPU: nothing to spread over")
    text = "Feature: W\n" + "".join(
        f"  Scenario: W{i}\n    Given it says where it runs\n" for i in (1, 2, 3)
    )
    root = project(tmp_path, {"w.feature": text})
    done = wsbdd_run(root, "--processes", "3", "--no-capture", "-f", "plain")
    assert done.returncode == 0, done.stdout + done.stderr
    for k in (1, 2, 3):
        assert f"[{k}] affinity [{cpus[(k - 1) % len(cpus)]}] worker {k}" in done.stdout
    shared = [line for line in done.stdout.splitlines() if "so some share a CPU" in line]
    assert len(shared) == (1 if len(cpus) < 3 else 0)
    if len(cpus) == 2:
        assert shared == [
            "wsbdd: 3 processes on 2 CPUs: process k runs on CPU number (k - 1) mod 2 of "
            f"{cpus}, so some share a CPU."
        ]


# -- the bundled suite ------------------------------------------------------------------


def test_the_bundled_suite_in_two_processes_matches_one(
    tmp_path: Path, bundled_run: BundledRun
) -> None:
    # The one-process run is the suite's shared `wsbdd demo` run (tests/bundled.py).
    serial, parallel = bundled_run.reports, tmp_path / "parallel"
    args = ("wsbdd", "demo", "-f", "progress")  # every bundled scenario, @load included
    one = bundled_run.result
    two = run_module(ROOT, *args, "--reports", str(parallel), "--processes", "2", timeout=300)
    assert one.returncode == 0, one.stdout[-3000:] + one.stderr[-3000:]
    assert two.returncode == 0, two.stdout[-3000:] + two.stderr[-3000:]

    def verdicts(reports: Path) -> dict[tuple[str, int], str]:
        data = json.loads((reports / "results.json").read_text(encoding="utf-8"))
        return {
            (s["filename"], s["line"]): s["status"]
            for f in data["features"]
            for s in f["scenarios"]
        }

    assert verdicts(parallel) == verdicts(serial)
    assert len(verdicts(parallel)) >= 98
    merged = json.loads((parallel / "results.json").read_text(encoding="utf-8"))
    workers = [s["worker"] for f in merged["features"] for s in f["scenarios"]]
    assert set(workers) == {"1", "2"}
    assert sorted(p.name for p in (parallel / "junit").glob("*.xml")) == sorted(
        p.name for p in (serial / "junit").glob("*.xml")
    )

    def cucumber(reports: Path) -> list[tuple[str, str]]:
        data = json.loads((reports / "cucumber.json").read_text(encoding="utf-8"))
        found = [(e["name"], e["type"]) for f in data for e in f["elements"]]
        return sorted(found)

    assert cucumber(parallel) == cucumber(serial)
    assert len([e for e in cucumber(parallel) if e[1] == "scenario"]) == len(workers)
    html = (parallel / "report.html").read_text(encoding="utf-8")
    names = [s["name"] for f in merged["features"] for s in f["scenarios"]]
    assert all(str(escape(name.split(" -- ")[0])) in html for name in names)
    total = len(workers)
    assert f"wsbdd: {total} scenarios in 2 processes: {total} passed, 0 failed, 0 skipped" in (
        two.stdout
    )


def test_the_early_start_reads_the_command_line_as_the_run_does() -> None:
    from wsbdd.parallel.spawn import WORKER_VARIABLE as SPAWNED
    from wsbdd.parallel.spawn import processes_wanted
    from wsbdd.report.model import WORKER_VARIABLE

    assert SPAWNED == WORKER_VARIABLE
    assert processes_wanted(["run", "--processes", "3", "-t", "@x"]) == "3"
    assert processes_wanted(["demo", "--processes", "--tags", "@x"]) == ""
    assert processes_wanted(["run", "--processes=4"]) == "4"
    assert processes_wanted(["run", "-t", "@x"]) is None
    assert processes_wanted(["run", "--", "--processes", "2"]) is None
    assert processes_wanted(["check", "--processes", "2"]) is None


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs Linux's /proc")
def test_a_refused_command_line_leaves_no_process_behind(tmp_path: Path) -> None:
    root = project(tmp_path, BASIC)
    done = wsbdd_run(root, "--processes", "2", "--tags")
    assert done.returncode == 2
    assert done.stderr == (
        "wsbdd: behave refuses the arguments: argument -t/--tags: expected one argument.\n"
    )
    assert not (root / "reports").exists()
    assert shards_running_in(root) == []


def shards_running_in(folder: Path) -> list[int]:
    """The shard processes (``wsbdd.parallel.shard``) still running in ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if b"wsbdd.parallel.shard" in command and Path(cwd) == folder.resolve():
            found.append(int(entry.name))
    return found
