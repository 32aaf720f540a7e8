"""The named clients of one scenario.

A :class:`ClientPool` creates clients on demand, connects several at once with
a bound on simultaneous handshakes, and closes them all at the end of the
scenario, pass or fail, so the next scenario starts clean.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence

from wsbdd.io.client import Client, ConnectOptions, close_clients

__all__ = ["ClientPool"]


class ClientPool:
    """Clients by name, in the order they were created.  Lives on the loop thread."""

    def __init__(self, options: ConnectOptions | None = None, max_handshakes: int = 200) -> None:
        self.options = options or ConnectOptions()
        self._clients: dict[str, Client] = {}
        self.everyone: list[Client] = []  # every client created, replaced ones included
        self._handshakes = asyncio.Semaphore(max_handshakes)

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

    def new(self, name: str) -> Client:
        """A fresh client under ``name``; an earlier client of that name is replaced."""
        client = Client(name, self.options)
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

        async def bounded(index: int, name: str) -> None:
            if offsets:
                due = started + offsets[index]
                if due > time.monotonic():
                    await asyncio.sleep(due - time.monotonic())  # the ramp's schedule
            async with gate:
                await action(name)

        await asyncio.gather(*(bounded(i, name) for i, name in enumerate(names)))

    async def close_all(self) -> None:
        """Close every client, all within one ``close_timeout``; a server that stalls gets
        its connections aborted when it passes."""
        clients = list(self._clients.values())
        await close_clients(clients, self.options.close_timeout)
        await asyncio.gather(*(c.abort() for c in clients if not c.finished))
