"""The loop thread: one CPU shared with its caller, clean stop, the async-step decorator."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest

from wsbdd.facade.session import Run
from wsbdd.io.runtime import UVLOOP_MISSING, LoopThread, on_ws_loop, start_now
from wsbdd.model.errors import ConfigError
from wsbdd.settings.config import Settings, load_settings


def _needs_two_cpus() -> set[int]:
    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs Linux with at least two CPUs")
    return os.sched_getaffinity(0)


def test_the_loop_lives_on_one_cpu_and_the_caller_keeps_all_of_its_own():
    before = _needs_two_cpus()
    with Run.start(Settings()) as run:
        cpu = run.loop_thread.cpu
        assert cpu in before
        assert os.sched_getaffinity(run.loop_thread._thread.native_id) == {cpu}
        assert os.sched_getaffinity(0) == before
    assert os.sched_getaffinity(0) == before


CHILD_CPUS = "import os; print(sorted(os.sched_getaffinity(0)))"


def test_the_caller_waits_on_the_loops_cpu_and_gets_its_own_back(monkeypatch):
    # The plain road (uvloop's): the loop's thread does the work and wakes the caller.
    before = _needs_two_cpus()
    monkeypatch.setenv("WSBDD_TURNS", "0")
    caller = threading.get_native_id()
    with Run.start(Settings(url="ws://127.0.0.1:9")) as run:  # no connection is made
        seen: list[set[int]] = []

        def begin(deliver):
            seen.append(os.sched_getaffinity(caller))
            deliver(None)

        run.loop_thread.run_callback(begin, 5)
        assert seen == [{run.loop_thread.cpu}]  # while it waited
        assert os.sched_getaffinity(0) == before  # and after
        # A caller that pinned itself keeps its own choice.
        other = min(before - {run.loop_thread.cpu})
        os.sched_setaffinity(0, {other})
        try:
            run.loop_thread.run_callback(begin, 5)
            assert seen[-1] == {run.loop_thread.cpu}
            assert os.sched_getaffinity(0) == {other}
        finally:
            os.sched_setaffinity(0, before)


def test_a_caller_that_runs_the_loop_itself_keeps_its_own_cpus():
    # On the turns road nothing is handed over: the caller's CPUs are never touched.
    before = _needs_two_cpus()
    caller = threading.get_native_id()
    with Run.start(Settings(url="ws://127.0.0.1:9")) as run:  # no connection is made
        assert run.loop_thread._takes_turns()

        def begin(deliver):
            run.loop_thread.loop.call_later(0.01, lambda: deliver(os.sched_getaffinity(caller)))

        assert run.loop_thread.run_callback(begin, 5) == before
        assert os.sched_getaffinity(0) == before


@pytest.mark.parametrize("turns", [True, False])
def test_a_waiting_caller_runs_the_loop_on_its_own_thread(turns: bool):
    # What decides a wait (a timer here, a frame in a step) runs on the waiting thread
    # on the turns road: the answer wakes no second thread.  On the plain road the
    # loop's own thread runs it and wakes the caller.
    with LoopThread(turns=turns) as loop_thread:
        loop_thread.call_in_turn(lambda: None)  # a caller was here a moment ago

        def begin(deliver):
            loop_thread.loop.call_later(0.02, lambda: deliver(threading.current_thread()))

        ran_on = loop_thread.run_callback(begin, 5)
        assert (ran_on is threading.current_thread()) is turns
        assert (ran_on is loop_thread._thread) is not turns


def test_the_loops_thread_runs_the_loop_while_no_caller_does():
    # Between steps, and while a step does something else for a long time, the loop's
    # own thread runs the loop: timers fire and frames are read with nobody waiting.
    with LoopThread() as loop_thread:
        fired: list[threading.Thread] = []
        done = threading.Event()

        def later() -> None:
            fired.append(threading.current_thread())
            done.set()

        loop_thread.call_in_turn(lambda: asyncio.get_running_loop().call_later(0.05, later))
        assert done.wait(10)
        assert fired == [loop_thread._thread]


def test_the_loops_thread_is_not_woken_by_every_step():
    # Steps come and go far faster than the loop's thread looks (every 10 ms): it must
    # not wake per step, which would cost thread switches on every exchange.
    from wsbdd.io import runtime

    with LoopThread() as loop_thread:
        seats = loop_thread.loop.seats
        calls = 400

        def begin(deliver):
            asyncio.get_running_loop().call_soon(deliver, None)

        loop_thread.call_in_turn(lambda: None)
        looks, started = seats.looks, time.monotonic()
        for _ in range(calls):
            loop_thread.run_callback(begin, 5)
            loop_thread.call_in_turn(lambda: None)
        elapsed = time.monotonic() - started
        woke = seats.looks - looks
        assert woke <= elapsed / runtime._REST + 5, (woke, elapsed)
        assert woke < calls / 4


def test_a_second_caller_gets_the_turn_while_the_first_waits():
    # Thread A waits (and runs the loop); thread B asks for a turn meanwhile and gets
    # it at once, and what B does there decides A's wait.  Neither waits for the other's
    # deadline: A hands the loop to its own thread and waits for it.
    with LoopThread() as loop_thread:
        delivers: list[object] = []
        started = threading.Event()

        def begin(deliver):
            delivers.append(deliver)
            started.set()

        answers: list[object] = []
        waiter = threading.Thread(
            target=lambda: answers.append(loop_thread.run_callback(begin, 30))
        )
        t0 = time.monotonic()
        waiter.start()
        assert started.wait(10)
        assert loop_thread.call_in_turn(lambda: delivers[0]("from B") or "B ran") == "B ran"
        waiter.join(10)
        assert answers == ["from B"]
        assert time.monotonic() - t0 < 5  # far below A's 30 s: nobody waited for a deadline
        # And the loop still answers both ways afterwards.
        assert loop_thread.run_callback(lambda deliver: deliver(7), timeout=5) == 7
        assert loop_thread.call_in_turn(lambda: 8) == 8


@pytest.mark.parametrize("road", ["turns", "plain"])
def test_processes_and_threads_a_step_starts_run_on_every_cpu(road: str, monkeypatch):
    before = _needs_two_cpus()
    monkeypatch.setenv("WSBDD_TURNS", "1" if road == "turns" else "0")  # plain: as uvloop has it
    with Run.start(Settings()) as run:
        assert run.loop_thread._takes_turns() is (road == "turns")
        session = run.session()
        session.connect("Alice")
        session.send("Alice", '{"type": "echo", "content": "hi"}')  # a step talked to the loop
        # What the next step starts: a process, a thread, and, from an async step,
        # a thread of the loop's executor.
        child = subprocess.run(
            [sys.executable, "-c", CHILD_CPUS], capture_output=True, text=True, timeout=60
        )
        assert child.stdout.strip() == str(sorted(before))
        seen: list[set[int]] = []
        thread = threading.Thread(target=lambda: seen.append(os.sched_getaffinity(0)))
        thread.start()
        thread.join(10)
        assert seen == [before]
        context = SimpleNamespace(wsbdd=SimpleNamespace(loop_thread=run.loop_thread))

        @on_ws_loop(timeout=10)
        async def in_a_worker_thread(ctx: object) -> set[int]:
            return await asyncio.to_thread(os.sched_getaffinity, 0)

        assert in_a_worker_thread(context) == before

        @on_ws_loop(timeout=30)
        async def starts_a_process(ctx: object) -> str:
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-c", CHILD_CPUS, stdout=asyncio.subprocess.PIPE
            )
            out, _ = await child.communicate()
            return out.decode().strip()

        # A process an async step starts on the loop itself, and the loop is back on its CPU.
        assert starts_a_process(context) == str(sorted(before))
        assert os.sched_getaffinity(run.loop_thread._thread.native_id) == {run.loop_thread.cpu}
        session.close()


SHARD = """
import os
from wsbdd.settings.config import Settings
from wsbdd.facade.session import Run
with Run.start(Settings(url="ws://127.0.0.1:9")) as run:  # no connection is made
    print(sorted(os.sched_getaffinity(0)), run.loop_thread.cpu)
