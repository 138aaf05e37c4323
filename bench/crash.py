"""The crash test: SIGKILL the worker at random moments while it publishes; count what landed.

    .venv/bin/python -m bench.crash --posts 300 --kills 20      # full size (a few minutes)

A workspace (config.yaml, SQLite database, key) is made in a temporary folder with every channel
pointing at a sandbox that runs in this process. Its channels are connected through their real
connect flows, hundreds of unique posts are queued with their times spread over the next seconds,
and the sandbox is told to misbehave: transient errors by rate, and requests it carries out but
never answers ("hangs", which the adapters see as timeouts after `timeout_seconds`). The worker
runs as a separate process (`loa worker`), and a loop kills it with SIGKILL 0.5-3 s after each
start, then starts it again. After the kills the faults are switched off and one last worker runs
until every delivery has settled (or the time budget runs out), and is stopped with SIGTERM.

Then the sandbox's own state (`/_sandbox/state`) is compared with the database. Every delivery
must be either published exactly once (WordPress: posts per slug, the marker Loa chose, including
the `-2` that WordPress appends to a taken slug; Facebook: feed posts per page whose message holds
the post's unique tag; Zalo and YouTube: articles and videos per unique title), or be final
(failed, missed, needs_review) with its reason recorded. A post found twice is a duplicate.

The test suite runs the same code at CI size (tests/scheduler/test_crash.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import requests
import yaml
from sqlalchemy import func
from sqlmodel import col, select

from channels.sandbox.server import SandboxServer
from content.models import (
    Attempt,
    Delivery,
    DeliveryState,
    EditorialState,
    MissedPolicy,
    Post,
    PostMedia,
    User,
)
from content.timeutil import utcnow
from loa.app import App, open_app
from loa.keys import KEY_ENV
from loa.sandbox_setup import connect_all, control

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "config.yaml"
TEMPLATE_SANDBOX = "http://127.0.0.1:8765"  # the address config.yaml gives the sandbox

D = DeliveryState
SECRETS = {
    "LOA_ZALO_APP_SECRET": "zalo-app-secret",
    "LOA_FB_APP_SECRET": "sandbox-facebook-app-secret",
    "LOA_YOUTUBE_CLIENT_SECRET": "youtube-client-secret",
}
PAGES = {"fb-asean-hue": "100000000000001", "fb-dulich-hue": "100000000000002"}
WEB, FB, FB2, ZALO, YOUTUBE = (
    "web-asean",
    "fb-asean-hue",
    "fb-dulich-hue",
    "zalo-asean-hue",
    "yt-hue-asean",
)
ROTATION: tuple[tuple[str, ...], ...] = ((WEB,), (FB,), (FB2,), (WEB, FB))
UNSETTLED = frozenset({D.pending, D.scheduled, D.claimed, D.sending, D.reconciling})
FINAL_NOT_PUBLISHED = frozenset({D.failed, D.missed, D.needs_review, D.cancelled})
STARTED = re.compile(r"worker (\S+) started with \d+ threads")

# Injected while the worker is being killed. The platforms' seeds are set per run.
CHAOS_FAULTS: dict[str, dict[str, Any]] = {
    "wordpress": {"errors": {"503": 0.1}, "hang_rate": 0.05},
    "graph": {"errors": {"2": 0.1}, "hang_rate": 0.05},
    "zalo": {"hang_rate": 0.05},
    "youtube": {"hang_rate": 0.03},
}

SUBJECTS = (
    "Lễ thượng cờ ASEAN",
    "Tuần Văn hóa ASEAN",
    "Hội thảo kinh tế số",
    "Diễn đàn du lịch Huế",
    "Giao lưu thanh niên ASEAN",
    "Xúc tiến đầu tư vùng Mê Kông",
)


# -- the workspace ---------------------------------------------------------------------------


def write_config(
    directory: Path,
    sandbox_url: str,
    *,
    channels: Sequence[str],
    worker: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    per_channel: Mapping[str, Mapping[str, Any]] | None = None,
    database: str | None = None,
) -> Path:
    """config.yaml with the demo's channels that are named, pointing at this sandbox."""
    data: dict[str, Any] = yaml.safe_load(
        TEMPLATE.read_text(encoding="utf-8").replace(TEMPLATE_SANDBOX, sandbox_url)
    )
    chosen = [entry for entry in data["channels"] if entry["id"] in channels]
    for entry in chosen:
        entry["settings"] = {
            **(entry.get("settings") or {}),
            **(settings or {}),
            **((per_channel or {}).get(entry["id"]) or {}),
        }
    data["channels"] = chosen
    data["worker"] = {**data["worker"], **(worker or {})}
    data["alerts"] = {"urls": []}
    if database is not None:
        data["database"] = database
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@contextlib.contextmanager
def secrets_environment() -> Iterator[dict[str, str]]:
    """The channels' secrets and a fresh credentials key in os.environ (restored afterwards);
    yields the environment to give the worker processes."""
    from cryptography.fernet import Fernet

    values = {**SECRETS, KEY_ENV: Fernet.generate_key().decode()}
    names = [*values, "LOA_WP_APP_PASSWORD", "LOA_CONFIG"]
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(values)
    os.environ.pop("LOA_WP_APP_PASSWORD", None)
    os.environ.pop("LOA_CONFIG", None)
    try:
        yield dict(os.environ)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def set_faults(sandbox_url: str, platform: str, **faults: Any) -> None:
    answer = requests.post(
        f"{sandbox_url}/_sandbox/faults", json={"platform": platform, **faults}, timeout=10
    )
    answer.raise_for_status()


