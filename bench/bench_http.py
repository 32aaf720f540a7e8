"""HTTP steps against plain httpx, in the same run, against the same real app.

Run ``python bench/bench_http.py``.  The app is the Starlette chat app the tests
use (``tests/starlette_app.py``), served by uvicorn on 127.0.0.1 port 0.  Two
workloads, each timed for wsbdd and for a plain script on the protocol's own
client libraries, in alternating rounds (ABAB…, so neither side always runs on a
cold or a warm machine):

- **request**: ``GET /api/me`` (a small JSON answer), one at a time:
  ``Session.request`` (what ``When I GET "/api/me"`` calls: cookie jar, masking, the
  transcript record, a :class:`~wsbdd.model.response.Response`) against ``httpx.Client.get``;
- **REST → push**: ``POST /api/rooms/1/announce`` and wait for the push on a
  signed-in WebSocket: ``Session.request`` + ``Session.receive`` against
  ``httpx.Client.post`` + ``websockets.sync`` ``recv()``.

It prints the median µs per operation of each side and their ratio (the median
of the per-round ratios); it asserts nothing, because timings depend on the
machine.  It leaves out behave (these are the library calls the steps make), the
server's own time (the same on both sides), TLS, and concurrent requests.  The
default run (3 rounds of 300 operations) takes under a minute; ``--quick`` runs 2
rounds of 50.

``--json`` prints one JSON document instead of the table: ``{"benchmark":
"http", "rows": [{"measure", "value", "unit", "goal", "met"}], "notes": [...]}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from starlette_app import StarletteServer, build_chat_app  # noqa: E402

from wsbdd.facade.session import Run, Session  # noqa: E402
from wsbdd.io.http import Body  # noqa: E402
from wsbdd.match import where  # noqa: E402
from wsbdd.settings.config import Settings  # noqa: E402

KEY = "k3y-for-bench"
PASSWORD = "pw-for-bench"
ANNOUNCE = {"text": "deploy done"}


def sign_in(http: httpx.Client, base: str) -> None:
    page = http.get(f"{base}/accounts/login/")
    token = page.cookies["csrftoken"]
    form = {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    answer = http.post(f"{base}/accounts/login/", data=form)
    assert answer.status_code == 302, answer.status_code


def plain_side(base: str, ws_base: str) -> tuple[Callable[[], None], Callable[[], None], Any]:
    http = httpx.Client(timeout=10, trust_env=False)
    sign_in(http, base)
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    ws = connect(
        f"{ws_base}/chat/stream/", additional_headers={"Cookie": cookie}, proxy=None, legacy=True
    )
    ws.send('{"command": "join", "room": 1}')
    ws.recv(timeout=10)

    def request() -> None:
        assert http.get(f"{base}/api/me").status_code == 200

    def push() -> None:
        answer = http.post(
            f"{base}/api/rooms/1/announce", json=ANNOUNCE, headers={"X-Api-Key": KEY}
        )
        assert answer.status_code == 202
        ws.recv(timeout=10)

    def close() -> None:
        ws.close()
        http.close()

    return request, push, close


def wsbdd_side(session: Session) -> tuple[Callable[[], None], Callable[[], None]]:
    session.request("Alice", "GET", "/accounts/login/")
    token = session.cookie("Alice", "csrftoken")
    form = {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert (
        session.request("Alice", "POST", "/accounts/login/", body=Body("form", form)).status == 302
    )
    session.connect("Alice", "/chat/stream/")
    session.send("Alice", '{"command": "join", "room": 1}')
    session.receive("Alice", where('$.type is "joined"'))
    pushed = where('$.message is "deploy done"')

    def request() -> None:
        assert session.request("Alice", "GET", "/api/me").status == 200

    def push() -> None:
        body = Body("json", ANNOUNCE)
        answer = session.request(
            "I", "POST", "/api/rooms/1/announce", headers={"X-Api-Key": KEY}, body=body
        )
        assert answer.status == 202
        session.receive("Alice", pushed)

    return request, push


def per_op(operation: Callable[[], None], count: int) -> float:
    """Median µs of ``count`` calls."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        operation()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, help="operations per round (300; --quick: 50)")
    parser.add_argument("--rounds", type=int, help="alternating rounds (3; --quick: 2)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 rounds of 50")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    options = parser.parse_args()
    options.count = options.count or (50 if options.quick else 300)
    options.rounds = options.rounds or (2 if options.quick else 3)
    app = build_chat_app(users={"alice": PASSWORD}, api_key=KEY)
    with StarletteServer(app) as server, Run.start(Settings(url=server.ws_url, timeout=10)) as run:
        results: dict[str, dict[str, list[float]]] = {
            "request": {"plain": [], "wsbdd": []},
            "REST → push": {"plain": [], "wsbdd": []},
        }
        for round_ in range(options.rounds):
            order = ["plain", "wsbdd"] if round_ % 2 == 0 else ["wsbdd", "plain"]
            for side in order:
                if side == "plain":
                    request, push, close = plain_side(server.url, server.ws_url)
                    try:
                        results["request"]["plain"].append(per_op(request, options.count))
                        results["REST → push"]["plain"].append(per_op(push, options.count))
                    finally:
                        close()
                else:
                    with run.session() as session:
                        request, push = wsbdd_side(session)
                        results["request"]["wsbdd"].append(per_op(request, options.count))
                        results["REST → push"]["wsbdd"].append(per_op(push, options.count))
    heading = f"{options.count} operations per round, {options.rounds} rounds"
    rows: list[dict[str, object]] = []
    if not options.json:
        print(f"{heading}; median µs per operation")
        print(f"{'workload':<14}{'plain':>10}{'wsbdd':>10}{'ratio':>8}")
    for workload, sides in results.items():
        plain, mine = statistics.median(sides["plain"]), statistics.median(sides["wsbdd"])
        # Each round timed both sides back to back: its ratio is the fair one.
        ratio = statistics.median(
            m / p for p, m in zip(sides["plain"], sides["wsbdd"], strict=True)
        )
        if not options.json:
            print(f"{workload:<14}{plain:>10.0f}{mine:>10.0f}{ratio:>7.2f}×")
        for measure, value, unit in (
            (f"{workload}: plain script, median", plain, "µs"),
            (f"{workload}: wsbdd, median", mine, "µs"),
            (f"{workload}: wsbdd / plain", ratio, "×"),
        ):
            rows.append(
                {"measure": measure, "value": value, "unit": unit, "goal": None, "met": None}
            )
    if options.json:
        notes = [f"{heading}, alternating which side goes first; ratio: median of per-round ratios"]
        print(json.dumps({"benchmark": "http", "rows": rows, "notes": notes}, indent=2))


if __name__ == "__main__":
    main()
