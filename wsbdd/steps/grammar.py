"""Moved to :mod:`wsbdd.match.grammar`; this name stays for code that imported it.

Prefer ``from wsbdd.match.grammar import …``: importing anything under
``wsbdd.steps`` registers wsbdd's steps with behave, which the grammar itself
never does.
"""

from wsbdd.match.grammar import *  # noqa: F403
from wsbdd.match.grammar import __all__ as __all__
