"""Fixtures shared by every test folder: databases on SQLite and PostgreSQL, seeded data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.sandbox import build_sandbox
from channels.sandbox.server import Faults, SandboxServer
from content.db import Database
from content.posts import PostService
from content.timeutil import zone
from tests.factories import VOCABULARY, Clock, seed

POSTGRES_URL = os.environ.get(
    "LOA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_unavailable_reason() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at {POSTGRES_URL} ({error.__class__.__name__})"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    reason = _postgres_unavailable_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"{reason}; CI=true requires the PostgreSQL tests to run")
        pytest.skip(f"{reason}; set LOA_TEST_POSTGRES_URL to run the PostgreSQL tests")
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    import psycopg

    name = f"loa_test_{uuid.uuid4().hex[:12]}"
    admin_url = postgres_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = postgres_server.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'loa.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'loa.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def _seeded(url: str) -> Iterator[Database]:
    database = Database(url)
    database.upgrade()
    seed(database)
    yield database
    database.dispose()


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    yield from _seeded(sqlite_url)


@pytest.fixture
def any_db(database_url: str) -> Iterator[Database]:
    """The seeded database on SQLite and, where available, on PostgreSQL."""
    yield from _seeded(database_url)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))


@pytest.fixture
def service(db: Database, clock: Clock) -> PostService:
    return PostService(db, VOCABULARY, zone("Asia/Ho_Chi_Minh"), clock=clock)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    server = build_sandbox(port=0).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """The running sandbox, with every platform's posts, tokens and faults forgotten."""
    for platform in sandbox_server.platforms.values():
        with platform.lock:
            platform.faults = Faults()
            platform.reset()
    return sandbox_server
