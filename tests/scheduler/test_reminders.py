"""Reminders through the alerts: the monthly digest, the report deadline, observances, each once.

The job runs on the demo configuration (its departments, observances and targets) over a real
SQLite database, with a hand-moved clock; alerts are captured as the worker hands them over,
and once through apprise to a real SMTP server. The ledger's claim is raced on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from content import metrics
from content import reminders as ledger
from content.db import Database
from content.models import Delivery, SentReminder
from content.observances import Observance
from content.report_data import ReportData, build
from content.targets import Names, Targets
from content.timeutil import zone
from loa.app import App, open_app
from loa.config import AlertsConfig
from loa.worker_app import build_worker
from loa.worker_reminders import build_reminders
from scheduler.alerts import Alerter
from scheduler.publish import Alert
from scheduler.reminders import DigestReader, Reminders, ReminderSettings, deadline_alert
from tests.factories import DEPARTMENTS, Clock, demo_config_at, published_deliveries
from tests.scheduler.test_alerts import _free_port, _Inbox

HCM = zone("Asia/Ho_Chi_Minh")
# apprise's e-mail plugin imports the deprecated stdlib `imghdr` (see test_alerts.py).
pytestmark = pytest.mark.filterwarnings(
    "ignore:'imghdr' is deprecated and slated for removal:DeprecationWarning"
)


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HCM).astimezone(UTC)


@dataclass
class Desk:
    app: App
    clock: Clock
    alerts: list[Alert]
    reminders: Reminders

    def run(self) -> list[str]:
        return self.reminders.run_once()

    def restart(self, worker_id: str = "worker-2") -> None:
        """A new worker process: nothing in memory, only the database."""
        self.reminders = build_reminders(self.app, worker_id, self.alerts.append, clock=self.clock)

    def of(self, kind: str) -> list[str]:
        return [key for key in self.reminders.sent if key.startswith(f"{kind}:")]

    def subjects(self, needle: str) -> list[Alert]:
        return [alert for alert in self.alerts if needle in alert.subject]


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    # The sandbox is never called: reminders read the database and the configuration only.
    config = demo_config_at(tmp_path, "http://127.0.0.1:9", monkeypatch)
    opened = open_app(config, migrate=True)
    yield opened
    opened.close()


@pytest.fixture
def desk(app: App) -> Desk:
    clock = Clock(local(2026, 12, 1, 9))
    alerts: list[Alert] = []
    return Desk(app, clock, alerts, build_reminders(app, "worker-1", alerts.append, clock=clock))


def departments(app: App) -> list[str]:
    return [d.code for d in app.config.departments]


def ledger_keys(db: Database) -> set[str]:
    with db.read() as session:
        return set(session.exec(select(SentReminder.key)).all())


def tourism_month(db: Database) -> None:
    """Two posts of the Department of Tourism in November 2026, with figures read."""
    made = published_deliveries(
        db, 2, local(2026, 11, 10), channel_id="fb-dulich-hue", department="SDL",
        author="cbtt.sdl", topic="h", pillar="AEC",
    )  # fmt: skip
    with db.write() as session:
        metrics.schedule_new(session)
        metrics.record(
            session,
            [
                metrics.Reading(made[0], {"views": 900, "reactions": 40}),
                metrics.Reading(made[1], {"views": 150}),
            ],
            local(2026, 11, 20),
            HCM,
        )


# -- the monthly digest --------------------------------------------------------------------------


def test_digest_tells_each_department_its_month_in_vietnamese_then_english(desk: Desk) -> None:
    tourism_month(desk.app.db)

    desk.run()

    codes = departments(desk.app)
    assert sorted(desk.of("digest")) == sorted(f"digest:2026-11:{code}" for code in codes)
    [tourism] = desk.subjects("Sở Du lịch")
    assert tourism.kind == "reminder"
    assert tourism.subject == (
        "Loa: tổng kết tháng 11/2026 — Sở Du lịch / November 2026 digest — Department of Tourism"
    )
    body = tourism.body
    assert body.startswith("Sở Du lịch — tổng kết tháng 11/2026 (01/11/2026 – 30/11/2026)\n")
    assert "Đã đăng: 2 bài, 2 lượt đăng trên các kênh." in body
    assert "(2/2 lượt đăng có số liệu, đọc lúc 09:00 20/11/2026): Lượt xem 1.050; " in body
    assert "Lượt thích, cảm xúc 40." in body
    # Four posts a month is the default target: two is not enough, and it says so.
    assert "  - Sở Du lịch: 2/4 bài (4 bài/tháng) (chưa đạt)" in body
    # Topics are asked for each quarter: a month without one is not a miss yet.
    topics = re.search(r"  - Chủ đề: đạt (\d+)/9 \(chưa đến kỳ đánh giá: ([a-i, ]+)\)\n", body)
    assert topics is not None and "h" not in topics.group(2).split(", ")
    assert int(topics.group(1)) + len(topics.group(2).split(", ")) == 9
    assert re.search(r"đạt \d+/\d+ chỉ tiêu, \d+ chưa đến kỳ đánh giá\.", body)
    assert "Topics: 1 of 9 met (not due yet: a, b, c, d, e, f, g, i)" in body
    assert "Chủ đề a (" in body and ") chưa có bài trong quý này" in body
    assert "Xem báo cáo: http://127.0.0.1:8000/reports" in body
    english = body.index("Department of Tourism — November 2026 digest")
    assert body.index("Tiến độ so với chỉ tiêu") < english
    assert "Published: 2 posts, 2 deliveries on channels." in body[english:]
    assert "Views 1,050; Reactions 40." in body[english:]
    assert "Department of Tourism: 2/4 posts (4 a month) (not met)" in body[english:]
    assert "See the report: http://127.0.0.1:8000/reports" in body[english:]

    [silent] = desk.subjects("Sở Văn hóa và Thể thao")
    assert "Đã đăng: 0 bài, 0 lượt đăng" in silent.body
    assert "Sở Văn hóa và Thể thao chưa đăng bài nào trong kỳ này" in silent.body
    assert "chưa có số liệu nào được đọc" in silent.body


def test_digest_figures_equal_a_recount_from_the_database(desk: Desk) -> None:
    tourism_month(desk.app.db)
    start, end = local(2026, 11, 1, 0), local(2026, 12, 1, 0)
    with desk.app.db.read() as session:
        rows = session.exec(
            select(Delivery).where(Delivery.published_at >= start, Delivery.published_at < end)
        ).all()
    desk.run()
    [tourism] = desk.subjects("Sở Du lịch")
    published = re.search(r"Đã đăng: (\d+) bài, (\d+) lượt đăng", tourism.body)
    assert published is not None
    assert int(published[2]) == len(rows) and int(published[1]) == len({r.post_id for r in rows})


def test_each_reminder_goes_out_once_across_runs_restarts_and_days(desk: Desk) -> None:
    first = desk.run()
    assert first and set(first) == ledger_keys(desk.app.db)
    count = len(desk.alerts)

    assert desk.run() == []
    desk.restart()
    assert desk.run() == []
    desk.clock.advance(days=1)
    assert desk.run() == []
    assert len(desk.alerts) == count

    desk.clock.now = local(2027, 1, 1, 8)
    sent = desk.run()
    codes = departments(desk.app)
    assert sorted(k for k in sent if k.startswith("digest:")) == sorted(
        f"digest:2026-12:{code}" for code in codes
    )


def test_nothing_before_eight_and_a_missed_first_is_caught_up_once(desk: Desk) -> None:
    desk.clock.now = local(2026, 12, 1, 7, 59)
    assert desk.run() == []
    assert ledger_keys(desk.app.db) == set()

    # The worker was down from then until the 3rd: the November digests still go out, once.
    desk.clock.now = local(2026, 12, 3, 2)
    assert desk.run() == []
    desk.clock.now = local(2026, 12, 3, 8, 30)
    assert len(desk.run()) >= len(departments(desk.app))
    assert len(desk.subjects("tổng kết tháng 11/2026")) == len(departments(desk.app))
    desk.clock.now = local(2026, 12, 20, 15)
    assert not [k for k in desk.run() if k.startswith("digest:")]


# -- the report deadline -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 10, 1), None),
        (date(2026, 10, 2), (30, 30)),
        (date(2026, 10, 17), (30, 15)),
        (date(2026, 10, 18), (14, 14)),
        (date(2026, 10, 24), (14, 8)),
        (date(2026, 10, 25), (7, 7)),
        (date(2026, 10, 31), (7, 1)),
        (date(2026, 11, 1), None),
        (date(2026, 12, 15), None),
    ],
)
def test_deadline_window_of_a_day(today: date, expected: tuple[int, int] | None) -> None:
    found = deadline_alert(today)
    if expected is None:
        assert found is None
    else:
        assert found == (date(2026, 11, 1), *expected)


def test_deadline_alerts_30_14_and_7_days_before_1_november(desk: Desk) -> None:
    desk.clock.now = local(2026, 9, 20, 10)
    while desk.clock.now < local(2026, 11, 3, 10):
        desk.run()
        desk.clock.advance(days=1)

    assert desk.of("deadline") == ["deadline:2026:30", "deadline:2026:14", "deadline:2026:7"]
    alerts = desk.subjects("hạn gửi báo cáo")
    assert [a.subject for a in alerts] == [
        f"Loa: hạn gửi báo cáo năm 2026 còn {n} ngày / the 2026 report is due in {n} days"
        for n in (30, 14, 7)
    ]
    assert alerts[1].body.startswith(
        "Hạn gửi báo cáo kết quả tuyên truyền ASEAN năm 2026: 01/11/2026, còn 14 ngày."
    )
    assert (
        "The 2026 ASEAN communication results report is due on 1 November 2026, 14 days left."
        in alerts[1].body
    )


def test_a_missed_deadline_alert_says_the_days_left_and_a_later_one_replaces_it(
    desk: Desk,
) -> None:
    desk.clock.now = local(2026, 10, 5, 9)  # the worker was down on 2 October
    desk.run()
    desk.clock.now = local(2026, 10, 26, 9)  # ...and from the 6th to the 25th
    desk.run()
    desk.clock.advance(days=1)
    desk.run()

    assert desk.of("deadline") == ["deadline:2026:30", "deadline:2026:7"]
    assert [a.body.split("\n")[0] for a in desk.subjects("hạn gửi báo cáo")] == [
        "Hạn gửi báo cáo kết quả tuyên truyền ASEAN năm 2026: 01/11/2026, còn 27 ngày.",
        "Hạn gửi báo cáo kết quả tuyên truyền ASEAN năm 2026: 01/11/2026, còn 6 ngày.",
    ]


# -- observances ---------------------------------------------------------------------------------


def test_observance_reminder_on_the_day_its_planning_window_opens(desk: Desk) -> None:
    desk.clock.now = local(2026, 7, 1, 9)
    opened: dict[str, date] = {}
    while desk.clock.now < local(2026, 8, 10, 9):
        for key in desk.run():
            opened[key] = desk.clock.now.astimezone(HCM).date()
        desk.clock.advance(days=1)

    # 14 days ahead, the default: 28 July opens on the 14th, 8 August on 25 July.
    assert {k: v for k, v in opened.items() if k.startswith("observance:")} == {
        "observance:Vietnam joins ASEAN:2026": date(2026, 7, 14),
        "observance:ASEAN Day:2026": date(2026, 7, 25),
    }
    [asean_day] = desk.subjects("Ngày ASEAN, kỷ niệm 59 năm")
    assert asean_day.subject == (
        "Loa: Ngày ASEAN, kỷ niệm 59 năm (08/08/2026) / ASEAN Day, 59th anniversary (8 August 2026)"
    )
    assert asean_day.body.startswith(
        "Ngày ASEAN, kỷ niệm 59 năm (08/08/2026) còn 14 ngày: hãy lên kế hoạch nội dung."
    )
    assert "ASEAN Day, 59th anniversary (8 August 2026) in 14 days: plan content." in (
        asean_day.body
    )


# -- alerts turned off ---------------------------------------------------------------------------


def test_no_reminder_is_sent_or_recorded_while_the_kind_is_off(desk: Desk) -> None:
    config = desk.app.config
    desk.app.config = config.model_copy(
        update={"alerts": AlertsConfig(urls=config.alerts.urls, kinds=("failed", "missed"))}
    )
    desk.clock.now = local(2026, 10, 18, 9)
    assert desk.run() == []
    assert desk.alerts == [] and ledger_keys(desk.app.db) == set()

    desk.app.config = config  # turned on again (a reload): the open windows are caught up
    desk.clock.advance(hours=1)
    sent = desk.run()
    assert "deadline:2026:14" in sent and "digest:2026-09:SDL" in sent


def test_no_reminder_is_recorded_without_an_alert_destination(desk: Desk) -> None:
    quiet = build_reminders(
        desk.app, "worker-1", desk.alerts.append, delivers=lambda: False, clock=desk.clock,
        tell_people=False,
    )  # fmt: skip
    assert quiet.run_once() == []
    assert desk.alerts == [] and ledger_keys(desk.app.db) == set()


# -- the worker ----------------------------------------------------------------------------------


def test_the_worker_looks_for_reminders_on_its_own_schedule(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config = app.config.model_copy(
        update={"worker": app.config.worker.model_copy(update={"reminders_interval_seconds": 600})}
    )
    worker = build_worker(app)
    job, trigger = worker._periodic["reminders"]
    assert trigger == {"seconds": 600}
    # No alert URL is set in this environment: what is due is still told to people, once.
    assert sorted(job()) == sorted(ledger_keys(app.db))
    assert job() == []


# -- two workers, SQLite and PostgreSQL ----------------------------------------------------------

NAMES = Names(departments={code: (vi, en) for code, vi, en in DEPARTMENTS})


def _reader(db: Database) -> DigestReader:
    def read(department: str, start: datetime, end: datetime, now: datetime) -> ReportData:
        with db.read() as session:
            return build(
                session, start, end, HCM, now=now, departments=[department],
                all_departments=[code for code, _, _ in DEPARTMENTS], topics=list("abcdefghi"),
                pillars=["APSC", "AEC", "ASCC"], targets=Targets(), names=NAMES,
            )  # fmt: skip

    return read


def _worker(db: Database, name: str, clock: Clock, alerts: list[Alert]) -> Reminders:
    settings = ReminderSettings(
        tz=HCM,
        enabled=True,
        departments=DEPARTMENTS,
        observances=(Observance("Ngày ASEAN", "ASEAN Day", 8, 8, year=1967),),
    )
    return Reminders(db, name, alerts.append, lambda: settings, _reader(db), clock)


def test_the_ledger_lets_one_claim_of_a_key_win(any_db: Database) -> None:
    other = Database(any_db.url)  # a second worker process has its own connections
    barrier = threading.Barrier(8)
    wins: list[bool] = []

    def race(db: Database, number: int) -> None:
        barrier.wait()
        won = ledger.claim(
            db, "deadline:2026:14", "reminder", "s", f"w{number}", local(2026, 10, 18)
        )
        wins.append(won)

    threads = [
        threading.Thread(target=race, args=(any_db if n % 2 else other, n)) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()
    assert sorted(wins) == [False] * 7 + [True]
    assert ledger_keys(any_db) == {"deadline:2026:14"}


def test_two_workers_racing_send_each_reminder_once(any_db: Database) -> None:
    published_deliveries(any_db, 3, local(2026, 9, 15), channel_id="fb-dulich-hue",
                         department="SDL", author="cbtt.sdl")  # fmt: skip
    other = Database(any_db.url)
    clock = Clock(local(2026, 7, 25, 9))
    alerts: list[Alert] = []
    workers = [_worker(any_db, "w1", clock, alerts), _worker(other, "w2", clock, alerts)]
    days = [local(2026, 7, 25, 9), local(2026, 10, 1, 9), local(2026, 10, 18, 9)]
    for day in [*days, *days]:  # each day twice: the second time nothing is left to send
        clock.now = day
        barrier = threading.Barrier(len(workers))

        def run(worker: Reminders, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            worker.run_once()

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    other.dispose()

    sent = sorted(key for worker in workers for key in worker.sent)
    expected = sorted(
        [
            "observance:ASEAN Day:2026",
            *(f"digest:2026-06:{code}" for code, _, _ in DEPARTMENTS),
            *(f"digest:2026-09:{code}" for code, _, _ in DEPARTMENTS),
            "deadline:2026:14",  # its first run in the deadline's windows was in the 14-day one
        ]
    )
    assert sent == expected
    assert len(alerts) == len(expected)
    assert ledger_keys(any_db) == set(expected)
    [tourism] = [a for a in alerts if a.subject.startswith("Loa: tổng kết tháng 09/2026 — Sở Du")]
    assert "Đã đăng: 3 bài, 3 lượt đăng trên các kênh." in tourism.body


# -- a real e-mail -------------------------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    # apprise waits 5.5 s between two sends of one URL: a brake for production, only slowness here.
    from apprise.plugins.email import NotifyEmail

    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    rate = NotifyEmail.request_rate_per_sec
    NotifyEmail.request_rate_per_sec = 0
    try:
        yield inbox, port
    finally:
        NotifyEmail.request_rate_per_sec = rate
        controller.stop()


def test_the_digest_arrives_by_email_through_apprise(desk: Desk, smtp: tuple[_Inbox, int]) -> None:
    inbox, port = smtp
    tourism_month(desk.app.db)
    alerter = Alerter([f"mailto://127.0.0.1:{port}?from=loa@example.vn&to=sdl@example.vn"])
    reminders = build_reminders(desk.app, "worker-1", alerter, clock=desk.clock)
    sent = reminders.run_once()
    assert alerter.flush(30)
    alerter.close()

    assert len(inbox.messages) == len(sent)
    [mail] = [m for m in inbox.messages if "Sở Du lịch" in str(m["Subject"])]
    assert isinstance(mail, EmailMessage)
    body = mail.get_content()
    assert body.startswith("Sở Du lịch — tổng kết tháng 11/2026")
    assert "Lượt xem 1.050" in body and "Views 1,050" in body
    assert body.rstrip().endswith("— Loa, hệ thống đăng bài / the publishing scheduler")
