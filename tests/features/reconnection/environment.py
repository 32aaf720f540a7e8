# behave glue, as `wsbdd init` writes it.  The server is one of the Socket.IO test apps
# (tests/socketio_apps) that tests/test_reconnection_behave.py starts and names with
# -D wsbdd.url=…
from wsbdd.environment import *  # noqa: F403
