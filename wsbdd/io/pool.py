"""The named clients of one scenario.

A :class:`ClientPool` creates clients on demand, connects several at once with
a bound on simultaneous handshakes, and closes them all at the end of the
scenario, pass or fail, so the next scenario starts clean.

Crowds and Python's cyclic garbage collector: a crowd of thousands of clients
is tens of thousands of long-lived objects, and while it connects every few
hundred allocations start a collection that, every tenth time or so, walks
the whole heap, crowd included.  At 10,000 clients that was 3.4 s of an 11 s
connect ramp, and half of every group receive.  So, for a crowd (at least
:data:`CROWD` clients at once):

- the collector waits while the crowd connects, receives or closes
  (:func:`collector_paused`; it runs again as soon as the step's work on the
  loop ends, and reference counting frees everything without cycles meanwhile);
- once the crowd has connected, the objects alive then are frozen
  (``gc.freeze()``): later collections skip them.  They are unfrozen when the
  next scenario's pool is made (:func:`thaw_crowds`; behave's ``after_all`` calls
  it too), once the crowd is garbage: unfreezing at the scenario's close made the
  next full collection walk a crowd the scenario still held (its transcript and
  report are built after closing), about a second at 10,000 clients, for nothing.
  A program that froze objects itself before (``gc.get_freeze_count()`` not 0)
  is left as it is: wsbdd then freezes nothing.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from wsbdd.codec import Codec
from wsbdd.io.client import Client, ConnectOptions, close_clients

__all__ = ["ClientPool", "CROWD", "collector_paused", "thaw_crowds"]

CROWD = 500
"""From this many clients at once, connecting, a group receive and closing pause the
garbage collector, and a crowd that connected is frozen (see the module's text)."""


FROZEN_AT_START = gc.get_freeze_count()
"""Objects frozen before wsbdd was imported: Python 3.12 freezes a few hundred of its own at
start-up, so "the program froze objects itself" means more than these."""

_frozen_by_wsbdd = False
"""wsbdd froze a crowd that has not been unfrozen yet (one flag for the process: gc's
permanent generation is the process's)."""


def thaw_crowds() -> None:
    """Unfreeze what wsbdd froze for a crowd (nothing if it froze nothing): the next full
    collection frees the crowds no one holds any more."""
    global _frozen_by_wsbdd
    if _frozen_by_wsbdd:
        gc.unfreeze()
        _frozen_by_wsbdd = False


def _freeze_crowd() -> bool:
    """Freeze what is alive now (a crowd that just connected), unless the program froze
    objects itself; True if frozen."""
    global _frozen_by_wsbdd
    if _frozen_by_wsbdd or gc.get_freeze_count() <= FROZEN_AT_START:
        gc.freeze()
        _frozen_by_wsbdd = True
    return _frozen_by_wsbdd


@contextmanager
def collector_paused(size: int) -> Iterator[None]:
    """Pause the cyclic garbage collector while a crowd of ``size`` clients is worked on.

    Does nothing below :data:`CROWD` clients, or when the collector is already off
    (the caller's choice, or an enclosing pause, which turns it back on itself)."""
    if size < CROWD or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class ClientPool:
    """Clients by name, in the order they were created.  Lives on the loop thread."""

    def __init__(self, options: ConnectOptions | None = None, max_handshakes: int = 200) -> None:
        thaw_crowds()  # an earlier scenario's crowd: garbage by now, or about to be
        self.options = options or ConnectOptions()
        self._clients: dict[str, Client] = {}
        self.everyone: list[Client] = []  # every client created, replaced ones included
        self._handshakes = asyncio.Semaphore(max_handshakes)
        self.froze = False
        """This pool froze a crowd (``gc.freeze()``): see :func:`thaw_crowds`."""

    def __contains__(self, name: object) -> bool:
        return name in self._clients

    def __iter__(self) -> Iterator[Client]:
        return iter(list(self._clients.values()))

    def __len__(self) -> int:
        return len(self._clients)

    @property
    def names(self) -> list[str]:
        return list(self._clients)

    def get(self, name: str) -> Client | None:
        return self._clients.get(name)

    def new(self, name: str, codec: Codec | None = None) -> Client:
        """A fresh client under ``name``; an earlier client of that name is replaced.

        ``codec``: its own codec (a Socket.IO connection with its own auth) instead of one
        from the options' factory."""
        client = Client(name, self.options, codec)
        self._clients[name] = client
        self.everyone.append(client)
        return client

    async def each(
        self,
        names: Iterable[str],
        action: Callable[[str], Awaitable[None]],
        *,
        limit: int | None = None,
        offsets: Sequence[float] | None = None,
    ) -> None:
        """Run ``action`` for every name concurrently, at most ``max_handshakes`` at a time.

        ``limit``: at most that many at a time instead.  ``offsets``: a ramp, the
        i-th name starts ``offsets[i]`` seconds after the first; a name waiting
        for its turn does not hold one of the ``limit`` places.
        """
        gate = self._handshakes if limit is None else asyncio.Semaphore(limit)
        started = time.monotonic()
        names = list(names)

        async def bounded(index: int, name: str) -> None:
            if offsets:
                due = started + offsets[index]
                if due > time.monotonic():
                    await asyncio.sleep(due - time.monotonic())  # the ramp's schedule
            async with gate:
                await action(name)

        with collector_paused(len(names)):
            await asyncio.gather(*(bounded(i, name) for i, name in enumerate(names)))
            if len(names) >= CROWD:
                # Before the collector runs again: what the pause let pile up in the
                # youngest generation (the whole crowd) is not walked even once.
                self.froze = _freeze_crowd() or self.froze

    async def close_all(self) -> None:
        """Close every client, all within one ``close_timeout``; a server that stalls gets
        its connections aborted when it passes."""
        clients = list(self._clients.values())
        with collector_paused(len(clients)):
            await close_clients(clients, self.options.close_timeout)
            await asyncio.gather(*(c.abort() for c in clients if not c.finished))
