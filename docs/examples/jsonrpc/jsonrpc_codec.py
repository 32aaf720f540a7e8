"""JSON-RPC 2.0 over WebSocket, as a wsbdd codec: docs/codecs.md, "Your own protocol"."""

import json
from dataclasses import dataclass
from typing import Any

from wsbdd.codec import BaseCodec, Decoded, Received

USAGE = 'it sends a call written as JSON, such as {"method": "add", "params": [2, 3]}'


@dataclass(frozen=True)
class Call:
    """The intent "call this method": the codec gives the request its id."""

    method: str
    params: Any = None


class JsonRpcCodec(BaseCodec):
    """Requests numbered 1, 2, …; each response matched to its request by that id."""

    name = "jsonrpc"

    def __init__(self) -> None:
        self.next_id = 1
        self.calls: dict[int, str] = {}  # id → the method called, until its response

    def encode(self, intent: object) -> tuple[str]:
        if isinstance(intent, str):  # what "Alice sends …" and phrases give
            try:
                call = json.loads(intent)
            except ValueError:
                raise TypeError(USAGE) from None
            if not isinstance(call, dict) or not isinstance(call.get("method"), str):
                raise TypeError(USAGE)
            intent = Call(call["method"], call.get("params"))
        if not isinstance(intent, Call):
            raise TypeError(f"{USAGE}, not {type(intent).__name__}")
        request = {"jsonrpc": "2.0", "id": self.next_id, "method": intent.method}
        if intent.params is not None:
            request["params"] = intent.params
        self.calls[self.next_id] = intent.method
        self.next_id += 1
        return (json.dumps(request),)

    def decode(self, frame: str | bytes, at: float) -> Decoded | None:
        try:
            body = json.loads(frame)
        except ValueError:
            return None  # not JSON: a message as it stands
        batch = body if isinstance(body, list) else [body]
        return Decoded(messages=[self.message(item) for item in batch])

    def message(self, item: Any) -> Received:
        """One response or notification, as the steps see it ($) and reports show it."""
        if not isinstance(item, dict):
            return Received(item)
        if "method" in item:  # the server's notification
            params = item.get("params")
            value = {"type": "notification", "method": item["method"], "params": params}
            return Received(value, label=f"{item['method']} {json.dumps(params)}")
        method = self.calls.pop(item.get("id"), None)  # None: an id never sent
        value = {"type": "result", "id": item.get("id"), "method": method}
        if "error" in item:
            error = item["error"] if isinstance(item["error"], dict) else {}
            value.update(type="error", error=error)
            label = f"{method} error {error.get('code')} {error.get('message')}"
        else:
            value["result"] = item.get("result")
            label = f"{method} result {json.dumps(value['result'])}"
        return Received(value, label=label)
