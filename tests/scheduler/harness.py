"""A worker test bench: the demo configuration pointed at the sandbox, connected, with helpers.

`open_harness(...)` builds a workspace (config.yaml with every base URL on the running sandbox,
per-channel settings merged in), opens the App with migrations, connects every channel through
the real connect flows (`connect_all`), and gives helpers to queue approved posts, build workers
with a hand-moved clock, drive them one step at a time, and read what the sandbox holds.
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from sqlmodel import col, select

import loa.worker_app
from channels.sandbox.server import SandboxServer
from content.inputs import MediaRef
from content.models import Attempt, Channel, Delivery, Post
from content.timeutil import utcnow
from loa.adapters import build_adapter
from loa.app import App, open_app
from loa.sandbox_setup import connect_all
from loa.worker_app import build_worker, worker_settings
from scheduler.publish import Alert
from scheduler.worker import Worker
from tests.factories import Clock, post_input

ROOT = Path(__file__).resolve().parents[2]
OFFICER, EDITOR = "cbtt.stttt", "bientap"
FB_PAGES = {"fb-asean-hue": "100000000000001", "fb-dulich-hue": "100000000000002"}
PLATFORM_OF = {
    "zalo-asean-hue": "zalo",
    "fb-asean-hue": "graph",
    "fb-dulich-hue": "graph",
    "yt-hue-asean": "youtube",
    "web-asean": "wordpress",
}
_titles = itertools.count(1)

# Settings that keep the adapters quick against a local sandbox (Zalo polls its processing).
FAST = {"zalo-asean-hue": {"verify_poll_seconds": 0.05}}


def write_config(
    directory: Path,
    sandbox_url: str,
    *,
    database: str | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    worker: Mapping[str, Any] | None = None,
    channels: Sequence[Mapping[str, Any]] = (),
) -> Path:
    """The demo config.yaml, on the sandbox, with settings merged per channel and `channels`
    added (their base addresses written for the demo's sandbox, at http://127.0.0.1:8765)."""
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text += yaml.safe_dump({"extra": [dict(channel) for channel in channels]}, allow_unicode=True)
    data = yaml.safe_load(text.replace("http://127.0.0.1:8765", sandbox_url))
    data["channels"] += data.pop("extra")
    if database is not None:
        data["database"] = database
    data["alerts"] = {"urls": []}
    merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in FAST.items()}
    for channel_id, extra in (settings or {}).items():
        merged.setdefault(channel_id, {}).update(extra)
    for channel in data["channels"]:
        channel.setdefault("settings", {}).update(merged.get(channel["id"], {}))
    data["worker"].update(worker or {})
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def tiny_mp4(path: Path) -> Path:
    """A short real H.264 clip (a few KB): YouTube posts need a video."""
    import av
    from PIL import Image

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for number in range(5):
            frame = av.VideoFrame.from_image(
                Image.effect_noise((64, 64), 40 + number).convert("RGB")
            )
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@dataclass
class Harness:
    app: App
    sandbox: SandboxServer
    config_path: Path
    clock: Clock
    alerts: list[Alert] = field(default_factory=list)
    video: Path | None = None
    workers: list[Worker] = field(default_factory=list)

    # -- posts ---------------------------------------------------------------------------

    def post(
        self,
        channels: Iterable[str],
        *,
        due: datetime | None = None,
        at: datetime | None = None,
        title: str | None = None,
        **fields: Any,
    ) -> int:
        """An approved post (written by an officer, approved by an editor) on these channels.

        `at`: its scheduled time (must be after the clock, as the workflow demands).
        `due`: then also move its deliveries' due_at there directly (e.g. "now", the past).
        """
        channels = list(channels)
        title = title or f"Bài thử nghiệm ASEAN số {next(_titles)} ({uuid.uuid4().hex[:6]})"
        fields.setdefault("body", f"{title}: Thừa Thiên Huế tuyên truyền về Cộng đồng ASEAN.")
        if "yt-hue-asean" in channels and "media" not in fields:
            fields["media"] = [MediaRef(self.video_sha())]
        author = OFFICER
        if "fb-dulich-hue" in channels:  # the Tourism page is not shared: its own officer writes
            author = "cbtt.sdl"
            fields.setdefault("department", "SDL")
        data = post_input(
            title=title,
            channels=channels,
            scheduled_at=at or self.clock.now + timedelta(minutes=1),
            **fields,
        )
        officer, editor = self.app.posts.actor(author), self.app.posts.actor(EDITOR)
        post = self.app.posts.create(officer, data)
        assert post.id is not None
        self.app.posts.submit(officer, post.id)
        self.app.posts.approve(editor, post.id)
        if due is not None:
            self.set_due(post.id, due)
        return post.id

    def posts(self, count: int, channels: Iterable[str], **kwargs: Any) -> list[int]:
        return [self.post(channels, **kwargs) for _ in range(count)]

    def set_due(self, post_id: int, due: datetime) -> None:
        with self.app.db.write() as session:
            for row in session.exec(select(Delivery).where(Delivery.post_id == post_id)).all():
                row.due_at = due

    def video_sha(self) -> str:
        assert self.video is not None
        with self.app.db.write() as session:
            return self.app.media.add(session, self.video, name="clip.mp4").sha256

    # -- reading the database ------------------------------------------------------------

    def delivery(self, post_id: int, channel_id: str | None = None) -> Delivery:
        with self.app.db.read() as session:
            query = select(Delivery).where(Delivery.post_id == post_id)
            if channel_id is not None:
                query = query.where(Delivery.channel_id == channel_id)
            rows = session.exec(query).all()
        assert len(rows) == 1, rows
        return rows[0]

    def deliveries(self, **where: Any) -> list[Delivery]:
        with self.app.db.read() as session:
            query = select(Delivery).order_by(col(Delivery.id))
            for name, value in where.items():
                query = query.where(getattr(Delivery, name) == value)
            return list(session.exec(query).all())

    def states(self, post_ids: Iterable[int] | None = None) -> Counter[str]:
        ids = None if post_ids is None else set(post_ids)
        return Counter(d.state for d in self.deliveries() if ids is None or d.post_id in ids)

    def attempts(self, delivery_id: int) -> list[Attempt]:
        with self.app.db.read() as session:
            return list(
                session.exec(
                    select(Attempt)
                    .where(Attempt.delivery_id == delivery_id)
                    .order_by(col(Attempt.id))
                ).all()
            )

    def channel(self, channel_id: str) -> Channel:
        with self.app.db.read() as session:
            row = session.get(Channel, channel_id)
        assert row is not None
        return row

    def update_channel(self, channel_id: str, **values: Any) -> None:
        with self.app.db.write() as session:
            row = session.get(Channel, channel_id)
            assert row is not None
            for name, value in values.items():
                setattr(row, name, value)

    def update_delivery(self, delivery_id: int, **values: Any) -> None:
        with self.app.db.write() as session:
            row = session.get(Delivery, delivery_id)
            assert row is not None
            for name, value in values.items():
                setattr(row, name, value)

    def title_of(self, post_id: int) -> str:
        with self.app.db.read() as session:
            post = session.get(Post, post_id)
        assert post is not None
        return post.title

    # -- workers -------------------------------------------------------------------------

    def worker(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        threads: int | None = None,
        worker_id: str | None = None,
    ) -> Worker:
        """A worker from the configuration (build_worker), or with a hand-moved clock."""
        if clock is None:
            worker = build_worker(self.app, threads, worker_id)
        else:
            worker = Worker(
                self.app.db,
                worker_settings(self.app, threads),
                lambda channel_id: build_adapter(self.app, channel_id),
                self.app.media.path_of,
                alert=self.alerts.append,
                worker_id=worker_id,
                clock=clock,
            )
        self.workers.append(worker)
        return worker

    @staticmethod
    def settle(worker: Worker, timeout: float = 30.0) -> None:
        """Wait until everything this worker has in flight is done, and record it (as the
        dispatch that the finished threads wake would)."""
        pending = list(worker.in_flight.values())
        done, not_done = wait(pending, timeout=timeout)
        assert not not_done, f"{len(not_done)} publications still running after {timeout}s"
        for future in done:
            future.result()
        worker.flush()

    def step(self, worker: Worker) -> int:
        """One dispatch, then wait for what it started."""
        claimed = worker.dispatch_once()
        self.settle(worker)
        return claimed

    def drain(self, worker: Worker, rounds: int = 50) -> int:
        """Dispatch until nothing more is claimed; returns how many were claimed in all."""
        total = 0
        for _ in range(rounds):
            claimed = self.step(worker)
            total += claimed
            if claimed == 0:
                return total
        return total

    # -- the sandbox ---------------------------------------------------------------------

    def faults(self, platform: str, **settings: Any) -> None:
        answer = requests.post(
            f"{self.sandbox.url}/_sandbox/faults",
            json={"platform": platform, **settings},
            timeout=10,
        )
        answer.raise_for_status()

    def control(self, platform: str, command: str, **args: Any) -> Any:
        answer = requests.post(
            f"{self.sandbox.url}/_sandbox/control",
            json={"platform": platform, "command": command, "args": args},
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()["result"]

    def state(self) -> dict[str, Any]:
        answer = requests.get(f"{self.sandbox.url}/_sandbox/state", timeout=10)
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def on_platform(self, title: str, channel_id: str) -> int:
        """How many times a post with this title is on the channel's platform."""
        return published_counts(self.state(), channel_id)[title]


def published_counts(state: Mapping[str, Any], channel_id: str) -> Counter[str]:
    """Titles (or messages' first lines, on Facebook) as the platform holds them."""
    platform = PLATFORM_OF[channel_id]
    if platform == "wordpress":
        return Counter(_wp_title(p["title"]) for p in state["wordpress"]["posts"])
    if platform == "youtube":
        return Counter(v["title"] for v in state["youtube"]["videos"])
    if platform == "zalo":
        return Counter(a["title"] for a in state["zalo"]["articles"])
    page = FB_PAGES[channel_id]
    return Counter(
        (item["message"] or "").split(":")[0]
        for item in state["graph"]["items"].values()
        if item["page_id"] == page and item["kind"] in ("post", "status", "feed", "link")
    )


def _wp_title(title: Any) -> str:
    import html

    raw = title.get("raw", title.get("rendered", "")) if isinstance(title, dict) else str(title)
    return html.unescape(raw)


@contextmanager
def open_harness(
    tmp_path: Path,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    *,
    database: str | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    worker: Mapping[str, Any] | None = None,
    video: Path | None = None,
    channels: Sequence[Mapping[str, Any]] = (),
) -> Iterator[Harness]:
    from cryptography.fernet import Fernet

    monkeypatch.setenv("LOA_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("LOA_ZALO_APP_SECRET", "zalo-app-secret")
    monkeypatch.setenv("LOA_FB_APP_SECRET", "sandbox-facebook-app-secret")
    monkeypatch.setenv("LOA_YOUTUBE_CLIENT_SECRET", "youtube-client-secret")
    monkeypatch.delenv("LOA_ALERT_URL", raising=False)
    path = write_config(
        tmp_path, sandbox.url, database=database, settings=settings, worker=worker,
        channels=channels,
    )  # fmt: skip
    app = open_app(path, migrate=True)
    clock = Clock(utcnow().replace(microsecond=0))
    app.posts.clock = clock
    harness = Harness(app, sandbox, path, clock, video=video)
    monkeypatch.setattr(
        loa.worker_app, "alerts_for", lambda _app, **_options: harness.alerts.append
    )
    connect_all(app, sandbox.url)
    try:
        yield harness
    finally:
        for running in harness.workers:
            running._stopping.set()
            running.pool.shutdown(wait=True, cancel_futures=True)
        app.close()


@contextmanager
def harness_factory(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, video: Path
) -> Iterator[Callable[..., Harness]]:
    """For a fixture: `make(settings=..., worker=..., database=...)` opens a harness (once)."""
    with ExitStack() as stack:

        def make(**options: Any) -> Harness:
            return stack.enter_context(
                open_harness(tmp_path, sandbox, monkeypatch, video=video, **options)
            )

        yield make


UNSETTLED = ("scheduled", "claimed", "sending", "reconciling")


def run_until_settled(worker: Worker, app: App, deadline: float, pause: float = 0.005) -> None:
    """Dispatch in a loop (as the APScheduler job would) until no delivery is left to do."""
    import time

    while time.monotonic() < deadline:
        worker.dispatch_once()
        with app.db.read() as session:
            left = session.exec(
                select(Delivery.id).where(col(Delivery.state).in_(UNSETTLED)).limit(1)
            ).first()
        if left is None and not worker.in_flight:
            return
        time.sleep(pause)
    raise AssertionError(f"worker {worker.worker_id}: deliveries left at the deadline")


def worker_process(config_path: str, worker_id: str, start: Any, seconds: float) -> None:
    """A separate process running a Worker built from the configuration (multiprocessing spawn)."""
    import time

    app = open_app(Path(config_path))
    worker = build_worker(app, worker_id=worker_id)
    try:
        start.wait(60)  # every process starts claiming at the same moment
        run_until_settled(worker, app, time.monotonic() + seconds)
        worker.stop()
    finally:
        app.close()
