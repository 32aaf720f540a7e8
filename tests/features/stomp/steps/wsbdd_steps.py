# Registers wsbdd's step library: the STOMP features need no step of their own.
from wsbdd.steps import *  # noqa: F403
