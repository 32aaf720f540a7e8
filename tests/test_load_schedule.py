"""Load schedules: send instants from phases and counts, and reading rates, durations, tables."""

import math

import pytest

from wsbdd.load.schedule import (
    MAX_SENDS_PER_CLIENT,
    Phase,
    count_offsets,
    parse_duration,
    parse_rate,
    phases_from_rows,
    send_offsets,
)
from wsbdd.model.errors import FeatureMistake

# --- send_offsets ------------------------------------------------------------------------


def test_constant_rate_sends_from_zero_and_stops_before_the_end():
    assert send_offsets([Phase("steady", 2.5, 2, 2)]) == [0.0, 0.5, 1.0, 1.5, 2.0]


def test_a_send_due_exactly_at_the_end_of_the_last_phase_is_left_out():
    assert send_offsets([Phase("steady", 2.0, 2, 2)]) == [0.0, 0.5, 1.0, 1.5]


def test_ramp_from_zero_solves_the_quadratic():
    # N(t) = 4 t² / (2·2) = t²: the k-th send is at sqrt(k); N(2) = 4 is the end, left out.
    offsets = send_offsets([Phase("ramp", 2.0, 0, 4)])
    assert offsets == pytest.approx([0.0, 1.0, math.sqrt(2), math.sqrt(3)])


def test_ramp_down_solves_the_quadratic():
    # N(t) = 4t - t²: the k-th send is at 2 - sqrt(4 - k).
    offsets = send_offsets([Phase("cool-down", 2.0, 4, 0)])
    assert offsets == pytest.approx([0.0, 2 - math.sqrt(3), 2 - math.sqrt(2), 1.0])


def test_ramp_between_two_rates():
    # N(t) = t + t²/2 (1/s to 3/s over 2 s): sends where N = 0, 1, 2, 3 → t = -1 + sqrt(1 + 2k).
    offsets = send_offsets([Phase("ramp", 2.0, 1, 3)])
    assert offsets == pytest.approx([0.0, math.sqrt(3) - 1, math.sqrt(5) - 1, math.sqrt(7) - 1])


def test_a_fraction_left_over_carries_into_the_next_phase():
    # 1/s for 1.5 s sends at 0 and 1 and leaves half a message; at 2/s the next is due
    # after 0.25 s of the second phase, then every 0.5 s.
    offsets = send_offsets([Phase("slow", 1.5, 1, 1), Phase("fast", 1.5, 2, 2)])
    assert offsets == pytest.approx([0.0, 1.0, 1.75, 2.25, 2.75])


def test_ramp_across_phases_with_carry():
    # Ramp 0→2 over 1 s: N = t², one send at 0, leaves N(1) = 1, so the next is due at once;
    # then a constant 2/s: sends at 1.0, 1.5.
    offsets = send_offsets([Phase("ramp", 1.0, 0, 2), Phase("steady", 1.0, 2, 2)])
    assert offsets == pytest.approx([0.0, 1.0, 1.5])


def test_a_pause_sends_nothing_and_the_next_phase_starts_at_its_start():
    offsets = send_offsets(
        [Phase("a", 2.5, 1, 1), Phase("pause", 1.0, 0, 0), Phase("b", 1.0, 1, 1)]
    )
    # Half a message is carried over the pause: the third phase's send is 0.5 s into it.
    assert offsets == [0.0, 1.0, 2.0, 4.0]


def test_a_leading_pause_delays_the_first_send():
    assert send_offsets([Phase("pause", 1.0, 0, 0), Phase("b", 3.0, 0.5, 0.5)]) == [1.0, 3.0]


def test_totals_that_are_whole_numbers_are_not_upset_by_float_rounding():
    assert send_offsets([Phase("trickle", 30.0, 0.1, 0.1)]) == pytest.approx([0.0, 10.0, 20.0])
    # 1.1 × 110 is 121.00000000000001 in floats: still 121 sends, none squeezed in at the end.
    offsets = send_offsets([Phase("odd", 110.0, 1.1, 1.1)])
    assert len(offsets) == 121
    assert offsets[-1] == pytest.approx(120 / 1.1)


