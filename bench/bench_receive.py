"""Micro-benchmark of the receive path per raw WebSocket frame: what the codec seam costs.

Run ``python bench/bench_receive.py [--quick] [--json]``.

It measures ``Client._take``: what runs on wsbdd's loop thread for each whole
frame websockets has parsed (the codec's ``decode``, then appending the frame to
the inbox; no step waits, so nothing is woken).  Three variants run on the same
``Client`` in alternating batches, on a warm cache, with no socket:

- ``seam``: ``Client._take`` as it is (raw WebSocket codec: ``decode`` returns
  None, the frame goes to the inbox as it stands);
- ``no codec``: the same method with the codec call removed, which is exactly
  ``Client._take`` before the seam (``git show 62c0e13:wsbdd/io/client.py``);
- ``auto_reply``: the seam with one ``auto_reply`` rule that the frame does not
  match (the price of a keep-alive rule on every other frame).

Each batch appends ``--frames`` 120-byte text frames to a fresh inbox and is
timed as a whole; the p50 over batches of µs/frame is reported, and the seam's
cost as ``seam - no codec`` (goal: ≤ 1 µs at p50) and as a ratio.  Timings are
the machine's: the script asserts nothing.  About 5 s (``--quick``: about 2 s).

``--json`` prints one JSON document: ``{"benchmark": "receive", "rows": [{"measure",
"value", "unit", "goal", "met"}], "notes": [...]}``.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable
from types import MethodType
from typing import Literal

from wsbdd.codec import AutoReply, codec_factory
from wsbdd.io.client import Client, ConnectOptions
from wsbdd.model.inbox import Inbox

FRAME = json.dumps(
    {"type": "chat", "room": "lobby", "from": "alice", "content": "hello everyone", "seq": 42}
).ljust(120)


def take_without_codec(self: Client, kind: Literal["text", "binary"], data: str | bytes) -> None:
    """``Client._take`` with the codec call removed (the method before the seam)."""
    now = time.monotonic()
    self.inbox.append(kind, data, now)
    if self._watches or self.listeners:
        self._wake(now)


def batch(client: Client, take: Callable[..., None], frames: int) -> float:
    """µs per frame for ``frames`` calls of ``take`` on a fresh inbox."""
    client.inbox = Inbox()
    frame = FRAME
    started = time.perf_counter_ns()
    for _ in range(frames):
        take("text", frame)
    return (time.perf_counter_ns() - started) / frames / 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer batches")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--frames", type=int, default=2000, help="frames per batch")
    options = parser.parse_args(argv)
    batches = 40 if options.quick else 120

    raw = Client("raw")
    replying = Client(
        "replying", ConnectOptions(codec=codec_factory("websocket", [AutoReply("pong", "ping")]))
    )
    bare = MethodType(take_without_codec, raw)  # called like raw._take: a bound method
    variants: dict[str, Callable[[], float]] = {
        "seam": lambda: batch(raw, raw._take, options.frames),
        "no codec": lambda: batch(raw, bare, options.frames),
        "auto_reply": lambda: batch(replying, replying._take, options.frames),
    }
    timings: dict[str, list[float]] = {name: [] for name in variants}
    gc.disable()  # a collection inside one batch would say more about gc than the seam
    try:
        for warm_up in variants.values():
            warm_up()
        for _ in range(batches):
            for name, run in variants.items():
                timings[name].append(run())
    finally:
        gc.enable()
    p50 = {name: statistics.median(values) for name, values in timings.items()}
    added = p50["seam"] - p50["no codec"]
    rows = [
        ("receive path, seam (raw codec) | p50", p50["seam"], "µs", None),
        ("receive path, codec call removed | p50", p50["no codec"], "µs", None),
        ("receive path, one auto_reply rule | p50", p50["auto_reply"], "µs", None),
        ("added by the seam per frame | p50", added, "µs", 1.0),
        ("seam / no codec | p50", p50["seam"] / p50["no codec"], "×", None),
    ]
    if options.json:
        print(
            json.dumps(
                {
                    "benchmark": "receive",
                    "rows": [
                        {
                            "measure": measure,
                            "value": round(value, 4),
                            "unit": unit,
                            "goal": f"≤ {goal:g} µs" if goal is not None else None,
                            "met": value <= goal if goal is not None else None,
                        }
                        for measure, value, unit, goal in rows
                    ],
                    "notes": [
                        f"{batches} batches of {options.frames} frames per variant, alternated; "
                        "p50 over batches; gc off during batches",
                        "no codec: Client._take before the seam, bound to the same client",
                    ],
                },
                indent=2,
            )
        )
        return
    width = max(len(r[0]) for r in rows)
    for measure, value, unit, goal in rows:
        target = f"  (goal ≤ {goal:g} µs)" if goal is not None else ""
        print(f"{measure:<{width}}  {value:8.3f} {unit}{target}")


if __name__ == "__main__":
    main()
