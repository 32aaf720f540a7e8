"""One asyncio event loop in a background thread for the whole test run.

behave runs steps synchronously.  If connections lived on a loop that only runs
while a step runs, nothing would read frames or answer keep-alive pings between
steps, and servers with short ping timeouts would drop the clients (close code
1011).  So wsbdd keeps one loop running in a daemon thread from ``before_all``
to ``after_all``; steps hand it work and wait for the result with a deadline.
All client state lives on that thread: other threads reach the loop only
through ``call_soon_threadsafe``, asyncio's one thread-safe door.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any, Literal, ParamSpec, TypeVar

from wsbdd.errors import ConfigError

__all__ = [
    "LOOP_KINDS",
    "LoopThread",
    "current_loop_thread",
    "new_event_loop",
    "on_ws_loop",
    "start_now",
]

T = TypeVar("T")
P = ParamSpec("P")

LoopKind = Literal["asyncio", "uvloop"]
LOOP_KINDS: tuple[LoopKind, ...] = ("asyncio", "uvloop")
UVLOOP_MISSING = (
    'The setting loop = "uvloop" needs the uvloop package, which is not installed here: '
    'install it (pip install uvloop, or wsbdd[uvloop]) or set loop = "asyncio".'
)

_SAFETY_MARGIN = 5.0  # seconds a bridged call may overrun its own internal deadline
_EAGER = sys.version_info >= (3, 12)  # asyncio.eager_task_factory exists

_current: LoopThread | None = None


def _current_cpu() -> int | None:
    """The CPU the calling thread runs on now (Linux), else None."""
    try:
        with open("/proc/thread-self/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[36])  # field 39, "processor", counted after "pid (comm)"
    except (OSError, ValueError, IndexError):
        return None


def new_event_loop(kind: str = "asyncio") -> asyncio.AbstractEventLoop:
    """A new event loop of the kind the ``loop`` setting names.

    ``"asyncio"`` is asyncio's own selector loop, whatever event loop policy is
    installed; ``"uvloop"`` needs the uvloop package (a ConfigError says so).
    """
    if kind == "asyncio":
        return asyncio.SelectorEventLoop()
    if kind == "uvloop":
        try:
            import uvloop  # type: ignore[import-not-found]
        except ImportError:
            raise ConfigError(UVLOOP_MISSING) from None
        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        return loop
    kinds = " or ".join(f'"{name}"' for name in LOOP_KINDS)
    raise ConfigError(f'The setting loop must be {kinds}, not "{kind}".')


class LoopThread:
    """Runs an event loop in a daemon thread and bridges synchronous callers to it.

    Every call from another thread goes through ``loop.call_soon_threadsafe``:
    the loop thread runs the work as one of its callbacks, and the caller waits
    on a lock that the callback deciding the result releases.

    ``same_cpu``: the loop thread lives on one CPU, and a thread waiting for
    the loop is moved onto that CPU for the wait and given its CPUs back when
    the result is in.  Each hand-over is then a switch on one CPU, not a
    wake-up across CPUs (on virtual machines those take ~100 µs typically, and
    now and then hundreds of milliseconds).  Between waits the caller runs on
    all its CPUs, so the threads and processes a step starts do too; so do the
    threads of the loop's default executor (``asyncio.to_thread``).
    """

    def __init__(
        self, name: str = "wsbdd-loop", *, same_cpu: bool = True, loop: str = "asyncio"
    ) -> None:
        self.loop = new_event_loop(loop)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._stopped = False
        self._same_cpu = same_cpu
        self.cpu: int | None = None
        self._one_cpu: set[int] = set()
        self._all_cpus: set[int] = set()

    def _choose_cpu(self) -> None:
        # The CPU the caller runs on now: the scheduler already spreads new
        # processes over the CPUs, so parallel runs (shards) each keep their own.
        if not self._same_cpu or not hasattr(os, "sched_setaffinity"):
            return
        allowed = os.sched_getaffinity(0)
        if len(allowed) < 2:
            return
        cpu = _current_cpu()
        if cpu not in allowed:
            cpu = min(allowed)
        self.cpu, self._one_cpu, self._all_cpus = cpu, {cpu}, set(allowed)

    def _run(self) -> None:
        if self.cpu is not None:
            os.sched_setaffinity(0, self._one_cpu)
            # Threads inherit their creator's CPUs: the executor's get all of them back.
            self.loop.set_default_executor(
                concurrent.futures.ThreadPoolExecutor(
                    thread_name_prefix="wsbdd-executor",
                    initializer=os.sched_setaffinity,
                    initargs=(0, self._all_cpus),
                )
            )
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def start(self) -> LoopThread:
        """Start the thread and return once its loop is running."""
        global _current
        self._choose_cpu()
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
        # One task, started from a thread-safe callback, that hands its result over
        # as it ends: what asyncio.run_coroutine_threadsafe(...).result() does, with
        # one future fewer.  On Python 3.12+ the task starts at once, in that same
        # callback (an eager task), rather than on the loop's next turn.

        async def settle(deliver: Callable[[Any], None]) -> None:
            try:
                result = await coro
            except asyncio.CancelledError as exc:
                deliver(exc)
                raise  # the task ends cancelled, as cancelled tasks should
            except BaseException as exc:  # handed to the caller, who raises it
                deliver(exc)
            else:
                deliver((result,))  # boxed: a result that is an exception is not raised

        def begin(deliver: Callable[[Any], None]) -> Callable[[], Any]:
            if _EAGER:
                return asyncio.eager_task_factory(self.loop, settle(deliver)).cancel
            return self.loop.create_task(settle(deliver)).cancel

        boxed: tuple[T] = self.run_callback(begin, timeout)
        return boxed[0]

    def run_callback(
        self,
        begin: Callable[[Callable[[Any], None]], Callable[[], None] | None],
        timeout: float | None,
        *,
        quiet_timers: bool = False,
    ) -> Any:
        """Call ``begin(deliver)`` on the loop and wait until it calls ``deliver(result)``.

        For work that callbacks on the loop finish (a frame arriving, a timer),
        without a task: the callback that decides wakes the caller itself.
        ``begin`` runs as a loop callback, on the loop thread, with the loop
        running; it must not block.  It returns a function that abandons the
        work, or None.  A result that is an exception is raised here.
        ``timeout`` is a safety net, as for :meth:`run`: past it (plus a
        margin) the work is abandoned and TimeoutError raised.

        ``quiet_timers`` is accepted and ignored: it was a hint for the
        turn-taking runtime this one replaced.
        """
        del quiet_timers  # kept so that callers written for the old runtime still work
        if self.in_loop_thread():
            raise RuntimeError("LoopThread.run_callback() called from the loop thread itself")
        if not self.running:
            raise RuntimeError("the wsbdd event loop is not running (was before_all called?)")
        finished = threading.Lock()
        finished.acquire()
        box: list[Any] = []
        stops: list[Callable[[], None]] = []

        def deliver(result: Any) -> None:
            if not box:
                box.append(result)
                finished.release()

        def start() -> None:
            try:
                stop = begin(deliver)
            except Exception as exc:  # noqa: BLE001 - handed to the caller, who raises it
                deliver(exc)
                return
            if stop is not None:
                stops.append(stop)

        def abandon() -> None:
            for stop in stops:
                stop()

        limit = -1 if timeout is None else timeout + _SAFETY_MARGIN
        pinned = self.cpu is not None
        if pinned:  # on the loop's CPU from before the loop is woken until the result is in
            os.sched_setaffinity(0, self._one_cpu)
        try:
            self.loop.call_soon_threadsafe(start)
            if not finished.acquire(timeout=limit):
                with contextlib.suppress(RuntimeError):
                    self.loop.call_soon_threadsafe(abandon)
                raise TimeoutError(
                    f"a wsbdd operation did not finish within {limit:.1f} s and was cancelled"
                )
        except KeyboardInterrupt:
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(abandon)
            raise
        finally:
            if pinned:
                os.sched_setaffinity(0, self._all_cpus)
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]

    def call(self, func: Callable[..., T], *args: Any) -> T:
        """Call ``func(*args)`` on the loop thread, as a loop callback, and return its result.

        For loop-owned state and quick work (starting a send): ``func`` runs with
        the loop running, outside any task, and must not block.  Its exception is
        raised here.  No deadline: the loop runs callbacks in the order they came.
        """

        def begin(deliver: Callable[[Any], None]) -> None:
            deliver((func(*args),))  # boxed: a result that is an exception is not raised

        boxed: tuple[T] = self.run_callback(begin, None)
        return boxed[0]

    # The turn-taking runtime's name for :meth:`call`, for callers written for it.
    call_in_turn = call

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
                await self.loop.shutdown_default_executor()

            try:
                asyncio.run_coroutine_threadsafe(_drain(), self.loop).result(timeout)
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)
                self._thread.join(timeout)
        if not self.loop.is_running():
            self.loop.close()
        if _current is self:
            _current = None

    def __enter__(self) -> LoopThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Continue:
    """Awaitable that carries on a coroutine someone already started by hand."""

    __slots__ = ("_coro", "_yielded")

    def __init__(self, coro: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self._coro = coro
        self._yielded = yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, value = self._coro, self._yielded
        while True:
            try:
                sent = yield value  # the future the coroutine waits on, up to the task
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # noqa: BLE001 - cancellation, handed on
                step = functools.partial(coro.throw, exc)
            else:
                step = functools.partial(coro.send, sent)
            try:
                value = step()
            except StopIteration as stop:
                return stop.value


async def _carry_on(coro: Coroutine[Any, Any, T], yielded: Any) -> T:
    return await _Continue(coro, yielded)


def start_now(coro: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
    """Run ``coro`` up to its first wait right now, on the loop thread; a future of its result.

    asyncio would start it on the next turn of the loop.  On Python 3.12+ this is
    asyncio's own eager task (``asyncio.eager_task_factory``).  On 3.11 the
    coroutine runs to its first wait by hand, outside any task, so it must need
    no ``current_task()`` before then.
    """
    loop = asyncio.get_running_loop()
    if _EAGER:
        task: asyncio.Future[T] = asyncio.eager_task_factory(loop, coro)
        return task
    try:
        yielded = coro.send(None)
    except StopIteration as stop:
        done: asyncio.Future[T] = loop.create_future()
        done.set_result(stop.value)
        return done
    except BaseException as exc:
        failed: asyncio.Future[T] = loop.create_future()
        failed.set_exception(exc)
        return failed
    carried = loop.create_task(_carry_on(coro, yielded))
    # Cancelled before its first turn, the task never reaches the coroutine to throw
    # into it; closing it runs its cleanup (a no-op once it has finished).
    carried.add_done_callback(lambda _: coro.close())
    return carried


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
