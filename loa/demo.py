"""`loa demo`: the sample ASEAN posts published, live, to the local sandbox of the four platforms
and to the static ASEAN subpage Loa renders itself.

The demo goes through the same paths as real use: a configuration file, Alembic migrations, the
real connect flow of every channel, the media store, the importer (with its checks and the
editorial workflow) and the worker, so what it shows is what Loa does:

1. the sandbox starts in this process (port 8765, or a free one), the workspace's config.yaml
   points every channel at it, and every channel is connected as a person would connect it;
2. the sample posts are loaded: the approved ones due over the next few minutes, the others
   (in review, drafts) on the four-week calendar from tomorrow;
3. the worker publishes them while the demo prints one line per event, including one post that
   meets a transient fault and is retried, and one that Facebook refuses with a readable reason;
4. a summary by channel, the links to the sandbox pages that show the posts and to the static
   subpage (served by the demo's web server under /asean/, as `loa serve` does), and the
   calendar.

`calendar_only=True` only loads the four weeks of samples and prints the calendar.
"""

from __future__ import annotations

import copy
import logging
import os
import random
import re
import secrets
import shutil
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlmodel import col, select

from content.calendar import day_window, entries
from content.errors import UserError
from content.import_files import Row
from content.importer import Importer, ImportReport
from content.labels import zone_label
from content.models import Delivery
from content.timeutil import utcnow
from loa.app import App, open_app
from loa.demo_progress import (
    Plan,
    Watcher,
    announce,
    closing_lines,
    hints,
    loa_command,
    until_interrupted,
    watch,
)
from loa.samples import build_import_records
from loa.views import calendar_lines, channel_names, day_heading, local_date_range, words
from scheduler.retry import Decision, Next, RetryPolicy

if TYPE_CHECKING:
    from channels.sandbox.server import SandboxServer
    from loa.web_app import BackgroundServer
    from scheduler.worker import Worker

MARKER = ".loa-demo"
EDITOR = "bientap"
DEMO_USERS = (EDITOR, "cbtt.stttt", "admin")  # an editor, an officer, the admin
DEMO_DAYS = 28
TEMPLATE_URL = "http://127.0.0.1:8765"
# Loa's own address in the template (public_url, and the static subpage's under it), and the
# port the demo's web server prefers.
WEB_TEMPLATE_URL, WEB_PORT = "http://127.0.0.1:8000", 8000
RETRIED_CHANNEL, REJECTED_CHANNEL = "web-asean", "fb-asean-hue"
# A link the officer copied from the intranet's draft page: Facebook cannot fetch it.
UNREADABLE_HOST = "soan-thao.thuathienhue.invalid"
# WordPress could not write the post (its database was busy): nothing was created, try again.
TRANSIENT_FAULT = {"fail_next": ["db_insert_error"], "paths": ["/wp-json/wp/v2/posts"]}


@dataclass(frozen=True)
class Timing:
    """The demo's clock. The defaults suit a person watching; `compressed()` suits the tests."""

    start_in_seconds: float = 20.0  # the first approved post is due this long after loading
    pace_seconds: float = 6.5  # the mean gap between approved posts (each gap 0.75-1.25 of it)
    timeout_seconds: float = 300.0  # give up waiting after this long
    poll_seconds: float = 0.5
    retry_wait_cap_seconds: float | None = None  # None: wait as long as the platform asks
    worker: Mapping[str, Any] = field(
        default_factory=lambda: {"retry_base_seconds": 3, "retry_cap_seconds": 10}
    )
    channel_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def compressed(cls) -> Timing:
        """Everything in a few seconds: our own pacing of the platforms lifted."""
        quick = {"posts_per_minute": 6000, "min_interval_seconds": 0}
        return cls(
            start_in_seconds=3.0,
            pace_seconds=0.15,
            timeout_seconds=60.0,
            poll_seconds=0.2,
            retry_wait_cap_seconds=1.0,
            worker={
                "retry_base_seconds": 0.5,
                "retry_cap_seconds": 1,
                "dispatch_interval_seconds": 0.2,
            },
            channel_settings={
                "zalo-asean-hue": {**quick, "verify_poll_seconds": 0.05},
                "fb-asean-hue": quick,
                "fb-dulich-hue": quick,
            },
        )