def clear_faults(sandbox_url: str, platforms: Sequence[str]) -> None:
    for platform in platforms:
        set_faults(sandbox_url, platform)


def sandbox_state(sandbox_url: str) -> dict[str, Any]:
    answer = requests.get(f"{sandbox_url}/_sandbox/state", timeout=60)
    answer.raise_for_status()
    state: dict[str, Any] = answer.json()
    return state


# -- the worker process ----------------------------------------------------------------------


class WorkerProcess:
    """`loa --config CFG worker --threads N` in its own process, its log lines kept in a file."""

    def __init__(self, config: Path, env: Mapping[str, str], log_path: Path, threads: int) -> None:
        self.config, self.env, self.log_path, self.threads = config, dict(env), log_path, threads
        self.process: subprocess.Popen[bytes] | None = None
        self.worker_id = ""
        self.started_at = 0.0
        self._started = threading.Event()
        self._reader: threading.Thread | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "loa", "--config", str(self.config),
            "worker", "--threads", str(self.threads), "--log-level", "info",
        ]  # fmt: skip

    def start(self) -> WorkerProcess:
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.config.parent,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        stream = self.process.stderr
        assert stream is not None
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()
        return self

    def _read(self, stream: IO[bytes]) -> None:
        with stream, self.log_path.open("ab") as log:
            for raw in stream:
                log.write(raw)
                log.flush()
                found = STARTED.search(raw.decode("utf-8", "replace"))
                if found and not self._started.is_set():
                    self.worker_id = found.group(1)
                    self._started.set()

    def wait_started(self, timeout: float = 60.0) -> None:
        """Until the worker logs that its clock runs; raises with the log's end otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._started.wait(0.05):
                return
            if self.process is not None and self.process.poll() is not None:
                break
        raise RuntimeError(f"the worker did not start:\n{self.log_tail()}")

    def kill(self) -> float:
        """SIGKILL; returns how long the process lived after it said it had started."""
        alive = time.monotonic() - self.started_at
        os.kill(self.pid, signal.SIGKILL)
        self._finish(10.0)
        return alive

    def terminate(self, timeout: float) -> int:
        """SIGTERM and wait for a graceful stop; returns the exit status (-9 if it had to die)."""
        os.kill(self.pid, signal.SIGTERM)
        assert self.process is not None
        try:
            return self._finish(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self._finish(10.0)
            return -9

    def _finish(self, timeout: float) -> int:
        assert self.process is not None
        code = self.process.wait(timeout)
        if self._reader is not None:
            self._reader.join(5)
        return code

    def rss_kib(self) -> int:
        """VmRSS of the running process, in KiB (Linux)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])


