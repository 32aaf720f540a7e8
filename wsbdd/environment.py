"""behave hooks that run wsbdd: ``from wsbdd.environment import *`` in environment.py.

If your environment.py defines a hook of its own, call wsbdd's from it::

    from wsbdd import environment as wsbdd_env

    def before_scenario(context, scenario):
        wsbdd_env.before_scenario(context, scenario)
        ...  # your own set-up
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from behave.model_core import Status

from wsbdd.config import load_settings
from wsbdd.session import Run, Session

__all__ = ["before_all", "after_all", "before_scenario", "after_scenario", "before_step"]


def before_all(context: Any) -> None:
    """Load settings, start the event-loop thread, and the demo server if no URL is configured."""
    for noisy in ("websockets", "websockets.client", "websockets.server", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = load_settings(Path.cwd(), userdata=dict(context.config.userdata), environ=os.environ)
    context.wsbdd_run = Run(settings).open()


def before_scenario(context: Any, scenario: Any) -> None:
    """Give the scenario a fresh session: no clients, no variables, its own strictness."""
    run: Run = context.wsbdd_run
    strict = run.settings.strict or "strict" in scenario.effective_tags
    context.wsbdd = run.session(strict=strict)


def before_step(context: Any, step: Any) -> None:
    session: Session | None = getattr(context, "wsbdd", None)
    if session is not None:
        session.begin_step(f"{step.keyword} {step.name}")


def after_scenario(context: Any, scenario: Any) -> None:
    """Close every client of the scenario; in strict mode fail on messages nobody expected."""
    session: Session | None = getattr(context, "wsbdd", None)
    if session is None:
        return
    problems = None
    if session.strict and scenario.status == Status.passed:
        problems = session.strict_problems()
    session.close()
    if problems:
        raise AssertionError(problems)


def after_all(context: Any) -> None:
    """Stop the demo server and the event loop; nothing is left running."""
    run: Run | None = getattr(context, "wsbdd_run", None)
    if run is not None:
        run.close()
