"""Public import path: ``from wsbdd.config import Settings``.

The code lives in :mod:`wsbdd.settings.config`; this module re-exports it so that projects
written against the flat layout keep working (docs/architecture.md, "Layers").
"""

from wsbdd.settings.config import *  # noqa: F403
from wsbdd.settings.config import __all__ as __all__
