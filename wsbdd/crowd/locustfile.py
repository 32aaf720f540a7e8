"""The locustfile: a feature's ``@load`` scenarios as Locust users, over any number of workers.

Run by ``wsbdd load FEATURE --workers N``, or by Locust's own command::

    locust -f "$(python -m wsbdd.crowd.where)" --master --wsbdd-feature features/load.feature
    locust -f "$(python -m wsbdd.crowd.where)" --worker        # once per worker, any machine

Each worker runs one :class:`WsbddCrowd` user (start as many users as workers).
The user starts a *companion* process: plain asyncio, no gevent, running behave
on the feature with wsbdd's own clients, inboxes and correlation ids
(:mod:`wsbdd.crowd.companion`).  Why not a loop thread inside the worker: Locust
imports gevent and patches ``socket``, ``select``/``selectors``, ``threading``
and ``queue`` for the whole process on import; a real OS thread can be had
(``gevent.monkey.get_original``), but an asyncio loop in it would still make
gevent sockets, gevent locks and gevent queues, whose waits belong to another
thread's hub (see docs/locust.md, "Why a companion process").

The companion and its worker talk over two pipes, one JSON object a line.  The
worker reads them cooperatively (a gevent file object: the hub never blocks),
fires a Locust request event for every message the share timed (``WS
delivery``, ``WS round trip``, ``WS connect``, named by the message's type,
``response_time`` the measured latency in ms), and relays the share's meeting
points to the master with Locust's custom messages.  The master answers a
meeting point once every worker has reached it, gone past it, or gone (its
heartbeat stopped: Locust marks it missing), with every worker's data; the
companions merge counts and HdrHistograms and judge the verdict steps on the
whole crowd.  When every worker is done (or gone) the master writes the summary
(``--wsbdd-summary FILE``), logs each scenario's verdict, and stops the test.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import gevent
from gevent import subprocess
from gevent.event import Event
from gevent.fileobject import FileObjectPosix
from locust import User, events, task
from locust.exception import StopUser
from locust.runners import STATE_MISSING, MasterRunner, WorkerRunner

from wsbdd.crowd.plan import wait_for_plan
from wsbdd.load.driver import CHANNEL_VARIABLE

logger = logging.getLogger("wsbdd.crowd")

_LAST_KEY = ["\U0010ffff"]
"""A key after every meeting point: where a worker that has finished stands."""


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument(
        "--wsbdd-feature",
        default=os.environ.get("WSBDD_FEATURE", "features"),
        help="the feature file or folder whose @load scenarios the workers run",
    )
    parser.add_argument(
        "--wsbdd-behave",
        default=os.environ.get("WSBDD_BEHAVE_ARGS", "--tags=@load"),
        help='behave options for every share, as one string (default: "--tags=@load")',
    )
    parser.add_argument(
        "--wsbdd-summary",
        default=os.environ.get("WSBDD_SUMMARY", ""),
        help="write the run's verdicts to this JSON file when every worker is done",
    )


# -- the master ---------------------------------------------------------------------------


class Coordinator:
    """On the master: the workers' plan, their meeting points, and the end of the run."""

    def __init__(self, environment: Any) -> None:
        self.environment = environment
        self.runner: MasterRunner = environment.runner
        self.scope = secrets.token_hex(3)
        self.plan: dict[str, int] = {}  # client id -> worker number (1…N)
        self.latest: dict[int, list[Any]] = {}
        self.last: dict[int, dict[str, dict[str, Any]]] = {}
        self.waiting: dict[str, dict[int, dict[str, Any]]] = {}
        self.keys: dict[str, list[Any]] = {}
        self.done: dict[int, dict[str, Any]] = {}
        self.gone: set[int] = set()
        self.finished = False
        self.runner.register_message("wsbdd_meet", self.on_meet)
        self.runner.register_message("wsbdd_done", self.on_done)
        self.runner.register_message("wsbdd_join", self.on_join)
        self._watch: Any = None
        self.expected = 0
        """How many workers share the run: those connected when the first one joined."""

    def on_join(self, environment: Any, msg: Any, **_: Any) -> None:
        """A worker's user asks for its place: a number 1…N (the one ``WSBDD_LOCUST_WORKER``
        asked for when it is free, as ``wsbdd load`` numbers its processes and logs)."""
        client_id = msg.node_id
        workers = max(len(self.runner.clients), len(self.plan) + 1, self.expected)
        self.expected = workers
        if client_id not in self.plan:
            taken = set(self.plan.values())
            wanted = str((msg.data or {}).get("label") or "")
            if wanted.isdigit() and 1 <= int(wanted) <= workers and int(wanted) not in taken:
                number = int(wanted)
            else:
                number = next(n for n in range(1, workers + 2) if n not in taken)
            self.plan[client_id] = number
        self.runner.send_message(
            "wsbdd_plan",
            {"worker": self.plan[client_id], "workers": workers, "scope": self.scope},
            client_id=client_id,
        )
        number = self.plan[client_id]
        logger.info("wsbdd: worker %d of %d joined run %s", number, workers, self.scope)
        self._release()
        if self._watch is None:
            self._watch = gevent.spawn(self._watch_workers)

    def _watch_workers(self) -> None:
        """Notice workers that stopped answering; bounded by the run (an hour at most)."""
        until = time.monotonic() + 3600 + 120
        while not self.finished and time.monotonic() < until:
            for client_id, number in self.plan.items():
                node = self.runner.clients.get(client_id)
                missing = node is None or node.state == STATE_MISSING
                if missing and number not in self.gone and number not in self.done:
                    logger.warning("wsbdd: worker %d stopped answering; its share is lost", number)
                    self.gone.add(number)
                    self._release()
            self._maybe_finish()
            gevent.sleep(0.25)
        if not self.finished:
            self._finish()

    def on_meet(self, environment: Any, msg: Any, **_: Any) -> None:
        data = msg.data
        number = int(data["worker"])
        key = list(data["key"])
        self.latest[number] = key
        self.last.setdefault(number, {})[data["kind"]] = data["data"]
        name = json.dumps(key)
        self.keys[name] = key
        self.waiting.setdefault(name, {})[number] = data["data"]
        self._release()

    def on_done(self, environment: Any, msg: Any, **_: Any) -> None:
        data = msg.data
        number = int(data["worker"])
        self.done[number] = data
        self.latest[number] = _LAST_KEY
        logger.info("wsbdd: worker %d finished (behave exit %s)", number, data.get("status"))
        self._release()
        self._maybe_finish()

    def _past(self, number: int, key: list[Any]) -> bool:
        if number in self.gone or number in self.done:
            return True
        latest = self.latest.get(number)
        return latest is not None and latest >= key

    def _release(self) -> None:
        if len(self.plan) < self.expected:  # a meeting waits for every worker to join first
            return
        for name in sorted(self.waiting, key=lambda n: self.keys[n]):
            key = self.keys[name]
            if not all(self._past(number, key) for number in self.plan.values()):
                continue
            arrived = self.waiting.pop(name)
            entries = [{"worker": n, **data} for n, data in sorted(arrived.items())]
            entries += [
                {"worker": n, "gone": True, "last": self.last.get(n, {})} for n in sorted(self.gone)
            ]
            for client_id, number in self.plan.items():
                if number in arrived and number not in self.gone:
                    self.runner.send_message(
                        "wsbdd_reply", {"key": key, "entries": entries}, client_id=client_id
                    )

    def _maybe_finish(self) -> None:
        everyone = len(self.plan) >= self.expected
        if not self.finished and everyone and len(self.done) + len(self.gone) >= len(self.plan):
            self._finish()

    def summary(self) -> dict[str, Any]:
        """Every scenario's verdict over the workers: failed when it failed on any."""
        scenarios: dict[str, dict[str, Any]] = {}
        for number in sorted(self.done):
            for found in self.done[number].get("scenarios", ()):
                seen = scenarios.setdefault(
                    found["location"], {**found, "workers": {}, "status": "passed"}
                )
                seen["workers"][str(number)] = found["status"]
                if found["status"] != "passed" and seen["status"] == "passed":
                    seen["status"], seen["error"] = found["status"], found["error"]
                    seen["failed_on"] = number
        return {
            "workers": len(self.plan),
            "gone": sorted(self.gone),
            "status": {str(n): d.get("status") for n, d in sorted(self.done.items())},
            "scenarios": list(scenarios.values()),
        }

    def _finish(self) -> None:
        self.finished = True
        summary = self.summary()
        for scenario in summary["scenarios"]:
            logger.info("wsbdd: %s: %s", scenario["status"], scenario["name"])
            if scenario["error"]:
                logger.info("%s", scenario["error"])
        failed = any(s["status"] != "passed" for s in summary["scenarios"])
        if failed or summary["gone"] or not summary["scenarios"]:
            self.environment.process_exit_code = 1  # Locust's own exit status says it too
        target = self.environment.parsed_options.wsbdd_summary
        if target:
            Path(target).write_text(json.dumps(summary, indent=2), encoding="utf-8")
        if self.environment.parsed_options.headless:
            gevent.spawn_later(0.5, self.runner.quit)
        else:
            gevent.spawn_later(0.5, self.runner.stop)


