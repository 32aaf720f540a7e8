"""What a finished scenario's conversation keeps for the reports: every event, with each
payload cut to what the report can show.

A report shows at most ``payload_cap`` characters of a payload (the rest is a note of how
much was left out), so keeping a 5 MB message whole until the run ends costs memory for
nothing: over a long run the conversations of all scenarios add up.  A payload longer than
the cap is kept as its first ``payload_cap`` characters (bytes, for a binary frame), with
its full size and how much was cut in ``detail`` (``size``, ``cut``); a codec's decoded
value of such a message is dropped (``detail["value_left_out"]``), as the report could not
show it whole either.  A report that must show bigger messages whole sets ``payload_cap``
as large as the largest.  Renderers write ``…`` where a kept payload was cut *before*
they mask it, so a secret the cut went through is still recognised
(:meth:`wsbdd.report.mask.Masker.mask`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from wsbdd.model.transcript import Event

__all__ = ["retained"]

_WITH_PAYLOADS = frozenset({"sent", "received", "http"})


def retained(events: Iterable[Event], cap: int) -> list[Event]:
    """``events`` with every payload longer than ``cap`` cut to ``cap`` (see the module)."""
    kept: list[Event] = []
    add = kept.append
    for event in events:
        payload = event.payload
        if event.kind not in _WITH_PAYLOADS or payload is None or len(payload) <= cap:
            add(event)
            continue
        detail = dict(event.detail)
        if isinstance(payload, str):
            detail["size"] = len(payload.encode("utf-8", "surrogatepass"))
            short: str | bytes = payload[:cap]  # no mark here: "…" would double an ASCII text
        else:
            detail["size"] = len(payload)
            short = bytes(payload[:cap])
        detail["cut"] = len(payload) - cap
        if "value" in detail:
            del detail["value"]
            detail["value_left_out"] = True
        add(replace(event, payload=short, detail=detail))
    return kept
