"""Load steps: crowds connected at a rate, sends at a rate, and verdicts on what was measured.

Every message a load step sends carries a correlation id (``${correlation_id}``
in the payload, or an ``id`` field wsbdd adds), so delivery latency is timed
from the send to each receipt, on one clock.  The group step "every client in
group … sends {…}" takes a payload that ends with its JSON, so it never reads
the rate words here as part of the payload (tests/test_step_overlaps.py).
"""

from __future__ import annotations

from typing import Any

from behave import given, step, then, when

from wsbdd.facade.session import Session
from wsbdd.load.driver import SENTINEL, LoadDriver
from wsbdd.load.metrics import parse_percentile
from wsbdd.load.schedule import (
    Phase,
    count_offsets,
    parse_duration,
    parse_rate,
    phases_from_rows,
    send_offsets,
)
from wsbdd.match import unescape
from wsbdd.match.grammar import (
    DURATION,
    QUOTED,
    WITHIN,
    conditions,
    format_seconds,
    member_names,
    payload_text,
    per_member,
    seconds,
)
from wsbdd.match.refusals import (
    crowd_size,
    least_rate,
    sending_time,
    share,
    times_to_send,
)
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.steps.base import wsbdd_step

GROUP = r'group "(?P<group>[^"]+)"'
NUMBER = r"\d+(?:[.,]\d+)?"
RATE = NUMBER + r"(?: to " + NUMBER + r")?(?: (?:messages? )?per (?:second|minute)| ?/ ?(?:s|min))"
TARGET = rf'(?: to "(?P<target>{QUOTED})")?(?: with token "(?P<token>{QUOTED})")?'
RAMP = (
    r"(?: at (?P<rate>" + NUMBER + r") (?:clients? )?per second| over (?P<over>" + DURATION + r"))"
)
HANDSHAKES = r"(?: with at most (?P<concurrency>\d+) handshakes? at a time)?"
PAYLOAD = r"(?P<payload>[\[{].*?)"
PACE = (
    r"(?: (?P<count>\d+) times?(?: at (?P<rate>"
    + RATE
    + r")| with (?P<think>"
    + DURATION
    + r") think time)?| for (?P<duration>"
    + DURATION
    + r") at (?P<rate2>"
    + RATE
    + r"))"
)
PERCENT = r"(?P<percent>\d+(?:\.\d+)?) ?%"
LATENCY_KIND = r"(?P<kind>delivery|round[- ]trip|connection)"
PERCENTILE = (
    r"(?P<which>\d+(?:\.\d+)?(?:st|nd|rd|th)|median|maximum|max|p\d+(?:\.\d+)?)(?: percentile)?"
)


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _names(group: str, count: int) -> list[str]:
    return member_names(group, count)


def _connect(
    session: Session,
    count: str,
    group: str,
    *,
    require: bool,
    target: str | None = None,
    token: str | None = None,
    rate: str | None = None,
    over: str | None = None,
    concurrency: str | None = None,
    amount: str | None = None,
    unit: str | None = None,
) -> None:
    size = _count(count)
    crowd_size(size)
    # Target and token are filled in per member (${client}, ${index}) by the session.
    metrics = LoadDriver.of(session).connect(
        group,
        _names(group, size),
        unescape(target) if target else None,
        rate=_number(rate) if rate else None,
        over=parse_duration(over) if over else None,
        concurrency=int(concurrency) if concurrency else None,
        require=require,
        token=unescape(token) if token is not None else None,
    )
    limit = seconds(amount, unit)
    if limit is not None and metrics.took > limit:
        raise ExpectationFailed(
            f'Connecting {size:,} clients in group "{group}" took {format_seconds(metrics.took)}, '
            f"more than the {format_seconds(limit)} allowed.\n{metrics.table()}"
        )


CROWD = r"(?P<count>[\d,]+) clients in " + GROUP
CROWD_RAMP = CROWD + r" (?:are connected|connect)" + TARGET + RAMP + HANDSHAKES + WITHIN
CROWD_BOUNDED = (
    CROWD
    + r" (?:are connected|connect)"
    + TARGET
    + r" with at most (?P<concurrency>\d+) handshakes? at a time"
    + WITHIN
)
CROWD_TRIES = CROWD + r" try to connect" + TARGET + RAMP + r"?" + HANDSHAKES


