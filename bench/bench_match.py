"""Micro-benchmark of the matching layer: µs per call, median of several timeit repeats.

Run ``python bench/bench_match.py [--quick] [--json]``.  Prints the median (and
the best run, which is steadier on a busy machine) with the goal beside it; it
asserts nothing, because timings depend on the machine.  It measures one call on
an already parsed 139-byte frame, in a tight loop on a warm cache; it leaves out
parsing the frame (the inbox does it once per message), the inbox scan, and any
socket.  About 20 s (``--quick``: 3 repeats instead of 7, about 10 s).

``--json`` prints one JSON document instead of the table: ``{"benchmark":
"match", "rows": [{"measure", "value", "unit", "goal", "met"}], "notes": [...]}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import timeit
from collections.abc import Callable

from jsonpath_ng.ext import parse as jsonpath_parse

from wsbdd.match import compile_path, where
from wsbdd.model.message import Message

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


def timing(function: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """(median, best) over ``repeats`` of timeit's autoranged per-call time, in µs."""
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    runs = [run / number * 1e6 for run in timer.repeat(repeat=repeats, number=number)]
    return statistics.median(runs), min(runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    options = parser.parse_args(argv)
    repeats = 3 if options.quick else REPEATS
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
    if not options.json:
        print(f"{'operation':<{width}}  {'median µs':>10}  {'best µs':>9}  goal µs")
    found: list[dict[str, object]] = []
    best_runs = []
    for name, function, goal in rows:
        median, best = timing(function, repeats)
        if not options.json:
            print(f"{name:<{width}}  {median:10.3f}  {best:9.3f}  {goal}")
        limit = float(goal.removeprefix("<=")) if goal else None
        found.append(
            {
                "measure": name,
                "value": median,
                "unit": "µs",
                "goal": f"≤ {limit:g} µs" if limit is not None else None,
                "met": median <= limit if limit is not None else None,
            }
        )
        best_runs.append(f"{name}: best {best:.3f} µs")
    if options.json:
        notes = [
            f"values are medians of {repeats} timeit repeats (autoranged); the best is steadier "
            "on a busy machine",
            *best_runs,
        ]
        print(json.dumps({"benchmark": "match", "rows": found, "notes": notes}, indent=2))


if __name__ == "__main__":
    main()