def prepare_workspace(directory: Path) -> Path:
    """A clean folder holding the demo configuration; only an earlier demo is ever removed."""
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).exists():
            raise UserError(
                f"{directory} exists and is not a Loa demo folder; choose another with --dir",
                f"Thư mục {directory} đã có và không phải thư mục chạy thử; chọn thư mục khác"
                " bằng --dir.",
            )
        samples = directory / "samples"
        kept = directory.parent / f".{directory.name}-samples"
        if samples.exists():  # generated media are reused: the video takes a few seconds
            shutil.rmtree(kept, ignore_errors=True)
            samples.rename(kept)
        shutil.rmtree(directory)
        directory.mkdir(parents=True)
        if kept.exists():
            kept.rename(samples)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("made by `loa demo`; removed by the next one\n")
    config = directory / "config.yaml"
    config.write_text(
        files("loa").joinpath("templates/config.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return config


def point_at_sandbox(
    config_path: Path, sandbox_url: str, timing: Timing, web_url: str = WEB_TEMPLATE_URL
) -> None:
    """Every base URL on the running sandbox, Loa's addresses (its public_url, the static
    subpage's) on the demo's web server at `web_url`, quick retries, no alerts sent anywhere.

    The template's comments are kept (people read this file); settings the template does not
    hold as plain `key: value` lines are merged through YAML.
    """
    text = config_path.read_text(encoding="utf-8").replace(TEMPLATE_URL, sandbox_url)
    text = text.replace(WEB_TEMPLATE_URL, web_url)
    text, count = re.subn(r"(?m)^(alerts:\s*\n\s+urls:\s*)\[[^\]\n]*\]", r"\1[]", text)
    missing: dict[str, Any] = {} if count else {"alerts": {"urls": []}}
    for key, value in timing.worker.items():
        text, count = re.subn(rf"(?m)^(\s+{key}:\s*)[^\s#]+", rf"\g<1>{value}", text)
        if count != 1:
            missing.setdefault("worker", {})[key] = value
    if missing or timing.channel_settings:
        data = yaml.safe_load(text)
        data["worker"].update(missing.pop("worker", {}))
        data.update(missing)
        for channel in data["channels"]:
            channel.setdefault("settings", {}).update(
                timing.channel_settings.get(channel["id"], {})
            )
        text = "# loa demo\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    config_path.write_text(text, encoding="utf-8")


def run_demo(
    directory: Path,
    lang: str = "vi",
    *,
    calendar_only: bool = False,
    keep_running: bool = False,
    timing: Timing | None = None,
) -> Generator[str, None, None]:
    config_path = prepare_workspace(directory)
    yield words(lang, f"Không gian chạy thử: {directory}/", f"Demo workspace: {directory}/")
    if calendar_only:
        loa = open_app(config_path, migrate=True)
        try:
            yield from _calendar(loa, directory, config_path, lang)
        finally:
            loa.close()
        return
    yield from _live(directory, config_path, lang, keep_running, timing or Timing())


# -- the four-week calendar ------------------------------------------------------------------


def _calendar(loa: App, directory: Path, config_path: Path, lang: str) -> Iterator[str]:
    tz = loa.config.zone
    start = (utcnow().astimezone(tz) + timedelta(days=1)).date()
    yield _generating(lang)
    records = build_import_records(start, directory.resolve() / "samples")
    report = _import(loa, directory, records)
    yield _loaded(report, lang)
    yield ""
    first, last = day_window(start, tz, DEMO_DAYS)
    with loa.db.read() as session:
        found = entries(session, first, last)
    zone = zone_label(tz, lang)
    heading = words(
        lang,
        f"Lịch đăng bài từ {day_heading(start, 'vi')} ({zone})",
        f"Publishing calendar from {day_heading(start, 'en')} ({zone})",
    )
    days = local_date_range(first, last, tz)
    names = channel_names(loa.config.channels, lang)
    yield from calendar_lines(found, tz, lang, heading, days, channels=names)
    yield ""
    prefix = f"{loa_command()} --config {config_path} --as {EDITOR}"
    yield words(lang, "Thử tiếp:", "Try next:")
    yield f"  {prefix} calendar --week {start.isoformat()}"
    yield f"  {prefix} post list --state in_review"
    yield f"  {prefix} post show {report.post_ids[0]}"


def _generating(lang: str) -> str:
    return words(
        lang, "Đang tạo ảnh đồ họa và video mẫu…", "Generating the sample infographics and video..."
    )


def _import(loa: App, directory: Path, records: list[dict[str, Any]]) -> ImportReport:
    """Each officer imports their own sample posts (an import speaks only for its importer),
    sending for review those meant to be approved; then the editor approves them."""
    importer = Importer(loa.posts, loa.media)
    ids: dict[int, int] = {}  # record number -> post id
    by_author: dict[str, list[int]] = {}
    for number, record in enumerate(records, start=1):
        by_author.setdefault(str(record["author"]), []).append(number)
    for author, numbers in by_author.items():
        rows = [
            Row(f"sample {n}", _as_submitted(records[n - 1]) | {"author": author}) for n in numbers
        ]
        report = importer.run_rows(loa.posts.actor(author), rows, directory, "sample ASEAN posts")
        ids.update(zip(numbers, report.post_ids, strict=True))
    editor = loa.posts.actor(EDITOR)
    by_state: dict[str, int] = {}
    for number, record in enumerate(records, start=1):
        state = str(record.get("state") or "draft")
        if state == "approved":
            loa.posts.approve(editor, ids[number])
        by_state[state] = by_state.get(state, 0) + 1
    return ImportReport([ids[n] for n in range(1, len(records) + 1)], by_state)


def _as_submitted(record: dict[str, Any]) -> dict[str, Any]:
    return record | {"state": "in_review"} if record.get("state") == "approved" else record


def _loaded(report: ImportReport, lang: str) -> str:
    counts = report.state_counts(lang)
    return words(
        lang,
        f"Đã nạp {len(report.post_ids)} bài mẫu ({counts}), duyệt bởi {EDITOR}.",
        f"Loaded {len(report.post_ids)} sample posts ({counts}), reviewed by {EDITOR}.",
    )


# -- the live demo ---------------------------------------------------------------------------


def start_sandbox() -> SandboxServer:
    """The sandbox on its usual port, or on any free one when that is taken."""
    from channels.sandbox import build_sandbox
    from channels.sandbox.server import DEFAULT_PORT

    try:
        return build_sandbox(DEFAULT_PORT).start()
    except OSError:
        return build_sandbox(0).start()


@contextmanager
def demo_environment(loa: App, log_file: Path) -> Iterator[None]:
    """The secrets the configuration names, set to the sandbox's values in this process only,
    and the worker's log lines in a file instead of on the screen."""
    from channels.sandbox.graph_model import APP_SECRET
    from loa.logs import LogfmtFormatter

    values = {
        variable: APP_SECRET if channel.type == "facebook_page" else f"loa-demo-{name}"
        for channel in loa.config.channels
        for name, variable in channel.secrets.items()
    }
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    root = logging.getLogger()
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(LogfmtFormatter())
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("apscheduler", "urllib3", "googleapiclient.discovery_cache"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass(frozen=True)
class CappedRetries(RetryPolicy):
    """For compressed demos only: a retry waits at most `wait_cap` seconds, whatever it asks."""

    wait_cap: float = 1.0

    def decide(self, error: Any, attempts: int, now: datetime, rng: Any = None) -> Decision:
        decision = super().decide(error, attempts, now, rng)
        latest = now + timedelta(seconds=self.wait_cap)
        if decision.next is Next.retry and decision.at is not None and decision.at > latest:
            return replace(decision, at=latest, cooldown_until=None)
        return decision


def _live(
    directory: Path, config_path: Path, lang: str, keep_running: bool, timing: Timing
) -> Iterator[str]:
    sandbox = start_sandbox()
    try:
        yield words(
            lang,
            f"Sandbox (Zalo, Facebook, YouTube, WordPress mô phỏng): {sandbox.url}/",
            f"Sandbox (stand-ins of Zalo, Facebook, YouTube, WordPress): {sandbox.url}/",
        )
        web_port = free_port(WEB_PORT)
        point_at_sandbox(config_path, sandbox.url, timing, f"http://127.0.0.1:{web_port}")
        loa = open_app(config_path, migrate=True)
        try:
            with demo_environment(loa, directory / "demo.log"):
                yield from _publish(
                    loa, sandbox, directory, config_path, lang, keep_running, timing, web_port
                )
        finally:
            loa.close()
    finally:
        sandbox.stop()


def _publish(
    loa: App,
    sandbox: SandboxServer,
    directory: Path,
    config_path: Path,
    lang: str,
    keep_running: bool,
    timing: Timing,
    web_port: int = WEB_PORT,
) -> Iterator[str]:
    from channels.sandbox.server import Faults
    from loa.demo_results import figures_lines, report_lines
    from loa.worker_app import build_worker

    plan = yield from _connect_and_load(loa, sandbox, directory, timing, lang)
    web = yield from _open_calendar(loa, lang, web_port)
    wordpress = sandbox.platform("wordpress")
    with wordpress.lock:
        wordpress.faults = Faults(**copy.deepcopy(TRANSIENT_FAULT))  # type: ignore[arg-type]
    channels = channel_names(loa.config.channels, lang)
    watcher = Watcher(loa.db, loa.config.zone, lang, plan.watched, channels)
    worker = build_worker(loa, threads=4)
    if timing.retry_wait_cap_seconds is not None:
        policy = CappedRetries(
            **vars(worker.settings.default_policy), wait_cap=timing.retry_wait_cap_seconds
        )
        worker.publisher.policy_for = lambda _channel_id: policy
    worker.start()
    running: Worker | None = worker
    try:
        interrupted = yield from watch(
            watcher, timing.start_in_seconds + timing.timeout_seconds, timing.poll_seconds
        )
        keep_running = keep_running and not interrupted
        if not keep_running:
            running = None
            worker.stop()
        yield from closing_lines(loa, sandbox, watcher, plan.first, lang, static_sites(loa, web))
        yield from figures_lines(loa, sandbox, lang)
        yield ""
        yield from report_lines(loa, directory, lang)
        yield ""
        yield from hints(config_path, EDITOR, plan.rejected, lang)
        log_file = directory / "demo.log"
        yield words(lang, f"Nhật ký của worker: {log_file}", f"The worker's log: {log_file}")
        if keep_running:
            yield words(
                lang,
                f"Lịch đăng bài vẫn mở: {web.url}/calendar",
                f"The calendar stays open: {web.url}/calendar",
            )
            yield from until_interrupted(sandbox, watcher, timing.poll_seconds)
        else:
            yield words(
                lang,
                "Xong; sandbox dừng cùng buổi chạy thử. `loa demo --keep-running` giữ các trang"
                " trên mở đến khi nhấn Ctrl+C.",
                "Done; the sandbox stops with the demo. `loa demo --keep-running` keeps those"
                " pages up until Ctrl+C.",
            )
    finally:
        if running is not None:
            running.stop()
        web.stop()


def free_port(preferred: int) -> int:
    """`preferred` if nothing listens there now, else a free port. Chosen before the
    configuration is loaded, so the static subpage's public_url names the port its pages are
    served on; were it taken meanwhile, the server falls back to another port and the printed
    addresses follow the server (the pages' relative links still work)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def static_sites(loa: App, web: BackgroundServer) -> list[tuple[str, str]]:
    """(channel id, address) of each static subpage as the demo's web server shows it."""
    from loa.static_preview import previews

    return [(preview.channel_id, f"{web.url}{preview.path}") for preview in previews(loa)]


def _open_calendar(
    loa: App, lang: str, port: int = WEB_PORT
) -> Generator[str, None, BackgroundServer]:
    """The editors' pages on http://127.0.0.1:8000 (or a free port), with a password made for
    this run only for the demo's editor, an officer and the admin."""
    from content.users import UserService
    from loa.web_app import BackgroundServer, build_web_app

    password = secrets.token_urlsafe(12)
    users = UserService(loa.db)
    for username in DEMO_USERS:
        users.set_password("demo", username, password)
    web = BackgroundServer(build_web_app(loa), port=port).start()
    yield words(
        lang,
        f"Lịch đăng bài (trang web): {web.url}/calendar — đăng nhập {', '.join(DEMO_USERS)},"
        f" mật khẩu của lần chạy này: {password}",
        f"The publishing calendar (web pages): {web.url}/calendar — sign in as"
        f" {', '.join(DEMO_USERS)}, this run's password: {password}",
    )
    return web


def _connect_and_load(
    loa: App, sandbox: SandboxServer, directory: Path, timing: Timing, lang: str
) -> Generator[str, None, Plan]:
    from loa.sandbox_setup import connect_all

    channels = channel_names(loa.config.channels, lang)
    for channel_id, account in connect_all(loa, sandbox.url).items():
        name = channels.get(channel_id, channel_id)
        yield words(lang, f"  đã kết nối {name}: {account}", f"  connected {name}: {account}")
    yield _generating(lang)
    tz = loa.config.zone
    tomorrow = (utcnow().astimezone(tz) + timedelta(days=1)).date()
    records = build_import_records(tomorrow, directory.resolve() / "samples")
    plan = _schedule(records, utcnow() + timedelta(seconds=timing.start_in_seconds), timing, tz)
    report = _import(loa, directory, records)
    yield _loaded(report, lang)
    with loa.db.read() as session:
        watched = session.exec(select(Delivery.id).where(col(Delivery.state) == "scheduled")).all()
    plan = replace(
        plan,
        watched=tuple(i for i in watched if i is not None),
        retried=report.post_ids[plan.retried],
        rejected=report.post_ids[plan.rejected],
    )
    yield from announce(plan, len(records), tz, lang, channels)
    return plan


def _schedule(records: list[dict[str, Any]], start: datetime, timing: Timing, tz: Any) -> Plan:
    """Approved posts due one after the other from `start`; the two deliberate faults chosen."""
    approved = [i for i, record in enumerate(records) if record.get("state") == "approved"]
    gaps = random.Random(275)  # the same timetable every run
    when = start
    for position, index in enumerate(approved):
        if position:
            when += timedelta(seconds=timing.pace_seconds * gaps.uniform(0.75, 1.25))
        records[index]["at"] = when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
    retried = next(i for i in approved if RETRIED_CHANNEL in records[i]["channels"])
    plain = [i for i in approved if REJECTED_CHANNEL in records[i]["channels"]
             and not records[i].get("media") and i != retried]  # fmt: skip
    rejected = plain[len(plain) // 2]  # a link post: Facebook fetches its link for the preview
    record = records[rejected]
    link = re.sub(r"^(https?://)[^/]+", rf"\g<1>{UNREADABLE_HOST}", str(record["link"]))
    record.setdefault("overrides", {}).setdefault(REJECTED_CHANNEL, {})["link"] = link
    return Plan(len(approved), start, when, retried, rejected, RETRIED_CHANNEL, REJECTED_CHANNEL)