@given(CROWD_RAMP)
@when(CROWD_RAMP)
@wsbdd_step
def crowd_ramp(session: Session, context: Any, count: str, group: str, **words: Any) -> None:
    """Connect N clients at a rate or spread over a time; all of them must connect."""
    _connect(session, count, group, require=True, **words)


@given(CROWD_BOUNDED)
@when(CROWD_BOUNDED)
@wsbdd_step
def crowd_bounded(session: Session, context: Any, count: str, group: str, **words: Any) -> None:
    """Connect N clients with a bound on simultaneous handshakes; all of them must connect."""
    _connect(session, count, group, require=True, **words)


@given(CROWD_TRIES)
@when(CROWD_TRIES)
@wsbdd_step
def crowd_tries(session: Session, context: Any, count: str, group: str, **words: Any) -> None:
    """Connect N clients; failures are counted, not fatal ("at least 99% of connections …")."""
    _connect(session, count, group, require=False, **words)


# -- sending at a rate --------------------------------------------------------------------


def _offsets(words: dict[str, Any]) -> list[float]:
    # The step's regex decides which are given; each given one is text.
    given: tuple[Any, Any, Any, Any] = (
        words.get("count"),
        words.get("rate"),
        words.get("duration"),
        words.get("rate2"),
    )
    count, rate, duration, rate2 = given
    if duration is not None:
        low, high = parse_rate(rate2)
        length = sending_time(duration, parse_duration(duration))
        return send_offsets([Phase("steady", length, low, high)])
    if rate is not None:
        low, high = parse_rate(rate)
        if low != high:
            raise FeatureMistake(
                f'"{count} times at {rate}" mixes a count with a ramp; for a ramp give a '
                'duration instead, e.g. "for 10 seconds at 1 to 5 per second".'
            )
        return count_offsets(times_to_send(count), low)
    return count_offsets(times_to_send(count), None)


def _send(
    session: Session,
    context: Any,
    group: str,
    payload: str,
    offsets: list[float],
    think: float | None = None,
    phases: list[str] | None = None,
) -> None:
    names = session.group_members(group)
    variables = session.vars.child(correlation_id=SENTINEL)
    rendered = per_member(names, payload, variables, payload_text)
    driver = LoadDriver.of(session)
    driver.send(
        group, names, driver.payloads(names, rendered), offsets, think=think, phases=phases or []
    )


CLOSED_LOOP = (
    r" (?P<count>\d+) times?, each waiting for its reply(?: where (?P<reply>.+?))?" + WITHIN
)


def _send_closed(
    session: Session, group: str, payload: str, count: str, words: dict[str, Any]
) -> None:
    names = session.group_members(group)
    variables = session.vars.child(correlation_id=SENTINEL)
    rendered = per_member(names, payload, variables, payload_text)
    driver = LoadDriver.of(session)
    reply = words.get("reply")
    driver.send_closed(
        group,
        names,
        driver.payloads(names, rendered),
        times_to_send(count),
        reply=conditions(reply, session.vars).matches if reply else None,
        wait=seconds(words["amount"], words["unit"]),
    )


# Before the paced steps below: a payload followed by "N times" must not stop there.
@step(r"every client in " + GROUP + r" sends " + PAYLOAD + CLOSED_LOOP)
@wsbdd_step
def every_sends_closed_loop(
    session: Session, context: Any, group: str, payload: str, count: str, **words: Any
) -> None:
    """Every member sends N times, each send waiting for the reply to the one before."""
    _send_closed(session, group, payload, count, words)


@step(r"every client in " + GROUP + r" sends" + CLOSED_LOOP + r":")
@wsbdd_step
def every_sends_closed_loop_docstring(
    session: Session, context: Any, group: str, count: str, **words: Any
) -> None:
    """The same, with the message in a docstring."""
    _send_closed(session, group, context.text or "", count, words)


@step(r"every client in " + GROUP + r" sends " + PAYLOAD + PACE)
@wsbdd_step
def every_sends_paced(
    session: Session, context: Any, group: str, payload: str, **words: Any
) -> None:
    """Every member sends the message N times (at a rate, or with think time), or for a duration."""
    think = parse_duration(words["think"]) if words.get("think") else None
    _send(session, context, group, payload, _offsets(words), think)


