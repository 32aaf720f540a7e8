"""Reconnection as steps see it: drop a connection, wait for the client to reconnect, and
check whether the server recovered the session.

The client does the reconnecting by itself (:meth:`wsbdd.io.client.Client._reconnect`);
it records each loss as a :class:`~wsbdd.model.reconnection.Reconnect`.  A
"reconnects" step claims the oldest loss no earlier "reconnects" step has claimed, as a
"receives" step claims a message, so two drops need two "reconnects" steps.

The verdicts are plain functions on those records (sentences pinned in
tests/test_sentences_reconnection.py); :class:`~wsbdd.facade.session.Session` calls them.
"""

from __future__ import annotations

import time

from wsbdd.codec.resume import may_reconnect
from wsbdd.expect import format_duration
from wsbdd.io.client import Client, frames_from
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.model.message import wall_clock
from wsbdd.model.reconnection import Reconnect

__all__ = ["wait_reconnect", "judge_reconnect", "judge_recovered", "not_reconnecting"]


def _unclaimed(client: Client) -> Reconnect | None:
    records = client.reconnects
    seen = client.reconnects_seen
    return records[seen] if seen < len(records) else None


async def wait_reconnect(client: Client, timeout: float) -> Reconnect | None:
    """On the loop: the oldest unclaimed loss once it is over (reconnected or given up),
    or None when ``timeout`` passes first or the connection ended for good."""
    deadline = time.monotonic() + timeout
    with frames_from([client]) as arrivals:
        while True:
            arrivals.take()
            record = _unclaimed(client)
            if record is not None and record.done:
                return record
            if record is None and client.finished:
                return None  # closed for good: no reconnection will come
            left = deadline - time.monotonic()
            if left <= 0:
                return record
            await arrivals.wait(left)


def not_reconnecting(name: str) -> FeatureMistake:
    return FeatureMistake(
        f"{name} was not connected with reconnection, so it does not reconnect by itself; "
        f'write "Given {name} is connected with reconnection", or set reconnection.enabled '
        "= true in the settings."
    )


def judge_reconnect(
    client: Client, record: Reconnect | None, timeout: float, *, new_sid: bool = False
) -> None:
    """Raise the sentence for a client that did not reconnect as the step says; on success
    the loss is claimed."""
    name = client.name
    within = format_duration(timeout)
    if record is None:
        if not client.finished:
            raise ExpectationFailed(
                f"{name} did not reconnect within {within}: the connection was not lost "
                "(it is still open)."
            )
        outcome = client.outcome
        if outcome is not None and outcome.opened_at is None and not client.reconnects:
            raise ExpectationFailed(
                f"{name} did not reconnect: it never connected ({outcome.describe_failure()})."
            )
        app_reason = outcome.app_reason if outcome is not None else None
        if not may_reconnect(client.codec):
            reason = f" ({app_reason})" if app_reason else ""
            raise ExpectationFailed(
                f"{name} did not reconnect: the server ended the session on purpose{reason}, "
                f"and a {client.codec.name} client does not reconnect after that."
            )
        if client.closed_on_purpose:
            raise ExpectationFailed(
                f"{name} did not reconnect: a step closed the connection (it "
                f"{client.how_it_ended()}), and a client closed on purpose does not reconnect."
            )
        raise ExpectationFailed(
            f"{name} did not reconnect: the connection {client.how_it_ended()}."
        )
    if record.at is None:
        lost = f"the connection was lost at {wall_clock(record.lost_at)} ({record.why})"
        if record.gave_up_at is not None:
            raise ExpectationFailed(
                f"{name} did not reconnect: {lost} and it {record.describe_gave_up()}."
            )
        tried = len(record.failed)
        so_far = (
            f"; {tried} attempt{'s' * (tried != 1)} failed so far (the last: "
            f"{record.failed[-1].error})"
            if tried
            else "; no attempt has connected yet"
        )
        raise ExpectationFailed(f"{name} did not reconnect within {within}: {lost}{so_far}.")
    if new_sid:
        if record.sid is None:
            raise FeatureMistake(
                f"{name} reconnected, but the {client.codec.name} codec has no session id to "
                'compare; leave out "and has a new session id".'
            )
        if record.sid == record.old_sid:
            how = (
                " (the server recovered the session, which keeps its id)"
                if record.recovered
                else ""
            )
            raise ExpectationFailed(
                f'{name} reconnected with the same session id "{record.sid}", not a new one{how}.'
            )
    client.reconnects_seen += 1


def judge_recovered(client: Client, wanted: bool) -> None:
    """Raise the sentence when the latest reconnection was (not) recovered, against ``wanted``."""
    name = client.name
    done = [record for record in client.reconnects if record.at is not None]
    if not done:
        raise FeatureMistake(
            f"{name} has not reconnected, so nothing was recovered yet; wait for it first: "
            f'"Then {name} reconnects within 5 seconds".'
        )
    record = done[-1]
    sid = f" (sid {record.sid})" if record.sid else ""
    if wanted and not record.recovered:
        if not record.offered:
            raise ExpectationFailed(
                f"{name}'s connection was not recovered: the server does not offer "
                f"connection-state recovery, so it started a new session{sid}."
            )
        raise ExpectationFailed(
            f"{name}'s connection was not recovered: the server offers recovery but started "
            f"a new session{sid}; it recovers a session only within its "
            f"maxDisconnectionDuration, and only once {name} has received an event to "
            "resume from."
        )
    if not wanted and record.recovered:
        raise ExpectationFailed(
            f"{name}'s connection was recovered{sid}: the server restored the session and "
            "replayed the events it missed."
        )
