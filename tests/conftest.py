"""Fixtures shared by the tests that drive a Session against the bundled demo server."""

from __future__ import annotations

import pytest

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
