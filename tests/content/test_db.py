"""The database layer: migrations on SQLite and PostgreSQL, SQLite's locking, many writers."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, select

from content.db import Database
from content.models import Department, Post, User
from tests.factories import post_input


def test_migrations_build_the_schema_of_the_models(database_url: str) -> None:
    db = Database(database_url)
    assert db.current_revision() is None
    db.upgrade()
    assert db.current_revision() == db.head_revision()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    tables = set(inspect(db.engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    db.dispose()


def test_migrations_downgrade_and_upgrade_again(database_url: str) -> None:
    from alembic import command

    from content.db import alembic_config

    db = Database(database_url)
    db.upgrade()
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not {"post", "delivery"} & set(inspect(db.engine).get_table_names())
    db.upgrade()
    assert db.current_revision() == db.head_revision()
    db.dispose()


def test_upgrade_is_idempotent(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    with db.write() as session:
        session.add(Department(code="STTTT", name_vi="Sở TTTT", name_en="DIC"))
    db.upgrade()
    with db.read() as session:
        assert session.exec(select(Department.code)).all() == ["STTTT"]
    db.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_write_transaction_takes_the_write_lock_at_its_start(db: Database) -> None:
    """While one write session is open, another connection cannot start writing."""
    path = db.engine.url.database
    assert path is not None
    with db.write() as session:
        session.exec(select(User)).all()  # only a read so far, yet the lock is held
        other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_readers_do_not_wait_for_a_writer(db: Database) -> None:
    entered, release = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        with db.write() as session:
            session.exec(select(User)).all()
            entered.set()
            release.wait(10)

    writer = threading.Thread(target=hold_the_write_lock)
    writer.start()
    assert entered.wait(10)
    try:
        with db.read() as session:
            assert len(session.exec(select(User)).all()) == 5
    finally:
        release.set()
        writer.join()


def _bump_versions(url: str, post_id: int, times: int) -> None:
    """Read-modify-write, the pattern that loses updates or deadlocks without BEGIN IMMEDIATE."""
    db = Database(url)
    for _ in range(times):
        with db.write() as session:
            post = session.get(Post, post_id)
            assert post is not None
            post.version = post.version + 1
            session.add(post)
    db.dispose()


def _create_posts(url: str, username: str, count: int) -> None:
    from content.posts import PostService
    from content.timeutil import zone
    from tests.factories import VOCABULARY

    db = Database(url)
    service = PostService(db, VOCABULARY, zone("Asia/Ho_Chi_Minh"))
    actor = service.actor(username)
    for number in range(count):
        service.create(actor, post_input(title=f"{username} #{number}"))
    db.dispose()


@pytest.mark.slow
def test_concurrent_writer_processes_on_one_sqlite_file(db: Database, tmp_path: Path) -> None:
    from content.posts import PostService
    from content.timeutil import zone
    from tests.factories import VOCABULARY

    service = PostService(db, VOCABULARY, zone("Asia/Ho_Chi_Minh"))
    post = service.create(service.actor("cbtt.stttt"), post_input())
    assert post.id is not None
    url = str(db.engine.url)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_bump_versions, args=(url, post.id, 40)) for _ in range(4)]
    workers += [
        context.Process(target=_create_posts, args=(url, name, 15))
        for name in ("cbtt.stttt", "bientap")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0] * len(workers)
    with db.read() as session:
        assert session.get(Post, post.id).version == 1 + 4 * 40  # type: ignore[union-attr]
        titles = session.exec(select(Post.title).where(Post.id != post.id)).all()
        assert len(titles) == 30
        count = session.execute(text("SELECT COUNT(*) FROM auditevent")).scalar()
        assert count == 31


def test_each_database_gets_its_own_installation_key(tmp_path: Path) -> None:
    from content.installation import installation_key

    keys = []
    for name in ("one", "two"):
        database = Database(f"sqlite:///{tmp_path / name}.db")
        database.upgrade()
        with database.read() as session:
            keys.append(installation_key(session))
        with database.read() as session:
            assert installation_key(session) == keys[-1]
        database.dispose()
    assert len(set(keys)) == 2
    assert all(len(key) == 12 and int(key, 16) >= 0 for key in keys)


def test_a_new_sqlite_database_and_its_wal_files_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "loa.db"
    old_umask = os.umask(0o022)  # the usual umask, under which SQLite would make 0644 files
    try:
        database = Database(f"sqlite:///{path}")
        database.upgrade()
        with database.write() as session:
            session.add(Department(code="STTTT", name_vi="Sở TT&TT", name_en="DIC"))
        files = {name: path.with_name(name) for name in ("loa.db", "loa.db-wal", "loa.db-shm")}
        modes = {name: stat.S_IMODE(file.stat().st_mode) for name, file in files.items()}
        database.dispose()
    finally:
        os.umask(old_umask)
    assert modes == {"loa.db": 0o600, "loa.db-wal": 0o600, "loa.db-shm": 0o600}


def test_an_existing_database_keeps_the_mode_its_owner_chose(tmp_path: Path) -> None:
    path = tmp_path / "loa.db"
    sqlite3.connect(path).close()
    path.chmod(0o640)
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    database.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