# -- the posts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    delivery_id: int
    post_id: int
    channel_id: str
    tag: str  # unique per post: in the title and in the text
    title: str
    due_at: datetime
    kind: str = "publish"  # "publish" | "missed" (due long ago, skip if missed) | "rejected"

    @property
    def marker(self) -> str:
        return f"loa-{self.post_id}-{self.channel_id}"


def author_id(app: App, username: str = "bientap") -> int:
    with app.db.read() as session:
        found = session.exec(select(User.id).where(User.username == username)).first()
    assert found is not None, f"no user {username} in the configuration"
    return found


def add_video(app: App, directory: Path) -> str:
    """A short clip in the media store (for YouTube); returns its sha256."""
    from loa.samples.media import generate_video

    path = generate_video(
        {"headline": "Huế - ASEAN", "seconds": 2}, directory / "clip.mp4", size=(640, 360)
    )
    with app.db.write() as session:
        media = app.media.add(session, path, alt_text="Huế - ASEAN")
        return media.sha256


def queue_posts(
    app: App,
    channels_for: Sequence[tuple[str, ...]],
    *,
    start: datetime,
    spread_seconds: float,
    run: str,
    missed: int = 0,
    rejected: int = 0,
    video_sha: str | None = None,
) -> list[Planned]:
    """One approved post per entry of `channels_for`, due between `start` and `start + spread`;
    plus `missed` posts due an hour ago that may not go out late, and `rejected` website posts
    with neither title, text nor hashtags, which WordPress refuses (`empty_content`)."""
    author = author_id(app)
    specs: list[tuple[tuple[str, ...], datetime, str]] = []
    count = len(channels_for)
    for number, channels in enumerate(channels_for):
        due = start + timedelta(seconds=spread_seconds * number / max(1, count))
        specs.append((channels, due, "publish"))
    specs += [((WEB, FB), start - timedelta(hours=1), "missed")] * missed
    specs += [((WEB,), start, "rejected")] * rejected
    planned: list[Planned] = []
    with app.db.write() as session:
        for number, (channels, due, kind) in enumerate(specs):
            tag = f"[{run}-{number:04d}]"
            subject = SUBJECTS[number % len(SUBJECTS)]
            title = "" if kind == "rejected" else f"{subject} {tag}"
            body = "" if kind == "rejected" else (
                f"Bài thử {tag}: {subject} tại Thừa Thiên Huế, cùng cộng đồng ASEAN."
            )  # fmt: skip
            post = Post(
                title=title,
                body=body,
                hashtags=[] if kind == "rejected" else ["ASEAN", "Hue"],
                topic="a",
                pillar="ASCC",
                department_code="STTTT",
                author_id=author,
                state=EditorialState.approved,
                scheduled_at=due,
                missed_policy=MissedPolicy.skip if kind == "missed" else MissedPolicy.publish_late,
                grace_minutes=0 if kind == "missed" else 60,
            )
            session.add(post)
            session.flush()
            assert post.id is not None
            if YOUTUBE in channels:
                assert video_sha is not None, "YouTube posts need a video"
                session.add(PostMedia(post_id=post.id, media_sha256=video_sha, position=0))
            for channel_id in channels:
                delivery = Delivery(
                    post_id=post.id, channel_id=channel_id, state=D.scheduled, due_at=due
                )
                session.add(delivery)
                session.flush()
                assert delivery.id is not None
                planned.append(Planned(delivery.id, post.id, channel_id, tag, title, due, kind))
    return planned


def rotation(posts: int, *, zalo_every: int = 0, youtube_every: int = 0) -> list[tuple[str, ...]]:
    """Which channels each post goes to: the website and the two pages in turn, sometimes two
    of them; Zalo as well on every `zalo_every`th post; every `youtube_every`th post is a clip
    for YouTube alone."""
    plan: list[tuple[str, ...]] = []
    for number in range(posts):
        if youtube_every and number % youtube_every == youtube_every - 1:
            plan.append((YOUTUBE,))
            continue
        channels = ROTATION[number % len(ROTATION)]
        if zalo_every and number % zalo_every == 0:
            channels = (*channels, ZALO)
        plan.append(channels)
    return plan


# -- reading the outcome ---------------------------------------------------------------------


