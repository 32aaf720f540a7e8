# behave glue, as `wsbdd init` writes it.  The server is the Strawberry test app
# (tests/graphql_apps) that tests/test_graphql_features.py starts and names with
# -D wsbdd.url=ws://127.0.0.1:<port>/graphql, over each subprotocol in turn
# (-D wsbdd.protocol=graphql-transport-ws, then graphql-ws).
from wsbdd.environment import *  # noqa: F403
