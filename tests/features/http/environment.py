# behave glue, as `wsbdd init` writes it: wsbdd's hooks run the event loop and close every
# client.  The server is the Starlette test app a pytest test starts (tests/test_http_behave.py)
# and names with -D wsbdd.url=…
from wsbdd.environment import *  # noqa: F403