def states(app: App, ids: Sequence[int] | None = None) -> Counter[str]:
    with app.db.read() as session:
        query = select(Delivery.state, func.count()).group_by(col(Delivery.state))
        if ids is not None:
            query = query.where(col(Delivery.id).in_(ids))
        return Counter({str(state): int(count) for state, count in session.exec(query).all()})


def settled(app: App) -> bool:
    counts = states(app)
    return not any(counts.get(state, 0) for state in UNSETTLED)


def in_flight_of(app: App, worker_id: str) -> Counter[str]:
    """What a killed worker left claimed or sending."""
    with app.db.read() as session:
        rows = session.exec(
            select(Delivery.state).where(
                col(Delivery.lease_owner) == worker_id,
                col(Delivery.state).in_([D.claimed, D.sending]),
            )
        ).all()
    return Counter(str(state) for state in rows)


def found_on_sandbox(state: Mapping[str, Any], planned: Sequence[Planned]) -> dict[int, list[str]]:
    """delivery id -> the remote ids of everything on the sandbox that is that delivery."""
    found: dict[int, list[str]] = {item.delivery_id: [] for item in planned}
    by_marker = {item.marker: item for item in planned if item.channel_id == WEB}
    web_tags = {item.tag: item for item in planned if item.channel_id == WEB}
    for post in state.get("wordpress", {}).get("posts", []):
        slug = str(post.get("slug") or "")
        stem = re.fullmatch(r"(.+)-\d+", slug)
        mine = by_marker.get(slug) or (by_marker.get(stem.group(1)) if stem else None)
        title = str(post.get("title") or "")
        mine = mine or next((item for tag, item in web_tags.items() if tag in title), None)
        if mine is not None:
            found[mine.delivery_id].append(f"wp:{post.get('id')}:{slug}")
    feed = {(item.channel_id, item.tag): item for item in planned if item.channel_id in PAGES}
    tags = {item.tag for item in planned}
    page_channel = {page: channel for channel, page in PAGES.items()}
    for remote, item in (state.get("graph", {}).get("items") or {}).items():
        message = str(item.get("message") or "")
        channel = page_channel.get(str(item.get("page_id")))
        if channel is None or not message:
            continue
        for tag in _tags_in(message, tags):
            if (channel, tag) in feed:
                found[feed[(channel, tag)].delivery_id].append(f"fb:{remote}")
    titled = {
        (item.channel_id, item.tag): item for item in planned if item.channel_id in (ZALO, YOUTUBE)
    }
    for channel, entries in (
        (ZALO, state.get("zalo", {}).get("articles", [])),
        (YOUTUBE, state.get("youtube", {}).get("videos", [])),
    ):
        for entry in entries:
            for tag in _tags_in(str(entry.get("title") or ""), tags):
                if (channel, tag) in titled:
                    found[titled[(channel, tag)].delivery_id].append(f"{channel}:{entry['id']}")
    return found


def _tags_in(text: str, tags: set[str]) -> list[str]:
    return [tag for tag in re.findall(r"\[[^\]\s]+-\d{4}\]", text) if tag in tags]


@dataclass
class Row:
    state: str
    attempts: int
    last_error: str | None
    remote_id: str | None
    attempt_rows: int
    attempt_errors: int
    outcomes: list[str]


def delivery_rows(app: App, ids: Sequence[int]) -> dict[int, Row]:
    with app.db.read() as session:
        deliveries = session.exec(select(Delivery).where(col(Delivery.id).in_(ids))).all()
        attempts = session.exec(select(Attempt).where(col(Attempt.delivery_id).in_(ids))).all()
    by_delivery: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_delivery.setdefault(attempt.delivery_id, []).append(attempt)
    rows = {}
    for delivery in deliveries:
        assert delivery.id is not None
        tries = by_delivery.get(delivery.id, [])
        rows[delivery.id] = Row(
            state=str(delivery.state),
            attempts=delivery.attempts,
            last_error=delivery.last_error,
            remote_id=delivery.remote_id,
            attempt_rows=len(tries),
            attempt_errors=sum(1 for a in tries if a.error_message),
            outcomes=[a.outcome for a in sorted(tries, key=lambda a: a.id or 0)],
        )
    return rows


