"""Probe: can a wsbdd client run on an asyncio loop in a real OS thread of a gevent process?

The question behind docs/locust.md, "Why a companion process".  A Locust process is
monkey-patched by gevent on import; this probe patches the same way, then starts a
real OS thread with gevent's original ``_thread.start_new_thread``, runs an asyncio
loop there with one :class:`wsbdd.io.client.Client` doing N echo round trips against
a server, and hands the result back to the gevent hub through a
``hub.loop.async_()`` watcher (the one gevent object that is safe to poke from
another thread), while a greenlet keeps ticking to show the hub was never blocked.
``plain`` runs the same without gevent, for comparison.

    .venv/bin/python -m wsbdd.demo --port 0 --no-rate-limit &    # prints its URL
    .venv/bin/python bench/probe_gevent_bridge.py plain ws://127.0.0.1:PORT
    .venv/bin/python bench/probe_gevent_bridge.py patch ws://127.0.0.1:PORT

Measured here (2 cores, shared): both work, about 400-500 round trips/s each with
this naive wait; in the patched process the asyncio loop's selector is gevent's
(``gevent.selectors``: a hub of the thread's own), and the main hub ticked ~550
times meanwhile.  So a bare client bridges; what wsbdd load needs is the whole step
stack, and that is where the companion process wins (see the docs).
"""

from __future__ import annotations

import sys
import time

PATCH = len(sys.argv) > 1 and sys.argv[1] == "patch"
if PATCH:
    from gevent import monkey

    monkey.patch_all()
    start_thread = monkey.get_original("_thread", "start_new_thread")
    import gevent
    import gevent.event

    hub = gevent.get_hub()
    watcher = hub.loop.async_()
else:
    import _thread

    start_thread = _thread.start_new_thread

import asyncio  # noqa: E402
import collections  # noqa: E402
import json  # noqa: E402
import threading  # noqa: E402

from wsbdd.io.client import Client  # noqa: E402

ROUND_TRIPS = 3000
results: collections.deque[tuple[float, str]] = collections.deque()
done = threading.Semaphore(0)


def body(url: str) -> None:
    async def go() -> None:
        client = Client("probe")
        arrived = asyncio.Event()

        class Arrivals:  # the client's listener hook: told of every frame as it lands
            @staticmethod
            def note(_client: Client) -> None:
                arrived.set()

        client.listen(Arrivals())
        await client.connect(url)
        started = time.monotonic()
        for i in range(ROUND_TRIPS):
            await client.send(json.dumps({"type": "echo", "content": str(i)}))
            while len(client.inbox) < i + 2:  # the welcome, then one echo per send
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), 5)
        selector = type(asyncio.get_running_loop()._selector).__module__  # type: ignore[attr-defined]
        results.append((ROUND_TRIPS / (time.monotonic() - started), selector))
        await client.close()

    asyncio.run(go())
    if PATCH:
        watcher.send()
    else:
        done.release()


def main() -> int:
    url = sys.argv[2]
    if PATCH:
        finished = gevent.event.Event()
        watcher.start(finished.set)
        start_thread(body, (url,))
        ticks = 0

        def ticker() -> None:
            nonlocal ticks
            while not finished.is_set():
                ticks += 1
                gevent.sleep(0.01)

        gevent.spawn(ticker)
        finished.wait(60)
        print(f"patched, real OS thread: {list(results)}; hub ticks meanwhile: {ticks}")
    else:
        start_thread(body, (url,))
        done.acquire(timeout=60)
        print(f"plain: {list(results)}")
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main())
