"""What `loa demo` shows while the worker publishes: one line per event, then a summary.

The demo watches the way a person watching the calendar would: it reads the database about
twice a second and reports what changed in each delivery (its state and its count of attempts),
with the evidence the worker recorded (the Attempt rows). It never hooks into the worker, so
what it prints is what the database says happened.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import col, select

from content.calendar import entries
from content.db import Database
from content.labels import zone_label
from content.models import Attempt, Delivery, DeliveryState, Post
from content.reasons import reason_text
from content.timeutil import format_local, utcnow
from loa.views import calendar_lines, channel_names, delivery_label, shorten, words

if TYPE_CHECKING:
    from channels.sandbox.server import SandboxServer
    from loa.app import App

D = DeliveryState
FINAL = frozenset({D.published, D.failed, D.missed, D.cancelled})
TITLE_WIDTH = 44
# The channel's name in an event line is cut to this: "Facebook · Du lịch Huế - Visit Hue" fits.
CHANNEL_WIDTH = 34
# (vi, en) labels of the events; the widths line the columns up.
LABELS: dict[str, tuple[str, str]] = {
    "published": ("✓ đã đăng", "✓ published"),
    "retry": ("↻ thử lại", "↻ retrying"),
    "failed": ("✗ thất bại", "✗ failed"),
    "missed": ("⌛ lỡ giờ", "⌛ missed"),
    "reconciling": ("? đối soát", "? checking"),
    "needs_review": ("! cần xem", "! review"),
}
# What kind of trouble an adapter's error class stands for, in plain words.
KINDS: dict[str, tuple[str, str]] = {
    "Rejected": ("nền tảng từ chối", "refused by the platform"),
    "Retryable": ("lỗi tạm thời", "a temporary fault"),
    "RateLimited": ("nền tảng yêu cầu chậm lại", "the platform asks to slow down"),
    "QuotaExceeded": ("hết hạn mức trong ngày", "the daily quota is spent"),
    "OutcomeUnknown": ("chưa rõ kết quả", "the outcome is unknown"),
    "AuthRequired": ("kênh cần kết nối lại", "the channel needs reconnecting"),
}


@dataclass(frozen=True)
class Plan:
    """The demo's timetable: approved posts due from `first` to `last`, two faults on purpose."""

    approved: int  # how many approved posts
    first: datetime
    last: datetime
    retried: int  # the post that meets a transient fault (an index into the records, then its id)
    rejected: int  # the post Facebook refuses (likewise)
    retried_channel: str = "web-asean"
    rejected_channel: str = "fb-asean-hue"
    watched: tuple[int, ...] = ()  # the deliveries the demo waits for


def announce(
    plan: Plan, total: int, tz: tzinfo, lang: str, channels: Mapping[str, str]
) -> Iterator[str]:
    """`channels`: what people call each channel, by id (loa.views.channel_names)."""
    first, last = (format_local(t, tz, "%H:%M:%S") for t in (plan.first, plan.last))
    retried = channels.get(plan.retried_channel, plan.retried_channel)
    rejected = channels.get(plan.rejected_channel, plan.rejected_channel)
    waiting, count = total - plan.approved, len(plan.watched)
    yield words(
        lang,
        f"{plan.approved} bài đã duyệt ({count} lượt đăng) lên lịch từ {first} đến {last};"
        f" {waiting} bài chờ duyệt hoặc bản nháp nằm trên lịch từ ngày mai.",
        f"{plan.approved} approved posts ({count} deliveries) are due from {first} to {last};"
        f" {waiting} posts in review or draft are on the calendar from tomorrow.",
    )
    yield words(lang, "Cố ý, để thấy Loa xử lý sự cố:", "On purpose, to show how Loa copes:")
    yield words(
        lang,
        f"  #{plan.retried} trên {retried}: trang web báo lỗi tạm thời ở lần gửi đầu, Loa tự"
        " thử lại;",
        f"  #{plan.retried} on {retried}: the website has a transient fault on the first try,"
        " and Loa tries again;",
    )
    yield words(
        lang,
        f"  #{plan.rejected} trên {rejected}: liên kết trỏ vào trang nháp nội bộ mà Facebook"
        " không đọc được: bài bị từ chối, lý do được ghi lại.",
        f"  #{plan.rejected} on {rejected}: its link points to an internal draft page Facebook"
        " cannot read: refused, with the reason kept.",
    )