# -- one run ---------------------------------------------------------------------------------


@dataclass
class CrashSettings:
    posts: int = 300
    kills: int = 20
    zalo_every: int = 20
    youtube_every: int = 30  # 0: no YouTube (the CI size)
    missed: int = 2
    rejected: int = 1
    threads: int = 8
    lease_seconds: int = 10
    timeout_seconds: float = 2.0
    latency_ms: int = 150
    kill_after: tuple[float, float] = (0.5, 3.0)
    spread_seconds: float = 60.0
    budget_seconds: float = 600.0  # for the chaos and the final run together
    faults: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: CHAOS_FAULTS)
    seed: int = 0
    database: str | None = None  # default: SQLite in the workspace


@dataclass
class Kill:
    number: int
    alive_seconds: float
    claimed: int  # left claimed by the killed worker
    sending: int  # left sending: the platform call was under way


@dataclass
class CrashReport:
    deliveries: int
    posts: int
    kills: list[Kill] = field(default_factory=list)
    chaos_seconds: float = 0.0
    final_run_seconds: float = 0.0
    total_seconds: float = 0.0
    final_exit_code: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    published_once: int = 0
    final_with_reason: Counter[str] = field(default_factory=Counter)
    reconciled_found: int = 0
    reconciled_not_found: int = 0
    retries: int = 0
    duplicates: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # published in Loa, absent on the platform
    wrongly_final: list[str] = field(default_factory=list)  # failed/missed, yet on the platform
    unsettled: list[str] = field(default_factory=list)
    without_reason: list[str] = field(default_factory=list)
    worker_logs: list[Path] = field(default_factory=list)

    @property
    def sends_interrupted(self) -> int:
        return sum(kill.sending for kill in self.kills)

    def problems(self) -> list[str]:
        lines = []
        for name in ("duplicates", "lost", "wrongly_final", "unsettled", "without_reason"):
            found: list[str] = getattr(self, name)
            if found:
                lines.append(f"{name} ({len(found)}):")
                lines += [f"  {line}" for line in found[:30]]
        if self.final_exit_code != 0:
            lines.append(f"the final worker exited with {self.final_exit_code} after SIGTERM")
        return lines

    def figures(self) -> list[tuple[str, str]]:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.final_with_reason.items()))
        claims_left = sum(kill.claimed for kill in self.kills)
        reconciled = f"{self.reconciled_found} / {self.reconciled_not_found}"
        times = (
            f"{self.chaos_seconds:.1f} s / {self.final_run_seconds:.1f} s"
            f" / {self.total_seconds:.1f} s"
        )
        return [
            ("posts / deliveries", f"{self.posts} / {self.deliveries}"),
            ("kills (SIGKILL)", str(len(self.kills))),
            ("kills during a send", str(sum(1 for kill in self.kills if kill.sending))),
            ("sends interrupted / claims left", f"{self.sends_interrupted} / {claims_left}"),
            ("published exactly once", str(self.published_once)),
            ("final with reasons", reasons or "0"),
            ("reconciled: found / not found", reconciled),
            ("retries after a transient error", str(self.retries)),
            ("duplicates found (must be 0)", str(len(self.duplicates))),
            ("published in Loa, not on the platform", str(len(self.lost))),
            ("failed/missed in Loa, yet on the platform", str(len(self.wrongly_final))),
            ("not settled at the end", str(len(self.unsettled))),
            ("final without a reason", str(len(self.without_reason))),
            ("final worker exit status (SIGTERM)", str(self.final_exit_code)),
            ("time: chaos / final run / total", times),
        ]


