"""The worker built from config.yaml runs the notification jobs on their own schedule, with the
configured review wait and SMTP server (its password from the environment only)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select

from content.models import Delivery, Notification, Post, User
from loa.app import App, open_app
from loa.config import NotificationsConfig, SmtpConfig
from loa.worker_app import build_worker
from loa.worker_notify import smtp_settings
from tests.factories import demo_config_at, published_deliveries


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    config = demo_config_at(tmp_path, "http://127.0.0.1:9", monkeypatch)
    opened = open_app(config, migrate=True)
    yield opened
    opened.close()


def test_the_worker_tells_waiting_posts_after_the_configured_wait(app: App) -> None:
    app.config = app.config.model_copy(
        update={"notifications": NotificationsConfig(review_wait_hours=2, interval_seconds=15)}
    )
    worker = build_worker(app)
    job, trigger = worker._periodic["notifications"]
    assert trigger == {"seconds": 15}
    assert worker._periodic["notification_mail"][1] == {"seconds": 15}
    with app.db.read() as session:
        officer = session.exec(select(User).where(User.role == "officer")).first()
    assert officer is not None and officer.department_code is not None
    published_deliveries(
        app.db, 1, datetime(2026, 1, 1, tzinfo=UTC),
        department=officer.department_code, author=officer.username,
    )  # fmt: skip
    with app.db.write() as session:
        session.execute(update(Delivery).values(state="pending", published_at=None))
        session.execute(
            update(Post).values(state="in_review", updated_at=worker.clock() - timedelta(hours=3))
        )
    assert job() >= 1  # the department's editors and the administrators
    with app.db.read() as session:
        events = set(session.exec(select(Notification.event)).all())
    assert events == {"post_waiting"}
    assert job() == 0


def test_smtp_settings_read_the_password_from_the_environment(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert smtp_settings(app) is None  # none configured: e-mail waits in the queue
    smtp = SmtpConfig(
        host="smtp.thuathienhue.gov.vn", sender="loa@thuathienhue.gov.vn",
        username="loa", password="LOA_SMTP_PASSWORD",
    )  # fmt: skip
    app.config = app.config.model_copy(update={"notifications": NotificationsConfig(smtp=smtp)})
    monkeypatch.setenv("LOA_SMTP_PASSWORD", "p@ss:wörd/1")
    settings = smtp_settings(app)
    assert settings is not None and settings.password == "p@ss:wörd/1"
    url = settings.url("cbtt@sdl.hue.gov.vn")
    assert url.startswith("mailtos://loa:p%40ss%3Aw%C3%B6rd%2F1@smtp.thuathienhue.gov.vn:587?")
    assert "mode=starttls" in url and "p@ss" not in repr(settings)
