# behave glue, as `wsbdd init` writes it.  The broker is the private RabbitMQ node with the
# Web-STOMP plugin (tests/rabbitmq.py) that tests/test_stomp_features.py starts and names
# with -D wsbdd.url=ws://127.0.0.1:<port>/ws; the passcode comes from the environment (PW).
from wsbdd.environment import *  # noqa: F403