def run_crash(
    settings: CrashSettings,
    sandbox: SandboxServer,
    directory: Path,
    env: Mapping[str, str],
    say: Callable[[str], None] = lambda line: None,
) -> CrashReport:
    """The whole crash loop in `directory`; secrets must already be in os.environ and `env`."""
    began = time.monotonic()
    rng = random.Random(settings.seed)
    url, platforms = sandbox.url, list(sandbox.platforms)
    clear_faults(url, platforms)
    config = crash_config(settings, directory, url)
    app = open_app(config, migrate=True)
    runs = Runs(config, env, settings.threads, directory)
    try:
        planned = prepare(app, settings, directory, url)
        say(f"queued {len(planned)} deliveries; workspace {directory}")
        for platform in platforms:
            faults = dict(settings.faults.get(platform, {}))
            seed = rng.randrange(2**31)
            set_faults(url, platform, latency_ms=settings.latency_ms, seed=seed, **faults)
        deadline = began + settings.budget_seconds
        chaos_began = time.monotonic()
        kills = kill_loop(app, runs, settings, rng, deadline, say)
        chaos_seconds = time.monotonic() - chaos_began

        clear_faults(url, platforms)
        final_began = time.monotonic()
        exit_code = final_run(app, runs, deadline, say)
        final_seconds = time.monotonic() - final_began

        report = judge(app, url, planned)
        report.kills, report.worker_logs = kills, runs.logs
        report.chaos_seconds, report.final_run_seconds = chaos_seconds, final_seconds
        report.total_seconds = time.monotonic() - began
        report.final_exit_code = exit_code
        return report
    finally:
        clear_faults(url, platforms)
        app.close()


def crash_config(settings: CrashSettings, directory: Path, sandbox_url: str) -> Path:
    """Short leases and retries, a short request timeout, quick Zalo polling."""
    return write_config(
        directory,
        sandbox_url,
        channels=[WEB, FB, FB2, ZALO] + ([YOUTUBE] if settings.youtube_every else []),
        worker={
            "lease_seconds": settings.lease_seconds,
            "retry_base_seconds": 1,
            "retry_cap_seconds": 10,
            "max_attempts": 8,
            "shutdown_grace_seconds": 10,
        },
        settings={"timeout_seconds": settings.timeout_seconds},
        per_channel={ZALO: {"verify_poll_seconds": 0.3}},
        database=settings.database,
    )


def prepare(app: App, settings: CrashSettings, directory: Path, sandbox_url: str) -> list[Planned]:
    """Connect every channel, then queue the posts, due over the next `spread_seconds`."""
    connect_all(app, sandbox_url)
    video = None
    if settings.youtube_every:
        control(sandbox_url, "youtube", "set_quota", limit=10**9, used=0)
        video = add_video(app, directory)
    plan = rotation(
        settings.posts, zalo_every=settings.zalo_every, youtube_every=settings.youtube_every
    )
    return queue_posts(
        app,
        plan,
        start=utcnow() + timedelta(seconds=1),
        spread_seconds=settings.spread_seconds,
        run=uuid.uuid4().hex[:6],
        missed=settings.missed,
        rejected=settings.rejected,
        video_sha=video,
    )


@dataclass
class Runs:
    """Starts numbered worker processes of one workspace; keeps their log files."""

    config: Path
    env: Mapping[str, str]
    threads: int
    directory: Path
    logs: list[Path] = field(default_factory=list)

    def start(self, name: str) -> WorkerProcess:
        log_path = self.directory / f"worker-{name}.log"
        self.logs.append(log_path)
        worker = WorkerProcess(self.config, self.env, log_path, self.threads).start()
        worker.wait_started()
        return worker


def kill_loop(
    app: App,
    runs: Runs,
    settings: CrashSettings,
    rng: random.Random,
    deadline: float,
    say: Callable[[str], None],
) -> list[Kill]:
    """Start a worker, let it run 0.5-3 s, SIGKILL it; again, `settings.kills` times."""
    kills: list[Kill] = []
    for number in range(1, settings.kills + 1):
        if time.monotonic() > deadline or settled(app):
            break
        worker = runs.start(f"{number:02d}")
        time.sleep(rng.uniform(*settings.kill_after))
        alive = worker.kill()
        left = in_flight_of(app, worker.worker_id)
        kills.append(Kill(number, alive, left[D.claimed], left[D.sending]))
        say(
            f"kill {number}: after {alive:.1f} s, left {left[D.sending]} sending,"
            f" {left[D.claimed]} claimed; queue {dict(states(app))}"
        )
    return kills


