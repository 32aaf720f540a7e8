"""Steps for groups of clients: connect a crowd, everyone sends at once, who received what.

In every string a group step sends or expects, ``${client}`` is the member's
name, ``${index}`` its number in the group (1, 2, …) and ``${cycle:a,b,c}``
takes a, b, c, a, b, … in member order.
"""

from __future__ import annotations

import functools
import os
import time
from typing import Any

from behave import given, step, when

from wsbdd.facade.session import Session
from wsbdd.load.driver import CHANNEL_VARIABLE, LoadDriver
from wsbdd.match import unescape
from wsbdd.match.grammar import (
    NAMES,
    QUOTED,
    WITHIN,
    conditions,
    format_seconds,
    member_names,
    payload_text,
    per_member,
    quoted,
    seconds,
    split_names,
    table_matcher,
    template_matcher,
)
from wsbdd.match.refusals import group_size, watch_window
from wsbdd.model.errors import ExpectationFailed
from wsbdd.steps.base import wsbdd_step

GROUP = r'group "(?P<group>[^"]+)"'
OTHERS = rf"(?: and (?P<others>{NAMES}))?"
EVERY = r"every client in " + GROUP + OTHERS
CONNECT_OPTIONS = (
    rf'(?: to "(?P<target>{QUOTED})")?'
    rf'(?: with token "(?P<token>{QUOTED})")?'
    rf'(?: with subprotocols? "(?P<subprotocols>{QUOTED})")?'
)
WITH_HEADERS = r"(?P<with_headers> with headers:)?"


_member_names = member_names  # ``players`` → player1 … playerN (the grammar's naming)


def _who(session: Session, group: str, others: str | None) -> list[str]:
    names = session.group_members(group)
    for name in split_names(others) if others else []:
        session.client(name)
        if name not in names:
            names.append(name)
    return names


def _subject(group: str, others: str | None) -> str:
    return f'client in group "{group}"' + (f" and {others}" if others else "")


def _connect(
    session: Session,
    context: Any,
    group: str,
    names: list[str],
    target: str | None,
    token: str | None,
    subprotocols: str | None,
    with_headers: str | None = None,
    amount: str | None = None,
    unit: str | None = None,
    *,
    crowd: bool = False,
) -> None:
    from wsbdd.steps.connection import _headers

    started = time.monotonic()
    # One share of a numbered crowd spread over Locust workers (wsbdd load --workers N):
    # this worker's members only, counted with the other shares' as a load step's crowd is.
    connect: Any = session.connect_group
    if crowd and os.environ.get(CHANNEL_VARIABLE):
        connect = functools.partial(LoadDriver.of(session).connect, require=True)
    # Target, token and headers are filled in per member (${client}, ${index}) by the session.
    connect(
        group,
        names,
        unescape(target) if target else None,
        token=unescape(token) if token is not None else None,
        headers=_headers(context, session, with_headers),
        subprotocols=[p.strip() for p in quoted(subprotocols, session.vars).split(",")]
        if subprotocols
        else None,
    )
    limit = seconds(amount, unit)
    took = time.monotonic() - started
    if limit is not None and took > limit:
        raise ExpectationFailed(
            f'Connecting {len(names)} clients in group "{group}" took {format_seconds(took)}, '
            f"more than the {format_seconds(limit)} allowed."
        )


CROWD = r"(?P<count>\d+) clients in " + GROUP + r" are connected" + CONNECT_OPTIONS
NAMED = rf"clients (?P<names>{NAMES}) in " + GROUP + r" are connected" + CONNECT_OPTIONS


@given(CROWD + WITHIN + WITH_HEADERS)
@when(CROWD + WITHIN + WITH_HEADERS)
@wsbdd_step
def crowd_connected(session: Session, context: Any, count: str, group: str, **options: Any) -> None:
    """Connect N clients named after the group (players → player1 … playerN), concurrently.

    Each member has its own handshake: ``${client}`` (player7) and ``${index}`` (7) may
    be used in the path, token and headers, e.g. ``with token "${tokens.${client}}"``.
    """
    group_size(count, group)
    _connect(session, context, group, _member_names(group, int(count)), **options, crowd=True)


@given(NAMED + WITH_HEADERS)
@when(NAMED + WITH_HEADERS)
@wsbdd_step
def named_group_connected(
    session: Session, context: Any, names: str, group: str, **options: Any
) -> None:
    """Connect the named clients as members of a group (``${client}`` per member, as above)."""
    _connect(session, context, group, split_names(names), **options)


