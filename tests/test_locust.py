"""``wsbdd load FEATURE --workers N``: the load feature on a real Locust master and workers.

Every run here is real processes on 127.0.0.1: the demo server on port 0, a
Locust master on a port probed free, two workers, each with its companion
process running its share of the crowds.  Locust is never imported in this
process (it monkey-patches whatever imports it with gevent); the HdrHistogram
tests use only :class:`wsbdd.load.metrics.HdrLatencies`.
"""

from __future__ import annotations

import csv
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from wsbdd.load.metrics import HdrLatencies, Latencies

ROOT = Path(__file__).resolve().parent.parent
WSBDD = [sys.executable, "-m", "wsbdd"]
RUN_LIMIT = 240  # seconds: a run that takes longer has hung


def _load(*args: str, logs: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WSBDD, "load", *args, "--logs", str(logs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT,
        env={**os.environ, "WSBDD_PROGRESS": "0"},
    )


def test_the_load_feature_passes_on_a_master_with_two_workers(tmp_path: Path) -> None:
    result = _load(
        "features/load.feature", "--workers", "2", "--csv", str(tmp_path / "stats"), logs=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 of 8 load scenarios passed on 2 Locust workers" in result.stdout
    # Both workers ran a share: each one's companion ran behave on the feature.
    for number in (1, 2):
        log = (tmp_path / f"worker-{number}.log").read_text(encoding="utf-8")
        assert "8 scenarios passed, 0 failed" in log, log[-2000:]
    # Locust's own CSV: a row per kind of request and message type, with honest times.
    with (tmp_path / "stats_stats.csv").open(encoding="utf-8") as stats:
        rows = {(row["Type"], row["Name"]): row for row in csv.DictReader(stats)}
    for key in [("WS delivery", "message"), ("WS round trip", "echo"), ("WS connect", "crowd")]:
        assert int(rows[key]["Request Count"]) > 0, key
        assert float(rows[key]["Max Response Time"]) > 0, key
    # The fan-out: 50 clients, 5 messages each, each delivered to the 49 others.
    assert int(rows[("WS delivery", "message")]["Request Count"]) >= 50 * 5 * 49
    # The refused handshakes of the "visitors" are failures, with the server's reason.
    assert rows[("WS connect", "visitors")]["Failure Count"] == "10"


def test_verdicts_judge_the_merged_numbers_of_every_worker(tmp_path: Path) -> None:
    result = _load("tests/locust_features/strict.feature", "--workers", "2", logs=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    # 10 clients over two workers, 3 messages each: 30 sent, each to all 10 members.
    assert "30 sent · delivered 100% (300 of 300) · lost 0" in out, out
    assert "connected 100% (10 of 10)" in out, out
    assert "Expected at least 100,000 delivered messages per second, but the run reached" in out
    assert "0 of 1 load scenarios passed on 2 Locust workers" in out


def _lines_of(fifo: Path) -> queue.Queue[str | None]:
    """The lines written into the named pipe ``fifo``, as they come (None once every writer
    closed it), read by a thread to the end so that no writer ever blocks on it."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        with fifo.open(encoding="utf-8", errors="replace") as stream:  # waits for a writer
            for line in stream:
                lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_a_worker_killed_mid_run_shows_as_lost_connections_not_a_hang(tmp_path: Path) -> None:
    started = time.monotonic()
    # Worker 2's log is a named pipe: its lines reach the test as they are written.
    log, pid = tmp_path / "worker-2.log", tmp_path / "worker-2.pid"
    os.mkfifo(log)
    lines = _lines_of(log)
    run = subprocess.Popen(
        [*WSBDD, "load", "tests/locust_features/lost_worker.feature", "--workers", "2"]
        + ["--logs", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "WSBDD_PROGRESS": "0"},
    )
    try:
        deadline = time.monotonic() + 120
        # Worker 2's share has connected and joined the room: the crowd is about to send.
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail("worker 2 never got its share connected")
            assert line is not None, run.communicate()[0]  # its log ended: the run did
            if 'joins room "long" ... passed' in line:
                break
        os.kill(int(pid.read_text()), signal.SIGKILL)
        out, _ = run.communicate(timeout=RUN_LIMIT)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 1, out
    assert "Locust worker 2 stopped answering during the run" in out
    # Its ten clients' connections count as lost: the verdict on connections says so.
    assert "Expected at least 100% of connections to succeed, but 50% (10 of 20) did" in out, out
    assert time.monotonic() - started < RUN_LIMIT


def test_a_crowd_too_small_for_the_workers_gets_one_sentence(tmp_path: Path) -> None:
    feature = tmp_path / "tiny.feature"
    feature.write_text(
        "@load\nFeature: tiny\n  Scenario: two clients on three workers\n"
        '    Given 2 clients in group "few" are connected\n',
        encoding="utf-8",
    )
    # The feature lies outside the project: behave needs it beside the project's steps.
    local = ROOT / "tests" / "locust_features" / f"tiny_{os.getpid()}.feature"
    local.write_text(feature.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        result = _load(str(local.relative_to(ROOT)), "--workers", "3", logs=tmp_path)
    finally:
        local.unlink()
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        'A crowd spread over 3 Locust workers needs at least 3 clients; group "few" has 2: '
        "connect more clients, or use fewer workers."
    ) in result.stdout


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_no_workers_is_refused_in_one_sentence(tmp_path: Path, workers: str) -> None:
    result = _load("features/load.feature", "--workers", workers, logs=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"wsbdd load: --workers must be 1 or more, not {workers}: it is how many Locust worker "
        "processes share the crowd."
    )


def test_a_missing_feature_is_refused_in_one_sentence(tmp_path: Path) -> None:
    result = _load("features/nothing.feature", logs=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "wsbdd load: there is no feature file or folder features/nothing.feature."
    )


def test_the_wsbdd_command_never_imports_locust_or_gevent() -> None:
    probe = (
        "import sys, wsbdd.cli, wsbdd.crowd.command, wsbdd.load.shard, wsbdd.steps.load;"
        "wsbdd.cli.build_parser();"
        "print(sorted(m for m in ('locust', 'gevent') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stderr


# -- HdrHistogram-merged percentiles --------------------------------------------------------


def test_merged_histograms_give_the_exact_percentiles_within_their_precision() -> None:
    rng = random.Random(18)
    samples = [rng.lognormvariate(-6, 1.2) for _ in range(20_000)]  # around 2.5 ms, long tail
    exact = Latencies(samples)
    merged = HdrLatencies()
    for start in range(0, len(samples), 5_000):  # four workers, through their encoded form
        merged.merge(HdrLatencies.decode(HdrLatencies(samples[start : start + 5_000]).encode()))
    assert len(merged) == len(samples)
    for p in (0, 50, 90, 95, 99, 99.9, 100):
        want, got = exact.percentile(p), merged.percentile(p)
        assert want is not None and got is not None
        # Never below the exact sample; at most one bucket (0.1%, or 1 µs) above it.
        assert want - 1e-6 <= got <= want * 1.001 + 1e-6, (p, want, got)


def test_an_empty_histogram_has_no_percentile_and_encodes_to_nothing() -> None:
    empty = HdrLatencies()
    assert (len(empty), empty.percentile(95), empty.encode()) == (0, None, "")
    assert len(HdrLatencies.decode("")) == 0
    assert empty.summary()["p99"] is None


def test_a_histogram_keeps_the_report_shape_of_exact_latencies() -> None:
    latencies = HdrLatencies([0.001, 0.002, 0.003, 0.5])
    bins = latencies.histogram(4)
    assert sum(count for _, _, count in bins) == 4
    assert latencies.max == pytest.approx(0.5, rel=1e-3)
    assert latencies.mean == pytest.approx(0.1265, rel=1e-2)
