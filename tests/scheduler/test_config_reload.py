"""A running worker and config.yaml: channels added and removed while it runs, a new file that
does not load, and credentials that stop working outside a publish (reconciling, the hourly
credential check)."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from content.models import AuditEvent, ChannelState
from content.reasons import Reason
from content.timeutil import utcnow
from loa.adapters import build_adapter
from loa.app import RETIRED_REASON, open_app, sync_reference_data
from loa.cli import main
from loa.config import LoaConfig, load_config
from loa.connect import record_connected
from loa.worker_app import refresh_tokens, worker_settings
from scheduler.publish import NOT_SENT_WAIT
from scheduler.worker import Worker
from tests.scheduler.harness import Harness

WP_POSTS = "/wp/v2/posts"
TOURISM = "fb-dulich-hue"  # the Department of Tourism's page: the channel added and removed


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def without(path: Path, *channel_ids: str) -> str:
    """The config.yaml text without these channels."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["channels"] = [c for c in data["channels"] if c["id"] not in channel_ids]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def rewrite(path: Path, text: str) -> None:
    """Write the file anew (another inode), as editors and `cp` over it do."""
    scratch = path.with_suffix(".new")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


def audit_actions(h: Harness, channel_id: str) -> list[str]:
    from sqlmodel import col, select

    with h.app.db.read() as session:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.channel_id == channel_id)
            .order_by(col(AuditEvent.id))
        ).all()
    return [row.action for row in rows]


# -- a channel added while the worker runs ------------------------------------------------------


def test_a_channel_added_while_running_waits_for_the_reload_then_goes_out(
    bench: Callable[..., Harness],
) -> None:
    h = bench(worker={"config_check_seconds": 0.1, "dispatch_interval_seconds": 0.2})
    full = h.config_path.read_text(encoding="utf-8")
    # The worker started while config.yaml did not list the Tourism page yet.
    rewrite(h.config_path, without(h.config_path, TOURISM))
    h.app.config = load_config(h.config_path)
    sync_reference_data(h.app.db, h.app.config)
    assert h.channel(TOURISM).state == ChannelState.retired
    worker = h.worker(worker_id="running")

    # An editor adds the page back; the commands read the new file (and the database follows).
    rewrite(h.config_path, full)
    command = open_app(h.config_path)
    command.close()
    assert h.channel(TOURISM).state == ChannelState.active
    post_id = h.post([TOURISM], due=utcnow())

    # The worker has not reread its file yet: it leaves the post alone (it used to claim it,
    # fail to build the adapter with KeyError and put the post to `reconciling`).
    assert worker.dispatch_once() == 0
    row = h.delivery(post_id)
    assert (row.state, row.attempts, row.last_error) == ("scheduled", 0, None)
    assert h.attempts(row.id or 0) == []
    assert worker.reconciler.run_once() == {"found": 0, "not_found": 0, "unanswered": 0}

    worker.start()  # its minute's look at config.yaml (here every 0.1 s) finds the change
    try:
        wait_for(lambda: h.delivery(post_id).state == "published")
    finally:
        worker.stop()
    assert TOURISM in (worker.settings.channels or ())
    row = h.delivery(post_id)
    assert row.attempts == 1
    assert [a.outcome for a in h.attempts(row.id or 0)] == ["published"]
    assert h.on_platform(h.title_of(post_id), TOURISM) == 1
    assert h.alerts == []


def test_an_adapter_that_cannot_be_built_never_sends_the_post_to_reconciling(
    h: Harness,
) -> None:
    # A worker whose config.yaml does not list a channel the database holds as active, and
    # that claims every channel (as workers did before they kept to their own configuration).
    full = h.app.config
    h.app.config = load_config_text(h.config_path, without(h.config_path, TOURISM))
    settings = replace(worker_settings(h.app), channels=None)
    worker = Worker(
        h.app.db,
        settings,
        lambda channel_id: build_adapter(h.app, channel_id),
        h.app.media.path_of,
        alert=h.alerts.append,
        clock=h.clock,
    )
    post_id = h.post([TOURISM], due=h.clock.now)
    assert h.step(worker) == 1

    row = h.delivery(post_id)
    assert (row.state, row.attempts, row.lease_owner) == ("scheduled", 0, None)
    assert row.due_at == h.clock.now + NOT_SENT_WAIT
    reason = Reason.decode(row.last_error)
    assert reason is not None and reason.en == "not sent, the channel cannot be used here"
    assert reason.vi.startswith("Chưa gửi") and reason.detail.startswith("KeyError")
    [attempt] = h.attempts(row.id or 0)
    assert (attempt.outcome, attempt.error_kind) == ("not sent", "KeyError")
    assert h.on_platform(h.title_of(post_id), TOURISM) == 0

    h.app.config = full  # the configuration is reread
    worker.reconfigure(worker_settings(h.app))
    h.clock.advance(seconds=NOT_SENT_WAIT.total_seconds())
    assert h.step(worker) == 1
    row = h.delivery(post_id)
    assert (row.state, row.attempts) == ("published", 1)
    assert [a.outcome for a in h.attempts(row.id or 0)] == ["not sent", "published"]
    assert h.on_platform(h.title_of(post_id), TOURISM) == 1


