"""The bundled demo server: a chat, and a live quiz on ``/quiz``; wsbdd's reference target.

Start it from Python with :class:`DemoServer`, or from a shell with
``python -m wsbdd.demo``. The protocol is described in ``docs/demo-protocol.md``.
"""

from .server import DemoServer, serve_forever

__all__ = ["DemoServer", "serve_forever"]
