"""Public import path: ``from wsbdd.environment import *`` in a project's environment.py.

The code lives in :mod:`wsbdd.glue.environment`; this module re-exports it so that projects
written against the flat layout keep working (docs/architecture.md, "Layers").
"""

from wsbdd.glue.environment import *  # noqa: F403
from wsbdd.glue.environment import __all__ as __all__
