"""Every failure sentence of the load driver (wsbdd/load/driver.py), pinned whole.

The verdicts are pure functions over the metrics; the feature-text mistakes are
asked of a real driver on a real session against the demo server.
"""

from __future__ import annotations

from tests.sentences import assert_failure, assert_met, assert_raises_sentence
from wsbdd.load.driver import (
    LoadDriver,
    connections_opened,
    delivered,
    latency_below,
    throughput_at_least,
)
from wsbdd.load.metrics import Latencies, LoadMetrics
from wsbdd.model.errors import ConnectionProblem, FeatureMistake

SOME_LOST = LoadMetrics(
    clients=2, sent=4, expected=4, delivered=3, took=1.0, connect_attempts=2, connected=1
)
SLOW = LoadMetrics(
    clients=2, sent=3, expected=3, delivered=3, took=1.0, delivery=Latencies([0.2, 0.3, 0.4])
)
SATURATED = LoadMetrics(clients=2, sent=4, expected=4, delivered=3, took=1.0, loop_lag_max=0.5)


def with_table(metrics: LoadMetrics, sentence: str) -> str:
    return f"{sentence}\n{metrics.table()}"


def test_the_table_follows_the_sentence_as_its_last_line_block():
    outcome = delivered(SOME_LOST, 'every client in group "crowd"', 2.0)
    assert outcome.why is not None and outcome.why.notes == (SOME_LOST.table(),)
    assert outcome.failure.splitlines()[1:] == [
        "clients       2 in this step · connected 50% (1 of 2)",
        "messages      4 sent · delivered 75% (3 of 4) · lost 1 · duplicated 0 · unexpected 0",
        "delivery      no message arrived, so there is no delivery latency",
        "throughput    3.00 delivered/s · step took 1.00 s",
        "test client   event loop late by at most 0 µs, sends at most 0 µs behind schedule (fine)",
    ]


def test_delivered():
    assert_met(delivered(SLOW, "its sender", 2.0))
    assert_met(delivered(SOME_LOST, "its sender", 2.0, at_least=75))
    assert_failure(
        with_table(
            SOME_LOST,
            'Expected every message to reach every client in group "crowd" within 2.00 s, but '
            "only 75% (3 of 4) of the deliveries arrived (1 lost).",
        ),
        delivered(SOME_LOST, 'every client in group "crowd"', 2.0),
    )
    assert_failure(
        with_table(
            SOME_LOST,
            "Expected at least 90% of messages to reach a within 2.00 s, but only 75% (3 of 4) "
            "of the deliveries arrived (1 lost); e.g. b never got message 2 from a (sent at "
            "HH:MM:SS.mmm).",
        ),
        delivered(
            SOME_LOST,
            "a",
            2.0,
            at_least=90,
            example="b never got message 2 from a (sent at 12:00:00.000)",
        ),
    )
    assert_failure(
        with_table(
            SOME_LOST,
            "None of the 4 messages came back with its correlation id within 2.00 s, so no "
            "delivery could be timed: the server must send the id back in what it delivers. Put "
            '${correlation_id} in a field it echoes (e.g. "content": "hi ${correlation_id}"), '
            "or set [tool.wsbdd.load] id_field.",
        ),
        delivered(SOME_LOST, "its sender", 2.0, any_back=False),
    )
    assert_failure(
        with_table(
            SOME_LOST,
            "None of the 4 messages came back within 2.00 s, and the server sent nothing else "
            "in that time either: it is not answering (it may have stopped reading what the "
            "clients send).",
        ),
        delivered(SOME_LOST, "its sender", 2.0, any_back=False, heard=False),
    )


def test_a_saturated_test_client_is_blamed_in_the_sentence():
    assert_failure(
        with_table(
            SATURATED,
            "Expected every message to reach its sender within 2.00 s, but only 75% (3 of 4) of "
            "the deliveries arrived (1 lost). The test client was saturated (event loop up to "
            "500 ms late, sends up to 0 µs behind schedule): these results are not trustworthy; "
            "use fewer clients or a lower rate, or run the load from more machines.",
        ),
        delivered(SATURATED, "its sender", 2.0),
    )


