"""Load metrics: nearest-rank percentiles, histograms, formatting, and the step's table."""

import json

import pytest

from wsbdd.load.metrics import (
    Latencies,
    LoadMetrics,
    format_latency,
    format_percent,
    parse_percentile,
)
from wsbdd.model.errors import FeatureMistake

TEN = [0.010, 0.001, 0.009, 0.002, 0.008, 0.003, 0.007, 0.004, 0.006, 0.005]


# --- Latencies ---------------------------------------------------------------------------


def test_nearest_rank_on_ten_samples_picks_real_samples():
    lat = Latencies(TEN)
    assert lat.percentile(50) == 0.005  # ceil(5.0) = rank 5
    assert lat.percentile(51) == 0.006  # ceil(5.1) = rank 6
    assert lat.percentile(90) == 0.009
    assert lat.percentile(95) == 0.010
    assert lat.percentile(10) == 0.001
    assert lat.percentile(11) == 0.002


def test_percentile_zero_is_the_minimum_and_hundred_the_maximum():
    lat = Latencies(TEN)
    assert lat.percentile(0) == 0.001
    assert lat.percentile(100) == 0.010
    assert (lat.min, lat.max) == (0.001, 0.010)


def test_a_single_sample_is_every_percentile():
    lat = Latencies([0.25])
    assert [lat.percentile(p) for p in (0, 1, 50, 99.9, 100)] == [0.25] * 5


def test_p99_9_of_a_thousand_samples_is_rank_999_not_1000():
    lat = Latencies([k / 1000 for k in range(1, 1001)])
    assert lat.percentile(99.9) == 0.999
    assert lat.percentile(99.95) == 1.0
    assert lat.percentile(99) == 0.990


def test_empty_latencies_have_no_values():
    lat = Latencies()
    assert len(lat) == 0
    assert lat.percentile(50) is None
    assert (lat.min, lat.max, lat.mean) == (None, None, None)
    assert lat.summary() == {"p50": None, "p90": None, "p95": None, "p99": None, "max": None}
    assert lat.histogram() == []


def test_adding_after_a_percentile_invalidates_the_sorted_copy():
    lat = Latencies([0.003, 0.001])
    assert lat.percentile(100) == 0.003
    lat.add(0.009)
    assert lat.percentile(100) == 0.009
    lat.extend([0.0005, 0.0002])
    assert lat.percentile(0) == 0.0002
    assert len(lat) == 5


def test_percentile_outside_0_to_100_is_a_programming_error():
    with pytest.raises(ValueError):
        Latencies([1.0]).percentile(100.5)
    with pytest.raises(ValueError):
        Latencies([1.0]).percentile(-1)


def test_mean_and_summary():
    lat = Latencies(TEN)
    assert lat.mean == pytest.approx(0.0055)
    assert lat.summary() == {"p50": 0.005, "p90": 0.009, "p95": 0.010, "p99": 0.010, "max": 0.010}


def test_histogram_is_contiguous_log_spaced_and_counts_every_sample_once():
    samples = [0.001, 0.0015, 0.002, 0.004, 0.004, 0.012, 0.05, 0.12, 0.3, 1.0]
    bins = Latencies(samples).histogram(bins=3)
    assert len(bins) == 3
    assert bins[0][0] == 0.001 and bins[-1][1] == 1.0
    assert all(bins[i][1] == bins[i + 1][0] for i in range(2))
    assert [low for low, _, _ in bins] == pytest.approx([0.001, 0.01, 0.1])
    # [0.001, 0.01) holds five, [0.01, 0.1) two, [0.1, 1.0] the last three (max included).
    assert [count for _, _, count in bins] == [5, 2, 3]


def test_histogram_default_bins_sum_to_the_sample_count():
    samples = [(k % 97 + 1) / 1000 for k in range(1000)]
    bins = Latencies(samples).histogram()
    assert len(bins) == 24
    assert sum(count for _, _, count in bins) == 1000
    assert all(bins[i][1] == bins[i + 1][0] for i in range(23))


def test_histogram_of_equal_samples_is_one_bin():
    assert Latencies([0.002, 0.002, 0.002]).histogram() == [(0.002, 0.002, 3)]


def test_histogram_with_a_zero_sample_is_evenly_spaced():
    bins = Latencies([0.0, 0.5, 1.0, 1.0]).histogram(bins=2)
    assert bins == [(0.0, 0.5, 1), (0.5, 1.0, 3)]


