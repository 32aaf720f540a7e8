"""One asyncio event loop in a background thread for the whole test run.

behave runs steps synchronously.  If connections lived on a loop that only runs
while a step runs, nothing would read frames or answer keep-alive pings between
steps, and servers with short ping timeouts would drop the clients (close code
1011).  So wsbdd keeps one loop running in a daemon thread from ``before_all``
to ``after_all``; steps hand it coroutines and wait for the result with a
deadline.  Client state belongs to that thread: other threads reach it through
``call_soon_threadsafe``, or by taking the loop's turn (:meth:`LoopThread.call_in_turn`),
while the loop thread waits for I/O and runs nothing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import os
import selectors
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterator
from typing import Any, Literal, ParamSpec, TypeVar

from wsbdd.model.errors import ConfigError

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

TURNS_OFF = ("0", "false", "no", "off")
"""Values of ``WSBDD_TURNS`` that put every loop thread on the plain road."""


def _current_cpu() -> int | None:
    """The CPU the calling thread runs on now (Linux), else None."""
    try:
        with open("/proc/thread-self/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[36])  # field 39, "processor", counted after "pid (comm)"
    except (OSError, ValueError, IndexError):
        return None


class _TurnTakingSelector(selectors.DefaultSelector):
    """The selector of a loop whose thread holds ``turn`` except while it waits for I/O."""

    def __init__(self, turn: threading.Lock) -> None:
        super().__init__()
        self._turn = turn

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        self._turn.release()
        try:
            return super().select(timeout)
        finally:
            self._turn.acquire()


class _TurnTakingLoop(asyncio.SelectorEventLoop):
    """An event loop that other threads may run callbacks for while it waits for I/O.

    Its thread holds ``turn`` whenever it runs anything and lets go only inside the
    selector's wait.  Another thread holding ``turn`` may therefore call loop-owned
    code itself (:meth:`LoopThread.call_in_turn`): nothing else runs it meanwhile.
    """

    def __init__(self, turn: threading.Lock) -> None:
        super().__init__(_TurnTakingSelector(turn))
        # What turn-taking relies on, beyond asyncio's public API; a Python without
        # it gets the slower road (the loop's own thread runs the calls).
        self.can_take_turns = all(
            hasattr(self, name) for name in ("_ready", "_scheduled", "_write_to_self")
        ) and all(hasattr(asyncio, name) for name in ("_get_running_loop", "_set_running_loop"))

    def scheduled(self) -> tuple[int, int]:
        """How many callbacks and timers wait; a change means the loop must look again."""
        return len(self._ready), len(self._scheduled)  # type: ignore[attr-defined]  # see above

    def first_timer(self) -> float | None:
        """When the first timer is due (loop time), if there is one."""
        timers = self._scheduled  # type: ignore[attr-defined]  # asyncio's own; see above
        return timers[0].when() if timers else None

    def look_again(self) -> None:
        """Wake the loop from its wait, to see callbacks or timers added by another thread."""
        self._write_to_self()  # type: ignore[attr-defined]  # asyncio's own; see above


def new_event_loop(
    kind: str = "asyncio", turn: threading.Lock | None = None
) -> asyncio.AbstractEventLoop:
    """A new event loop of the kind the ``loop`` setting names.

    ``"asyncio"`` is asyncio's own selector loop, whatever event loop policy is
    installed; given ``turn``, one that takes turns with other threads.
    ``"uvloop"`` needs the uvloop package (a ConfigError says so).  uvloop has
    no Python selector to take turns with: with it, the loop's own thread runs
    what steps ask of it (see :meth:`LoopThread.call_in_turn`).
    """
    if kind == "asyncio":
        return asyncio.SelectorEventLoop() if turn is None else _TurnTakingLoop(turn)
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

    ``same_cpu``: the loop thread stays on one CPU (see :meth:`_choose_cpu`).
    ``loop``: ``"asyncio"`` or ``"uvloop"`` (the ``loop`` setting).
    """

    def __init__(
        self,
        name: str = "wsbdd-loop",
        *,
        same_cpu: bool = True,
        loop: str = "asyncio",
        turns: bool | None = None,
    ) -> None:
        """``turns`` False: the loop never takes turns, and every call goes through
        ``call_soon_threadsafe`` (the plain road).  None: turns, unless the environment
        variable ``WSBDD_TURNS`` is ``0`` (how bench/bench_runtime.py runs behave on
        the plain road; a way to rule turn-taking out when a run misbehaves)."""
        if turns is None:
            turns = os.environ.get("WSBDD_TURNS", "1").strip().lower() not in TURNS_OFF
        self._turn = threading.Lock()
        self.loop = new_event_loop(loop, self._turn if turns else None)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._stopped = False
        self._same_cpu = same_cpu
        self.cpu: int | None = None
        self._all_cpus: set[int] = set()
        self._on_loop_cpu: set[int] = set()

    def _choose_cpu(self) -> None:
        # The loop thread lives on one CPU: a wake-up between it and behave's thread
        # (each hand-over) then stays on one CPU far more often than not, where a
        # wake-up across CPUs takes ~100 µs typically on virtual machines, now and
        # then hundreds of milliseconds.  behave's thread is not pinned: the threads
        # and processes a step starts inherit its CPUs, and get them all.  The CPU is
        # the one the caller runs on now: the scheduler already spreads new processes
        # over the CPUs, so parallel runs (shards) each keep their own.
        if not self._same_cpu or not hasattr(os, "sched_setaffinity"):
            return
        allowed = os.sched_getaffinity(0)
        if len(allowed) < 2:
            return
        cpu = _current_cpu()
        if cpu not in allowed:
            cpu = min(allowed)
        self.cpu, self._all_cpus = cpu, set(allowed)
        self._on_loop_cpu = {cpu}

    def _run(self) -> None:
        if self.cpu is not None:
            os.sched_setaffinity(0, {self.cpu})
            # Threads inherit their creator's CPUs: the executor's (asyncio.to_thread,
            # run_in_executor) get them all back.
            self.loop.set_default_executor(
                concurrent.futures.ThreadPoolExecutor(
                    thread_name_prefix="wsbdd-executor",
                    initializer=os.sched_setaffinity,
                    initargs=(0, self._all_cpus),
                )
            )
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        with self._turn:  # let go of only while the loop waits for I/O
            self.loop.run_forever()

    @contextlib.contextmanager
    def every_cpu(self) -> Iterator[None]:
        """On the loop thread: run the block with every CPU, then go back to the loop's one.

        A user's ``async`` step runs on this thread, and a process it starts
        (``asyncio.create_subprocess_exec``) inherits this thread's CPUs: for the
        length of such a step the thread has them all, so nothing a step starts is
        confined to one CPU.  Two system calls per ``async`` step; built-in steps
        never pay them.
        """
        if self.cpu is None:
            yield
            return
        os.sched_setaffinity(0, self._all_cpus)
        try:
            yield
        finally:
            os.sched_setaffinity(0, {self.cpu})

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
            raise RuntimeError(
                "LoopThread.run() was called from the loop's own thread: "
                "await the coroutine instead."
            )
        if not self.running:
            coro.close()
            raise RuntimeError(
                "wsbdd's event loop is not running: its run was closed, or before_all never ran."
            )
        # One task, started from a thread-safe callback, that hands its result over
        # as it ends: what asyncio.run_coroutine_threadsafe(...).result() does, with
        # two loop turns and one future fewer (about 10 µs a call; every step makes one).

        eager = _EAGER and not self._takes_turns()

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
            if eager:  # on the loop thread: the task starts in this callback (Python 3.12+)
                return asyncio.eager_task_factory(  # type: ignore[attr-defined]  # 3.12+
                    self.loop, settle(deliver)
                ).cancel
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
        ``begin`` returns a function that abandons the work, or None.  A result
        that is an exception is raised here.  ``timeout`` is a safety net, as
        for :meth:`run`.

        ``quiet_timers``: the loop is not woken to learn of timers ``begin`` sets
        (a wait's deadline).  Nearly always a frame decides first, and waking the
        loop as the server answers delays the answer.  If nothing has been
        delivered when the first timer is due, the caller wakes the loop then;
        from there on the loop keeps its own time.
        """
        if self.in_loop_thread():
            raise RuntimeError(
                "LoopThread.run_callback() was called from the loop's own thread: "
                "call it from another."
            )
        if not self.running:
            raise RuntimeError(
                "wsbdd's event loop is not running: its run was closed, or before_all never ran."
            )
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

        # The caller joins the loop's CPU while it hands work over and waits, so the
        # hand-over is a switch on one CPU (a wake-up across CPUs costs ~100 µs on
        # virtual machines); it gets its own CPUs back before it returns, so nothing a
        # step starts inherits the one CPU.  Three system calls, about 5 µs; measured
        # side by side, a 200-exchange scenario ran 0.83× the time it took without.
        mine = os.sched_getaffinity(0) if self.cpu is not None else self._on_loop_cpu
        if mine != self._on_loop_cpu:
            os.sched_setaffinity(0, self._on_loop_cpu)
        try:
            return self._hand_over(start, abandon, finished, box, timeout, quiet_timers)
        finally:
            if mine != self._on_loop_cpu:
                os.sched_setaffinity(0, mine)

    def _hand_over(
        self,
        start: Callable[[], None],
        abandon: Callable[[], None],
        finished: threading.Lock,
        box: list[Any],
        timeout: float | None,
        quiet_timers: bool,
    ) -> Any:
        started = time.monotonic()
        wake_at = None  # when the loop must look at timers it was not told of
        if not self._takes_turns():
            self.loop.call_soon_threadsafe(start)
        else:
            _, wake_at = self._call_in_turn(start, (), wake_for_timers=not quiet_timers)
        limit = -1 if timeout is None else timeout + _SAFETY_MARGIN
        try:
            done = False
            if wake_at is not None:
                done = finished.acquire(timeout=max(0.0, wake_at - time.monotonic()))
                if not done:
                    if isinstance(self.loop, _TurnTakingLoop):  # always, when wake_at is set
                        self.loop.look_again()  # time for its timers
                    if timeout is not None:
                        limit = max(0.0, limit - (time.monotonic() - started))
            if not done and not finished.acquire(timeout=limit):
                with contextlib.suppress(RuntimeError):
                    self.loop.call_soon_threadsafe(abandon)
                raise TimeoutError(
                    f"A wsbdd operation did not finish within {limit:.1f} s and was cancelled."
                )
        except KeyboardInterrupt:
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(abandon)
            raise
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]

    def _takes_turns(self) -> bool:
        loop = self.loop
        return isinstance(loop, _TurnTakingLoop) and loop.can_take_turns and not loop.get_debug()

    def call_in_turn(self, func: Callable[..., T], *args: Any) -> T:
        """Call ``func(*args)`` for the loop and return its result (or raise its exception).

        The caller waits for the loop to finish what it is doing and reach its wait
        for I/O (nearly always it is there already), then runs ``func`` itself as
        if it were a callback on the loop, with the loop as the running loop (a
        loop the caller itself runs is the running loop again afterwards).
        Nothing on the loop runs meanwhile.  That spares waking the loop thread
        and switching threads twice: a send step writes its frame at once.  The
        loop is woken afterwards only if ``func`` gave it something to do (a
        callback, a task, a timer).

        ``func`` must not wait for the loop (it would wait for itself) and runs
        outside any task (``asyncio.current_task()`` is None).  A loop that cannot
        take turns (uvloop, or asyncio's debug mode, which rightly refuses calls
        from other threads) runs ``func`` on its own thread while the caller waits.
        """
        if not self._takes_turns():
            boxed: tuple[T] = self.run_callback(lambda deliver: deliver((func(*args),)), None)
            return boxed[0]
        return self._call_in_turn(func, args, wake_for_timers=True)[0]

    def _call_in_turn(
        self, func: Callable[..., T], args: tuple[Any, ...], *, wake_for_timers: bool
    ) -> tuple[T, float | None]:
        """:meth:`call_in_turn`; with ``wake_for_timers`` False, the loop is not woken
        for new timers alone, and the second value is when the first timer is due
        (loop time), for the caller to wake the loop then.  Else it is None."""
        loop = self.loop
        assert isinstance(loop, _TurnTakingLoop)
        with self._turn:
            if not self.running or not loop.is_running():
                raise RuntimeError(
                    "wsbdd's event loop is not running: "
                    "its run was closed, or before_all never ran."
                )
            ready, timers = loop.scheduled()
            # The caller's own running loop, if it is inside one, is put back after.
            previous = asyncio._get_running_loop()
            asyncio._set_running_loop(loop)
            try:
                result = func(*args)
            finally:
                asyncio._set_running_loop(previous)
                ready_now, timers_now = loop.scheduled()
                quiet = ready_now == ready and not wake_for_timers
                if ready_now != ready or (timers_now != timers and not quiet):
                    loop.look_again()
            return result, loop.first_timer() if quiet and timers_now != timers else None

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
        eager: asyncio.Future[T] = asyncio.eager_task_factory(loop, coro)  # type: ignore[attr-defined]
        return eager
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
    task = loop.create_task(_carry_on(coro, yielded))
    # Cancelled before its first turn, the task never reaches the coroutine to throw
    # into it; closing it runs its cleanup (a no-op once it has finished).
    task.add_done_callback(lambda _: coro.close())
    return task


def current_loop_thread() -> LoopThread | None:
    """The loop thread started most recently in this process, if it is still running."""
    return _current


def on_ws_loop(
    timeout: float | None = 30.0,
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Any]]:
    """Turn a user's ``async def`` step into a synchronous step run on wsbdd's loop.

    behave would otherwise run an ``async def`` step on its own loop, where
    wsbdd's connections cannot be awaited ("attached to a different loop").
    A step of your own (shown, not run: it needs behave's context; the README's
    example of the same kind runs in tests/test_behave_runs.py)::

        @when("{name} asks the server for the time")
        @on_ws_loop(timeout=5)
        async def step_impl(context, name):
            client = context.wsbdd.client(name)
            await client.send('{"type": "time"}')
    """

    def decorate(func: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        @functools.wraps(func)
        def sync_step(context: Any, *args: Any, **kwargs: Any) -> Any:
            loop_thread = getattr(getattr(context, "wsbdd", None), "loop_thread", None)
            loop_thread = loop_thread or current_loop_thread()
            if loop_thread is None:
                raise RuntimeError(
                    "wsbdd's event loop is not running: add `from wsbdd.environment import *` "
                    "to your environment.py."
                )

            async def _run() -> Any:
                with loop_thread.every_cpu():  # what the step starts gets every CPU
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
