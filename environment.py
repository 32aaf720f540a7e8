# behave glue, exactly as in a user's project: wsbdd's hooks run the event loop,
# start the demo server when no URL is configured, and close every client.
from wsbdd.environment import *
