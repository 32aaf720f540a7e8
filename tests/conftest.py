"""Fixtures shared by the tests that drive a Session against the bundled demo server."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from bundled import BundledRun, run_bundled_once

from wsbdd.facade.session import Run
from wsbdd.settings.config import Settings

# The sentence harness's asserts show both texts when they differ, as a test's own do.
pytest.register_assert_rewrite("tests.sentences")


@pytest.fixture(scope="module")
def run():
    """One test run (loop thread and demo server) per test module; the welcome is noise."""
    with Run.start(Settings(timeout=5.0, ignore=('$.type is "welcome"',))) as run:
        yield run


@pytest.fixture
def s(run):
    """A fresh scenario session, closed after the test."""
    with run.session() as session:
        yield session


# --- the real Socket.IO servers (tests/socketio_apps/, started by tests/socketio_servers.py) ---
# Session-scoped: the servers keep nothing between clients but room memberships (tests use
# rooms of their own) and stay up for the whole run.  Missing Node or npm packages FAIL with
# one sentence naming the README's test command: the suite skips nothing.


@contextlib.contextmanager
def _socketio_server(start: Callable[..., Any], **options: Any) -> Iterator[Any]:
    from socketio_servers import SocketIOServerError

    try:
        with start(**options) as server:
            yield server
    except SocketIOServerError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def python_socketio():
    """tests/socketio_apps/python_app.py (python-socketio on uvicorn), default options."""
    from socketio_servers import python_socketio_server

    with _socketio_server(python_socketio_server) as server:
        yield server


@pytest.fixture(scope="session")
def node_socketio():
    """tests/socketio_apps/node/server.js (Node socket.io 4), default options."""
    from socketio_servers import node_socketio_server

    with _socketio_server(node_socketio_server) as server:
        yield server


@pytest.fixture(scope="session", params=["python", "node"])
def socketio_app(request):
    """Each of the two servers in turn: a test using it runs against both."""
    return request.getfixturevalue(f"{request.param}_socketio")


@pytest.fixture(scope="session")
def node_socketio_v2():
    """tests/socketio_apps/node/server_v2.js: Socket.IO 2 on Engine.IO 3."""
    from socketio_servers import node_socketio_v2_server

    with _socketio_server(node_socketio_v2_server) as server:
        yield server


# --- the real GraphQL server (tests/graphql_apps/app.py, started by tests/graphql_servers.py) ---
# Session-scoped like the Socket.IO servers: the server keeps nothing between connections but
# the rooms of its messages subscription (tests use rooms of their own).  It accepts the
# token graphql_servers.TOKEN ("secret-token") in the connection params, or none.


@contextlib.contextmanager
def _graphql_server(**options: Any) -> Iterator[Any]:
    from graphql_servers import GraphQLServerError, graphql_server

    try:
        with graphql_server(**options) as server:
            yield server
    except GraphQLServerError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def graphql_app():
    """tests/graphql_apps/app.py (Strawberry on uvicorn), default options: ``.url`` is
    ``ws://127.0.0.1:<port>/graphql`` (both subprotocols), ``.http_url`` its HTTP twin."""
    with _graphql_server() as server:
        yield server


@pytest.fixture(scope="session")
def graphql_app_pinging():
    """The same app keeping connections alive: a graphql-transport-ws ping every 200 ms
    (the query ``pongs`` counts the answers) and a legacy ``ka`` every 200 ms."""
    with _graphql_server(ping_interval=200, keep_alive=200) as server:
        yield server


# --- the real STOMP broker (a private RabbitMQ node with Web-STOMP, tests/rabbitmq.py) ---
# Session-scoped: it takes seconds to start.  Tests use destinations of their own.  A missing
# rabbitmq-server package or a node that does not start FAILS with one sentence: never a skip.


@pytest.fixture(scope="session")
def stomp_broker():
    """A private RabbitMQ node: ``.url`` (``ws://127.0.0.1:<port>/ws``), ``.login`` and
    ``.passcode`` (guest/guest), ``.same_login`` (a user whose passcode is its login)."""
    from rabbitmq import BrokerUnavailable, rabbitmq_broker

    try:
        with rabbitmq_broker() as broker:
            yield broker
    except BrokerUnavailable as error:
        pytest.fail(str(error), pytrace=False)


def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    """Start the minute-long Socket.IO scenario as soon as its test is collected: it runs
    beside the rest of the suite and its test collects the verdict
    (tests/test_socketio_long_scenario.py)."""
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and module.__name__.endswith("test_socketio_long_scenario"):
            module.start()
            return


@pytest.fixture(scope="module")
def sio_run(python_socketio):
    """A run that speaks Socket.IO to the python-socketio test server (2 s timeout), one per
    test module: the Socket.IO sentence tests open their sessions in it."""
    settings = Settings(url=python_socketio.url, timeout=2.0, codec="socket.io")
    with Run.start(settings) as run:
        yield run


@pytest.fixture(scope="session")
def bundled_run(tmp_path_factory: pytest.TempPathFactory) -> BundledRun:
    """The bundled features, run once with `wsbdd demo` for every test that reads the run
    (the slowest thing in the suite)."""
    # Under pytest-xdist each worker has its own base folder; their parent is shared, and
    # the first worker to ask makes the run there for all of them.
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return run_bundled_once(shared / "bundled")