def load_config_text(path: Path, text: str) -> LoaConfig:
    scratch = path.parent / "other" / "config.yaml"
    scratch.parent.mkdir(exist_ok=True)
    scratch.write_text(text, encoding="utf-8")
    config = load_config(scratch)
    config._base_dir = path.parent  # the same database and media as the workspace
    return config


# -- a channel removed while the worker runs (SIGHUP) ---------------------------------------------


def test_sighup_retires_a_removed_channel_and_holds_its_posts_until_it_is_back(
    bench: Callable[..., Harness], capsys: pytest.CaptureFixture[str]
) -> None:
    h = bench(worker={"dispatch_interval_seconds": 0.2})
    full = h.config_path.read_text(encoding="utf-8")
    held = h.post([TOURISM], at=h.clock.now + timedelta(minutes=2))
    web = h.post(["web-asean"], due=utcnow())
    worker = h.worker(worker_id="hangup")
    saved = {n: signal.getsignal(n) for n in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}

    def edit_then_signal() -> None:
        try:
            wait_for(lambda: h.delivery(web).state == "published")
            rewrite(h.config_path, without(h.config_path, TOURISM))
            os.kill(os.getpid(), signal.SIGHUP)
            wait_for(lambda: h.channel(TOURISM).state == ChannelState.retired)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    editor = threading.Thread(target=edit_then_signal)
    editor.start()
    try:
        worker.run_forever()
    finally:
        editor.join()
        for number, handler in saved.items():
            signal.signal(number, handler)
    assert h.channel(TOURISM).state == ChannelState.retired
    assert TOURISM not in (worker.settings.channels or ())
    row = h.delivery(held)
    assert (row.state, row.attempts, row.last_error) == ("scheduled", 0, RETIRED_REASON)
    assert audit_actions(h, TOURISM) == ["channel.retired"]

    # Not listed as active; never claimed nor missed, never checked by the hourly job.
    assert main(["--config", str(h.config_path), "channels", "list"]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith(TOURISM)]
    assert "đã gỡ khỏi cấu hình" in line and "đang hoạt động" not in line  # words, not the enum
    assert main(["--config", str(h.config_path), "--lang", "en", "channels", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "removed from the configuration" in next(x for x in out if x.startswith(TOURISM))
    assert main(["--config", str(h.config_path), "worker", "status"]) == 0
    assert f"  {TOURISM}: đã gỡ khỏi cấu hình" in capsys.readouterr().out.splitlines()
    h.set_due(held, utcnow() - timedelta(hours=3))
    successor = h.worker(worker_id="successor")
    assert h.drain(successor) == 0
    refresh_tokens(h.app, h.alerts.append)
    row = h.delivery(held)
    assert (row.state, row.attempts, row.last_error) == ("scheduled", 0, RETIRED_REASON)
    assert h.channel(TOURISM).state == ChannelState.retired

    # Listed again: active again, and the post held meanwhile goes out (late, not lost).
    rewrite(h.config_path, full)
    assert successor.on_hangup is not None and successor.on_hangup() is True
    assert h.channel(TOURISM).state == ChannelState.active
    assert h.drain(successor) == 1
    row = h.delivery(held)
    assert (row.state, row.attempts, row.last_error) == ("published", 1, None)
    assert h.on_platform(h.title_of(held), TOURISM) == 1
    assert audit_actions(h, TOURISM)[-1] == "channel.reactivated"
    assert h.alerts == []


def test_a_config_that_does_not_load_is_refused_and_the_worker_goes_on(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    worker = h.worker(worker_id="steady")
    known = worker.settings.channels
    rewrite(h.config_path, h.config_path.read_text(encoding="utf-8") + "\nchannels: [\n")
    with caplog.at_level(logging.ERROR, logger="loa.worker_reload"):
        assert worker.on_hangup is not None and worker.on_hangup() is False
    [record] = caplog.records
    assert record.getMessage().startswith(f"Không nạp lại {h.config_path} vì có lỗi")
    assert "YAML syntax" in record.getMessage() and "\n" not in record.getMessage()
    assert worker.settings.channels == known and len(h.app.config.channels) == 5

    moved = h.config_path.read_text(encoding="utf-8").replace("\nchannels: [\n", "")
    data = yaml.safe_load(moved)
    data["database"] = "sqlite:///elsewhere.db"
    rewrite(h.config_path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="loa.worker_reload"):
        assert worker.on_hangup() is False
    assert "database: đổi cơ sở dữ liệu cần khởi động lại" in caplog.records[0].getMessage()

    post_id = h.post(["web-asean"], due=utcnow())
    assert h.drain(worker) == 1
    assert h.delivery(post_id).state == "published"


# -- credentials that stop working outside a publish ---------------------------------------------


def test_auth_required_while_reconciling_holds_the_channel_once(
    bench: Callable[..., Harness], database_url: str
) -> None:
    h = bench(database=database_url, settings={"web-asean": {"timeout_seconds": 1}})
    post_id = h.post(["web-asean"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("wordpress", hang_next=1, paths=[WP_POSTS])
    assert h.step(worker) == 1
    assert h.delivery(post_id).state == "reconciling"
    h.control("wordpress", "revoke_app_passwords")
    h.clock.advance(seconds=30)

    counts = worker.reconciler.run_once()
    assert counts == {"found": 0, "not_found": 0, "unanswered": 0, "held": 1}
    assert h.channel("web-asean").state == ChannelState.needs_auth
    [alert] = h.alerts
    assert (alert.kind, alert.channel_id) == ("needs_auth", "web-asean")
    assert "loa channels connect web-asean" in alert.body
    row = h.delivery(post_id)
    assert (row.state, row.attempts, row.lease_owner) == ("reconciling", 1, None)
    reason = Reason.decode(row.last_error)
    assert reason is not None and reason.en.startswith("waiting for the channel to be reconnected")
    assert reason.vi.startswith("Chờ kết nối lại kênh: Tìm bài: WordPress từ chối đăng nhập")
    assert [a.outcome for a in h.attempts(row.id or 0)] == ["reconcile"]  # no check burned

    # The dead credentials are not tried again at every round while nobody reconnects.
    for _ in range(8):
        h.clock.advance(minutes=5)
        assert worker.reconciler.run_once() == {"found": 0, "not_found": 0, "unanswered": 0}
    assert h.delivery(post_id).state == "reconciling"
    assert len(h.alerts) == 1

    password = str(h.control("wordpress", "issue_app_password"))
    account = build_adapter(h.app, "web-asean").complete_token(password)  # type: ignore[attr-defined]
    record_connected(h.app.db, "web-asean", "test", account.id)
    assert worker.reconciler.run_once()["found"] == 1
    assert h.delivery(post_id).state == "published"
    assert h.on_platform(h.title_of(post_id), "web-asean") == 1


def test_the_credential_check_holds_a_revoked_channel_and_goes_on_past_broken_ones(
    h: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    # fb-asean-hue: credentials sealed with another key; zalo-asean-hue: active in the
    # database but not in this worker's config.yaml; web-asean: its password revoked.
    queued = h.post(["web-asean"], at=h.clock.now + timedelta(minutes=2))
    other_key = Fernet(Fernet.generate_key())
    h.update_channel("fb-asean-hue", credentials=other_key.encrypt(b"{}"))
    h.app.config = load_config_text(h.config_path, without(h.config_path, "zalo-asean-hue"))
    h.control("wordpress", "revoke_app_passwords")

    refresh_tokens(h.app, h.alerts.append)  # used to stop at the first of them
    assert h.channel("web-asean").state == ChannelState.needs_auth
    [alert] = h.alerts
    assert (alert.kind, alert.channel_id) == ("needs_auth", "web-asean")
    assert h.channel("fb-asean-hue").state == ChannelState.active  # logged, not a person's job
    assert h.channel("zalo-asean-hue").state == ChannelState.active

    refresh_tokens(h.app, h.alerts.append)  # a channel waiting for a person is not asked again
    assert len(h.alerts) == 1
    assert audit_actions(h, "web-asean")[-1] == "channel.needs_auth"

    # Its queued post waits: past its time, no worker claims it while the channel needs a person.
    h.clock.advance(minutes=5)
    worker = h.worker(clock=h.clock)
    assert h.step(worker) == 0
    row = h.delivery(queued)
    assert (row.state, row.attempts, row.lease_owner) == ("scheduled", 0, None)
    assert h.attempts(row.id or 0) == []
    assert h.on_platform(h.title_of(queued), "web-asean") == 0

    # Working credentials are stored again (what `connect --token-stdin` stores, without its
    # reactivation): `loa channels check` finds them working and reactivates the channel.
    password = str(h.control("wordpress", "issue_app_password"))
    build_adapter(h.app, "web-asean").complete_token(password)  # type: ignore[attr-defined]
    assert h.channel("web-asean").state == ChannelState.needs_auth
    main(["--config", str(h.config_path), "--lang", "en", "channels", "check"])
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("web-asean")]
    assert "reactivated" in line
    assert h.channel("web-asean").state == ChannelState.active
    assert audit_actions(h, "web-asean")[-1] == "channel.reactivated"

    h.clock.advance(minutes=5)  # the released post is due at the check's time
    assert h.step(worker) == 1
    row = h.delivery(queued)
    assert (row.state, row.attempts) == ("published", 1)
    assert h.on_platform(h.title_of(queued), "web-asean") == 1
    assert len(h.alerts) == 1


def test_worker_help_says_how_the_configuration_is_reread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["worker", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Đọc lại config.yaml khi nhận SIGHUP" in text
    assert "Rereads config.yaml on SIGHUP" in text
    assert text.index("Đọc lại") < text.index("Rereads")  # Vietnamese first
