"""The transcript: every frame and connection event of a scenario, in order, with its step."""

from __future__ import annotations

from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.settings.config import Settings


def test_a_scenario_transcript_has_every_event_in_time_order_with_its_step():
    with Run.start(Settings(ignore=('$.type is "welcome"',))) as run:
        s = run.session()
        s.begin_step("Given Alice is connected")
        s.connect("Alice")
        s.connect("Eve", "/secure", require=False)
        s.begin_step('When Alice sends {"type": "ping"}')
        s.send("Alice", '{"type": "ping"}')
        s.begin_step('Then Alice receives a message where $.type is "pong"')
        s.receive("Alice", where('$.type is "pong"'))
        s.begin_step("When Alice disconnects")
        s.disconnect("Alice")
        events = s.transcript()
        s.close()
    kinds = [(e.client, e.kind) for e in events]
    alice = [k for c, k in kinds if c == "Alice"]
    assert alice == ["connecting", "connected", "received", "sent", "received", "closed"]
    assert ("Eve", "rejected") in kinds
    assert [e.at for e in events] == sorted(e.at for e in events)
    sent = next(e for e in events if e.kind == "sent")
    assert sent.payload == '{"type": "ping"}' and sent.frame == "text"
    assert sent.step.text == 'When Alice sends {"type": "ping"}' and sent.step.index == 1
    pong = [e for e in events if e.kind == "received"][-1]
    assert '"pong"' in pong.payload and pong.seq == 2
    rejected = next(e for e in events if e.kind == "rejected")
    assert rejected.detail["status"] == 401
    closed = (
        events[-1]
        if events[-1].client == "Alice"
        else next(e for e in events if e.kind == "closed" and e.client == "Alice")
    )
    assert closed.detail["code"] == 1000 and closed.detail["by"] == "client"
    assert closed.step.text == "When Alice disconnects"
