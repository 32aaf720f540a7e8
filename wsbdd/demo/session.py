"""One connected chat client: its identity, its rooms and its background tasks."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Coroutine
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from .protocol import Frame, encode
from .ratelimit import TokenBucket

__all__ = ["Session"]

logger = logging.getLogger("wsbdd.demo")


class Session:
    """Everything the server knows about one connection to the chat.

    Background work started for the client (delayed replies, subscription
    updates) runs in tasks owned by the session, so it can all be cancelled
    when the client goes away or the server stops.
    """

    def __init__(
        self,
        connection: ServerConnection,
        name: str | None = None,
        bucket: TokenBucket | None = None,
    ) -> None:
        self.connection = connection
        self.client_id = str(uuid.uuid4())
        self.name = name or f"guest-{self.client_id[:6]}"
        self.bucket = bucket
        self.rooms: set[str] = set()
        self.subscriptions: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"<Session {self.name} {self.client_id}>"

    async def send(self, frame: Frame) -> None:
        """Send one frame to this client; raises ``ConnectionClosed`` if it is gone."""
        await self.connection.send(encode(frame))

    def start_task(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run ``work`` in the background on behalf of this client."""
        task = asyncio.create_task(work, name=f"{name} for {self.name}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    async def cancel_tasks(self) -> None:
        """Cancel every background task of this client and wait until they have ended."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        self.subscriptions.clear()

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        # A client that vanished mid-send is normal, not an error.
        if exc is not None and not isinstance(exc, ConnectionClosed):
            logger.error("%s failed", task.get_name(), exc_info=exc)
