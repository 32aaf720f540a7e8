"""Public import path: ``from wsbdd.session import Run, Session``.

The code lives in :mod:`wsbdd.facade.session`; this module re-exports it so that projects
written against the flat layout keep working (docs/architecture.md, "Layers").
"""

from wsbdd.facade.session import *  # noqa: F403
from wsbdd.facade.session import __all__ as __all__