def test_no_phases_or_only_pauses_send_nothing():
    assert send_offsets([]) == []
    assert send_offsets([Phase("pause", 5.0, 0, 0)]) == []


def test_offsets_are_in_order():
    phases = [Phase("a", 3.0, 0, 7), Phase("b", 2.0, 7, 1), Phase("c", 1.3, 3, 3)]
    offsets = send_offsets(phases)
    assert offsets == sorted(offsets)
    # (0+7)/2·3 + (7+1)/2·2 + 3·1.3 = 10.5 + 8 + 3.9 = 22.4 → 23 sends.
    assert len(offsets) == 23
    assert offsets[-1] < 6.3


def test_too_many_sends_per_client_is_refused_before_any_run():
    with pytest.raises(FeatureMistake) as error:
        send_offsets([Phase("typo", 3600.0, 5000, 5000)])
    assert str(error.value) == (
        "This load would send 18,000,000 messages per client; at most 100,000 are allowed, "
        'so lower the rate or shorten the run, like "10 per second" for "60 seconds" '
        "(600 messages)."
    )
    assert len(send_offsets([Phase("edge", 1.0, MAX_SENDS_PER_CLIENT, MAX_SENDS_PER_CLIENT)])) == (
        100_000
    )


def test_phase_rejects_impossible_values():
    with pytest.raises(ValueError):
        Phase("x", 0.0, 1, 1)
    with pytest.raises(ValueError):
        Phase("x", 1.0, -1, 1)


def test_phase_sends_is_the_area_under_the_rate():
    assert Phase("ramp", 10.0, 1, 5).sends == 30.0


# --- count_offsets -----------------------------------------------------------------------


def test_count_offsets_at_a_rate():
    assert count_offsets(4, 2.0) == [0.0, 0.5, 1.0, 1.5]
    assert count_offsets(0, 2.0) == []


def test_count_offsets_without_a_rate_sends_everything_at_once():
    assert count_offsets(3, None) == [0.0, 0.0, 0.0]


def test_count_offsets_refuses_a_zero_rate_and_too_many():
    with pytest.raises(FeatureMistake) as error:
        count_offsets(3, 0.0)
    assert str(error.value) == (
        "At a rate of 0 per second no message would ever be sent; "
        'write a rate above 0, like "5 per second".'
    )
    with pytest.raises(FeatureMistake, match="would send 100,001 messages per client"):
        count_offsets(100_001, None)


# --- parse_rate --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("5 per second", (5.0, 5.0)),
        ("1 to 5 per second", (1.0, 5.0)),
        ("30 per minute", (0.5, 0.5)),
        ("2/s", (2.0, 2.0)),
        ("2 /s", (2.0, 2.0)),
        ("2 messages per second", (2.0, 2.0)),
        ("1 message per second", (1.0, 1.0)),
        ("0.5 per second", (0.5, 0.5)),
        ("1 to 10 per minute", (1 / 60, 10 / 60)),
        ("0 per second", (0.0, 0.0)),
        ("  5 Per Second ", (5.0, 5.0)),
        ("5 per second per client", (5.0, 5.0)),
        ("3 messages/s", (3.0, 3.0)),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == pytest.approx(rate)


@pytest.mark.parametrize("text", ["fast", "5", "5 per hour", "per second", "5 to per second"])
def test_parse_rate_refuses_what_it_cannot_read(text):
    with pytest.raises(FeatureMistake) as error:
        parse_rate(text)
    assert str(error.value) == (
        f'wsbdd cannot read the rate "{text}": write it like "5 per second" or "1 to 5 per second".'
    )


# --- parse_duration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2 s", 2.0),
        ("2 seconds", 2.0),
        ("1 second", 1.0),
        ("500 ms", 0.5),
        ("250 milliseconds", 0.25),
        ("1.5 minutes", 90.0),
        ("1 minute", 60.0),
        ("2 min", 120.0),
        ("90s", 90.0),
        ("1 hour", 3600.0),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["soon", "5", "5 days", "-1 s", ""])