# -- a worker -----------------------------------------------------------------------------


class Share:
    """On a worker: the plan from the master, and the replies to this share's meeting points."""

    plan: dict[str, Any] | None = None
    planned = Event()
    writer: int | None = None
    started = False

    @classmethod
    def on_plan(cls, environment: Any, msg: Any, **_: Any) -> None:
        cls.plan = dict(msg.data)
        cls.planned.set()

    @classmethod
    def on_reply(cls, environment: Any, msg: Any, **_: Any) -> None:
        if cls.writer is not None:
            data = (json.dumps(msg.data, separators=(",", ":")) + "\n").encode()
            while data:  # a pipe to the companion: small writes, never long blocked
                data = data[os.write(cls.writer, data) :]


@events.init.add_listener
def _init(environment: Any, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, MasterRunner):
        environment.wsbdd_coordinator = Coordinator(environment)
    elif isinstance(runner, WorkerRunner):
        runner.register_message("wsbdd_plan", Share.on_plan)
        runner.register_message("wsbdd_reply", Share.on_reply)


def _flush_stats(runner: Any) -> None:
    """Send this worker's statistics now, ahead of its "done" on the same connection: the
    master ends the run on the last "done", and Locust's own report comes every 3 s."""
    send = getattr(runner, "_send_stats", None)  # WorkerRunner's periodic report
    if send is not None:
        send()


