"""``python -m wsbdd.crowd.companion BEHAVE-ARGS…``: one Locust worker's share of a load run.

Started by the Locust worker (:mod:`wsbdd.crowd.locustfile`) with the channel in
``WSBDD_CROWD_CHANNEL``: plain asyncio, never gevent.  It runs behave on the
features with wsbdd's hooks, as ``wsbdd run`` does; the load steps find the
channel and act as one share (:class:`wsbdd.load.shard.ShardDriver`).  When
behave ends it sends every scenario's verdict to the worker and exits with
behave's status.  It dies with its worker (Linux: ``PR_SET_PDEATHSIG``), so a
killed worker leaves nothing behind.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from wsbdd.load.shard import channel

__all__ = ["main", "verdicts"]


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the channel's end-of-file ends it instead
        pass


def _own_core(worker: int, workers: int) -> None:
    """Shares on one machine each get a core of their own (share k: core k-1, modulo).

    wsbdd's runtime pins its loop thread to the CPU it starts on; companions started
    at the same moment often start on the same one, and two loops on one core while
    another idles doubled the latencies measured.  Inside a one-core affinity the
    runtime does not pin again.  One worker alone keeps every core.
    """
    if workers < 2 or not hasattr(os, "sched_setaffinity"):
        return
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) >= 2:
        os.sched_setaffinity(0, {cores[(worker - 1) % len(cores)]})


def verdicts(results: Path) -> list[dict[str, Any]]:
    """Each scenario's status and first failure, from behave's JSON formatter output."""
    try:
        features = json.loads(results.read_text(encoding="utf-8") or "[]")
    except (OSError, ValueError):
        return []
    found = []
    for feature in features:
        for element in feature.get("elements", ()):
            if element.get("type") not in ("scenario", "scenario_outline"):
                continue
            error = ""
            for step in element.get("steps", ()):
                result = step.get("result", {})
                if result.get("status") in ("failed", "error", "undefined") and not error:
                    message = result.get("error_message") or result.get("status")
                    if isinstance(message, list):
                        message = "\n".join(message)
                    error = f"{step.get('keyword', '')} {step.get('name', '')}\n{message}".strip()
            status = element.get("status", "untested")
            if status != "passed" and not error:  # a hook's error: behave's log has it
                error = f"The scenario ended as {status}: see this worker's log for why."
            found.append(
                {
                    "name": element.get("name", ""),
                    "location": element.get("location", ""),
                    "status": status,
                    "error": error,
                }
            )
    return found


def main(argv: list[str] | None = None) -> int:
    _die_with_parent()
    args = list(sys.argv[1:] if argv is None else argv)
    share = channel()
    _own_core(share.worker, share.workers)
    from behave.__main__ import main as behave_main

    with tempfile.TemporaryDirectory(prefix="wsbdd-share-") as folder:
        results = Path(folder) / "results.json"
        status = 2
        try:
            status = behave_main([*args, "-f", "json", "-o", str(results), "-f", "plain"])
        finally:
            share.send({"op": "done", "status": int(status), "scenarios": verdicts(results)})
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
