"""The loop thread: one CPU shared with its caller, clean stop, the async-step decorator."""

from __future__ import annotations

import asyncio
import os
import threading
from types import SimpleNamespace

import pytest

from wsbdd.config import Settings
from wsbdd.runtime import LoopThread, on_ws_loop
from wsbdd.session import Run


def test_the_loop_shares_the_callers_cpu_and_the_caller_gets_its_cpus_back():

    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs Linux with at least two CPUs")
    before = os.sched_getaffinity(0)
    run = Run.start(Settings())
    try:
        cpu = run.loop_thread.cpu
        assert cpu in before
        assert os.sched_getaffinity(0) == {cpu}
        loop_tid = run.loop_thread.call(threading.get_native_id)
        assert os.sched_getaffinity(loop_tid) == {cpu}
    finally:
        run.close()
    assert os.sched_getaffinity(0) == before


def test_same_cpu_can_be_switched_off():

    before = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    with Run.start(Settings(same_cpu=False)) as run:
        assert run.loop_thread.cpu is None
        if before is not None:
            assert os.sched_getaffinity(0) == before


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
