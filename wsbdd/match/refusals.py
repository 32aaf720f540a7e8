"""Step words no run accepts, refused at once with one sentence: a count, size, share,
rate or time that would make a step do nothing or check nothing.

The steps ask these before they act, and ``wsbdd check`` asks them before the run, so both
say the same sentence.  Pure: text and numbers in, a number out or a FeatureMistake.
"""

from __future__ import annotations

from wsbdd.match.grammar import seconds
from wsbdd.model.errors import FeatureMistake

__all__ = [
    "messages_to_send",
    "group_size",
    "crowd_size",
    "watch_window",
    "times_to_send",
    "sending_time",
    "share",
    "least_rate",
]

_NOTHING_SENT = "so the steps after it check nothing sent"


def messages_to_send(count: str) -> int:
    """``sends N messages``: at least one."""
    n = int(count)
    if n < 1:
        raise FeatureMistake(
            f"Sending {count} messages sends nothing, {_NOTHING_SENT}; write how many to "
            'send, like "sends 3 messages:".'
        )
    return n


def group_size(count: str, group: str) -> int:
    """``N clients in group "…" are connected``: at least one."""
    if int(count) < 1:
        raise FeatureMistake(
            f'A group of {count} clients checks nothing: every step about "{group}" would pass '
            f'with no one in it; connect at least one, like: Given 3 clients in group "{group}" '
            "are connected."
        )
    return int(count)


def crowd_size(count: int) -> int:
    """A load step's crowd: at least one client, and no more than one process holds."""
    if count < 1:
        raise FeatureMistake('A crowd needs at least one client, e.g. "10 clients in group …".')
    if count > 20_000:
        raise FeatureMistake(
            f"{count:,} clients is more than one wsbdd process can hold (about 20,000 open "
            "files); use fewer clients, or spread the load over several machines."
        )
    return count


def watch_window(op: str, n: str, amount: str | None, unit: str | None) -> float | None:
    """The wait of "exactly/at most N clients receive …": never 0 s, which would watch
    for the clients that must not receive for no time at all."""
    wait = seconds(amount, unit)
    if op != "at least" and wait is not None and wait <= 0:
        raise FeatureMistake(
            f'"{op} {n}" within 0 seconds watches nothing: only a wait shows that no more '
            'clients receive one; write how long to watch, like "within 300 ms".'
        )
    return wait


def times_to_send(count: str) -> int:
    """A load step's "N times": at least once, or the verdicts after it pass on nothing."""
    if int(count) == 0:
        raise FeatureMistake(
            f"Sending 0 times sends nothing, {_NOTHING_SENT}; write how many times each client "
            'sends, like "5 times".'
        )
    return int(count)


def sending_time(duration: str, length: float) -> float:
    """A load step's "for <duration>" (``length`` seconds): more than no time."""
    if length <= 0:
        raise FeatureMistake(
            f'Sending "for {duration}" sends nothing, {_NOTHING_SENT}; write how long to '
            'send, like "for 10 seconds".'
        )
    return length


def share(percent: str) -> float:
    """The share a verdict demands: above 0 (0% holds with nothing) and at most 100%."""
    value = float(percent)
    if value > 100:
        raise FeatureMistake(
            f'"at least {percent}%" asks for more than all of them, so it never holds; write a '
            'share up to 100%, like "at least 99%".'
        )
    if value == 0:
        raise FeatureMistake(
            '"at least 0%" holds even when nothing succeeds, so it checks nothing; write the '
            'share that must, like "at least 99%".'
        )
    return value


def least_rate(what: str, bound: str) -> float:
    """The rate a throughput verdict demands: above 0, or it holds with nothing."""
    rate = float(bound.replace(",", ""))
    if rate <= 0:
        raise FeatureMistake(
            f'"the {what} is at least {bound} messages per second" holds even when nothing '
            'arrives, so it checks nothing; write the rate that must be reached, like "at '
            'least 100 messages per second".'
        )
    return rate