"""


def test_a_parallel_shard_started_during_a_run_chooses_its_cpu_among_all():
    # Until issue 13 a shard started from a pinned run inherited that one CPU, and
    # every shard piled onto it.
    before = _needs_two_cpus()
    with Run.start(Settings()) as run:
        run.session().connect("Alice")
        shard = subprocess.run(
            [sys.executable, "-c", SHARD], capture_output=True, text=True, timeout=60
        )
    cpus, cpu = shard.stdout.rsplit(" ", 1)
    assert cpus == str(sorted(before)), shard.stderr
    assert int(cpu) in before


def test_same_cpu_can_be_switched_off():

    before = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    with Run.start(Settings(same_cpu=False)) as run:
        assert run.loop_thread.cpu is None
        if before is not None:
            assert os.sched_getaffinity(0) == before
            assert os.sched_getaffinity(run.loop_thread._thread.native_id) == before


def test_stop_cancels_and_awaits_every_task():
    loop_thread = LoopThread(same_cpu=False).start()
    cancelled = threading.Event()

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    loop_thread.loop.call_soon_threadsafe(lambda: loop_thread.loop.create_task(forever()))
    loop_thread.call(lambda: None)
    loop_thread.stop()
    assert cancelled.is_set()
    assert loop_thread.loop.is_closed()
    loop_thread.stop()  # twice is fine


def test_run_returns_the_result_and_raises_the_coroutines_error():
    with LoopThread(same_cpu=False) as loop_thread:

        async def answer() -> int:
            return 42

        async def broken() -> None:
            raise ValueError("boom")

        assert loop_thread.run(answer(), timeout=5) == 42
        with pytest.raises(ValueError, match="boom"):
            loop_thread.run(broken(), timeout=5)


def test_on_ws_loop_runs_a_coroutine_on_the_wsbdd_loop_with_a_deadline():
    with LoopThread(same_cpu=False) as loop_thread:
        context = SimpleNamespace(wsbdd=SimpleNamespace(loop_thread=loop_thread))

        @on_ws_loop(timeout=5)
        async def which_loop(ctx: object) -> object:
            return asyncio.get_running_loop()

        @on_ws_loop(timeout=0.05)
        async def too_slow(ctx: object) -> None:
            await asyncio.Event().wait()

        assert which_loop(context) is loop_thread.loop
        with pytest.raises(AssertionError, match="The step did not finish within 0.05 s"):
            too_slow(context)


def test_a_bridged_call_past_its_deadline_is_cancelled_and_says_so(monkeypatch):
    monkeypatch.setattr("wsbdd.io.runtime._SAFETY_MARGIN", 0.0)
    cancelled = threading.Event()
    with LoopThread(same_cpu=False) as loop_thread:

        async def stuck() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                cancelled.set()

        with pytest.raises(TimeoutError, match="did not finish within 0.1 s and was cancelled"):
            loop_thread.run(stuck(), timeout=0.1)
        assert cancelled.wait(5)

        async def still_usable() -> str:
            return "still usable"

        assert loop_thread.run(still_usable(), timeout=5) == "still usable"


def test_calls_in_turn_and_bridged_coroutines_happen_in_the_order_they_were_made():
    with LoopThread() as loop_thread:
        seen: list[int] = []

        async def add(n: int) -> list[int]:
            seen.append(n)
            return list(seen)

        for n in range(0, 300, 3):
            loop_thread.call_in_turn(seen.append, n)
            loop_thread.call_in_turn(seen.append, n + 1)
            assert loop_thread.run(add(n + 2), timeout=5)[-3:] == [n, n + 1, n + 2]
        assert seen == list(range(300))


def test_call_in_turn_runs_on_the_calling_thread_as_if_on_the_loop():
    with LoopThread() as loop_thread:

        def where() -> tuple[threading.Thread, asyncio.AbstractEventLoop]:
            return threading.current_thread(), asyncio.get_running_loop()

        assert loop_thread.call_in_turn(where) == (threading.current_thread(), loop_thread.loop)
        with pytest.raises(RuntimeError, match="no running event loop"):
            asyncio.get_running_loop()  # only while it is the loop's turn
        with pytest.raises(KeyError, match="raised in turn"):
            loop_thread.call_in_turn(lambda: {}["raised in turn"])
        assert loop_thread.call_in_turn(lambda: "still usable") == "still usable"


def test_call_in_turn_waits_until_the_loop_has_finished_what_it_was_doing():
    with LoopThread() as loop_thread:
        order: list[str] = []
        busy, gate = threading.Event(), threading.Event()

        def loop_work() -> None:
            busy.set()
            gate.wait(10)
            order.append("the loop's callback")

        loop_thread.loop.call_soon_threadsafe(loop_work)
        assert busy.wait(10)
        gate.set()  # the callback goes on, on the loop thread, while this thread asks for a turn
        loop_thread.call_in_turn(order.append, "the call in turn")
        assert order == ["the loop's callback", "the call in turn"]


@pytest.mark.parametrize("how", ["callback", "task", "timer"])
def test_what_a_call_in_turn_schedules_runs_without_anything_else_waking_the_loop(how: str):
    # The loop waits for I/O with no timeout; nothing else will wake it.
    with LoopThread() as loop_thread:
        done = threading.Event()

        async def set_done() -> None:
            done.set()

        def schedule() -> None:
            loop = asyncio.get_running_loop()
            if how == "callback":
                loop.call_soon(done.set)
            elif how == "task":
                loop.create_task(set_done())
            else:
                loop.call_later(0.01, done.set)

        loop_thread.call_in_turn(schedule)
        assert done.wait(10)


def test_a_coroutine_started_in_turn_is_carried_on_by_the_loop():
    with LoopThread() as loop_thread:
        gate: list[asyncio.Event] = []

        async def waits() -> str:
            gate.append(asyncio.Event())
            await gate[0].wait()
            return "carried on by the loop"

        started = loop_thread.call_in_turn(lambda: start_now(waits()))
        assert not started.done()
        loop_thread.call_in_turn(lambda: gate[0].set())

        async def result() -> str:
            return await started

        assert loop_thread.run(result(), timeout=5) == "carried on by the loop"


def test_a_loop_in_debug_mode_runs_calls_in_turn_on_its_own_thread():
    # asyncio's debug mode refuses loop calls from other threads, so the caller waits instead.
    with LoopThread() as loop_thread:
        loop_thread.loop.set_debug(True)
        ran_on = loop_thread.call_in_turn(threading.current_thread)
        assert ran_on is not threading.current_thread()
        assert ran_on.name == "wsbdd-loop"
        with pytest.raises(KeyError, match="raised on the loop"):
            loop_thread.call_in_turn(lambda: {}["raised on the loop"])


def test_start_now_runs_a_coroutine_to_its_first_wait_before_the_loop_turns():
    async def scenario() -> None:
        events: list[str] = []
        gate = asyncio.Event()

        async def no_wait() -> str:
            events.append("no_wait ran")
            return "done"

        async def one_wait() -> str:
            events.append("before the wait")
            await gate.wait()
            events.append("after the wait")
            return "woken"

        async def broken() -> None:
            raise ValueError("boom")

        finished = start_now(no_wait())
        assert finished.done() and finished.result() == "done"
        waiting = start_now(one_wait())
        assert events == ["no_wait ran", "before the wait"]  # no loop turn happened yet
        assert not waiting.done()
        gate.set()
        assert await waiting == "woken"
        failed = start_now(broken())
        with pytest.raises(ValueError, match="boom"):
            failed.result()

    asyncio.run(scenario())


@pytest.mark.parametrize("turns_first", [0, 1])
def test_a_coroutine_started_now_can_still_be_cancelled_and_clean_up(turns_first: int):
    async def scenario() -> None:
        cleaned = asyncio.Event()

        async def stuck() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                cleaned.set()

        task = start_now(stuck())
        for _ in range(turns_first):  # cancelled before, or after, the task took over
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert cleaned.is_set() and task.cancelled()

    asyncio.run(scenario())


def test_run_callback_returns_what_a_later_callback_delivers():
    with LoopThread() as loop_thread:

        def begin(deliver):
            loop_thread.loop.call_later(0.01, deliver, "from a timer")
            return None

        assert loop_thread.run_callback(begin, timeout=5) == "from a timer"


def test_run_callback_raises_a_delivered_exception_or_one_begin_raised():
    with LoopThread() as loop_thread:
        with pytest.raises(ValueError, match="delivered"):
            loop_thread.run_callback(lambda deliver: deliver(ValueError("delivered")), timeout=5)

        def broken(deliver):
            raise KeyError("begin failed")

        with pytest.raises(KeyError, match="begin failed"):
            loop_thread.run_callback(broken, timeout=5)
        assert loop_thread.run_callback(lambda deliver: deliver(7), timeout=5) == 7


def test_run_callback_past_its_deadline_abandons_the_work(monkeypatch):
    monkeypatch.setattr("wsbdd.io.runtime._SAFETY_MARGIN", 0.0)
    abandoned = threading.Event()
    with LoopThread() as loop_thread:
        with pytest.raises(TimeoutError, match="did not finish within 0.1 s"):
            loop_thread.run_callback(lambda deliver: abandoned.set, timeout=0.1)
        assert abandoned.wait(5)


def test_a_call_in_turn_made_inside_a_running_loop_puts_that_loop_back():
    with LoopThread() as loop_thread:

        async def caller() -> None:
            mine = asyncio.get_running_loop()
            assert loop_thread.call_in_turn(asyncio.get_running_loop) is loop_thread.loop
            assert asyncio.get_running_loop() is mine
            await asyncio.sleep(0)  # the caller's loop still works

        asyncio.run(caller())


@pytest.mark.parametrize("road", ["turns", "plain"])
def test_a_wsbdd_call_made_inside_a_running_loop_leaves_that_loop_running(road: str, monkeypatch):
    # A caller inside its own asyncio loop (an async test, a tool) calls wsbdd's
    # synchronous API: afterwards its loop is still the running loop.
    monkeypatch.setenv("WSBDD_TURNS", "1" if road == "turns" else "0")
    with Run.start(Settings(same_cpu=False)) as run:
        assert run.loop_thread._takes_turns() is (road == "turns")
        session = run.session()

        async def caller() -> str:
            mine = asyncio.get_running_loop()
            session.connect("Alice")
            session.send("Alice", '{"type": "echo", "content": "from a loop"}')
            assert asyncio.get_running_loop() is mine
            assert run.loop_thread.call(asyncio.get_running_loop) is run.loop_thread.loop
            assert asyncio.get_running_loop() is mine
            await asyncio.sleep(0)  # the caller's loop still works
            reply = session.receive("Alice")
            assert asyncio.get_running_loop() is mine
            return str(reply.raw)

        assert "from a loop" in asyncio.run(caller())
        session.close()


@pytest.mark.parametrize("turns", [True, False])
def test_both_roads_to_the_loop_give_the_same_answers(turns: bool):
    # Without turns (uvloop, asyncio's debug mode, or as here on purpose) every call
    # goes through call_soon_threadsafe and runs on the loop's own thread.
    with LoopThread(turns=turns) as loop_thread:
        ran_on = loop_thread.call_in_turn(threading.current_thread)
        assert (ran_on is threading.current_thread()) is turns
        seen: list[int] = []

        async def add(n: int) -> list[int]:
            seen.append(n)
            return list(seen)

        for n in range(0, 30, 3):
            loop_thread.call_in_turn(seen.append, n)
            loop_thread.call_in_turn(seen.append, n + 1)
            assert loop_thread.run(add(n + 2), timeout=5)[-3:] == [n, n + 1, n + 2]
        assert loop_thread.run_callback(lambda deliver: deliver(7), timeout=5) == 7


@pytest.mark.parametrize(
    ("value", "turns"), [("0", False), ("off", False), ("1", True), ("", True)]
)
def test_wsbdd_turns_in_the_environment_chooses_the_road(monkeypatch, value: str, turns: bool):
    # bench/bench_runtime.py runs behave on the plain road this way; a run that
    # misbehaves can rule turn-taking out the same way.
    monkeypatch.setenv("WSBDD_TURNS", value)
    with Run.start(Settings(same_cpu=False)) as run:
        assert run.loop_thread._takes_turns() is turns
        assert (
            run.loop_thread.call_in_turn(threading.current_thread) is threading.current_thread()
        ) is turns
    with LoopThread(turns=True) as loop_thread:  # said in code, the environment is not asked
        assert loop_thread._takes_turns()


def test_loop_uvloop_without_uvloop_installed_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as if it were not installed
    with pytest.raises(ConfigError) as raised:
        LoopThread(loop="uvloop")
    assert str(raised.value) == UVLOOP_MISSING
    assert str(raised.value) == (
        'The setting loop = "uvloop" needs the uvloop package, which is not installed here: '
        'install it (pip install uvloop, or wsbdd[uvloop]) or set loop = "asyncio".'
    )


def test_loop_asyncio_is_asyncios_own_loop_even_when_uvloop_is_installed():
    with Run.start(Settings(loop="asyncio")) as run:
        assert isinstance(run.loop_thread.loop, asyncio.SelectorEventLoop)


def test_loop_uvloop_runs_wsbdd_on_uvloop():
    # uvloop is in the test extras (wheels for every Python wsbdd supports): a missing one is
    # a broken environment to report, not a reason to skip the one test of the setting.
    import uvloop

    with Run.start(Settings(loop="uvloop")) as run:
        assert isinstance(run.loop_thread.loop, uvloop.Loop)
        session = run.session()
        session.connect("Alice")
        session.send("Alice", '{"type": "echo", "content": "on uvloop"}')
        assert "on uvloop" in str(session.receive("Alice").raw)
        session.close()


def _loop_setting_error(tmp_path, monkeypatch, text: str) -> str:
    (tmp_path / "wsbdd.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the sentence names the file as the user sees it
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, userdata={}, environ={})
    return str(raised.value)


def test_the_loop_setting_is_asyncio_unless_set(tmp_path):
    assert load_settings(tmp_path, userdata={}, environ={}).loop == "asyncio"
    (tmp_path / "wsbdd.toml").write_text('loop = "asyncio"\n', encoding="utf-8")
    assert load_settings(tmp_path, userdata={}, environ={}).loop == "asyncio"
    assert load_settings(tmp_path, userdata={}, environ={"WSBDD_LOOP": "asyncio"}).loop == (
        "asyncio"
    )


def test_the_loop_setting_names_its_two_kinds(tmp_path, monkeypatch):
    assert _loop_setting_error(tmp_path, monkeypatch, 'loop = "trio"\n') == (
        'wsbdd.toml loop is "trio": must be "asyncio" or "uvloop".'
    )


def test_loop_uvloop_in_the_settings_without_uvloop_installed_says_what_to_do(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as if it were not installed
    assert _loop_setting_error(tmp_path, monkeypatch, 'loop = "uvloop"\n') == (
        'wsbdd.toml loop is "uvloop": needs the uvloop package, which is not installed '
        'here: install it (pip install uvloop, or wsbdd[uvloop]) or set loop = "asyncio".'
    )
