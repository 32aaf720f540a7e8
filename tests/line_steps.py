"""The line protocol's own words: one steps module, on wsbdd's public API only.

With the codec module (tests/line_codec.py) this is all a project adds for the
protocol; docs/codecs.md shows this file whole, and tests/test_codec_project.py runs
it under behave against a real line-protocol server.
"""

from behave import step
from line_codec import Say

from wsbdd.match import where
from wsbdd.steps import wsbdd_step


@step("{client} says {event}")
@wsbdd_step
def says(session, context, client, event):
    """Send the codec's own intent: the codec writes SAY and the event's JSON."""
    session.send(client, Say(session.vars.render_json(event)))


@step("{client} hears an event where {conditions}")
@wsbdd_step
def hears(session, context, client, conditions):
    """Wait for an event whose decoded value (what the codec made of EVENT …) matches."""
    session.receive(client, where(conditions))
