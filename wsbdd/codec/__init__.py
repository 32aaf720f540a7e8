"""Codecs: the sans-I/O seam between WebSocket frames and a client's messages.

See :mod:`wsbdd.codec.base` for the contract and docs/codecs.md for how to
write one.  Nothing here touches a socket or an event loop.
"""

from wsbdd.codec.auto_reply import AutoReply, AutoReplying
from wsbdd.codec.base import NO_FRAMES, Codec, Decoded, Frame, Intent, Received, refused_intent
from wsbdd.codec.registry import (
    CodecNotFound,
    codec_factory,
    codec_names,
    find_codec,
    register_codec,
)
from wsbdd.codec.socketio import (
    Acknowledge,
    Emit,
    JoinNamespace,
    LeaveNamespace,
    NamespaceState,
    SocketIOCodec,
)
from wsbdd.codec.stomp import (
    StompAbort,
    StompAck,
    StompBegin,
    StompCodec,
    StompCommit,
    StompNack,
    StompSend,
    StompSubscribe,
    StompUnsubscribe,
)
from wsbdd.codec.websocket import BaseCodec, WebSocketCodec

__all__ = [
    "Acknowledge",
    "AutoReply",
    "AutoReplying",
    "BaseCodec",
    "Codec",
    "CodecNotFound",
    "Decoded",
    "Emit",
    "Frame",
    "Intent",
    "JoinNamespace",
    "LeaveNamespace",
    "NO_FRAMES",
    "NamespaceState",
    "Received",
    "SocketIOCodec",
    "StompAbort",
    "StompAck",
    "StompBegin",
    "StompCodec",
    "StompCommit",
    "StompNack",
    "StompSend",
    "StompSubscribe",
    "StompUnsubscribe",
    "WebSocketCodec",
    "codec_factory",
    "codec_names",
    "find_codec",
    "refused_intent",
    "register_codec",
]