# --- parse_percentile --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("95th", 95.0),
        ("99.9th", 99.9),
        ("50th", 50.0),
        ("1st", 1.0),
        ("2nd", 2.0),
        ("3rd", 3.0),
        ("11th", 11.0),
        ("22nd", 22.0),
        ("p95", 95.0),
        ("p99.9", 99.9),
        ("median", 50.0),
        ("Maximum", 100.0),
        ("max", 100.0),
        ("highest", 100.0),
        ("100th", 100.0),
    ],
)
def test_parse_percentile(word, value):
    assert parse_percentile(word) == value


def test_unknown_percentile_word_says_how_to_write_it():
    with pytest.raises(FeatureMistake) as error:
        parse_percentile("96rd")
    assert str(error.value) == (
        'wsbdd does not know the percentile "96rd": '
        'write it like "95th", "99.9th", "median" or "maximum".'
    )


@pytest.mark.parametrize("word", ["fast", "11st", "95", "p", "95 th", "minimum"])
def test_other_unknown_percentile_words(word):
    with pytest.raises(FeatureMistake, match="does not know the percentile"):
        parse_percentile(word)


def test_percentile_above_100_is_a_mistake():
    with pytest.raises(FeatureMistake) as error:
        parse_percentile("101st")
    assert str(error.value) == (
        'The percentile "101st" is above 100, the highest there is: '
        'write it like "95th", "99.9th", "median" or "maximum".'
    )


# --- formatting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "–"),
        (0.0, "0 µs"),
        (0.00085, "850 µs"),
        (0.0032, "3.20 ms"),
        (0.0123, "12.3 ms"),
        (0.123, "123 ms"),
        (0.0999, "99.9 ms"),
        (0.0009996, "1.00 ms"),
        (0.9996, "1.00 s"),
        (1.25, "1.25 s"),
        (12.5, "12.5 s"),
        (250.0, "250 s"),
    ],
)
def test_format_latency(seconds, text):
    assert format_latency(seconds) == text


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (998, 1000, "99.8% (998 of 1,000)"),
        (1000, 1000, "100% (1,000 of 1,000)"),
        (0, 0, "none (0 of 0)"),
        (0, 10, "0% (0 of 10)"),
        (1, 3, "33.33% (1 of 3)"),
        (49990, 50000, "99.98% (49,990 of 50,000)"),
        (9999, 10000, "99.99% (9,999 of 10,000)"),
        (99999, 100000, "99.999% (99,999 of 100,000)"),
        (19999, 20000, "99.995% (19,999 of 20,000)"),
        (1, 1000000, "0.0001% (1 of 1,000,000)"),
    ],
)
def test_format_percent(part, whole, text):
    assert format_percent(part, whole) == text


# --- LoadMetrics -------------------------------------------------------------------------


def busy_step(**changes) -> LoadMetrics:
    metrics = LoadMetrics(
        clients=100,
        connect_attempts=100,
        connected=100,
        connect_times=Latencies([0.012, 0.020, 0.045]),
        sent=500,
        expected=50_000,
        delivered=49_990,
        duplicates=2,
        unexpected=1,
        delivery=Latencies([0.0031, 0.005, 0.0062, 0.0098, 0.014]),
        sending_took=2.5,
        took=2.5,
        loop_lag_max=0.012,
        schedule_lag_max=0.003,
        phases=["warm-up", "peak"],
    )
    for name, value in changes.items():
        setattr(metrics, name, value)
    return metrics


def test_lost_is_never_negative():
    assert busy_step().lost == 10
    assert LoadMetrics(expected=5, delivered=7).lost == 0


def test_saturated_when_either_lag_exceeds_the_threshold():
    assert not busy_step().saturated
    assert busy_step(loop_lag_max=0.11).saturated
    assert busy_step(schedule_lag_max=0.2).saturated
    assert not busy_step(schedule_lag_max=0.1).saturated
    assert busy_step(schedule_lag_max=0.06, lag_threshold=0.05).saturated


def test_rates():
    metrics = busy_step()
    assert metrics.send_rate == 200.0
    assert metrics.delivery_rate == pytest.approx(19_996.0)
    assert busy_step(sent=1).send_rate is None
    assert busy_step(sending_took=0.0).send_rate is None
    assert busy_step(took=0.0).delivery_rate is None


def test_latencies_by_kind():
    metrics = busy_step(round_trip=Latencies([0.02]))
    assert metrics.latencies("delivery") is metrics.delivery
    assert metrics.latencies("round-trip") is metrics.round_trip
    assert metrics.latencies("round trip") is metrics.round_trip
    assert metrics.latencies("connection") is metrics.connect_times


