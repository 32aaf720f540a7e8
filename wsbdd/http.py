"""Public import path: ``from wsbdd.http import Body``.

The code lives in :mod:`wsbdd.io.http`; this module re-exports it so that projects
written against the flat layout keep working (docs/architecture.md, "Layers").
"""

from wsbdd.io.http import *  # noqa: F403
from wsbdd.io.http import __all__ as __all__
