# behave glue, as `wsbdd init` writes it.  The server is one of the two Socket.IO test apps
# (tests/socketio_apps: python-socketio and Node socket.io) that tests/test_socketio_features.py
# starts and names with -D wsbdd.url=http://127.0.0.1:<port>.
from wsbdd.environment import *  # noqa: F403