def watch(watcher: Watcher, seconds: float, poll_seconds: float) -> Generator[str, None, bool]:
    """Event lines until every watched delivery is final, `seconds` have passed, or Ctrl+C
    (then the demo still stops the worker and sums up what was done: returns True)."""
    yield ""
    yield watcher.w("Đang đăng (Ctrl+C để dừng):", "Publishing (Ctrl+C to stop):")
    deadline = time.monotonic() + seconds
    try:
        while not watcher.finished():
            if time.monotonic() > deadline:
                yield watcher.w("Hết thời gian chờ; chưa xong:", "Timed out; unfinished:")
                for row in watcher.unfinished():
                    state = delivery_label(row.state, watcher.lang)
                    yield f"  #{row.post_id} {watcher.channel(row)}: {state}"
                break
            time.sleep(poll_seconds)
            yield from watcher.poll()
    except KeyboardInterrupt:
        yield watcher.w("Đã dừng theo yêu cầu (Ctrl+C).", "Stopped at your request (Ctrl+C).")
        return True
    yield from watcher.poll()
    return False


def closing_lines(
    loa: App,
    sandbox: SandboxServer,
    watcher: Watcher,
    since: datetime,
    lang: str,
    sites: Sequence[tuple[str, str]] = (),
) -> Iterator[str]:
    """The calendar of the run, the summary, the sandbox pages that show the posts, and the
    static subpages Loa rendered (`sites`: channel id and address, loa.static_preview)."""
    yield ""
    tz = loa.config.zone
    with loa.db.read() as session:
        found = entries(session, since - timedelta(minutes=1), utcnow() + timedelta(minutes=10))
    zone = zone_label(tz, lang)
    heading = words(
        lang,
        f"Lịch đăng của buổi chạy thử ({zone})",
        f"The demo's publishing calendar ({zone})",
    )
    yield from calendar_lines(
        found, tz, lang, heading, channels=channel_names(loa.config.channels, lang)
    )
    yield ""
    yield from watcher.summary()
    yield ""
    yield words(
        lang, "Xem các bài đã đăng trên sandbox:", "See the published posts on the sandbox:"
    )
    width = max(len(platform.title) for platform in sandbox.platforms.values())
    for platform in sandbox.platforms.values():
        yield f"  {platform.title:<{width}}  {sandbox.url}{platform.prefixes[0]}/_public"
    if sites:
        yield words(
            lang,
            "Trang ASEAN dạng trang tĩnh do Loa dựng (xem thử qua trang web của Loa):",
            "The static ASEAN subpage Loa rendered (previewed by Loa's web server):",
        )
        names = watcher.channels
        width = max(len(names.get(channel_id, channel_id)) for channel_id, _ in sites)
        for channel_id, address in sites:
            yield f"  {names.get(channel_id, channel_id):<{width}}  {address}"
    yield ""


def until_interrupted(
    sandbox: SandboxServer, watcher: Watcher, poll_seconds: float
) -> Iterator[str]:
    """Events (posts approved meanwhile, say) until Ctrl+C, which ends the demo normally."""
    yield watcher.w(
        f"Sandbox và worker vẫn chạy tại {sandbox.url}/ — nhấn Ctrl+C để dừng.",
        f"The sandbox and the worker keep running at {sandbox.url}/ — press Ctrl+C to stop.",
    )
    try:
        while True:
            time.sleep(poll_seconds)
            yield from watcher.poll()
    except KeyboardInterrupt:
        yield watcher.w("Đã dừng.", "Stopped.")


