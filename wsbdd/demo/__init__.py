"""The bundled demo chat server: wsbdd's reference target and its own test subject.

Start it from Python with :class:`DemoServer`, or from a shell with
``python -m wsbdd.demo``. The protocol is described in ``docs/demo-protocol.md``.
"""

from .server import DemoServer, serve_forever

__all__ = ["DemoServer", "serve_forever"]
