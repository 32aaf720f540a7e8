from wsbdd.environment import *  # noqa: F403
