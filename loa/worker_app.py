"""Building the worker from the configuration, and publishing one post in the foreground."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from channels.base import AuthRequired, Progress
from channels.registry import adapter_class
from content.errors import Conflict, NotFound, TransitionRefused
from content.models import Channel, ChannelState, Delivery, DeliveryState, EditorialState, Post
from content.timeutil import utcnow
from loa.adapters import build_adapter
from loa.app import App
from loa.worker_notify import add_notification_jobs
from loa.worker_reminders import build_reminders
from scheduler.alerts import Alerter, alerter_from_env
from scheduler.collect import Collector
from scheduler.control import Blackout, active_blackout, pause_state
from scheduler.corrections import Corrector
from scheduler.dispatch import ChannelLimits
from scheduler.publish import Alert, Outcome, Publisher, hold_channel
from scheduler.retry import RetryPolicy
from scheduler.worker import Worker, WorkerSettings

log = logging.getLogger(__name__)

D = DeliveryState
CORRECTIONS_SECONDS = 5  # how often a worker looks for changes to send and held posts now out
DEFAULT_CONCURRENCY = {"youtube": 1, "zalo_oa": 1, "facebook_page": 2, "wordpress": 2}


def worker_settings(app: App, threads: int | None = None) -> WorkerSettings:
    config = app.config
    limits, policies, not_found = {}, {}, {}
    default_policy = RetryPolicy(
        base_seconds=config.worker.retry_base_seconds,
        cap_seconds=config.worker.retry_cap_seconds,
        max_attempts=config.worker.max_attempts,
    )
    for channel in config.channels:
        settings = channel.settings
        per_minute = adapter_class(channel.type).capabilities.requests_per_minute
        per_minute = float(settings.get("posts_per_minute", per_minute or 0))
        limits[channel.id] = ChannelLimits(
            max_concurrent=int(
                settings.get("max_concurrent", DEFAULT_CONCURRENCY.get(channel.type, 2))
            ),
            min_interval_seconds=float(settings.get("min_interval_seconds", 0.0)),
        )
        if per_minute and "min_interval_seconds" not in settings and per_minute < 60:
            limits[channel.id] = ChannelLimits(limits[channel.id].max_concurrent, 60 / per_minute)
        if "max_attempts" in settings or "retry_base_seconds" in settings:
            policies[channel.id] = RetryPolicy(
                base_seconds=float(settings.get("retry_base_seconds", default_policy.base_seconds)),
                cap_seconds=default_policy.cap_seconds,
                max_attempts=int(settings.get("max_attempts", default_policy.max_attempts)),
            )
        not_found[channel.id] = str(settings.get("reconcile_not_found", "retry"))
    tz = config.zone
    blackouts = tuple(
        Blackout(_local(window.start, tz), _local(window.end, tz), window.reason)
        for window in config.worker.blackouts
    )
    return WorkerSettings(
        threads=threads or config.worker.threads,
        dispatch_seconds=config.worker.dispatch_interval_seconds,
        lease_seconds=config.worker.lease_seconds,
        shutdown_grace_seconds=config.worker.shutdown_grace_seconds,
        timezone=config.timezone,
        limits=limits,
        default_policy=default_policy,
        policies=policies,
        not_found=not_found,
        blackouts=blackouts,
        channels=frozenset(channel.id for channel in config.channels),
    )


def _local(text: str, tz: Any) -> datetime:
    from content.timeutil import parse_local

    return parse_local(text, tz)


def alerts_for(app: App, *, quiet: bool = False) -> Callable[[Alert], None]:
    """Where alerts go. `quiet` (a one-shot command): a missing alert URL is not said up front,
    only if an alert is then lost for want of it."""
    names = list(app.config.alerts.urls)
    alerter: Alerter | None = alerter_from_env(names, set(app.config.alerts.kinds), warn=not quiet)
    if alerter is None:
        missing = ", ".join(names) or "alerts.urls"
        return lambda alert: log.warning(
            "cảnh báo không được gửi vì chưa đặt %s / alert not sent, %s is not set: %s",
            missing, missing, alert.subject,
        )  # fmt: skip
    return alerter


class Alerts:
    """The alert destinations of the current configuration (a reload may change them)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.send = alerts_for(app)

    def __call__(self, alert: Alert) -> None:
        self.send(alert)

    def renew(self) -> None:
        self.send = alerts_for(self.app)

    @property
    def delivers(self) -> bool:
        """Alerts reach someone (an alert URL is set), not only the log."""
        return isinstance(self.send, Alerter)


def build_worker(app: App, threads: int | None = None, worker_id: str | None = None) -> Worker:
    """A worker that also rereads config.yaml: on SIGHUP, and when the file changes (looked at
    every `worker.config_check_seconds`)."""
    from loa.worker_reload import ConfigReloader

    settings = worker_settings(app, threads)
    alert = Alerts(app)
    worker = Worker(
        app.db,
        settings,
        lambda channel_id: build_adapter(app, channel_id),
        app.media.path_of,
        alert=alert,
        worker_id=worker_id,
        periodic={
            "token_refresh": (lambda: refresh_tokens(app, alert), {"minute": 7}),
            "metrics": (lambda: log_metrics(app), {"seconds": 60}),
        },
    )
    corrector = build_corrector(app, worker)
    worker.add_job("corrections", corrector.run_once, {"seconds": CORRECTIONS_SECONDS})
    collector = build_collector(
        app, worker.worker_id, worker.alert, lambda: worker.settings.channels,
        stop=worker._stopping, clock=worker.clock,
    )  # fmt: skip
    every = app.config.worker.metrics_interval_seconds
    collector.round_seconds = every
    worker.add_job("collect_figures", collector.run_once, {"seconds": every})
    reminders = build_reminders(
        app, worker.worker_id, alert, delivers=lambda: alert.delivers, clock=worker.clock
    )
    every = app.config.worker.reminders_interval_seconds
    worker.add_job("reminders", reminders.run_once, {"seconds": every})
    add_notification_jobs(app, worker)
    if app.config_path is not None:
        reloader = ConfigReloader(
            app, app.config_path, worker, lambda now: worker_settings(now, threads), alert
        )
        worker.on_hangup = reloader.reload
        every = app.config.worker.config_check_seconds
        worker.add_job("config_check", reloader.check, {"seconds": every})
    return worker


