"""bench/bench_runtime.py decides issue 13's rule from behave's rows, not the direct ones
(the arithmetic on made-up samples: timings are never asserted here)."""

from __future__ import annotations

import re

from bench import bench_runtime as bench


def _scenario(exchange_us: float) -> dict[str, object]:
    exchange = exchange_us / 1e6
    return {
        "send": [exchange / 2] * 3,
        "receive": [exchange / 2] * 3,
        "exchange": [exchange] * 3,
        "cpu": exchange,
        "switches": 4.0,
    }


def _direct(exchange_us: float) -> dict[str, list[float]]:
    exchange = exchange_us / 1e6
    return {
        "send": [exchange / 2] * 3,
        "receive": [exchange / 2] * 3,
        "exchange": [exchange] * 3,
        "no-op": [1e-6] * 3,
        "cpu": [exchange],
        "switches": [4.0],
    }


def _data(behave_plain_us: float, direct_plain_us: float) -> dict[str, object]:
    """Two rounds of two scenario pairs; turns take 400 µs an exchange through behave
    and 200 µs directly, the plain road what the arguments say."""
    rounds = 2
    behave = {
        variant: [
            [_scenario(400.0 if variant.startswith("turns") else behave_plain_us)] * 2
            for _ in range(rounds)
        ]
        for variant in bench.BEHAVE
    }
    direct = {
        variant: _direct(200.0 if variant.startswith("turns") else direct_plain_us)
        for variant in bench.DIRECT
    }
    return {
        "behave": behave,
        "one_road": {v: [_scenario(400.0)] * rounds for v in bench.ONE_ROAD},
        "direct": direct,
        "per_round": {v: [direct[v]["exchange"][0]] * rounds for v in bench.DIRECT},
        "textbook": [40e-6],
        "rounds": rounds,
        "exchanges": 3,
        "pairs": 2,
        "noops": 3,
        "took": 1.0,
        "load": (1.0, 1.0, 1.0),
    }


def test_the_decision_row_comes_from_behave_and_follows_the_10_us_rule():
    # Directly the roads are even; through behave plain costs 30 µs more an
    # exchange (15 µs a step): turns stay.
    rows, notes = bench.rows_from(_data(behave_plain_us=430.0, direct_plain_us=200.0))
    decision = rows[0]
    assert decision["measure"].startswith("turn-taking buys per step through behave, p50")
    assert decision["value"] == 15.0
    assert decision["met"] is True
    direct = next(r for r in rows if r["measure"].startswith("direct (no behave)"))
    assert direct["value"] == 0.0
    assert any("keep turn-taking (15.0 µs" in note for note in notes)
    assert any(re.search(r"per round \(p50s\): 15\.0, 15\.0 µs", note) for note in notes)


def test_less_than_10_us_through_behave_removes_turns_whatever_the_direct_rows_say():
    rows, notes = bench.rows_from(_data(behave_plain_us=410.0, direct_plain_us=300.0))
    assert rows[0]["value"] == 5.0
    assert rows[0]["met"] is False
    assert any("turn-taking does not pay for itself (5.0 µs" in note for note in notes)


def test_the_alternating_feature_takes_each_road_first_in_turn():
    feature = bench.alternating_feature(pairs=3, exchanges=2)
    names = re.findall(r"Scenario: (.+)", feature)
    assert names == ["warm-up", "turns 0", "plain 0", "plain 1", "turns 1", "turns 2", "plain 2"]
    # every step text is new: behave's step look-up never hits a cache
    steps = re.findall(r"    (?:When|Then) Alice .+", feature)
    assert len(steps) == len(set(steps))
