"""Groups: named crowds of clients, and steps that every member does at once.

Two halves:

- On the caller's side (pure): a group's members (:func:`join_group`,
  :func:`members_of`), and the verdict of a group step (:func:`judge_receives`,
  :func:`judge_quiet`).
- On the loop (coroutines the :class:`~wsbdd.session.Session` bridges to):
  every member sends (:func:`send_all`), waits for its own message
  (:func:`decide_each`) or for silence (:func:`quiet_each`), all at the same
  moment rather than one client after another.

What a crowd costs grows with its size, never with its square: membership is a
dict used as an ordered set, and a receive step that names no member
placeholder is one shared matcher (tests/test_group_costs.py counts both).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence

from wsbdd.expect import (
    SHOWN_CLIENTS,
    Expectation,
    GroupOp,
    Matcher,
    Outcome,
    Receive,
    group_verdict,
)
from wsbdd.io.client import Client
from wsbdd.io.pool import collector_paused
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.model.message import Message

__all__ = [
    "join_group",
    "members_of",
    "refuse_unopened",
    "send_all",
    "watch_all",
    "decide_each",
    "quiet_each",
    "judge_receives",
    "judge_quiet",
]


# -- membership (pure) ------------------------------------------------------------------------


def join_group(members: dict[str, None], names: Iterable[str]) -> None:
    """Add ``names`` to a group's ``members`` after those already in it, each once.

    One hash look-up per name: searching a list instead cost 0.2 s for a group of
    5,000 and grew with the square of its size.

    >>> members: dict[str, None] = {}
    >>> join_group(members, ["b", "a", "b"]); join_group(members, ["c", "a"])
    >>> list(members)
    ['b', 'a', 'c']
    """
    members.update(dict.fromkeys(names))


def members_of(groups: Mapping[str, Mapping[str, None]], group: str) -> list[str]:
    """The clients of ``group`` in the order they joined; a sentence naming the groups there
    are when there is no such group."""
    if group not in groups:
        known = ", ".join(f'"{g}"' for g in groups) or "none yet"
        raise FeatureMistake(
            f'There is no group called "{group}" in this scenario. Create it first, e.g. '
            f'"Given 5 clients in group "{group}" are connected" (groups so far: {known}).'
        )
    return list(groups[group])


def refuse_unopened(clients: Iterable[Client]) -> None:
    """A :class:`ConnectionProblem` for the first client whose handshake failed: waiting for
    its messages could only time out, and the handshake's failure is the real story."""
    for client in clients:
        if client.outcome is not None and client.outcome.opened_at is None:
            raise ConnectionProblem(
                f"{client.name} is not connected: {client.outcome.describe_failure()}."
            )


# -- on the loop --------------------------------------------------------------------------------


async def send_all(
    clients: Sequence[Client], payloads: Sequence[object], timeout: float
) -> list[Client]:
    """Every client sends its own payload, all at the same moment (not one after another).

    Returns the clients whose frames were still held up by flow control after ``timeout``
    (a server that stopped reading): their sends are abandoned.  A send that failed
    raises its error (the first one, in the clients' order).
    """
    sends = [asyncio.ensure_future(c.send(p)) for c, p in zip(clients, payloads, strict=True)]
    _, pending = await asyncio.wait(sends, timeout=timeout)
    for send in pending:
        send.cancel()
    for send in sends:
        if send not in pending and send.exception() is not None:
            raise send.exception()  # type: ignore[misc]
    return [client for client, send in zip(clients, sends, strict=True) if send in pending]