# The payload ends with its JSON's closing bracket: "… sends {…} 5 times at 2 per second"
# is a load step (steps/load.py), never this one with the rate words in its payload.
@step(EVERY + r" sends(?: at the same time)? (?P<payload>[\[{].*[\]}])")
@wsbdd_step
def every_sends(
    session: Session, context: Any, group: str, others: str | None, payload: str
) -> None:
    """Every member sends the JSON at the same moment; ${client} and ${index} differ per member."""
    names = _who(session, group, others)
    payloads = per_member(names, payload, session.vars, payload_text)
    session.send_each(names, payloads)


@step(EVERY + r" sends(?: at the same time)?:")
@wsbdd_step
def every_sends_docstring(session: Session, context: Any, group: str, others: str | None) -> None:
    names = _who(session, group, others)
    payloads = per_member(names, context.text or "", session.vars, payload_text)
    session.send_each(names, payloads)


def _receive(
    session: Session,
    names: list[str],
    text: str | None,
    build: Any,
    subject: str,
    amount: str | None,
    unit: str | None,
    op: str = "every",
    n: int = 0,
    also: list[str] | None = None,
) -> None:
    matchers = per_member(names, text, session.vars, build, also=also or ())
    session.receive_each(
        names,
        matchers,
        seconds(amount, unit),
        subject=subject,
        op=op,  # type: ignore[arg-type]  # the step's regex admits only GroupOp words
        n=n,
    )


@step(EVERY + r" receives? a message where (?P<where>(?!.*:$).+?)" + WITHIN)
@wsbdd_step
def every_receives(
    session: Session,
    context: Any,
    group: str,
    others: str | None,
    where: str,
    amount: str | None,
    unit: str | None,
) -> None:
    """Every member (and any named clients) receives a matching message."""
    names = _who(session, group, others)
    _receive(session, names, where, conditions, _subject(group, others), amount, unit)


@step(EVERY + r" receives? a message" + WITHIN + r" where:")
@wsbdd_step
def every_receives_table(
    session: Session,
    context: Any,
    group: str,
    others: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    names = _who(session, group, others)
    table = context.table
    _receive(
        session,
        names,
        None,
        lambda _t, v: table_matcher(table, v),
        _subject(group, others),
        amount,
        unit,
        also=_cells(table),
    )


def _cells(table: Any) -> list[str]:
    """Every cell of a table, headings included (what decides if members differ)."""
    if table is None:
        return []
    return [*table.headings, *(str(cell) for row in table.rows for cell in row.cells)]


@step(EVERY + r" receives? a message (?:like|matching)" + WITHIN + r":")
@wsbdd_step
def every_receives_like(
    session: Session,
    context: Any,
    group: str,
    others: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    names = _who(session, group, others)
    text = context.text
    _receive(session, names, text, template_matcher, _subject(group, others), amount, unit)


@step(
    r"(?P<op>exactly|at least|at most) (?P<n>\d+) clients? in "
    + GROUP
    + r" receives? a message where (?P<where>.+?)"
    + WITHIN
)
@wsbdd_step
def some_receive(
    session: Session,
    context: Any,
    op: str,
    n: str,
    group: str,
    where: str,
    amount: str | None,
    unit: str | None,
) -> None:
    """How many members receive a matching message (the others may receive something else)."""
    watch_window(op, n, amount, unit)
    names = session.group_members(group)
    _receive(
        session,
        names,
        where,
        conditions,
        f'client in group "{group}"',
        amount,
        unit,
        op,
        int(n),
    )


@step(
    r"no client in "
    + GROUP
    + OTHERS
    + r" receives (?:a|any) message(?: where (?P<where>.+?))?"
    + WITHIN
)
@wsbdd_step
def nobody_receives(
    session: Session,
    context: Any,
    group: str,
    others: str | None,
    where: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """A quiet window for every member at once."""
    names = _who(session, group, others)
    matcher = conditions(where, session.vars) if where else None
    session.receive_nothing_each(names, matcher, seconds(amount, unit))


@step(EVERY + r" disconnects")
@wsbdd_step
def every_disconnects(session: Session, context: Any, group: str, others: str | None) -> None:
    session.disconnect_each(_who(session, group, others))
