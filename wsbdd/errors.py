"""Public import path: ``from wsbdd.errors import ExpectationFailed`` (and the other wsbdd errors).

The code lives in :mod:`wsbdd.model.errors`; this module re-exports it so that projects
written against the flat layout keep working (docs/architecture.md, "Layers").
"""

from wsbdd.model.errors import *  # noqa: F403
from wsbdd.model.errors import __all__ as __all__