async def watch_all(
    clients: Sequence[Client], expectations: Sequence[Expectation]
) -> list[Outcome | None]:
    """Every client's expectation decided, with no task and no timer per client: each is
    watched (decided by that client's reader) and one timer for them all judges the ones
    still undecided at the deadline; the last one decided wakes us.

    The expectations' deadlines must not move earlier once watched (a Receive's never
    moves): the one timer goes off at the latest of them.
    """
    count = len(clients)
    outcomes: list[Outcome | None] = [None] * count
    decided = [False] * count
    errors: list[BaseException] = []
    loop = asyncio.get_running_loop()
    all_decided = loop.create_future()
    undecided = count

    def deliver_to(index: int) -> Callable[[Outcome | BaseException], None]:
        def deliver(result: Outcome | BaseException) -> None:
            nonlocal undecided
            if isinstance(result, BaseException):
                errors.append(result)
            else:
                outcomes[index] = result
            decided[index] = True
            undecided -= 1
            if undecided == 0 and not all_decided.done():
                all_decided.set_result(None)

        return deliver

    timer: asyncio.TimerHandle | None = None

    def arm() -> None:
        nonlocal timer
        latest = max(e.deadline for e, done in zip(expectations, decided, strict=True) if not done)
        timer = loop.call_at(loop.time() + latest - time.monotonic(), deadline_passed)

    def deadline_passed() -> None:
        now = time.monotonic()
        for client, done in zip(clients, decided, strict=True):
            if not done:
                client.judge_untimed(now)
        if undecided:
            arm()  # it went off a hair early for some of them

    stops = [
        client.watch(expectation, deliver_to(index), timer=False)
        for index, (client, expectation) in enumerate(zip(clients, expectations, strict=True))
    ]
    try:
        if undecided:
            arm()
            await all_decided
    finally:
        if timer is not None:
            timer.cancel()
        for stop in stops:
            stop()
    if errors:
        raise errors[0]
    return outcomes


async def decide_each(
    clients: Sequence[Client],
    expectations: Sequence[Expectation],
    op: GroupOp,
    n: int,
    settle: float,
) -> list[Outcome | None]:
    """Each client's outcome once the group step is decided (None: still waiting then).

    ``every`` and ``at most`` need every client's answer: watched, no task each.
    ``at least n`` is decided as soon as ``n`` have met; ``exactly n`` once ``n``
    have met and ``settle`` more seconds brought no other (or at once when more
    than ``n`` met), so a step does not wait out the timeout of the clients that
    were never meant to receive.

    For a crowd the garbage collector waits meanwhile (:func:`wsbdd.io.pool.collector_paused`).
    """
    with collector_paused(len(clients)):
        return await _decide_each(clients, expectations, op, n, settle)


async def _decide_each(
    clients: Sequence[Client],
    expectations: Sequence[Expectation],
    op: GroupOp,
    n: int,
    settle: float,
) -> list[Outcome | None]:
    if op in ("every", "at most"):
        return await watch_all(clients, expectations)
    tasks = [asyncio.ensure_future(c.wait(e)) for c, e in zip(clients, expectations, strict=True)]
    try:
        pending = set(tasks)
        settle_until = None
        loop = asyncio.get_running_loop()
        while pending:
            wait_for = None if settle_until is None else settle_until - loop.time()
            if wait_for is not None and wait_for <= 0:
                break
            done, pending = await asyncio.wait(
                pending, timeout=wait_for, return_when=asyncio.FIRST_COMPLETED
            )
            met = sum(1 for t in tasks if t.done() and t.result().met)
            if met >= n and settle_until is None:
                if op == "at least":
                    break
                settle_until = loop.time() + settle
            if op == "exactly" and met > n:
                break
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return [t.result() if t.done() and not t.cancelled() else None for t in tasks]


async def quiet_each(
    clients: Sequence[Client], expectations: Sequence[Expectation]
) -> list[Outcome]:
    """Every client's quiet window, all running at once."""
    return await asyncio.gather(*(c.wait(e) for c, e in zip(clients, expectations, strict=True)))


# -- verdicts (pure) ------------------------------------------------------------------------------


def judge_receives(
    subject: str,
    op: GroupOp,
    n: int,
    matchers: Sequence[Matcher],
    timeout: float,
    results: Sequence[tuple[str, Receive, Outcome | None]],
) -> list[Message]:
    """The messages a group receive step claimed; :class:`ExpectationFailed` when too few
    (or, for ``exactly``/``at most``, too many) members received theirs."""
    matcher = matchers[0] if matchers else None
    verdict = group_verdict(subject, op, n, matcher, timeout, results)
    if not verdict.met:
        raise ExpectationFailed(verdict.why or verdict.failure)
    return verdict.messages


def judge_quiet(outcomes: Iterable[Outcome]) -> None:
    """:class:`ExpectationFailed` listing the first members that were not quiet, if any."""
    failures = [o.failure for o in outcomes if not o.met]
    if failures:
        shown = "\n".join(failures[:SHOWN_CLIENTS])
        more = len(failures) - SHOWN_CLIENTS
        raise ExpectationFailed(shown + (f"\n… and {more} more clients" if more > 0 else ""))
