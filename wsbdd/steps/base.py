"""What every wsbdd step shares: finding the scenario's session, and naming the step in mistakes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from wsbdd.facade.session import Session
from wsbdd.model.errors import FeatureMistake

__all__ = ["wsbdd_step"]


def _session(context: Any) -> Session:
    session = getattr(context, "wsbdd", None)
    if session is None:
        raise FeatureMistake(
            "wsbdd's hooks are not installed: put `from wsbdd.environment import *` in "
            "environment.py next to your steps folder."
        )
    return session


def wsbdd_step(func: Callable[..., Any]) -> Callable[..., Any]:
    """Call ``func(session, context, **words)``; a feature-text mistake names its step."""

    @functools.wraps(func)
    def step(context: Any, **words: Any) -> Any:
        session = _session(context)
        try:
            return func(session, context, **words)
        except FeatureMistake as exc:
            raise exc.at_step(session.current_step) from None

    return step