def loa_command() -> str:
    """How to call `loa` from here: by name when it is on PATH, else by its path in the venv."""
    if shutil.which("loa"):
        return "loa"
    script = Path(sys.executable).parent / "loa"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def hints(config_path: Path, editor: str, rejected: int, lang: str) -> Iterator[str]:
    prefix = f"{loa_command()} --config {config_path} --as {editor}"
    yield words(lang, "Thử tiếp:", "Try next:")
    yield f"  {prefix} post show {rejected}"
    yield f"  {prefix} post list --state in_review"
    yield f"  {prefix} worker status"


@dataclass(frozen=True)
class Snapshot:
    """One delivery as the database holds it now, with its post's title and its last attempt."""

    delivery_id: int
    post_id: int
    channel_id: str
    title: str
    state: str
    attempts: int
    due_at: datetime | None
    updated_at: datetime
    remote_url: str | None
    last_error: str | None
    error_kind: str | None


def read_deliveries(db: Database) -> list[Snapshot]:
    with db.read() as session:
        rows = session.exec(
            select(Delivery, Post.title)
            .join(Post, col(Post.id) == col(Delivery.post_id))
            .order_by(col(Delivery.due_at), col(Delivery.post_id), col(Delivery.channel_id))
        ).all()
        kinds: dict[int, str | None] = {}
        for attempt in session.exec(
            select(Attempt).where(col(Attempt.finished_at).is_not(None)).order_by(col(Attempt.id))
        ).all():
            kinds[attempt.delivery_id] = attempt.error_kind  # the last one wins
    return [
        Snapshot(
            delivery_id=delivery.id or 0,
            post_id=delivery.post_id,
            channel_id=delivery.channel_id,
            title=title,
            state=delivery.state,
            attempts=delivery.attempts,
            due_at=delivery.due_at,
            updated_at=delivery.updated_at,
            remote_url=delivery.remote_url,
            last_error=delivery.last_error,
            error_kind=kinds.get(delivery.id or 0),
        )
        for delivery, title in rows
    ]


