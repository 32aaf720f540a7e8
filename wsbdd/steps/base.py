"""What every wsbdd step shares: finding the scenario's session, and naming the step in mistakes.

Public (``from wsbdd.steps import session_of, wsbdd_step``): a protocol's own steps
module uses the same two helpers as the built-in steps (see docs/codecs.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from wsbdd.facade.session import Session
from wsbdd.model.errors import FeatureMistake

__all__ = ["session_of", "wsbdd_step"]


def session_of(context: Any) -> Session:
    """The scenario's :class:`~wsbdd.session.Session` from behave's ``context`` (what
    ``context.wsbdd`` holds), or one sentence saying how to install wsbdd's hooks."""
    session = getattr(context, "wsbdd", None)
    if session is None:
        raise FeatureMistake(
            "wsbdd's hooks are not installed: put `from wsbdd.environment import *` in "
            "environment.py next to your steps folder."
        )
    return session


def wsbdd_step(func: Callable[..., Any]) -> Callable[..., Any]:
    """Call ``func(session, context, **words)``; a feature-text mistake names its step.

    Put it under behave's ``@step(…)``: the step gets the scenario's session first, and a
    :class:`~wsbdd.errors.FeatureMistake` it raises (bad JSON, an intent the codec
    refuses, an unknown client) reads ``In the step "…": …``.
    """

    @functools.wraps(func)
    def step(context: Any, **words: Any) -> Any:
        session = session_of(context)
        try:
            return func(session, context, **words)
        except FeatureMistake as exc:
            raise exc.at_step(session.current_step) from None

    return step
