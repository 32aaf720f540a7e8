"""One asyncio event loop for the whole test run, and its thread.

behave runs steps synchronously.  If connections lived on a loop that only runs
while a step runs, nothing would read frames or answer keep-alive pings between
steps, and servers with short ping timeouts would drop the clients (close code
1011).  So wsbdd keeps one loop from ``before_all`` to ``after_all``, with a daemon
thread of its own.  Client state belongs to the loop: whoever holds the loop's
turn may touch it.  A step takes the turn on its own thread to run loop code
(:meth:`LoopThread.call_in_turn`), and a step that waits runs the loop itself until
its answer comes (:meth:`LoopThread.run_callback`); the loop's thread runs the loop
whenever no step has for a moment (between scenarios, during a long step of the
user's own).  A loop that cannot take turns (uvloop) is run by its thread alone,
and steps reach it through ``call_soon_threadsafe``.
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

_CATCH_UP = 4  # turns of the loop a call in turn runs for the callbacks it left ready
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


_REST = 0.01
"""Seconds the loop's own thread leaves the loop alone after a caller has run it: steps
follow one another far faster, so between them the loop's thread sleeps on."""


class _Seats:
    """Who runs a turn-taking loop now: a caller that holds the turn, or the loop's thread.

    ``arrived`` and ``waiting`` are lists used as counters (``append`` and ``pop`` are
    atomic): callers that hold or want the turn, and callers waiting for the loop's thread
    to run the loop for them (see :meth:`LoopThread._hand_over`).
    """

    __slots__ = ("arrived", "waiting", "left_at", "driver", "deadline", "needed", "looks")

    def __init__(self) -> None:
        self.arrived: list[int] = []
        self.waiting: list[int] = []
        self.left_at = float("-inf")
        self.driver: int | None = None
        """The thread id of the caller running the loop while it waits, if one is."""
        self.deadline: float | None = None
        """When that caller stops waiting (its safety net; monotonic time)."""
        self.needed = threading.Event()
        """Set when a caller waits for the loop's thread to run the loop for it."""
        self.looks = 0
        """How many times the resting loop thread has woken to look (a test counts them)."""

    def loop_thread_may_run(self) -> bool:
        """Whether the loop's own thread may run the loop: no caller holds or wants the
        turn, and either one waits for it to run the loop or none has for a while."""
        if self.arrived:
            return False
        return bool(self.waiting) or time.monotonic() - self.left_at >= _REST

    def rest(self, turn: threading.Lock, takes_turns: Callable[[], bool]) -> None:
        """On the loop's thread, without the turn: sleep until it may run the loop (or the
        loop stops taking turns), then take the turn.  It looks every ``_REST`` seconds or
        sooner, and when :attr:`needed` is set: callers never signal as they leave (steps
        come and go faster than it looks, so a signal would wake it at every step: tried,
        it cost three thread switches an exchange)."""
        while True:
            if (self.loop_thread_may_run() or not takes_turns()) and turn.acquire(False):
                if not self.arrived:
                    return
                turn.release()  # a caller came in between
            if self.waiting:
                pause = 0.001  # a caller waits for this thread: look again soon
            elif self.arrived:
                pause = _REST
            else:
                pause = max(0.001, _REST - (time.monotonic() - self.left_at))
            self.needed.wait(pause)
            self.needed.clear()
            self.looks += 1


class _TurnTakingSelector(selectors.DefaultSelector):
    """The selector of a loop whose turn (``turn``) callers take to run it themselves.

    A caller that holds the turn and waits runs the loop on its own thread and waits for
    I/O here itself.  The loop's own thread waits for I/O here only while no caller has
    run the loop for ``_REST`` seconds; else it gives the turn up and rests, so that the
    callers find the loop free and never share a wait for I/O with it.
    """

    def __init__(self, turn: threading.Lock, seats: _Seats, loop: _TurnTakingLoop) -> None:
        super().__init__()
        self._turn = turn
        self._seats = seats
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        seats = self._seats
        if seats.driver is not None and seats.driver == threading.get_ident():
            # A caller running the loop while it waits: it holds the turn.
            if len(seats.arrived) > 1:
                timeout = 0  # another caller wants the turn: come back to let it in
            elif seats.deadline is not None:
                left = max(0.0, seats.deadline - time.monotonic())
                timeout = left if timeout is None else min(timeout, left)
            return super().select(timeout)
        # The loop's own thread, holding the turn.
        loop = self._loop
        if loop.takes_turns and not seats.loop_thread_may_run():
            self._turn.release()
            seats.rest(self._turn, lambda: loop.takes_turns)
            return []  # look at the callbacks and timers the callers left first
        # A caller that wants the turn wakes this wait (LoopThread._arrive).
        return super().select(timeout)