def build_corrector(app: App, worker: Worker) -> Corrector:
    """Changes to what the platforms hold (corrections, new times, removals) and natively
    scheduled posts turning published, done beside the worker's publishing, with its settings
    (a reload included), alerts and worker id."""
    return Corrector(
        app.db,
        worker.worker_id,
        lambda channel_id: build_adapter(app, channel_id),
        app.media.path_of,
        lambda channel_id: worker.settings.policies.get(channel_id, worker.settings.default_policy),
        worker.alert,
        worker.clock,
        worker.lease,
        channels=lambda: worker.settings.channels,
    )


def build_collector(
    app: App,
    worker_id: str,
    alert: Callable[[Alert], None],
    channels: Callable[[], Collection[str] | None] = lambda: None,
    *,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Collector:
    """Reading the figures of published posts: a worker's periodic job, or `loa stats collect`.
    Adapters are built afresh each round (a round runs on whichever thread the clock gives it),
    from the configuration as it stands (a reload included)."""
    return Collector(
        app.db,
        worker_id,
        lambda channel_id: build_adapter(app, channel_id),
        alert,
        clock,
        app.config.zone,
        channels,
        stop=stop or threading.Event(),
    )


def refresh_tokens(app: App, alert: Callable[[Alert], None]) -> None:
    """Hourly: asking each active channel who it is keeps tokens fresh (Zalo's refresh token
    dies unused after three months) and finds revoked access before a post is due. A channel
    that fails is logged and the check goes on to the next one."""
    with app.db.read() as session:
        rows = session.exec(select(Channel).order_by(col(Channel.id))).all()
        active = [row.id for row in rows if row.state == ChannelState.active]
    known = {channel.id for channel in app.config.channels}
    for channel_id in active:
        if channel_id not in known:  # in the database, not (yet) in this worker's config.yaml
            log.warning("token refresh channel=%s: not in the configuration, skipped", channel_id)
            continue
        try:
            build_adapter(app, channel_id).verify()
        except AuthRequired as error:
            with app.db.write() as session:
                row = session.get(Channel, channel_id)
                if row is not None:
                    hold_channel(session, row, "token-refresh", error.reason, alert)
        except Exception as error:  # one channel's failure must not stop the others' check
            log.warning("token refresh channel=%s: %s: %s", channel_id, type(error).__name__, error)


def log_metrics(app: App) -> None:
    from scheduler.control import status

    found = status(app.db, utcnow())
    depth = " ".join(f"{state}={count}" for state, count in sorted(found.queue.items()))
    log.info("queue %s paused=%s", depth, found.paused)


def publish_now(
    app: App,
    post_id: int,
    progress_for: Callable[[str], Progress | None],
    say: Callable[[str], None],
) -> dict[str, Outcome]:
    """Publish an approved post's deliveries now, in this process, one after the other."""
    worker_id = f"publish-now:{post_id}:{utcnow().timestamp():.0f}"
    lease = timedelta(seconds=app.config.worker.lease_seconds)
    now = utcnow()
    settings = worker_settings(app)
    with app.db.write() as session:
        control = pause_state(session)
        window = active_blackout(settings.blackouts, now)
        if control.paused or window is not None:
            why = control.reason if control.paused else window.reason if window else ""
            raise Conflict(
                f"publishing is paused ({why}); `loa resume` first",
                f"Việc đăng bài đang tạm dừng ({why}); hãy chạy `loa resume` trước.",
            )
        post = session.get(Post, post_id)
        if post is None:
            raise NotFound(f"no post #{post_id}", f"Không có bài #{post_id}.")
        if post.state != EditorialState.approved:
            raise TransitionRefused(
                f"post #{post_id} is not approved; approve it first",
                f"Bài #{post_id} chưa được duyệt; hãy duyệt trước.",
            )
        claimed = session.execute(
            update(Delivery)
            .where(
                col(Delivery.post_id) == post_id,
                col(Delivery.state).in_([D.scheduled, D.failed, D.missed]),
                # a channel removed from config.yaml is retired: its delivery stays held
                col(Delivery.channel_id).in_([channel.id for channel in app.config.channels]),
            )
            .values(
                state=D.claimed,
                lease_owner=worker_id,
                lease_expires_at=now + lease,
                due_at=now,
                updated_at=now,
            )
            .returning(col(Delivery.id), col(Delivery.channel_id))
        ).all()
    publisher = Publisher(
        app.db,
        worker_id,
        lambda channel_id: build_adapter(app, channel_id),
        app.media.path_of,
        lambda channel_id: settings.policies.get(channel_id, settings.default_policy),
        alerts_for(app, quiet=True),
        lease=lease,
        at_once=True,  # now, even on a channel with native_schedule
    )
    outcomes = {}
    for delivery_id, channel_id in claimed:
        say(channel_id)
        outcomes[channel_id] = publisher.run(delivery_id, progress_for(channel_id))
    return outcomes
