"""A long run with big messages keeps, per message, only what the report shows: memory grows
by the report's cap per message, not by the messages' size."""

from __future__ import annotations

import gc
import tracemalloc
from types import SimpleNamespace

from wsbdd.model.transcript import Event, StepMark
from wsbdd.report.collect import CONVERSATION_ATTRIBUTE, Conversation, ReportRecorder
from wsbdd.report.diagram import build_diagram
from wsbdd.report.retention import retained

BIG = '{"type": "echo", "content": "' + "x" * 5_000_000 + '"}'  # one 5 MB message, reused


def scenario_session() -> SimpleNamespace:
    """What the recorder reads of a finished scenario whose Alice sent and got 5 MB."""
    mark = StepMark(0.0, 0, "When Alice sends a big message")
    events = [
        Event(0.001, "Alice", "sent", frame="text", payload=BIG, step=mark),
        Event(0.002, "Alice", "received", frame="text", payload=BIG, seq=1, step=mark),
        Event(0.003, "Alice", "received", frame="binary", payload=b"\x01" * 200_000, step=mark),
    ]
    return SimpleNamespace(
        transcript=lambda: events, step_marks=[mark], measurements=[], vars=None, pool=()
    )


def test_a_big_payload_is_kept_as_the_report_shows_it():
    kept = retained(scenario_session().transcript(), 65536)
    sent, received, binary = kept
    assert sent.payload == BIG[:65536]
    assert sent.detail == {"size": 5_000_031, "cut": 5_000_031 - 65536}
    assert received.seq == 1 and received.step is not None
    assert binary.payload == b"\x01" * 65536 and binary.detail["size"] == 200_000
    small = Event(0.0, "Bob", "received", frame="text", payload="hi")
    assert retained([small], 65536) == [small]  # the same object: nothing copied


def test_the_report_row_of_a_cut_payload_tells_its_true_size_and_what_was_left_out():
    kept = retained(scenario_session().transcript(), 65536)
    diagram = build_diagram(Conversation(kept, started_at=0.0), payload_cap=65536)
    rows = [row for row in diagram.rows if row.kind == "message"]
    assert rows[0].size == "4.8 MiB" and rows[0].cut == 5_000_031 - 65536


def test_memory_grows_by_the_cap_per_message_over_1000_scenarios():
    recorder = ReportRecorder()
    recorder.keeps_conversations = True
    kept = []
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(1000):
            scenario = SimpleNamespace(name=f"big {n}")
            recorder.keep(scenario, scenario_session())
            kept.append(scenario)  # behave keeps every scenario until the report is written
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert all(getattr(s, CONVERSATION_ATTRIBUTE).events for s in kept)
    per_scenario = grown / 1000
    # Three messages of 10 MB in all, kept as 3 × 64 KiB (plus the events themselves).
    assert per_scenario < 3 * 65536 + 8192, per_scenario
