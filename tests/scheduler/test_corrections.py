"""Correcting a published post: the edit queues a change per delivery, the worker's corrector
sends what each platform can edit and says plainly what it cannot. Against the sandbox over HTTP.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from content.models import AuditEvent, DeliveryChange
from loa.worker_app import build_corrector
from scheduler.corrections import Corrector
from tests.scheduler.harness import FB_PAGES, Harness

EDITOR, OFFICER = "bientap", "cbtt.stttt"


def published(h: Harness, channels: list[str], **fields: Any) -> tuple[int, Corrector]:
    post_id = h.post(channels, due=h.clock.now, **fields)
    worker = h.worker(clock=h.clock)
    h.drain(worker)
    assert set(h.states([post_id])) == {"published"}, h.states([post_id])
    return post_id, build_corrector(h.app, worker)


def changes(h: Harness, post_id: int, channel_id: str) -> list[DeliveryChange]:
    delivery = h.delivery(post_id, channel_id)
    with h.app.db.read() as session:
        return list(
            session.exec(
                select(DeliveryChange)
                .where(DeliveryChange.delivery_id == delivery.id)
                .order_by(col(DeliveryChange.id))
            ).all()
        )


def actions(h: Harness, post_id: int) -> list[str]:
    with h.app.db.read() as session:
        return list(
            session.exec(
                select(AuditEvent.action)
                .where(AuditEvent.post_id == post_id)
                .order_by(col(AuditEvent.id))
            ).all()
        )


def wp_titles(h: Harness) -> list[str]:
    return [p["title"] for p in h.state()["wordpress"]["posts"]]


def test_an_editor_corrects_a_published_post_on_wordpress(h: Harness) -> None:
    post_id, corrector = published(h, ["web-asean"])
    editor = h.app.posts.actor(EDITOR)

    post = h.app.posts.edit(editor, post_id, {"title": "Đính chính: Ngày ASEAN 8/8"})

    assert post.state == "approved"  # the editor's correction is the review
    [change] = changes(h, post_id, "web-asean")
    assert (change.action, change.fields, change.state) == ("update", ["title"], "queued")
    assert corrector.run_once() == {"published": 0, "done": 1}
    assert wp_titles(h) == ["Đính chính: Ngày ASEAN 8/8"]
    [change] = changes(h, post_id, "web-asean")
    assert (change.state, change.unchanged) == ("done", [])
    row = h.delivery(post_id)
    assert row.state == "published"
    assert [a.outcome for a in h.attempts(row.id or 0)] == ["published", "updated"]
    assert actions(h, post_id)[-3:] == ["delivery.change_queued", "post.edited", "delivery.updated"]


def test_an_officers_correction_waits_for_review_and_approving_it_again_works(h: Harness) -> None:
    post_id, corrector = published(h, ["web-asean"])
    officer, editor = h.app.posts.actor(OFFICER), h.app.posts.actor(EDITOR)
    before = wp_titles(h)

    assert h.app.posts.edit(officer, post_id, {"body": "Nội dung đã sửa."}).state == "in_review"
    assert corrector.run_once() == {"published": 0}  # nothing unreviewed reaches the site
    assert wp_titles(h) == before

    assert h.app.posts.approve(editor, post_id).state == "approved"  # no "choose a channel"
    assert corrector.run_once() == {"published": 0, "done": 1}
    [post] = h.state()["wordpress"]["posts"]
    assert "Nội dung đã sửa." in post["content"]
    assert h.delivery(post_id).state == "published"


def test_facebook_cannot_change_a_link_and_says_so(h: Harness) -> None:
    post_id, corrector = published(
        h, ["fb-asean-hue"], link="https://hue.gov.vn/asean", body="Bản tin ASEAN."
    )
    editor = h.app.posts.actor(EDITOR)
    h.app.posts.edit(
        editor, post_id, {"body": "Bản tin ASEAN (đã sửa).", "link": "https://hue.gov.vn/asean-2"}
    )

    assert corrector.run_once() == {"published": 0, "done": 1}

    [change] = changes(h, post_id, "fb-asean-hue")
    assert (change.state, change.fields, change.unchanged) == ("done", ["link", "text"], ["link"])
    page = FB_PAGES["fb-asean-hue"]
    [item] = [
        i for i in h.state()["graph"]["items"].values() if i["page_id"] == page and i["message"]
    ]
    assert item["message"].startswith("Bản tin ASEAN (đã sửa).")


def test_a_change_no_platform_field_can_take_is_by_hand_and_nothing_is_sent(h: Harness) -> None:
    post_id, corrector = published(h, ["yt-hue-asean"])
    editor = h.app.posts.actor(EDITOR)
    h.app.posts.edit(editor, post_id, {"link": "https://hue.gov.vn/asean"})

    assert corrector.run_once() == {"published": 0, "by_hand": 1}

    [change] = changes(h, post_id, "yt-hue-asean")
    assert (change.state, change.unchanged) == ("by_hand", ["link"])
    assert actions(h, post_id)[-1] == "delivery.change_by_hand"


def test_zalo_and_youtube_take_a_new_title(h: Harness) -> None:
    channels = ["zalo-asean-hue", "yt-hue-asean"]
    post_id, corrector = published(h, channels)
    h.app.posts.edit(h.app.posts.actor(EDITOR), post_id, {"title": "Tiêu đề mới ASEAN 2026"})
    h.clock.advance(minutes=1)  # Zalo's pacing: a correction waits for the channel's cooldown

    assert corrector.run_once() == {"published": 0, "done": 2}

    state = h.state()
    assert [a["title"] for a in state["zalo"]["articles"]] == ["Tiêu đề mới ASEAN 2026"]
    assert [v["title"] for v in state["youtube"]["videos"]] == ["Tiêu đề mới ASEAN 2026"]


def test_a_refused_correction_fails_with_the_platforms_reason_and_an_alert(h: Harness) -> None:
    post_id, corrector = published(h, ["web-asean"])
    h.faults("wordpress", fail_next=["rest_invalid_param"], paths=["/wp/v2/posts/"])
    h.app.posts.edit(h.app.posts.actor(EDITOR), post_id, {"title": "Sửa lần hai"})

    assert corrector.run_once() == {"published": 0, "failed": 1}

    [change] = changes(h, post_id, "web-asean")
    assert change.state == "failed" and "refused" in (change.last_error or "")
    assert [a.kind for a in h.alerts] == ["failed"]
    assert h.delivery(post_id).state == "published"  # it is still there, as it was
