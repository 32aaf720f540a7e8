"""A crowd that connects slower than allowed, pinned whole with its measured times masked.

The sentence carries the step's measurements (how long connecting took, the connect
times' percentiles, how late the event loop ran): each measured time reads ``N``, and
everything else (the counts, the allowance, the table's words) is pinned as it stands.
The saturation limit is set out of reach, so the verdict of the lag line is "(fine)"
however busy the machine is.
"""

from __future__ import annotations

import re

import pytest

from tests.sentences import run_step, sentence_of
from wsbdd.facade.session import Run
from wsbdd.model.errors import ExpectationFailed
from wsbdd.settings.config import Settings

_MEASURED = re.compile(r"\b(took|p50|p95|max|at most) \d[\d.,]* (?:ms|µs|s)\b")


def measured(text: str) -> str:
    """``text`` with each measured time (after "took", "p50", "p95", "max", "at most") as N."""
    return _MEASURED.sub(r"\1 N", text)


def test_measured_times_are_masked_and_nothing_else():
    assert measured("took 2.98 ms, more than the 0 ms allowed; p95 1,204 s · max 714 µs") == (
        "took N, more than the 0 ms allowed; p95 N · max N"
    )


@pytest.fixture(scope="module")
def run():
    settings = Settings(
        timeout=5.0,
        ignore=('$.type is "welcome"',),
        extras={"load": {"saturation_lag": 3600.0}},
    )
    with Run.start(settings) as run:
        yield run


@pytest.mark.parametrize(
    ("line", "count"),
    [
        ('Given 2 clients in group "c" are connected with at most 2 handshakes at a time', 2),
        ('Given 3 clients in group "c" are connected at 100 clients per second', 3),
    ],
)
def test_a_crowd_connected_slower_than_allowed(s, line, count):
    error = sentence_of(run_step, s, line + " within 0 seconds")
    assert isinstance(error, ExpectationFailed)
    assert measured(str(error)) == (
        f'Connecting {count} clients in group "c" took N, more than the 0 ms allowed.\n'
        f"clients       {count} in this step · connected 100% ({count} of {count}) · connect "
        "time p50 N · p95 N · max N\n"
        "test client   event loop late by at most N, sends at most N behind schedule (fine)"
    )


def test_a_crowd_connected_in_time(s):
    run_step(
        s, 'Given 2 clients in group "c" are connected at 100 clients per second within 60 seconds'
    )
    assert s.group_members("c") == ["c1", "c2"]


def test_a_crowd_whose_connections_failed(s):
    run_step(s, 'Given 2 clients in group "ok" try to connect')
    run_step(s, "Then at least 100% of the connections succeed")
    # One handshake at a time: c1 is the first to fail, every run.
    run_step(
        s,
        'Given 2 clients in group "c" try to connect to "ws://127.0.0.1:1" with at most 1 '
        "handshake at a time",
    )
    error = sentence_of(run_step, s, "Then at least 50% of the connections succeed")
    assert isinstance(error, ExpectationFailed)
    assert measured(str(error)) == (
        "Expected at least 50% of connections to succeed, but 0% (0 of 2) did; the first to "
        "fail was c1: the connection was refused (is the server running on that port?).\n"
        "clients       2 in this step · connected 0% (0 of 2) · connect time p50 N · p95 N · "
        "max N\n"
        "test client   event loop late by at most N, sends at most N behind schedule (fine)"
    )