class _TurnTakingLoop(asyncio.SelectorEventLoop):
    """An event loop that whoever holds its turn (``turn``) runs: its own thread, or a
    caller that runs loop code itself (:meth:`LoopThread.call_in_turn`) or runs the loop
    while it waits (:meth:`LoopThread.run_callback`).  Nothing else runs it meanwhile;
    :class:`_TurnTakingSelector` has the loop's thread give the turn up to callers.
    """

    def __init__(self, turn: threading.Lock) -> None:
        self.seats = _Seats()
        self._can_take_turns = False
        super().__init__(_TurnTakingSelector(turn, self.seats, self))
        # What turn-taking relies on, beyond asyncio's public API; a Python without
        # it gets the slower road (the loop's own thread runs the calls).
        self.can_take_turns = all(
            hasattr(self, name) for name in ("_ready", "_scheduled", "_write_to_self", "_run_once")
        ) and all(hasattr(asyncio, name) for name in ("_get_running_loop", "_set_running_loop"))

    @property
    def can_take_turns(self) -> bool:
        """Whether callers may run this loop themselves (switched off, every call takes the
        plain road and the loop's own thread never rests)."""
        return self._can_take_turns

    @can_take_turns.setter
    def can_take_turns(self, able: bool) -> None:
        self._can_take_turns = able
        self.seats.needed.set()  # a resting loop thread looks again at once

    @property
    def takes_turns(self) -> bool:
        """Whether callers run this loop themselves now: it can, and asyncio's debug mode
        (which refuses calls from other threads) is off."""
        return self._can_take_turns and not self.get_debug()

    def run_once(self) -> None:
        """One turn of the loop: wait for I/O (or a timer), then run what is due."""
        self._run_once()  # type: ignore[attr-defined]  # asyncio's own; see above

    def set_debug(self, enabled: bool) -> None:
        super().set_debug(enabled)  # (asyncio's __init__ calls it too: seats is made before)
        self.seats.needed.set()  # a resting loop thread looks again at once

    def has_ready(self) -> bool:
        """Whether callbacks are ready to run."""
        return bool(self._ready)  # type: ignore[attr-defined]  # asyncio's own; see above

    def look_again(self) -> None:
        """Wake the loop from its wait for I/O (asyncio's self-pipe), so that whoever runs it
        looks again: a caller that wants the turn from the loop's thread sends this."""
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
        A caller that runs the loop itself while it waits (see :meth:`run_callback`)
        runs such a step on its own thread, with its own CPUs: nothing changes then.
        """
        if self.cpu is None or threading.current_thread() is not self._thread:
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
        """Whether the calling thread runs the loop now: the loop's own thread, or a caller
        running it while it waits (a callback of the loop runs on either)."""
        if threading.current_thread() is self._thread:
            return True
        seats = self._seats()
        return seats is not None and seats.driver == threading.get_ident()

    def _seats(self) -> _Seats | None:
        loop = self.loop
        return loop.seats if isinstance(loop, _TurnTakingLoop) else None

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

        eager = _EAGER

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
            if eager:  # the task starts in this callback, on the loop (Python 3.12+)
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
    ) -> Any:
        """Call ``begin(deliver)`` on the loop and wait until it calls ``deliver(result)``.

        For work that callbacks on the loop finish (a frame arriving, a timer),
        without a task: the callback that decides wakes the caller itself.
        ``begin`` returns a function that abandons the work, or None.  A result
        that is an exception is raised here.  ``timeout`` is a safety net, as
        for :meth:`run`.

        On a loop that takes turns the caller runs the loop itself until then (see
        :meth:`_drive`); else the loop's own thread does, and wakes the caller.
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
        work = _Work(begin)
        if self._takes_turns():  # the caller runs the loop itself: nothing is handed over
            return self._drive(work, timeout)
        # The caller joins the loop's CPU while it hands work over and waits, so the
        # hand-over is a switch on one CPU (a wake-up across CPUs costs ~100 µs on
        # virtual machines); it gets its own CPUs back before it returns, so nothing a
        # step starts inherits the one CPU.  Three system calls, about 5 µs; measured
        # side by side, a 200-exchange scenario ran 0.83× the time it took without.
        mine = os.sched_getaffinity(0) if self.cpu is not None else self._on_loop_cpu
        if mine != self._on_loop_cpu:
            os.sched_setaffinity(0, self._on_loop_cpu)
        try:
            return self._hand_over(work, timeout)
        finally:
            if mine != self._on_loop_cpu:
                os.sched_setaffinity(0, mine)

    def _drive(self, work: _Work, timeout: float | None) -> Any:
        """:meth:`run_callback` on a turn-taking loop: the caller takes the turn, starts
        the work, and runs the loop on its own thread until the work delivers: the reply
        wakes the waiting thread itself, as in a plain asyncio script, with no second
        thread woken and no lock handed between threads.

        Another thread that wants the turn meanwhile gets it: this caller then waits for
        the loop's own thread to run the loop for it (:meth:`_hand_over`'s wait).
        """
        loop = self.loop
        assert isinstance(loop, _TurnTakingLoop)
        seats = loop.seats
        net = None if timeout is None else timeout + _SAFETY_MARGIN
        limit = None if net is None else time.monotonic() + net
        previous = self._take_turn(loop, limit)
        box = work.box
        try:
            work.start()
            while not box and len(seats.arrived) == 1:
                if limit is not None and time.monotonic() >= limit:
                    work.abandon()
                    raise TimeoutError(
                        f"A wsbdd operation did not finish within {net:.1f} s and was cancelled."
                    )
                loop.run_once()
        except KeyboardInterrupt:
            with contextlib.suppress(Exception):
                work.abandon()
            raise
        finally:
            self._give_turn(loop, previous)
        if not box:  # another thread wanted the turn: the loop's own thread runs it now
            seats.waiting.append(1)
            seats.needed.set()
            try:
                left = None if limit is None else max(0.0, limit - time.monotonic())
                self._wait_delivered(work, left, net)
            finally:
                seats.waiting.pop()
        return work.result()

    def _take_turn(
        self, loop: _TurnTakingLoop, deadline: float | None
    ) -> asyncio.AbstractEventLoop | None:
        """Take the turn and run the loop's code on this thread until :meth:`_give_turn`:
        the loop is the running loop, and this thread its runner (until ``deadline``, for
        a waiting caller).  Returns the caller's own running loop, put back afterwards."""
        self._arrive(loop)
        previous = asyncio._get_running_loop()
        asyncio._set_running_loop(loop)
        loop.seats.driver, loop.seats.deadline = threading.get_ident(), deadline
        return previous

    def _give_turn(self, loop: _TurnTakingLoop, previous: asyncio.AbstractEventLoop | None) -> None:
        loop.seats.driver = loop.seats.deadline = None
        asyncio._set_running_loop(previous)
        self._leave(loop)

    def _arrive(self, loop: _TurnTakingLoop) -> None:
        """Take the turn (the loop's own thread, if it runs the loop, gives it up)."""
        loop.seats.arrived.append(1)
        if not self._turn.acquire(blocking=False):
            try:
                loop.look_again()  # the loop's thread may be waiting for I/O: it hands over
                self._turn.acquire()
            except BaseException:  # interrupted (Ctrl-C): no longer waiting for the turn
                loop.seats.arrived.pop()
                raise
        if not self.running or not loop.is_running():
            self._leave(loop)
            raise RuntimeError(
                "wsbdd's event loop is not running: its run was closed, or before_all never ran."
            )

    def _leave(self, loop: _TurnTakingLoop) -> None:
        seats = loop.seats
        seats.left_at = time.monotonic()
        seats.arrived.pop()
        self._turn.release()

    def _hand_over(self, work: _Work, timeout: float | None) -> Any:
        """:meth:`run_callback` on a loop that cannot take turns: its own thread starts the
        work and delivers, while the caller waits."""
        self.loop.call_soon_threadsafe(work.start)
        net = None if timeout is None else timeout + _SAFETY_MARGIN
        self._wait_delivered(work, net, net)
        return work.result()

    def _wait_delivered(self, work: _Work, seconds: float | None, net: float | None) -> None:
        """Wait until the work delivered, at most ``seconds``; past that, the loop abandons
        it and this raises with the caller's ``net`` time."""
        try:
            if not work.finished.acquire(timeout=-1 if seconds is None else seconds):
                with contextlib.suppress(RuntimeError):
                    self.loop.call_soon_threadsafe(work.abandon)
                raise TimeoutError(
                    f"A wsbdd operation did not finish within {net:.1f} s and was cancelled."
                )
        except KeyboardInterrupt:
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(work.abandon)
            raise

    def _takes_turns(self) -> bool:
        loop = self.loop
        return isinstance(loop, _TurnTakingLoop) and loop.takes_turns

    def call_in_turn(self, func: Callable[..., T], *args: Any) -> T:
        """Call ``func(*args)`` for the loop and return its result (or raise its exception).

        The caller takes the loop's turn (waiting, if the loop's own thread is running
        something, until it has finished), then runs ``func`` itself as if it were a
        callback on the loop, with the loop as the running loop (a loop the caller
        itself runs is the running loop again afterwards).  Nothing else runs the loop
        meanwhile.  That spares waking the loop thread and switching threads twice: a
        send step writes its frame at once.  What ``func`` gives the loop to do at once
        (a callback, a task's first steps) the caller runs before it returns; its
        timers are the loop's to keep (the next caller that waits, or the loop's own
        thread, runs them when they are due).

        ``func`` must not wait for the loop (it would wait for itself) and runs
        outside any task (``asyncio.current_task()`` is None).  A loop that cannot
        take turns (uvloop, or asyncio's debug mode, which rightly refuses calls
        from other threads) runs ``func`` on its own thread while the caller waits.
        """
        if not self._takes_turns():
            boxed: tuple[T] = self.run_callback(lambda deliver: deliver((func(*args),)), None)
            return boxed[0]
        loop = self.loop
        assert isinstance(loop, _TurnTakingLoop)
        previous = self._take_turn(loop, None)
        try:
            result = func(*args)
            # What func left ready to run: run it now (a few turns, none of them waiting).
            for _ in range(_CATCH_UP):
                if not loop.has_ready():
                    break
                loop.run_once()
        finally:
            self._give_turn(loop, previous)
        return result

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


class _Work:
    """What :meth:`LoopThread.run_callback` waits for: ``begin``'s work, started on the loop
    (:meth:`start`), delivered once (:meth:`deliver`, which releases :attr:`finished`), or
    abandoned (the functions ``begin`` returned to stop it)."""

    __slots__ = ("_begin", "box", "finished", "_stops")

    def __init__(self, begin: Callable[[Callable[[Any], None]], Callable[[], None] | None]) -> None:
        self._begin = begin
        self.box: list[Any] = []  # the delivered result, once delivered
        self.finished = threading.Lock()
        self.finished.acquire()
        self._stops: list[Callable[[], None]] = []

    def deliver(self, result: Any) -> None:
        if not self.box:
            self.box.append(result)
            self.finished.release()

    def start(self) -> None:
        try:
            stop = self._begin(self.deliver)
        except Exception as exc:  # noqa: BLE001 - handed to the caller, who raises it
            self.deliver(exc)
            return
        if stop is not None:
            self._stops.append(stop)

    def abandon(self) -> None:
        for stop in self._stops:
            stop()

    def result(self) -> Any:
        """What was delivered: raised when it is an exception."""
        delivered = self.box[0]
        if isinstance(delivered, BaseException):
            raise delivered
        return delivered


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