@step(r"every client in " + GROUP + r" sends" + PACE + r":")
@wsbdd_step
def every_sends_paced_docstring(session: Session, context: Any, group: str, **words: Any) -> None:
    """The same, with the message in a docstring."""
    think = parse_duration(words["think"]) if words.get("think") else None
    _send(session, context, group, context.text or "", _offsets(words), think)


@step(r"every client in " + GROUP + r" sends " + PAYLOAD + r" in phases:")
@wsbdd_step
def every_sends_in_phases(session: Session, context: Any, group: str, payload: str) -> None:
    """Warm-up, ramp, steady…: a table of phase | duration | rate (per client)."""
    table = context.table
    if table is None:
        raise FeatureMistake(
            "A phased load needs a table under the step: | phase | duration | rate |, e.g. "
            "| warm-up | 2 s | 1 per second |."
        )
    rows = [dict(zip(table.headings, row.cells, strict=False)) for row in table.rows]
    phases = phases_from_rows(rows)
    _send(session, context, group, payload, send_offsets(phases), None, [p.name for p in phases])


# -- verdicts -----------------------------------------------------------------------------


@then(r"every message is delivered to every client in " + GROUP + WITHIN)
@wsbdd_step
def delivered_to_group(session: Session, context: Any, group: str, **words: Any) -> None:
    """Each message of the last load step reached every member of the group (none lost)."""
    LoadDriver.of(session).expect_delivered(group, timeout=seconds(words["amount"], words["unit"]))


@then(
    r"at least "
    + PERCENT
    + r" of (?:the )?messages (?:are|were) delivered to every client in "
    + GROUP
    + WITHIN
)
@wsbdd_step
def share_delivered(session: Session, context: Any, percent: str, group: str, **words: Any) -> None:
    """A delivery ratio: some loss is tolerated."""
    LoadDriver.of(session).expect_delivered(
        group, at_least=share(percent), timeout=seconds(words["amount"], words["unit"])
    )


@then(r"every message comes back to its sender" + WITHIN)
@wsbdd_step
def back_to_sender(session: Session, context: Any, **words: Any) -> None:
    """Request/reply (or echo): each message's reply reached the client that sent it."""
    LoadDriver.of(session).expect_delivered(None, timeout=seconds(words["amount"], words["unit"]))


@then(r"at least " + PERCENT + r" of (?:the )?messages come back to their senders" + WITHIN)
@wsbdd_step
def share_back(session: Session, context: Any, percent: str, **words: Any) -> None:
    """A reply ratio for request/reply or echo: some unanswered messages are tolerated."""
    LoadDriver.of(session).expect_delivered(
        None, at_least=share(percent), timeout=seconds(words["amount"], words["unit"])
    )


@then(
    r"the "
    + PERCENTILE
    + " "
    + LATENCY_KIND
    + r" (?:latency|time) is (?:below|under|less than) (?P<bound>"
    + DURATION
    + r")"
)
@wsbdd_step
def percentile_below(session: Session, context: Any, which: str, kind: str, bound: str) -> None:
    """A latency percentile (median, 95th, 99.9th, maximum) stays below a bound."""
    kind = "round-trip" if kind.startswith("round") else kind
    LoadDriver.of(session).expect_percentile(kind, parse_percentile(which), parse_duration(bound))


@then(r"at least " + PERCENT + r" of (?:the )?connections succeed(?:ed)?")
@wsbdd_step
def connections_succeeded(session: Session, context: Any, percent: str) -> None:
    """The connection success ratio of the last crowd."""
    LoadDriver.of(session).expect_connections(share(percent))


@then(
    r"the (?P<what>throughput|send rate) is at least (?P<bound>"
    + NUMBER
    + r") (?:messages|deliveries) per second"
)
@wsbdd_step
def throughput_at_least(session: Session, context: Any, what: str, bound: str) -> None:
    """Delivered messages per second (throughput) or sent per second (send rate)."""
    rate = least_rate(what, bound)
    LoadDriver.of(session).expect_throughput("sent" if what == "send rate" else "delivered", rate)
