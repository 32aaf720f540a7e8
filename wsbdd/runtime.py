"""Public import path: ``from wsbdd.runtime import on_ws_loop``.

The code lives in :mod:`wsbdd.io.runtime`; this module re-exports it so that projects
written against the flat layout keep working (docs/architecture.md, "Layers").
"""

from wsbdd.io.runtime import *  # noqa: F403
from wsbdd.io.runtime import __all__ as __all__
