"""Publishing with real adapters over real HTTP to the sandbox: every outcome of one try.

scheduled -> claimed -> sending -> published, and what each error class of the adapters leads
to: retry with backoff, failed after max attempts, rejected with the platform's reason, the
channel's cooldown on rate limits, the quota's reset, and needs_auth without burning attempts.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest

from channels.youtube.client import next_pacific_midnight
from content.installation import installation_key
from content.models import ChannelState
from content.reasons import Reason
from loa.cli import main
from scheduler.dispatch import claim
from scheduler.publish import Outcome
from tests.scheduler.harness import FB_PAGES, Harness

FB_FEED = f"/{FB_PAGES['fb-asean-hue']}/feed"
WP_POSTS = "/wp/v2/posts"


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


# -- the happy path, one state at a time -------------------------------------------------------


def test_scheduled_claimed_sending_published(h: Harness) -> None:
    post_id = h.post(["web-asean"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    delivery = h.delivery(post_id)
    assert (delivery.state, delivery.attempts, delivery.lease_owner) == ("scheduled", 0, None)

    with h.app.db.write() as session:
        claimed = claim(
            session, worker.worker_id, 4, h.clock.now, worker.lease, worker.settings.limits
        )
    assert [(c.delivery_id, c.channel_id) for c in claimed] == [(delivery.id, "web-asean")]
    delivery = h.delivery(post_id)
    assert (delivery.state, delivery.lease_owner) == ("claimed", worker.worker_id)
    assert delivery.lease_expires_at == h.clock.now + worker.lease
    assert delivery.attempts == 0 and h.attempts(delivery.id or 0) == []

    # The platform answers slowly: `sending` and its Attempt are committed before the call.
    h.faults("wordpress", latency_ms=400, paths=[WP_POSTS])
    outcome: list[Outcome] = []
    runner = threading.Thread(target=lambda: outcome.append(worker.publisher.run(delivery.id)))
    runner.start()
    wait_for(lambda: h.delivery(post_id).state == "sending")
    sending = h.delivery(post_id)
    assert sending.attempts == 1 and sending.send_started_at == h.clock.now
    [attempt] = h.attempts(sending.id or 0)
    assert (attempt.number, attempt.outcome, attempt.finished_at) == (1, "sending", None)
    assert attempt.worker_id == worker.worker_id
    assert h.state()["wordpress"]["posts"] == []  # the request is still on its way
    runner.join(10)

    assert outcome == [Outcome.published]
    done = h.delivery(post_id)
    [post] = h.state()["wordpress"]["posts"]
    assert done.state == "published"
    assert (done.remote_id, done.remote_url) == (str(post["id"]), post["link"])
    with h.app.db.read() as session:
        key = installation_key(session)
    assert post["slug"] == f"loa-{key}-{post_id}-web-asean"
    assert (done.lease_owner, done.lease_expires_at, done.last_error) == (None, None, None)
    [attempt] = h.attempts(done.id or 0)
    assert attempt.outcome == "published" and attempt.finished_at is not None


def test_one_post_goes_out_on_every_platform_once(h: Harness) -> None:
    channels = ["web-asean", "fb-asean-hue", "zalo-asean-hue", "yt-hue-asean"]
    post_id = h.post(channels, due=h.clock.now)
    local = h.post(["fb-dulich-hue"], due=h.clock.now)
    worker = h.worker()
    assert h.drain(worker) == 5
    title = h.title_of(post_id)
    for channel_id in channels:
        row = h.delivery(post_id, channel_id)
        assert row.state == "published", (channel_id, row.last_error)
        assert row.remote_id and row.remote_url and row.remote_url.startswith(h.sandbox.url)
        assert h.on_platform(title, channel_id) == 1, channel_id
        assert [a.outcome for a in h.attempts(row.id or 0)] == ["published"]
    assert h.delivery(local).state == "published"
    assert h.on_platform(h.title_of(local), "fb-dulich-hue") == 1
    assert h.on_platform(title, "fb-dulich-hue") == 0  # the other page got only its own post
    assert worker.counts == {"published": 5, "failed": 0}
    assert h.alerts == []


# -- retryable errors ---------------------------------------------------------------------------


def test_a_temporary_facebook_error_retries_after_its_wait(h: Harness) -> None:
    post_id = h.post(["fb-asean-hue"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("graph", fail_next=["2"], paths=[FB_FEED])
    assert h.step(worker) == 1

    row = h.delivery(post_id)
    # Facebook asks 60 s; the first backoff of the policy (30 s) is shorter, so 60 s it is.
    assert (row.state, row.attempts) == ("scheduled", 1)
    assert row.due_at == h.clock.now + timedelta(seconds=60)
    assert row.lease_owner is None and "Facebook had a temporary problem" in (row.last_error or "")
    [attempt] = h.attempts(row.id or 0)
    assert (attempt.outcome, attempt.error_kind) == ("retry", "Retryable")
    assert h.channel("fb-asean-hue").cooldown_until is None  # a plain retry is not a rate limit

    h.clock.advance(seconds=59)
    assert h.step(worker) == 0
    h.clock.advance(seconds=1)
    assert h.step(worker) == 1
    row = h.delivery(post_id)
    assert (row.state, row.attempts, row.last_error) == ("published", 2, None)
    assert [a.outcome for a in h.attempts(row.id or 0)] == ["retry", "published"]
    assert h.on_platform(h.title_of(post_id), "fb-asean-hue") == 1


def test_backoff_grows_within_the_channel_policy(bench: Callable[..., Harness]) -> None:
    h = bench(settings={"web-asean": {"retry_base_seconds": 100, "max_attempts": 5}})
    post_id = h.post(["web-asean"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("wordpress", fail_next=["db_insert_error"] * 3, paths=[WP_POSTS])
    # WordPress's 500 asks for 60 s; the policy's backoff (base 100, doubling) is longer.
    for attempt, (low, high) in enumerate([(100, 100), (100, 200), (100, 400)], start=1):
        started = h.clock.now
        assert h.step(worker) == 1
        row = h.delivery(post_id)
        assert (row.state, row.attempts) == ("scheduled", attempt)
        assert row.due_at is not None
        wait = (row.due_at - started).total_seconds()
        assert low <= wait <= high, (attempt, wait)
        assert "the site had an error" in (row.last_error or "")
        h.clock.now = row.due_at
    assert h.step(worker) == 1
    row = h.delivery(post_id)
    assert (row.state, row.attempts) == ("published", 4)
    assert [a.outcome for a in h.attempts(row.id or 0)] == ["retry"] * 3 + ["published"]


def test_max_attempts_fails_with_the_reason_and_an_alert(bench: Callable[..., Harness]) -> None:
    h = bench(settings={"web-asean": {"max_attempts": 2}})
    post_id = h.post(["web-asean"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("wordpress", fail_next=["db_insert_error"] * 2, paths=[WP_POSTS])
    h.step(worker)
    h.clock.now = h.delivery(post_id).due_at or h.clock.now
    h.step(worker)

    row = h.delivery(post_id)
    assert (row.state, row.attempts) == ("failed", 2)
    reason = Reason.decode(row.last_error)
    assert reason is not None and reason.en.startswith("gave up after 2 tries: ")
    assert reason.vi.startswith("Đã thử 2 lần, Loa dừng lại: Đăng bài")
    assert "Could not insert post into the database" in reason.detail
    assert [a.outcome for a in h.attempts(row.id or 0)] == ["retry", "fail"]
    [alert] = h.alerts
    assert (alert.kind, alert.post_id, alert.channel_id) == ("failed", post_id, "web-asean")
    assert alert.body.startswith(f"{reason.vi}\n\n{reason.en}\n\n")
    assert reason.detail in alert.body
    h.clock.advance(hours=2)
    assert h.step(worker) == 0  # failed is final
    assert h.state()["wordpress"]["posts"] == []


# -- permanent refusals -------------------------------------------------------------------------


def test_facebook_rejection_fails_at_once_in_plain_words(h: Harness) -> None:
    post_id = h.post(["fb-asean-hue"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("graph", fail_next=["100"], paths=[FB_FEED])
    h.step(worker)
    row = h.delivery(post_id)
    assert (row.state, row.attempts) == ("failed", 1)
    assert "Facebook refused a value in the post" in (row.last_error or "")
    assert "(#100) Invalid parameter" in (row.last_error or "")
    [attempt] = h.attempts(row.id or 0)
    assert (attempt.outcome, attempt.error_kind) == ("fail", "Rejected")
    assert [a.kind for a in h.alerts] == ["failed"]
    # The channel as people know it, never its config id.
    subject = h.alerts[0].subject
    assert "bài #1 không đăng được lên Facebook · " in subject and "fb-asean-hue" not in subject
    reason = Reason.decode(row.last_error)
    assert reason is not None
    assert reason.vi == "Đăng bài: Facebook từ chối một giá trị trong bài"
    assert reason.en == "publishing the post: Facebook refused a value in the post"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("-201", "Zalo từ chối một tham số của bài viết / a parameter of the article was refused"),
        ("-248", "Zalo từ chối vì vi phạm chính sách nội dung / content policy violation"),
    ],
)
def test_zalo_rejection_fails_with_zalos_reason(h: Harness, code: str, words: str) -> None:
    post_id = h.post(["zalo-asean-hue"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("zalo", fail_next=[code], paths=["article/create"])
    h.step(worker)
    row = h.delivery(post_id)
    assert (row.state, row.attempts) == ("failed", 1)
    reason = Reason.decode(row.last_error)
    assert reason is not None
    vi, en = words.split(" / ")
    assert reason.vi.endswith(vi) and reason.en.endswith(en)
    assert reason.detail.startswith(f"Zalo error {code}")
    assert [a.kind for a in h.alerts] == ["failed"]
    assert h.state()["zalo"]["articles"] == []


# -- the channel waits: rate limits and quotas --------------------------------------------------


def test_a_rate_limit_cools_the_channel_not_the_others(h: Harness) -> None:
    limited = h.post(["fb-asean-hue"], due=h.clock.now)
    other_page = h.post(["fb-dulich-hue"], due=h.clock.now)
    web = h.post(["web-asean"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("graph", fail_next=["4"], paths=[FB_FEED])
    t0 = h.clock.now
    h.drain(worker)

    row = h.delivery(limited)
    until = t0 + timedelta(seconds=300)  # no estimate in the answer: the adapter's 5 minutes
    assert (row.state, row.attempts, row.due_at) == ("scheduled", 1, until)
    assert h.channel("fb-asean-hue").cooldown_until == until
    assert "slow down" in (row.last_error or "")
    assert h.delivery(other_page).state == "published"  # same platform, other page
    assert h.delivery(web).state == "published"
    assert h.channel("fb-dulich-hue").cooldown_until is None

    # Newly due posts of the cooling channel wait too; other channels still go out.
    later = h.post(["fb-asean-hue"], due=h.clock.now)
    web2 = h.post(["web-asean"], due=h.clock.now)
    h.clock.advance(seconds=120)
    h.drain(worker)
    assert h.delivery(web2).state == "published"
    assert h.delivery(later).state == "scheduled" and h.delivery(limited).state == "scheduled"

    h.clock.now = until
    assert h.drain(worker) == 2
    assert h.delivery(limited).state == "published" and h.delivery(later).state == "published"
    assert h.delivery(limited).attempts == 2 and h.delivery(later).attempts == 1


def test_the_page_level_rate_limit_of_the_graph_sandbox(h: Harness) -> None:
    limited = h.post(["fb-asean-hue"], due=h.clock.now)
    h.control("graph", "rate_limit", page_id=FB_PAGES["fb-asean-hue"], minutes=10)
    worker = h.worker(clock=h.clock)
    t0 = h.clock.now
    h.drain(worker)
    row = h.delivery(limited)
    cooldown = h.channel("fb-asean-hue").cooldown_until
    assert row.state == "scheduled" and cooldown is not None and row.due_at == cooldown
    # The usage header says how long: about the 10 minutes the sandbox set.
    assert timedelta(minutes=9) <= cooldown - t0 <= timedelta(minutes=11)
    other = h.post(["fb-dulich-hue"], due=h.clock.now)
    h.drain(worker)
    assert h.delivery(other).state == "published"
    assert h.delivery(limited).state == "scheduled"


def test_youtube_quota_waits_for_the_reset(h: Harness) -> None:
    day = 24 * 60  # a grace longer than the wait (see the next test for the default grace)
    first = h.post(["yt-hue-asean"], due=h.clock.now, grace_minutes=day)
    second = h.post(["yt-hue-asean"], due=h.clock.now, grace_minutes=day)
    h.control("youtube", "exhaust_quota")
    worker = h.worker(clock=h.clock)
    reset = next_pacific_midnight()
    h.drain(worker)

    row, waiting = h.delivery(first), h.delivery(second)
    assert row.state == "scheduled" and row.attempts == 1
    assert row.due_at == reset and h.channel("yt-hue-asean").cooldown_until == reset
    assert "quota" in (row.last_error or "") and "midnight" in (row.last_error or "")
    assert [a.error_kind for a in h.attempts(row.id or 0)] == ["QuotaExceeded"]
    assert (waiting.state, waiting.attempts) == ("scheduled", 0)  # never tried: no quota

    h.clock.now = reset - timedelta(seconds=1)
    assert h.drain(worker) == 0
    h.control("youtube", "set_quota", used=0)
    h.clock.now = reset
    h.drain(worker)
    assert {h.delivery(first).state, h.delivery(second).state} == {"published"}
    assert len(h.state()["youtube"]["videos"]) == 2


def test_a_post_waiting_behind_the_quota_is_not_missed(h: Harness) -> None:
    first = h.post(["yt-hue-asean"], due=h.clock.now)
    second = h.post(["yt-hue-asean"], due=h.clock.now)
    h.control("youtube", "exhaust_quota")
    worker = h.worker(clock=h.clock)
    reset = next_pacific_midnight()
    h.drain(worker)
    h.control("youtube", "set_quota", used=0)
    h.clock.now = reset
    h.drain(worker)
    assert h.delivery(first).state == "published"
    assert h.delivery(second).state == "published"  # actual: missed
    assert [a.kind for a in h.alerts] == []


# -- a person must reconnect -------------------------------------------------------------------


def test_revoked_credentials_hold_the_channel_until_it_is_reconnected(
    h: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    web = h.posts(2, ["web-asean"], due=h.clock.now)
    fb = h.post(["fb-asean-hue"], due=h.clock.now)
    h.control("wordpress", "revoke_app_passwords")
    worker = h.worker(clock=h.clock)
    h.drain(worker)

    assert h.channel("web-asean").state == ChannelState.needs_auth
    for post_id in web:
        row = h.delivery(post_id)
        assert (row.state, row.attempts, row.lease_owner) == ("scheduled", 0, None)
        [attempt] = h.attempts(row.id or 0)
        assert (attempt.outcome, attempt.error_kind) == ("hold", "AuthRequired")
    assert h.delivery(fb).state == "published"
    [alert] = h.alerts  # once for the channel, not once per post
    assert (alert.kind, alert.channel_id) == ("needs_auth", "web-asean")
    assert "loa channels connect web-asean" in alert.body

    # Nothing of that channel is claimed while it waits for a person.
    h.clock.advance(minutes=30)
    more = h.post(["web-asean"], due=h.clock.now)
    assert h.drain(worker) == 0
    assert h.delivery(more).state == "scheduled"

    password = str(h.control("wordpress", "issue_app_password"))
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    assert main(["--config", str(h.config_path), "channels", "connect", "web-asean"]) == 0
    capsys.readouterr()
    assert h.channel("web-asean").state == ChannelState.active
    assert h.drain(worker) == 3
    assert {h.delivery(p).state for p in [*web, more]} == {"published"}
    assert [a.kind for a in h.alerts] == ["needs_auth"]
    assert len(h.state()["wordpress"]["posts"]) == 3


def test_held_posts_wait_for_the_reconnection_beyond_their_grace(h: Harness) -> None:
    post_id = h.post(["web-asean"], due=h.clock.now)
    h.control("wordpress", "revoke_app_passwords")
    worker = h.worker(clock=h.clock)
    h.drain(worker)
    assert h.delivery(post_id).state == "scheduled"
    h.clock.advance(hours=3)  # the editors reconnect the site in the afternoon
    h.drain(worker)
    assert h.delivery(post_id).state == "scheduled"  # actual: missed
    assert [a.kind for a in h.alerts] == ["needs_auth"]


def test_a_held_try_does_not_count_and_the_next_try_has_its_own_record(h: Harness) -> None:
    post_id = h.post(["web-asean"], due=h.clock.now)
    h.control("wordpress", "revoke_app_passwords")
    worker = h.worker(clock=h.clock)
    h.drain(worker)
    password = str(h.control("wordpress", "issue_app_password"))
    from loa.adapters import build_adapter

    build_adapter(h.app, "web-asean").complete_token(password)  # type: ignore[attr-defined]
    h.update_channel("web-asean", state=ChannelState.active)
    h.drain(worker)

    row = h.delivery(post_id)
    assert (row.state, row.attempts) == ("published", 1)
    attempts = h.attempts(row.id or 0)
    assert [a.outcome for a in attempts] == ["hold", "published"]
    assert all(a.finished_at is not None for a in attempts)


def test_every_attempt_row_matches_the_delivery(h: Harness) -> None:
    """The evidence: one Attempt per try, numbered 1..n, none left open once settled."""
    post_id = h.post(["fb-asean-hue"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("graph", fail_next=["2", "1"], paths=[FB_FEED])
    for _ in range(3):
        h.step(worker)
        row = h.delivery(post_id)
        if row.state == "published":
            break
        h.clock.now = row.due_at or h.clock.now
    row = h.delivery(post_id)
    attempts = h.attempts(row.id or 0)
    assert row.state == "published" and row.attempts == 3
    assert [a.number for a in attempts] == [1, 2, 3]
    assert [a.outcome for a in attempts] == ["retry", "retry", "published"]
    assert all(a.finished_at is not None for a in attempts)
