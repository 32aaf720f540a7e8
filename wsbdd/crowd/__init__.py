"""Load beyond one process: a feature's ``@load`` scenarios spread over Locust workers.

``wsbdd load FEATURE --workers N`` (:mod:`wsbdd.crowd.command`) starts a Locust
master and N workers on this machine; :mod:`wsbdd.crowd.locustfile` is the
locustfile they run (also usable with Locust's own command); each worker's
share runs in a companion asyncio process (:mod:`wsbdd.crowd.companion`) with
:class:`wsbdd.load.shard.ShardDriver`.  Only the locustfile imports Locust
(which monkey-patches the process with gevent on import): nothing here that a
plain ``wsbdd`` command or a test imports does.  See docs/locust.md.
"""