def test_latency_below():
    assert_met(latency_below(SLOW, "delivery", 95, 0.5))
    assert_failure(
        with_table(
            SLOW,
            "Expected the 95th percentile delivery latency below 100 ms, but it was 400 ms over "
            "3 samples.",
        ),
        latency_below(SLOW, "delivery", 95, 0.1),
    )
    for kind, why in (
        ("delivery", "no message reached a client other than its sender."),
        ("round-trip", "no message came back to the client that sent it."),
        ("connection", "no client connected in a crowd step."),
    ):
        assert_failure(
            with_table(
                SOME_LOST,
                f"Expected the 95th percentile {kind} latency below 100 ms, but no {kind} "
                f"latency was measured: {why}",
            ),
            latency_below(SOME_LOST, kind, 95, 0.1),
        )


def test_connections_opened():
    assert_met(connections_opened(SOME_LOST, 50))
    assert_failure(
        with_table(
            SOME_LOST,
            "Expected at least 90% of connections to succeed, but 50% (1 of 2) did; the first "
            "to fail was c2: the server could not be reached.",
        ),
        connections_opened(SOME_LOST, 90, ("c2", "the server could not be reached")),
    )


def test_throughput_at_least():
    assert_met(throughput_at_least(SLOW, "delivered", 3))
    assert_failure(
        with_table(
            SOME_LOST,
            "Expected at least 100 sent messages per second, but the run reached nothing "
            "measurable.",
        ),
        throughput_at_least(SOME_LOST, "sent", 100),
    )
    assert_failure(
        with_table(
            SLOW,
            "Expected at least 100 delivered messages per second, but the run reached 3 per "
            "second.",
        ),
        throughput_at_least(SLOW, "delivered", 100),
    )


def test_the_feature_text_mistakes_of_load_steps(s):
    load = LoadDriver.of(s)
    assert_raises_sentence(
        'A connection rate must be above 0, e.g. "at 100 per second".',
        load.connect,
        "crowd",
        ["c1"],
        rate=0,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        "A load step marks every message it sends so it can time its delivery: put "
        '${correlation_id} in the text where the server will send it back, e.g. "hello '
        '${correlation_id}".',
        load.payloads,
        ["c1"],
        ["hello"],
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'The message already has the field "id", where wsbdd would put its correlation id: put '
        '${correlation_id} in a field the server sends back, e.g. "content": "hello '
        '${correlation_id}".',
        load.payloads,
        ["c1"],
        ['{"id": 1}'],
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'No load step has sent anything in this scenario yet: add one first, e.g. "When every '
        'client in group "crowd" sends {…} 5 times at 2 per second".',
        load.measure,
        None,
        1.0,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'No crowd has connected in this scenario yet: add one first, e.g. "Given 100 clients '
        'in group "crowd" try to connect at 50 per second".',
        load.expect_connections,
        95,
        kind=FeatureMistake,
    )


def test_a_crowd_none_of_which_connected_cannot_send(s):
    load = LoadDriver.of(s)
    load.connect("crowd", ["c1", "c2"], "ws://127.0.0.1:1/ws", rate=100, require=False)
    payloads = load.payloads(["c1", "c2"], ['{"type": "ping"}'] * 2)
    error = assert_raises_sentence(
        'No client in group "crowd" is connected, so none can send; connect them first. c1 was '
        "never connected: the connection was refused (is the server running on that port?).",
        load.send,
        "crowd",
        ["c1", "c2"],
        payloads,
        [0.0, 0.0],
        kind=ConnectionProblem,
    )
    assert error.failure.step == ""


def test_percentile_words_and_latency_kinds():
    from wsbdd.load.metrics import parse_percentile

    assert parse_percentile("95th") == 95.0
    example = 'write it like "95th", "99.9th", "median" or "maximum".'
    assert_raises_sentence(
        f'wsbdd does not know the percentile "fastest": {example}',
        parse_percentile,
        "fastest",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        f'The percentile "101st" is above 100, the highest there is: {example}',
        parse_percentile,
        "101st",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'wsbdd measures no "jitter" latency: name one of "delivery", "round-trip" or '
        '"connection", as in "the 95th percentile delivery latency".',
        LoadMetrics().latencies,
        "jitter",
        kind=FeatureMistake,
    )
