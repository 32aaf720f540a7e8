"""What a Locust worker's share of a crowd waits for before it starts: the master's plan.

No Locust import here (Locust patches the process that imports it), so the wait and its
sentence can be checked in any process.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PLAN_WAIT", "wait_for_plan"]

PLAN_WAIT = 60.0
"""Seconds a worker waits for the master's plan after it asked for one."""


def wait_for_plan(planned: Any, seconds: float = PLAN_WAIT) -> None:
    """Return once ``planned`` (the event the master's plan message sets) is set; one
    sentence if it is not within ``seconds``."""
    if not planned.wait(timeout=seconds):
        raise RuntimeError(
            f"The Locust master sent no wsbdd plan within {seconds:g} s: start it with "
            'wsbdd\'s locustfile and the feature (locust -f "$(python -m wsbdd.crowd.where)" '
            "--master --wsbdd-feature FEATURE), or let wsbdd load --workers N start it."
        )
