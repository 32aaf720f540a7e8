"""The tags wsbdd and behave act on, and the near-misses of them a feature writer makes.

Pure: ``wsbdd check`` reports a near-miss before the run, and the run itself fails a
scenario carrying one (``@strikt`` silently ignored would leave a scenario un-strict).
"""

from __future__ import annotations

import difflib

__all__ = ["KNOWN_TAGS", "near_miss", "near_miss_sentence"]

KNOWN_TAGS = {
    "strict": "wsbdd: fail when a client received a message no step checked",
    "socket.io": "wsbdd: the scenario's clients speak Socket.IO",
    "graphql": "wsbdd: the scenario's clients speak GraphQL (graphql-transport-ws)",
    "graphql-ws": "wsbdd: the scenario's clients speak GraphQL over the legacy graphql-ws",
    "stomp": "wsbdd: the scenario's clients speak STOMP",
    "wip": "behave: work in progress",
    "skip": "behave: skip this scenario",
}
"""Tag → what it does."""

_SPECIAL_PREFIXES = ("fixture.", "use.", "only.", "not.", "active.", "allure.")


def near_miss(tag: str, known: dict[str, str] = KNOWN_TAGS) -> str | None:
    """The known tag ``tag`` is a misspelling of (``strikt`` → ``strict``), or None when it
    is one of them, a behave special tag, or far from all of them (a project's own)."""
    lowered = tag.lower()
    if lowered in known or lowered.startswith(_SPECIAL_PREFIXES) or lowered == "socketio":
        return None
    if any(lowered.startswith(name) for name in known):  # @wip2, @skip-ci: a project's own
        return None
    close = difflib.get_close_matches(lowered, list(known), n=1, cutoff=0.75)
    return close[0] if close else None


def near_miss_sentence(tag: str, known: str, described: dict[str, str] = KNOWN_TAGS) -> str:
    """``@strikt is not a tag wsbdd or behave acts on; did you mean @strict (…)?``"""
    return (
        f"@{tag} is not a tag wsbdd or behave acts on; did you mean @{known} ({described[known]})?"
    )
