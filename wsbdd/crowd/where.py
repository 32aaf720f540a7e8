"""``python -m wsbdd.crowd.where``: print the path of wsbdd's locustfile, for ``locust -f``."""

from wsbdd.crowd.command import LOCUSTFILE

if __name__ == "__main__":
    print(LOCUSTFILE)
