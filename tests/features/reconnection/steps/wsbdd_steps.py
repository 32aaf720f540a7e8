# Registers wsbdd's step library.
from wsbdd.steps import *  # noqa: F403
