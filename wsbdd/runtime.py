"""One asyncio event loop in a background thread for the whole test run.

behave runs steps synchronously.  If connections lived on a loop that only runs
while a step runs, nothing would read frames or answer keep-alive pings between
steps, and servers with short ping timeouts would drop the clients (close code
1011).  So wsbdd keeps one loop running in a daemon thread from ``before_all``
to ``after_all``; steps hand it coroutines and wait for the result with a
deadline.  All client state lives on that thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

__all__ = ["LoopThread", "on_ws_loop", "current_loop_thread"]

T = TypeVar("T")
P = ParamSpec("P")

_SAFETY_MARGIN = 5.0  # seconds a bridged call may overrun its own internal deadline

_current: LoopThread | None = None


def _current_cpu() -> int | None:
    """The CPU the calling thread runs on now (Linux), else None."""
    try:
        with open("/proc/thread-self/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[36])  # field 39, "processor", counted after "pid (comm)"
    except (OSError, ValueError, IndexError):
        return None


def _new_event_loop() -> asyncio.AbstractEventLoop:
    # uvloop roughly halves the per-message cost; it is an optional extra.
    try:
        import uvloop  # type: ignore[import-not-found]
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class LoopThread:
    """Runs an event loop in a daemon thread and bridges synchronous callers to it."""

    def __init__(self, name: str = "wsbdd-loop", *, same_cpu: bool = True) -> None:
        self.loop = _new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._stopped = False
        self._same_cpu = same_cpu
        self.cpu: int | None = None
        self._caller: tuple[int, set[int]] | None = None

    def _pin(self) -> None:
        # The caller and the loop take turns (one waits while the other works, and
        # the GIL serialises them anyway), so sharing one CPU costs nothing.  It
        # saves a cross-CPU wake-up per hand-off: on virtual machines those take
        # ~100 µs typically and now and then hundreds of milliseconds.
        if not self._same_cpu or not hasattr(os, "sched_setaffinity"):
            return
        allowed = os.sched_getaffinity(0)
        if len(allowed) < 2:
            return
        cpu = _current_cpu()
        if cpu not in allowed:
            cpu = min(allowed)
        self._caller = (threading.get_native_id(), allowed)
        os.sched_setaffinity(0, {cpu})
        self.cpu = cpu

    def _unpin(self) -> None:
        if self._caller is not None:
            native_id, allowed = self._caller
            try:
                os.sched_setaffinity(native_id, allowed)
            except OSError:
                pass  # the calling thread has gone; nothing to restore
            self._caller = None

    def _run(self) -> None:
        if self.cpu is not None:
            os.sched_setaffinity(0, {self.cpu})
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def start(self) -> LoopThread:
        """Start the thread and return once its loop is running."""
        global _current
        self._pin()
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the wsbdd event loop did not start within 10 s")
        _current = self
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stopped

    def in_loop_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the loop and return its result.

        ``timeout`` is a safety net: coroutines are expected to enforce their own
        deadlines (so they can fail with a sentence), and this only guards against
        a bug that would otherwise hang the run.
        """
        if self.in_loop_thread():
            coro.close()
            raise RuntimeError("LoopThread.run() called from the loop thread itself; await instead")
        if not self.running:
            coro.close()
            raise RuntimeError("the wsbdd event loop is not running (was before_all called?)")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        limit = None if timeout is None else timeout + _SAFETY_MARGIN
        try:
            return future.result(limit)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(
                f"a wsbdd operation did not finish within {limit:.1f} s and was cancelled"
            ) from None
        except KeyboardInterrupt:
            future.cancel()
            raise

    def call(self, func: Callable[..., T], *args: Any) -> T:
        """Run a plain function on the loop thread (to read loop-owned state safely)."""

        async def _call() -> T:
            return func(*args)

        return self.run(_call(), timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        """Cancel every remaining task, wait for them, and stop and close the loop.

        Safe to call twice.  Leaves no "Task was destroyed but it is pending" behind.
        """
        global _current
        if self._stopped:
            return
        self._stopped = True
        if self._thread.is_alive():

            async def _drain() -> None:
                me = asyncio.current_task()
                tasks = [t for t in asyncio.all_tasks() if t is not me]
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await self.loop.shutdown_asyncgens()

            try:
                asyncio.run_coroutine_threadsafe(_drain(), self.loop).result(timeout)
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)
                self._thread.join(timeout)
        if not self.loop.is_running():
            self.loop.close()
        self._unpin()
        if _current is self:
            _current = None

    def __enter__(self) -> LoopThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def current_loop_thread() -> LoopThread | None:
    """The loop thread started most recently in this process, if it is still running."""
    return _current


def on_ws_loop(
    timeout: float | None = 30.0,
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Any]]:
    """Turn a user's ``async def`` step into a synchronous step run on wsbdd's loop.

    behave would otherwise run an ``async def`` step on its own loop, where
    wsbdd's connections cannot be awaited ("attached to a different loop")::

        @when('{name} asks the server for the time')
        @on_ws_loop(timeout=5)
        async def step_impl(context, name):
            client = context.wsbdd.client(name)
            await client.send_json({"type": "time"})
    """

    def decorate(func: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        @functools.wraps(func)
        def sync_step(context: Any, *args: Any, **kwargs: Any) -> Any:
            loop_thread = getattr(getattr(context, "wsbdd", None), "loop_thread", None)
            loop_thread = loop_thread or current_loop_thread()
            if loop_thread is None:
                raise RuntimeError(
                    "wsbdd's event loop is not running: add `from wsbdd.environment import *` "
                    "to your environment.py"
                )

            async def _run() -> Any:
                if timeout is None:
                    return await func(context, *args, **kwargs)
                async with asyncio.timeout(timeout):
                    return await func(context, *args, **kwargs)

            try:
                return loop_thread.run(_run(), timeout=timeout)
            except TimeoutError as exc:
                raise AssertionError(f"The step did not finish within {timeout:g} s.") from exc

        return sync_step

    return decorate