class WsbddCrowd(User):
    """One worker's share of the feature's crowds: start one user per worker.

    Its companion process runs the share; this user relays what the companion
    says and turns every timed message into a Locust request event.
    """

    def on_start(self) -> None:
        if Share.started:  # more users than workers: the share runs once per worker
            raise StopUser()
        label = os.environ.get("WSBDD_LOCUST_WORKER", "")
        self.environment.runner.send_message("wsbdd_join", {"label": label})
        wait_for_plan(Share.planned)
        Share.started = True
        plan = Share.plan or {}
        options = self.environment.parsed_options
        to_share, from_worker = os.pipe()
        from_share, to_worker = os.pipe()
        Share.writer = from_worker
        spec = {"in": to_share, "out": to_worker, **plan}
        env = {**os.environ, CHANNEL_VARIABLE: json.dumps(spec)}
        env["WSBDD_WORKER"] = str(plan["worker"])
        args = [sys.executable, "-m", "wsbdd.crowd.companion", options.wsbdd_feature]
        args += shlex.split(options.wsbdd_behave)
        self.companion = subprocess.Popen(args, env=env, pass_fds=(to_share, to_worker))
        os.close(to_share)
        os.close(to_worker)
        self.reader = FileObjectPosix(from_share, "rb")

    def on_stop(self) -> None:
        companion = getattr(self, "companion", None)
        if companion is not None and companion.poll() is None:
            companion.terminate()

    @task
    def relay(self) -> None:
        """Read the companion's lines until it is done; fire its request events."""
        fire = self.environment.events.request.fire
        runner = self.environment.runner
        number = (Share.plan or {}).get("worker")
        finished = False
        for line in self.reader:
            message = json.loads(line)
            op = message.get("op")
            if op == "events":
                for kind, name, ms, length, error in message["items"]:
                    fire(
                        request_type=kind,
                        name=name,
                        response_time=ms,
                        response_length=length,
                        exception=RuntimeError(error) if error else None,
                        context={},
                    )
            elif op == "meet":
                runner.send_message("wsbdd_meet", {**message, "worker": number})
            elif op == "done":
                _flush_stats(runner)
                runner.send_message("wsbdd_done", {**message, "worker": number})
                finished = True
                break
        if not finished:  # the companion died without a word
            _flush_stats(runner)
            code = self.companion.wait(timeout=10)
            runner.send_message(
                "wsbdd_done",
                {"worker": number, "status": code, "scenarios": [], "crashed": True},
            )
        self.companion.wait(timeout=30)
        raise StopUser()
