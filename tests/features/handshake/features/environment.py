# behave glue, as `wsbdd init` writes it: wsbdd's hooks run the event loop and close
# every client.  The test that runs these features passes the app's URL with -D wsbdd.url.
from wsbdd.environment import *  # noqa: F403
