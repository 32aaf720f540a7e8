from wsbdd.steps import *  # noqa: F403
