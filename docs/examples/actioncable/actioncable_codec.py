"""Rails' ActionCable (actioncable-v1-json) as a wsbdd codec: docs/codecs.md, "ActionCable"."""

import json
from typing import Any

from wsbdd.codec import BaseCodec, Decoded, Received

USAGE = (
    'it sends {"subscribe": {"channel": "ChatChannel", …}}, {"perform": "speak", …} '
    '(with "on": the subscription, else the last one) or {"unsubscribe": {…}}'
)
STALE = 6.0  # seconds without a ping before the connection counts as dead (as Rails' client)


class ActionCableCodec(BaseCodec):
    """Subscriptions by their identifier; broadcasts decoded per channel; pings watched."""

    name = "actioncable"
    subprotocols = ("actioncable-v1-json",)

    def __init__(self) -> None:
        self.welcomed = False
        self.due: float | None = None  # when the server's pings count as stopped
        self.last: str | None = None  # the identifier of the last subscription

    def opening(self, subprotocol: str | None, now: float) -> Decoded:
        self.due = now + STALE  # the welcome, then a ping every 3 s
        return Decoded()  # ready once the server's welcome comes

    def encode(self, intent: object) -> tuple[str]:
        try:
            asked = json.loads(intent) if isinstance(intent, str) else None
        except ValueError:
            asked = None
        if not isinstance(asked, dict):
            raise TypeError(USAGE)
        if "subscribe" in asked:
            self.last = json.dumps(asked["subscribe"])
            return (json.dumps({"command": "subscribe", "identifier": self.last}),)
        on = json.dumps(asked.pop("on")) if "on" in asked else self.last
        if on is None:
            raise TypeError(f"{USAGE}; subscribe to a channel first")
        if "unsubscribe" in asked:
            return (json.dumps({"command": "unsubscribe", "identifier": on}),)
        if "perform" not in asked:
            raise TypeError(USAGE)
        data = json.dumps({"action": asked.pop("perform"), **asked})
        return (json.dumps({"command": "message", "identifier": on, "data": data}),)

    def decode(self, frame: str | bytes, at: float) -> Decoded | None:
        try:
            body = json.loads(frame)
        except ValueError:
            return None
        kind = body.get("type") if isinstance(body, dict) else None
        if kind == "ping":
            self.due = at + STALE
            return Decoded()  # chatter: never in the inbox
        if kind == "welcome":
            self.welcomed = True
            return Decoded(ready=True)
        if kind == "disconnect":
            reason = body.get("reason") or "no reason"
            if not self.welcomed:
                return Decoded(failed=f"the server refused the connection ({reason})")
            return Decoded(closing=True, reason=reason)
        if not isinstance(body, dict) or "identifier" not in body:
            return None
        return Decoded(messages=[self.message(body, kind)])

    def message(self, body: dict[str, Any], kind: str | None) -> Received:
        identifier = json.loads(body["identifier"])
        channel = identifier.get("channel") if isinstance(identifier, dict) else None
        value = {"channel": channel, "identifier": identifier}
        if kind in ("confirm_subscription", "reject_subscription"):
            value["type"] = "confirmed" if kind == "confirm_subscription" else "rejected"
            return Received(value, label=f"{channel} {value['type']}")
        value.update(type="message", message=body.get("message"))
        return Received(value, label=f"{channel} {json.dumps(body.get('message'))}")

    def next_deadline(self) -> float | None:
        return self.due

    def tick(self, now: float) -> Decoded:
        self.due = None
        stopped = f"the server sent no ping for {STALE} s (it pings every 3 s)"
        return Decoded(failed=stopped, reason="stale connection")
