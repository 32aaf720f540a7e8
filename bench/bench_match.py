"""Micro-benchmark of the matching layer: µs per call, median of several timeit repeats.

Run ``python bench/bench_match.py``.  Prints the median (and the best run, which
is steadier on a busy machine) with the goal beside it; it asserts nothing,
because timings depend on the machine.
"""

from __future__ import annotations

import json
import statistics
import timeit
from collections.abc import Callable

from jsonpath_ng.ext import parse as jsonpath_parse

from wsbdd.match import compile_path, where
from wsbdd.message import Message

# A 139-byte chat frame, as in notes/perf-limits.md.
CHAT = {
    "type": "chat",
    "room": "lobby",
    "from": "alice",
    "content": "hello everyone, how are ya",
    "sent_at": "2024-05-01T12:00:00Z",
    "seq": 42,
    "a": {"b": [7]},
}
QUIZ = {
    "type": "question",
    "players": [
        {"name": "alice", "score": 7, "online": True},
        {"name": "bob", "score": 12, "online": False},
        {"name": "carol", "score": 3, "online": True},
    ],
}
PLAIN = "$.a.b[0]"
FILTER = "$.players[?(@.score > 10)].name"
REPEATS = 7


def timing(function: Callable[[], object]) -> tuple[float, float]:
    """(median, best) over REPEATS of timeit's autoranged per-call time, in µs."""
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    runs = [run / number * 1e6 for run in timer.repeat(repeat=REPEATS, number=number)]
    return statistics.median(runs), min(runs)


def main() -> None:
    raw = json.dumps(CHAT, separators=(",", ":"))
    chat = Message(1, 0.0, "text", raw)
    quiz = Message(2, 0.0, "text", json.dumps(QUIZ))
    # Parse once, as the inbox does before any matcher looks at a frame.
    assert chat.is_json and quiz.is_json
    doc, quiz_doc = chat.json, quiz.json
    plain_path, filter_path = compile_path(PLAIN), compile_path(FILTER)
    cached_ng, cached_ng_filter = jsonpath_parse(PLAIN), jsonpath_parse(FILTER)
    plain_where = where('$.content starts with "hello"')
    filter_where = where('$.players[?(@.score > 10)].name is "bob"')
    assert plain_where.matches(chat) and filter_where.matches(quiz)

    rows: list[tuple[str, Callable[[], object], str]] = [
        ("raw dict access doc['a']['b'][0] (reference)", lambda: doc["a"]["b"][0], ""),
        (f"compile_path({PLAIN!r}).find(doc), fast path", lambda: plain_path.find(doc), "<= 2"),
        ("compile_path(...) cache hit", lambda: compile_path(PLAIN), ""),
        (f"compile_path({FILTER!r}).find, filter fast path",
         lambda: filter_path.find(quiz_doc), "<= 20"),
        (f"Where(plain).matches(msg), {len(raw)}-byte chat", lambda: plain_where.matches(chat), ""),
        ("Where(filter).matches(msg)", lambda: filter_where.matches(quiz), ""),
        ("jsonpath_ng cached parse, plain find (reference)", lambda: cached_ng.find(doc), ""),
        ("jsonpath_ng cached parse, filter find (reference)",
         lambda: cached_ng_filter.find(quiz_doc), ""),
        ("jsonpath_ng uncached parse+find, plain (reference)",
         lambda: jsonpath_parse(PLAIN).find(doc), ""),
        ("jsonpath_ng uncached parse+find, filter (reference)",
         lambda: jsonpath_parse(FILTER).find(quiz_doc), ""),
    ]  # fmt: skip
    width = max(len(name) for name, _, _ in rows)
    print(f"{'operation':<{width}}  {'median µs':>10}  {'best µs':>9}  goal µs")
    for name, function, goal in rows:
        median, best = timing(function)
        print(f"{name:<{width}}  {median:10.3f}  {best:9.3f}  {goal}")


if __name__ == "__main__":
    main()