def test_unknown_latency_kind_names_the_three_kinds():
    with pytest.raises(FeatureMistake) as error:
        busy_step().latencies("network")
    assert str(error.value) == (
        'wsbdd measures no "network" latency: name one of "delivery", "round-trip" or '
        '"connection", as in "the 95th percentile delivery latency".'
    )


def test_saturation_note():
    assert busy_step().saturation_note() == ""
    assert busy_step(loop_lag_max=0.24, schedule_lag_max=0.31).saturation_note() == (
        "The test client was saturated (event loop up to 240 ms late, sends up to 310 ms "
        "behind schedule): these results are not trustworthy; use fewer clients or a lower "
        "rate, or run the load from more machines."
    )


def test_table_shows_every_measured_row_aligned():
    assert busy_step().table().splitlines() == [
        "phases        warm-up, peak",
        "clients       100 in this step · connected 100% (100 of 100) · "
        "connect time p50 20.0 ms · p95 45.0 ms · max 45.0 ms",
        "messages      500 sent · delivered 99.98% (49,990 of 50,000) · lost 10 · "
        "duplicated 2 · unexpected 1",
        "delivery      p50 6.20 ms · p90 14.0 ms · p95 14.0 ms · p99 14.0 ms · max 14.0 ms"
        "   (5 samples)",
        "throughput    200 sent/s over 2.50 s · 19,996 delivered/s · step took 2.50 s",
        "test client   event loop late by at most 12.0 ms, sends at most 3.00 ms behind "
        "schedule (fine)",
    ]


def test_table_leaves_out_rows_with_nothing_to_show_and_adds_round_trips():
    table = busy_step(
        connect_attempts=0, connected=0, phases=[], round_trip=Latencies([0.004])
    ).table()
    lines = table.splitlines()
    assert lines[0] == "clients       100 in this step"
    assert "connect" not in table
    assert "phases" not in table
    assert (
        "round trip    p50 4.00 ms · p90 4.00 ms · p95 4.00 ms · p99 4.00 ms · max 4.00 ms"
        "   (1 sample)"
    ) in lines
    assert "round trip" not in busy_step().table()


def test_table_says_when_no_message_arrived():
    table = LoadMetrics(clients=2, sent=3, expected=3, took=1.0).table()
    assert "delivery      no message arrived, so there is no delivery latency" in table
    assert "delivered 0% (0 of 3) · lost 3" in table


def test_table_flags_a_saturated_test_client_and_explains():
    lines = busy_step(loop_lag_max=0.24, schedule_lag_max=0.31).table().splitlines()
    assert lines[-2] == (
        "test client   event loop late by at most 240 ms, sends at most 310 ms behind "
        "schedule: SATURATED (over the 100 ms limit)"
    )
    assert lines[-1].startswith("The test client was saturated (event loop up to 240 ms")


def test_as_dict_is_json_and_complete():
    metrics = busy_step(round_trip=Latencies([0.004, 0.006]))
    data = json.loads(json.dumps(metrics.as_dict()))
    assert data["lost"] == 10
    assert data["saturated"] is False
    assert data["send_rate"] == 200.0
    assert data["delivery"] == {
        "count": 5,
        "p50": 0.0062,
        "p90": 0.014,
        "p95": 0.014,
        "p99": 0.014,
        "max": 0.014,
    }
    assert data["round_trip"]["count"] == 2 and data["round_trip"]["max"] == 0.006
    assert data["connect_times"]["p50"] == 0.020
    assert data["phases"] == ["warm-up", "peak"]
    assert sum(count for _, _, count in data["histogram"]) == 5
    assert data["histogram"][0][0] == 0.0031 and data["histogram"][-1][1] == 0.014
    for name in ("clients", "sent", "expected", "delivered", "duplicates", "unexpected"):
        assert data[name] == getattr(metrics, name)
    for name in ("started_at", "sending_took", "took", "loop_lag_max", "schedule_lag_max"):
        assert data[name] == getattr(metrics, name)
    assert data["lag_threshold"] == 0.1 and data["delivery_rate"] == pytest.approx(19_996.0)


def test_as_dict_histogram_falls_back_to_round_trips():
    data = LoadMetrics(round_trip=Latencies([0.002, 0.002])).as_dict()
    assert data["histogram"] == [[0.002, 0.002, 2]]
    assert data["delivery"]["count"] == 0 and data["delivery"]["p50"] is None
    assert data["send_rate"] is None and data["delivery_rate"] is None