class Watcher:
    """Turns successive reads of the deliveries into event lines, and sums them up at the end."""

    def __init__(
        self,
        db: Database,
        tz: tzinfo,
        lang: str,
        watched: Collection[int],
        channels: Mapping[str, str],
    ) -> None:
        self.db, self.tz, self.lang = db, tz, lang
        self.watched = set(watched)  # the deliveries the demo waits for
        self.channels = channels  # what people call each channel, by id
        self.seen: dict[int, Snapshot] = {row.delivery_id: row for row in read_deliveries(db)}
        self.retried: set[int] = set()
        self.retries_shown: dict[int, int] = {}  # delivery id -> the attempt last shown as retried
        width = max((len(self.channel(row)) for row in self.seen.values()), default=14)
        self.name_width = width  # the summary's: whole names
        self.channel_width = min(width, CHANNEL_WIDTH)  # the event lines': names cut to fit
        self.label_width = max(len(words(lang, vi, en)) for vi, en in LABELS.values())

    def w(self, vi: str, en: str) -> str:
        return words(self.lang, vi, en)

    def channel(self, row: Snapshot) -> str:
        return self.channels.get(row.channel_id, row.channel_id)

    def poll(self) -> list[str]:
        lines: list[str] = []
        for row in read_deliveries(self.db):
            before = self.seen.get(row.delivery_id)
            self.seen[row.delivery_id] = row
            if before is None or (before.state, before.attempts) != (row.state, row.attempts):
                lines += self._event(before, row)
        return lines

    def finished(self) -> bool:
        return all(self.seen[i].state in FINAL for i in self.watched if i in self.seen)

    def unfinished(self) -> list[Snapshot]:
        return [self.seen[i] for i in sorted(self.watched) if self.seen[i].state not in FINAL]

    # -- one event ---------------------------------------------------------------------------

    def _event(self, before: Snapshot | None, row: Snapshot) -> list[str]:
        if row.attempts > 1:
            self.retried.add(row.delivery_id)
        if row.state == D.published:
            tries = self.w(f"(lần thử {row.attempts})", f"(attempt {row.attempts})")
            return [self._line("published", row, row.remote_url or "", tries * (row.attempts > 1))]
        if row.state == D.failed:
            return [self._line("failed", row), self._reason(row)]
        if row.state == D.missed:
            return [self._line("missed", row, self.w("quá giờ đăng muộn cho phép", "past grace"))]
        if row.state in (D.reconciling, D.needs_review) and (
            before is None or before.state != row.state
        ):
            return [self._line(row.state, row), self._reason(row)]
        if (
            row.state == D.scheduled
            and row.last_error
            and row.attempts > self.retries_shown.get(row.delivery_id, 0)
        ):
            self.retries_shown[row.delivery_id] = row.attempts
            at = format_local(row.due_at, self.tz, "%H:%M:%S")
            return [
                self._line(
                    "retry",
                    row,
                    self.w(f"lần {row.attempts + 1} lúc {at}", f"try {row.attempts + 1} at {at}"),
                ),
                self._reason(row),
            ]
        return []

    def _line(self, kind: str, row: Snapshot, *extra: str) -> str:
        vi, en = LABELS[kind]
        label = self.w(vi, en)
        title = shorten(row.title, TITLE_WIDTH)
        channel = shorten(self.channel(row), self.channel_width)
        tail = "  ".join(part for part in extra if part)
        return (
            f"{format_local(row.updated_at, self.tz, '%H:%M:%S')}  {label:<{self.label_width}}"
            f"  #{row.post_id:<3} {channel:<{self.channel_width}}  {title:<{TITLE_WIDTH}}"
            f"  {tail}"
        ).rstrip()

    def _reason(self, row: Snapshot) -> str:
        kind = KINDS.get(row.error_kind or "")
        prefix = self.w("lý do", "reason")
        if kind is not None:
            prefix += f" ({self.w(*kind)})"
        return f"{'':10}{prefix}: {reason_text(row.last_error, self.lang) or '-'}"

    # -- the summary -------------------------------------------------------------------------

    def summary(self) -> list[str]:
        rows = [self.seen[i] for i in sorted(self.watched)]
        by_channel: dict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            by_channel[row.channel_id][row.state] += 1
            if row.attempts > 1 or row.delivery_id in self.retried:
                by_channel[row.channel_id]["retried"] += 1
        lines = [self.w("Kết quả theo kênh:", "Results by channel:")]
        for channel_id in sorted(by_channel):
            name = self.channels.get(channel_id, channel_id)
            lines.append(f"  {name:<{self.name_width}}  {self._counts(by_channel[channel_id])}")
        total: Counter[str] = sum(by_channel.values(), Counter())
        published, failed = total[D.published], total[D.failed] + total[D.missed]
        lines.append(
            self.w(
                f"Tổng: {published}/{len(rows)} lượt đã đăng, {total['retried']} lượt phải thử lại,"
                f" {failed} lượt không đăng được.",
                f"Total: {published}/{len(rows)} deliveries published, {total['retried']} retried,"
                f" {failed} not published.",
            )
        )
        failures = [row for row in rows if row.state in (D.failed, D.missed)]
        if failures:
            lines.append(self.w("Không đăng được:", "Not published:"))
            for row in failures:
                lines.append(f"  ✗ #{row.post_id} {self.channel(row)}  {shorten(row.title, 60)}")
                lines.append(self._reason(row))
        return lines

    def _counts(self, counts: Counter[str]) -> str:
        parts = [self.w(f"{counts[D.published]} đã đăng", f"{counts[D.published]} published")]
        if counts["retried"]:
            parts.append(
                self.w(f"{counts['retried']} phải thử lại", f"{counts['retried']} retried")
            )
        for state, (vi, en) in (
            (D.failed, ("thất bại", "failed")),
            (D.missed, ("lỡ giờ", "missed")),
        ):
            if counts[state]:
                parts.append(f"{counts[state]} {self.w(vi, en)}")
        waiting = sum(n for state, n in counts.items() if state not in FINAL and state != "retried")
        if waiting:
            parts.append(self.w(f"{waiting} chưa xong", f"{waiting} unfinished"))
        return ", ".join(parts)