def final_run(app: App, runs: Runs, deadline: float, say: Callable[[str], None]) -> int:
    """One worker, no faults, until everything settled or the budget ran out; then SIGTERM."""
    began = time.monotonic()
    worker = runs.start("final")
    shown = began
    while time.monotonic() < deadline and not settled(app):
        time.sleep(0.5)
        if time.monotonic() - shown > 10:
            shown = time.monotonic()
            say(f"final run: {shown - began:.0f} s, queue {dict(states(app))}")
    return worker.terminate(timeout=30)


def judge(app: App, sandbox_url: str, planned: Sequence[Planned]) -> CrashReport:
    """Compare what the sandbox holds with what the database says, delivery by delivery."""
    ids = [item.delivery_id for item in planned]
    rows = delivery_rows(app, ids)
    found = found_on_sandbox(sandbox_state(sandbox_url), planned)
    report = CrashReport(len(planned), len({item.post_id for item in planned}))
    for item in planned:
        row, remote = rows[item.delivery_id], found[item.delivery_id]
        report.by_state[row.state] += 1
        report.reconciled_found += row.outcomes.count("reconciled: found")
        report.reconciled_not_found += row.outcomes.count("reconciled: not found")
        report.retries += row.outcomes.count("retry")
        where = (
            f"delivery {item.delivery_id} (post {item.post_id}, {item.channel_id}, {item.tag}):"
            f" {row.state}, attempts {row.attempts}, remote {row.remote_id}"
        )
        if len(remote) > 1:
            report.duplicates.append(f"{where}; on the platform {len(remote)} times: {remote}")
        if row.state in UNSETTLED:
            report.unsettled.append(f"{where}; {row.last_error}; tries {row.outcomes}")
        elif row.state == D.published:
            if not remote:
                report.lost.append(f"{where}; found nothing on the platform")
            elif len(remote) == 1:
                report.published_once += 1
        elif row.state in FINAL_NOT_PUBLISHED:
            if remote and row.state != D.needs_review:
                report.wrongly_final.append(f"{where}; yet on the platform: {remote}")
            has_reason = bool(row.last_error) and (
                row.state == D.missed or row.attempt_errors > 0 or row.attempt_rows > 0
            )
            if has_reason:
                report.final_with_reason[row.state] += 1
            else:
                report.without_reason.append(f"{where}; last_error {row.last_error!r}")
    return report


def quiet_disconnects(sandbox: SandboxServer) -> Callable[[], None]:
    """A client that timed out, or a worker killed mid-request, leaves the sandbox writing to a
    closed socket; socketserver prints each such traceback. Only those are silenced. Returns a
    function that undoes it."""
    httpd = sandbox.httpd
    shown = httpd.handle_error

    def handle_error(request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            shown(request, client_address)

    httpd.handle_error = handle_error  # type: ignore[method-assign]

    def undo() -> None:
        httpd.handle_error = shown  # type: ignore[method-assign]

    return undo


def print_report(report: CrashReport) -> None:
    width = max(len(name) for name, _ in report.figures())
    for name, value in report.figures():
        print(f"  {name.ljust(width)}  {value}")
    problems = report.problems()
    if problems:
        print("PROBLEMS:")
        for line in problems:
            print(f"  {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--budget", type=float, default=900.0, help="seconds, all phases")
    parser.add_argument("--no-youtube", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the workspace and its logs")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    settings = CrashSettings(
        posts=args.posts,
        kills=args.kills,
        youtube_every=0 if args.no_youtube else 30,
        threads=args.threads,
        latency_ms=args.latency_ms,
        spread_seconds=max(10.0, args.kills * 3.0),
        budget_seconds=args.budget,
        seed=seed,
    )
    from channels.sandbox import build_sandbox

    print(f"crash test: {args.posts} posts, {args.kills} kills, seed {seed}")
    sandbox = build_sandbox(port=0).start()
    quiet_disconnects(sandbox)
    directory = Path(tempfile.mkdtemp(prefix="loa-crash-"))
    try:
        with secrets_environment() as env:
            report = run_crash(settings, sandbox, directory, env, say=lambda s: print(f"  {s}"))
    finally:
        sandbox.stop()
        if not args.keep:
            import shutil

            shutil.rmtree(directory, ignore_errors=True)
    print("figures:")
    print_report(report)
    if args.keep:
        print(f"workspace kept: {directory}")
    return 1 if report.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
