"""What the worker tells people (published, failed, waiting, digests) and the e-mail it sends
from the outbox, through apprise to a real SMTP server (aiosmtpd) on 127.0.0.1, once each."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from content import notifications
from content.db import Database
from content.models import Channel, Delivery, DeliveryState, Notification, Post, User
from content.observances import Observance
from content.reasons import Reason
from content.timeutil import zone
from content.users import set_own_email
from scheduler.notify import Notifier, NotifySettings, tell_reminder
from scheduler.notify_mail import MAX_ATTEMPTS, STALE_AFTER, Mailer, SmtpSettings
from scheduler.publish import Alert, hold_channel
from scheduler.reminder_text import Words
from scheduler.reminders import Reminders, ReminderSettings
from tests.factories import DEPARTMENTS, Clock, published_deliveries
from tests.scheduler.test_alerts import _free_port, _Inbox, smtp  # noqa: F401 - fixture
from tests.scheduler.test_reminders import _reader

HCM = zone("Asia/Ho_Chi_Minh")
AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
# apprise's e-mail plugin imports the deprecated stdlib `imghdr` (see test_alerts.py).
pytestmark = pytest.mark.filterwarnings(
    "ignore:'imghdr' is deprecated and slated for removal:DeprecationWarning"
)


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    from apprise.plugins.email import NotifyEmail

    monkeypatch.setattr(NotifyEmail, "request_rate_per_sec", 0)


def uid(db: Database, username: str) -> int:
    with db.read() as session:
        found = session.exec(select(User.id).where(User.username == username)).one()
        assert found is not None
        return found


def told(db: Database, username: str) -> list[Notification]:
    with db.read() as session:
        return notifications.recent(session, uid(db, username))


def second_delivery(db: Database, post_delivery: int, channel: str, state: str) -> int:
    with db.write() as session:
        first = session.get(Delivery, post_delivery)
        assert first is not None
        other = Delivery(post_id=first.post_id, channel_id=channel, due_at=AT, state=state)
        session.add(other)
        session.flush()
        assert other.id is not None
        return other.id


# -- published, failed, waiting ------------------------------------------------------------------


def test_published_is_told_once_when_every_channel_is_settled(any_db: Database) -> None:
    clock = Clock(AT + timedelta(minutes=5))
    [first] = published_deliveries(any_db, 1, AT)
    with any_db.write() as session:
        session.execute(
            update(Delivery).where(Delivery.id == first).values(remote_url="https://fb.com/p/1")
        )
    other = second_delivery(any_db, first, "web-asean", DeliveryState.scheduled)
    notifier = Notifier(any_db, NotifySettings, clock)
    assert notifier.run_once() == 0  # the website is still to come

    with any_db.write() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == other)
            .values(state="published", published_at=clock(), remote_url="https://asean.hue/a")
        )
    assert notifier.run_once() == 1
    [note] = told(any_db, "cbtt.stttt")
    assert note.event == "post_published" and note.title_vi == "Bài đã đăng: «Bài 0»"
    assert "- Facebook · fb-asean-hue: https://fb.com/p/1" in note.body_vi
    assert "- Trang web · web-asean: https://asean.hue/a" in note.body_vi
    assert "- Website · web-asean: https://asean.hue/a" in note.body_en
    assert notifier.run_once() == 0 and len(told(any_db, "cbtt.stttt")) == 1


def test_a_failure_is_told_with_its_reason_in_both_languages(any_db: Database) -> None:
    clock = Clock(AT + timedelta(minutes=5))
    [first] = published_deliveries(any_db, 1, AT)
    reason = '{"vi": "Ảnh quá lớn", "en": "The image is too large", "detail": "code 324"}'
    with any_db.write() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == first)
            .values(state="failed", last_error=reason, attempts=3, updated_at=clock())
        )
    notifier = Notifier(any_db, NotifySettings, clock)
    assert notifier.run_once() == 1
    [note] = told(any_db, "cbtt.stttt")
    assert note.title_vi == "Bài không đăng được lên Facebook · fb-asean-hue: «Bài 0»"
    assert note.body_vi.endswith("Lý do: Ảnh quá lớn (code 324)")
    assert note.body_en.endswith("Reason: The image is too large (code 324)")
    assert notifier.run_once() == 0


def test_a_post_waiting_too_long_is_told_to_its_reviewers_once(any_db: Database) -> None:
    [first] = published_deliveries(any_db, 1, AT, department="SDL", author="cbtt.sdl")
    with any_db.write() as session:
        session.execute(update(Post).values(state="in_review", updated_at=AT))
        session.execute(update(Delivery).values(state="pending", published_at=None))
    clock = Clock(AT + timedelta(hours=5))
    notifier = Notifier(any_db, lambda: NotifySettings(review_wait=timedelta(hours=6)), clock)
    assert notifier.run_once() == 0
    clock.advance(hours=2)
    assert notifier.run_once() == 2  # SDL's editor and the administrator
    [note] = told(any_db, "bientap2")
    assert note.title_vi == "Bài chờ duyệt quá 6 giờ: «Bài 0»"
    assert told(any_db, "bientap") == [] and told(any_db, "cbtt.sdl") == []
    clock.advance(days=1)
    assert notifier.run_once() == 0 and first


def test_the_digest_reaches_the_departments_officers_and_editors(any_db: Database) -> None:
    clock = Clock(datetime(2026, 12, 1, 9, tzinfo=HCM).astimezone(UTC))
    alerts: list[Alert] = []
    settings = ReminderSettings(
        tz=HCM, enabled=True, departments=DEPARTMENTS,
        observances=(Observance("Ngày ASEAN", "ASEAN Day", 8, 8, year=1967),),
    )  # fmt: skip

    def tell(key: str, department: str | None, words: Words, now: datetime) -> int:
        return tell_reminder(any_db, key, department, words.subject, words.body, now)

    reminders = Reminders(any_db, "w1", alerts.append, lambda: settings, _reader(any_db), clock)
    reminders.tell = tell
    assert "digest:2026-11:SDL" in reminders.run_once()

    [mine] = told(any_db, "cbtt.sdl")
    assert (mine.event, mine.link) == ("digest", "/reports")
    assert mine.title_vi.startswith("tổng kết tháng 11/2026 — Sở Du lịch")
    assert mine.title_en.startswith("November 2026 digest — Department of Tourism")
    assert [n.key for n in told(any_db, "bientap2")] == ["digest:2026-11:SDL"]
    assert [n.key for n in told(any_db, "cbtt.stttt")] == ["digest:2026-11:STTTT"]
    assert told(any_db, "admin") == []  # not an officer or editor of a department
    assert reminders.run_once() == []


def test_the_report_deadline_reaches_every_departments_officers_and_editors_once(
    any_db: Database,
) -> None:
    clock = Clock(datetime(2026, 10, 2, 9, tzinfo=HCM).astimezone(UTC))  # 30 days left
    settings = ReminderSettings(tz=HCM, enabled=True, departments=DEPARTMENTS)

    def tell(key: str, department: str | None, words: Words, now: datetime) -> int:
        return tell_reminder(any_db, key, department, words.subject, words.body, now)

    reminders = Reminders(any_db, "w1", [].append, lambda: settings, _reader(any_db), clock)
    reminders.tell = tell
    assert "deadline:2026:30" in reminders.run_once()
    assert reminders.run_once() == []
    clock.advance(days=16)  # 14 days left: the next alert
    assert reminders.run_once() == ["deadline:2026:14"]

    def deadlines(username: str) -> list[Notification]:
        return [n for n in told(any_db, username) if n.event == "deadline"]

    for username in ("cbtt.sdl", "bientap2", "cbtt.stttt", "bientap"):
        assert [n.key for n in deadlines(username)] == ["deadline:2026:14", "deadline:2026:30"]
    assert deadlines("admin") == []  # the province's report is not one department's
    latest = deadlines("cbtt.sdl")[0]
    assert latest.link == "/reports"
    assert latest.title_vi == "hạn gửi báo cáo năm 2026 còn 14 ngày"
    assert latest.title_en == "the 2026 report is due in 14 days"
    assert latest.body_vi.startswith("Hạn gửi báo cáo")
    with any_db.read() as session:
        rows = session.exec(select(Notification).where(Notification.event == "deadline")).all()
    assert len(rows) == 8  # four people, two alerts: once each


# -- the e-mail ----------------------------------------------------------------------------------


def queue_one(db: Database, address: str, clock: Clock) -> None:
    with db.write() as session:
        set_own_email(session, uid(db, "cbtt.stttt"), address)
    message = notifications.Message(
        "post_rejected", "post_rejected:9:2",
        ("Bài bị trả lại: «Lễ thượng cờ ASEAN»", "Post sent back: “Lễ thượng cờ ASEAN”"),
        ("Lý do: ảnh thiếu chú thích", "Reason: the image has no caption"), "/posts/9", 9,
    )  # fmt: skip
    with db.write() as session:
        assert notifications.tell(session, [uid(db, "cbtt.stttt")], message, clock()) == 1


def mailer(db: Database, port: int, clock: Clock, worker: str = "w1") -> Mailer:
    settings = SmtpSettings("127.0.0.1", "loa@stttt.hue.gov.vn", port=port, security="none")
    return Mailer(db, worker, lambda: settings, lambda: "https://loa.hue.gov.vn", clock)


def rows(db: Database) -> list[Notification]:
    with db.read() as session:
        return list(session.exec(select(Notification)).all())


def test_the_email_arrives_in_vietnamese_then_english_once(
    any_db: Database,
    smtp: tuple[_Inbox, int],  # noqa: F811 - the fixture
) -> None:
    inbox, port = smtp
    clock = Clock(AT)
    queue_one(any_db, "cbtt@stttt.hue.gov.vn", clock)
    assert mailer(any_db, port, clock).run_once() == 1

    [mail] = inbox.messages
    assert str(mail["To"]) == "cbtt@stttt.hue.gov.vn"
    assert str(mail["Subject"]) == (
        "Loa: Bài bị trả lại: «Lễ thượng cờ ASEAN» / Post sent back: “Lễ thượng cờ ASEAN”"
    )
    body = mail.get_content().replace("\r\n", "\n")
    assert body.startswith("Lý do: ảnh thiếu chú thích\n\nReason: the image has no caption")
    assert "Xem / Open: https://loa.hue.gov.vn/posts/9" in body
    [row] = rows(any_db)
    assert (row.email_state, row.email_attempts) == ("sent", 1)

    clock.advance(hours=1)
    assert mailer(any_db, port, clock).run_once() == 0  # a restarted worker: nothing again
    assert mailer(any_db, port, clock, "w2").run_once() == 0
    assert len(inbox.messages) == 1


def test_an_unreachable_server_retries_later_then_gives_up_without_leaking_the_password(
    any_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock(AT)
    queue_one(any_db, "cbtt@stttt.hue.gov.vn", clock)
    settings = SmtpSettings(
        "127.0.0.1", "loa@stttt.hue.gov.vn", port=_free_port(), security="none",
        username="loa", password="mật-khẩu-bí-mật",
    )  # fmt: skip
    sender = Mailer(any_db, "w1", lambda: settings, clock=clock)
    caplog.set_level(logging.DEBUG)
    assert sender.run_once() == 0
    [row] = rows(any_db)
    assert (row.email_state, row.email_attempts) == ("queued", 1)
    assert row.email_due_at is not None and row.email_due_at > AT
    assert sender.run_once() == 0 and rows(any_db)[0].email_attempts == 1  # not due yet
    for _ in range(MAX_ATTEMPTS):
        clock.advance(hours=2)
        sender.run_once()
    [row] = rows(any_db)
    assert (row.email_state, row.email_attempts) == ("failed", MAX_ATTEMPTS)
    assert "mật-khẩu-bí-mật" not in caplog.text and "m%E1%BA" not in caplog.text
    assert "mật-khẩu-bí-mật" not in repr(settings)


def test_an_email_left_mid_send_by_a_stopped_worker_is_never_sent_again(
    any_db: Database,
    smtp: tuple[_Inbox, int],  # noqa: F811 - the fixture
) -> None:
    inbox, port = smtp
    clock = Clock(AT)
    queue_one(any_db, "cbtt@stttt.hue.gov.vn", clock)
    with any_db.write() as session:  # as a worker leaves it when it dies during the SMTP call
        session.execute(
            update(Notification).values(email_state="sending", email_owner="gone", email_due_at=AT)
        )
    clock.advance(seconds=STALE_AFTER.total_seconds() + 1)
    assert mailer(any_db, port, clock).run_once() == 0
    assert rows(any_db)[0].email_state == "unknown" and inbox.messages == []


def test_without_smtp_the_queue_waits(any_db: Database) -> None:
    clock = Clock(AT)
    queue_one(any_db, "cbtt@stttt.hue.gov.vn", clock)
    assert Mailer(any_db, "w1", lambda: None, clock=clock).run_once() == 0
    assert rows(any_db)[0].email_state == "queued"


REVOKED = Reason("Mã truy cập Zalo đã bị thu hồi", "Zalo access token revoked")


def test_a_channel_needing_reconnection_is_told_to_administrators_once(any_db: Database) -> None:
    alerts: list[Alert] = []
    for _ in range(2):  # held twice: recorded and told once
        with any_db.write() as session:
            channel = session.get(Channel, "zalo-asean-hue")
            assert channel is not None
            hold_channel(session, channel, "worker-1", REVOKED, alerts.append)
    [note] = told(any_db, "admin")
    assert note.event == "channel_needs_auth" and note.link == "/channels/zalo-asean-hue/connect"
    assert note.title_vi == "Kênh zalo-asean-hue cần kết nối lại"
    assert "Lý do: Mã truy cập Zalo đã bị thu hồi / Zalo access token revoked" in note.body_vi
    assert told(any_db, "bientap") == [] and len(alerts) == 1
