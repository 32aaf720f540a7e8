"""Micro-benchmark of the matching layer: µs per call, median of several repeats.

Run ``python bench/bench_match.py``.  Prints numbers and the goals beside them;
it asserts nothing, because timings depend on the machine.
"""

from __future__ import annotations

import json
import statistics
import timeit
from collections.abc import Callable

from jsonpath_ng.ext import parse as jsonpath_parse

from wsbdd.match import compile_path, parse_condition, where
from wsbdd.message import Message

CHAT = {
    "type": "chat",
    "room": "lobby",
    "from": "alice",
    "content": "hello everyone",
    "sent_at": "2024-05-01T12:00:00Z",
    "seq": 42,
}
QUIZ = {
    "type": "question",
    "a": {"b": [{"c": 1}, {"c": 2}]},
    "players": [
        {"name": "alice", "score": 7, "online": True},
        {"name": "bob", "score": 12, "online": False},
        {"name": "carol", "score": 3, "online": True},
    ],
}
PLAIN = "$.a.b[0]"
FILTER = "$.players[?(@.score > 10)].name"
REPEATS = 7


def per_call_us(function: Callable[[], object]) -> float:
    """Median over REPEATS of timeit's autoranged per-call time, in µs."""
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    runs = timer.repeat(repeat=REPEATS, number=number)
    return statistics.median(runs) / number * 1e6


def main() -> None:
    raw = json.dumps(CHAT, separators=(",", ":"))
    message = Message(1, 0.0, "text", raw)
    assert message.is_json  # parse once, as the inbox does before matching
    plain_path = compile_path(PLAIN)
    filter_path = compile_path(FILTER)
    plain_where = where('$.content starts with "hello"')
    filter_where = where('$.players[?(@.score > 10)].name is "bob"')
    quiz_message = Message(2, 0.0, "text", json.dumps(QUIZ))
    assert quiz_message.is_json
    condition = parse_condition('$.type is "chat"')
    assert plain_where.matches(message) and filter_where.matches(quiz_message)

    rows: list[tuple[str, Callable[[], object], str]] = [
        ("reference: raw dict access doc['a']['b'][0]", lambda: QUIZ["a"]["b"][0], ""),
        (f"compile_path({PLAIN!r}).find(doc) (fast path)", lambda: plain_path.find(QUIZ), "<= 2"),
        ("compile_path(...) cache hit", lambda: compile_path(PLAIN), ""),
        (f"compile_path({FILTER!r}).find(doc)", lambda: filter_path.find(QUIZ), "<= 20"),
        ("Condition.test, one plain condition", lambda: condition.test(CHAT), ""),
        (
            f"Where(plain).matches(msg), {len(raw)}-byte chat",
            lambda: plain_where.matches(message),
            "<= 2",
        ),
        ("Where(filter).matches(msg)", lambda: filter_where.matches(quiz_message), "<= 20"),
        (
            "reference: uncached jsonpath_ng.ext.parse(plain).find",
            lambda: jsonpath_parse(PLAIN).find(QUIZ),
            "",
        ),
        (
            "reference: uncached jsonpath_ng.ext.parse(filter).find",
            lambda: jsonpath_parse(FILTER).find(QUIZ),
            "",
        ),
    ]
    width = max(len(name) for name, _, _ in rows)
    print(f"{'operation':<{width}}  {'µs/call':>9}  goal (µs)")
    for name, function, goal in rows:
        print(f"{name:<{width}}  {per_call_us(function):9.3f}  {goal}")


if __name__ == "__main__":
    main()