def test_parse_duration_refuses_what_it_cannot_read(text):
    with pytest.raises(FeatureMistake) as error:
        parse_duration(text)
    assert str(error.value) == (
        f'wsbdd cannot read the duration "{text}": '
        'write it like "30 seconds", "500 ms" or "1.5 minutes".'
    )


# --- phases_from_rows --------------------------------------------------------------------


def test_phases_from_a_table():
    rows = [
        {"Phase": "warm-up", "Duration": "30 seconds", "Rate": "1 to 5 per second"},
        {"Phase": "peak", "Duration": "1 minute", "Rate": "5 per second"},
        {"Phase": "", "Duration": "500 ms", "Rate": "0 per second"},
    ]
    assert phases_from_rows(rows) == [
        Phase("warm-up", 30.0, 1.0, 5.0),
        Phase("peak", 60.0, 5.0, 5.0),
        Phase("phase 3", 0.5, 0.0, 0.0),
    ]


def test_phase_column_is_optional_and_rate_per_client_is_accepted():
    rows = [
        {"duration": "2 s", "rate per client": "2/s"},
        {"duration": "1 s", "rate per client": "1/s"},
    ]
    assert phases_from_rows(rows) == [Phase("phase 1", 2.0, 2.0, 2.0), Phase("phase 2", 1.0, 1, 1)]


EXAMPLE = "| phase | duration | rate | with rows like | warm-up | 30 seconds | 1 to 5 per second |"


def test_empty_table():
    with pytest.raises(FeatureMistake) as error:
        phases_from_rows([])
    assert str(error.value) == f"The phase table has no rows: write it like {EXAMPLE}."


@pytest.mark.parametrize(
    ("missing", "row"), [("duration", {"rate": "1/s"}), ("rate", {"duration": "1 s"})]
)
def test_missing_column(missing, row):
    with pytest.raises(FeatureMistake) as error:
        phases_from_rows([row])
    assert str(error.value) == (
        f'The phase table needs a "{missing}" column: write it like {EXAMPLE}.'
    )


def test_unknown_column():
    with pytest.raises(FeatureMistake) as error:
        phases_from_rows([{"duration": "1 s", "rate": "1/s", "speed": "fast"}])
    assert str(error.value) == (
        f'The phase table has a column "speed" that wsbdd does not know: use the columns {EXAMPLE}.'
    )


def test_bad_duration_names_the_row():
    rows = [{"duration": "1 s", "rate": "1/s"}, {"duration": "a while", "rate": "1/s"}]
    with pytest.raises(FeatureMistake) as error:
        phases_from_rows(rows)
    assert str(error.value) == (
        'Row 2 of the phase table has the duration "a while", which wsbdd cannot read: '
        'write it like "30 seconds", "500 ms" or "1.5 minutes".'
    )


def test_zero_duration_names_the_row():
    with pytest.raises(FeatureMistake) as error:
        phases_from_rows([{"duration": "0 s", "rate": "1/s"}])
    assert str(error.value) == (
        'Row 1 of the phase table lasts "0 s": every phase must last more than 0 seconds, '
        'like "30 seconds".'
    )


def test_bad_rate_names_the_row():
    rows = [{"duration": "1 s", "rate": "1/s"}] * 2 + [{"duration": "1 s", "rate": "lots"}]
    with pytest.raises(FeatureMistake) as error:
        phases_from_rows(rows)
    assert str(error.value) == (
        'Row 3 of the phase table has the rate "lots", which wsbdd cannot read: '
        'write it like "5 per second" or "1 to 5 per second".'
    )


def test_more_than_an_hour_in_all_names_the_row():
    rows = [{"duration": "40 minutes", "rate": "1/s"}, {"duration": "30 minutes", "rate": "1/s"}]
    with pytest.raises(FeatureMistake) as error:
        phases_from_rows(rows)
    assert str(error.value) == (
        "Row 2 of the phase table takes the phases to 4,200 seconds in all, more than the one "
        "hour wsbdd allows: shorten them, like | steady | 10 minutes | 5 per second |."
    )
    assert len(phases_from_rows([{"duration": "1 hour", "rate": "0/s"}])) == 1
