"""Finding posts (content.post_search) on SQLite and PostgreSQL: by text, a whole hashtag
(Vietnamese too), topic, department and author, within what the person may see; and the stage
each post is in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from content.db import Database
from content.models import Delivery, DeliveryState, User
from content.post_search import PostFilter, by_stage, find_posts, stage_of
from content.posts import PostService
from content.timeutil import zone
from tests.factories import VOCABULARY, Clock, post_input

WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
D = DeliveryState


@pytest.fixture
def posts(any_db: Database, clock: Clock) -> PostService:
    return PostService(any_db, VOCABULARY, zone("Asia/Ho_Chi_Minh"), clock=clock)


def titles(posts: PostService, who: str, **wanted: object) -> list[str]:
    actor = posts.actor(who)
    with posts.db.read() as session:
        found, _ = find_posts(session, actor, PostFilter(**wanted))  # type: ignore[arg-type]
    return sorted(item.post.title for item in found)


def user_id(db: Database, username: str) -> int:
    with db.read() as session:
        found = session.exec(select(User.id).where(User.username == username)).one()
        assert found is not None
        return found


def test_search_by_text_hashtag_topic_department_and_author(posts: PostService) -> None:
    officer, sdl, editor = (posts.actor(n) for n in ("cbtt.stttt", "cbtt.sdl", "bientap"))
    posts.create(officer, post_input(title="Lễ thượng cờ", body="Giảm 50% vé", hashtags=["Huế"]))
    posts.create(officer, post_input(title="Hội chợ ASEAN", topic="b", hashtags=["HueASEAN"]))
    posts.create(editor, post_input(title="Tin biên tập", body="lễ THƯỢNG cờ"))
    posts.create(sdl, post_input(title="Du lịch Huế", department="SDL", channels=["fb-dulich-hue"]))
    assert titles(posts, "bientap", text="hội chợ") == ["Hội chợ ASEAN"]
    assert titles(posts, "bientap", text="50%") == ["Lễ thượng cờ"]
    assert titles(posts, "bientap", text="%") == ["Lễ thượng cờ"]  # a literal, not a wildcard
    assert titles(posts, "bientap", hashtag="#Huế") == ["Lễ thượng cờ"]  # the whole tag only
    assert titles(posts, "bientap", hashtag="hueasean") == ["Hội chợ ASEAN"]
    assert titles(posts, "bientap", topic="b") == ["Hội chợ ASEAN"]
    assert titles(posts, "bientap", department="SDL") == ["Du lịch Huế"]
    # An officer sees only their department's, whatever department they ask for.
    assert titles(posts, "cbtt.sdl") == ["Du lịch Huế"]
    assert titles(posts, "cbtt.sdl", department="STTTT") == ["Du lịch Huế"]
    mine = user_id(posts.db, "cbtt.stttt")
    assert titles(posts, "cbtt.stttt", author_id=mine) == ["Hội chợ ASEAN", "Lễ thượng cờ"]
    assert len(titles(posts, "cbtt.stttt")) == 3  # the editor's STTTT post too


def test_stages_follow_the_post_and_its_deliveries(posts: PostService) -> None:
    officer, editor = posts.actor("cbtt.stttt"), posts.actor("bientap")
    two = ["fb-asean-hue", "web-asean"]
    ids = {}
    for name in ("draft", "review", "rejected", "approved", "partly", "failed", "published"):
        post = posts.create(officer, post_input(title=name, channels=two, scheduled_at=WHEN))
        assert post.id is not None
        ids[name] = post.id
        if name != "draft":
            posts.submit(officer, post.id)
        if name == "rejected":
            posts.reject(editor, post.id, "Thiếu nguồn")
        elif name not in ("draft", "review"):
            posts.approve(editor, post.id)
    outcome = {"partly": (D.published, D.scheduled), "failed": (D.published, D.failed),
               "published": (D.published, D.published)}  # fmt: skip
    with posts.db.write() as session:
        for name, states in outcome.items():
            rows = session.exec(
                select(Delivery).where(Delivery.post_id == ids[name]).order_by(Delivery.channel_id)
            ).all()
            for delivery, state in zip(rows, states, strict=True):
                delivery.state = state
    with posts.db.read() as session:
        found, more = find_posts(session, officer, PostFilter())
    assert not more
    stages = {item.post.title: item.stage for item in found}
    assert stages == {"draft": "draft", "review": "in_review", "rejected": "rejected",
                      "approved": "approved", "partly": "partly", "failed": "failed",
                      "published": "published"}  # fmt: skip
    failed = next(item for item in found if item.post.title == "failed")
    assert (failed.published, failed.failed, len(failed.channel_ids)) == (1, 1, 2)
    order = [stage for stage, _ in by_stage(found)]
    assert order[:3] == ["rejected", "failed", "draft"] and order[-1] == "published"


def test_stage_of_ignores_cancelled_deliveries() -> None:
    assert stage_of("approved", [D.published, D.cancelled]) == "published"
    assert stage_of("approved", [D.missed]) == "failed"
    assert stage_of("approved", []) == "approved"
    assert stage_of("cancelled", [D.cancelled]) == "cancelled"


def test_a_limit_says_there_were_more(posts: PostService) -> None:
    officer = posts.actor("cbtt.stttt")
    for number in range(3):
        posts.create(officer, post_input(title=f"Bài {number}"))
    with posts.db.read() as session:
        found, more = find_posts(session, officer, PostFilter(limit=2))
    assert more and [item.post.title for item in found] == ["Bài 2", "Bài 1"]
