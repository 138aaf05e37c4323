"""The composer and the REST API refuse a post over a chosen channel's limit when it is
submitted, in the platform's name as the live preview says it, and save nothing half-way."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from content.db import Database
from content.models import Post
from content.posts import PostService
from content.timeutil import zone
from content.users import UserService
from scheduler.publication import channel_checker
from tests.factories import VOCABULARY, Clock
from tests.web.api_support import Call, caller, error_of, make_tokens
from tests.web.test_composer import count_posts, only_post, send

LONG_TITLE = "Lễ hội Huế " + "T" * 152  # 163 characters
ZALO_VI = "Zalo OA giới hạn tiêu đề 149 ký tự — bài này có 163"
ZALO_EN = "Zalo OA limits titles to 149 characters — this one has 163"


@pytest.fixture
def service(db: Database, clock: Clock, tmp_path: Path) -> PostService:
    """The post service as `loa` wires it: with each channel adapter's checks."""
    media = tmp_path / "media"
    checker = channel_checker(lambda item: media / item.sha256)
    return PostService(db, VOCABULARY, zone("Asia/Ho_Chi_Minh"), checker=checker, clock=clock)


@pytest.fixture
def call(client: TestClient, users: UserService) -> Call:
    return caller(client, make_tokens(users))


def test_the_composer_refuses_to_submit_a_zalo_title_over_its_limit(
    db: Database, officer_client: TestClient
) -> None:
    answer = send(officer_client, title=LONG_TITLE, channels=["zalo-asean-hue"], action="submit")
    assert answer.status_code == 422
    assert ZALO_VI in answer.text
    assert count_posts(db) == 0  # the insert and the refused submission were one transaction


def test_the_composer_does_not_keep_an_edit_whose_submission_is_refused(
    db: Database, officer_client: TestClient
) -> None:
    saved = send(officer_client, channels=["zalo-asean-hue"], action="draft")
    assert saved.status_code == 303, saved.text
    post = only_post(db)
    answer = send(
        officer_client,
        f"/posts/{post.id}/edit",
        title=LONG_TITLE,
        channels=["zalo-asean-hue"],
        action="submit",
        version=str(post.version),
    )
    assert answer.status_code == 422
    assert ZALO_VI in answer.text
    with db.read() as session:
        kept = session.exec(select(Post)).one()
    assert (kept.title, kept.state, kept.version) == (post.title, "draft", post.version)


def test_the_api_refuses_to_submit_it_in_the_language_asked(call: Call) -> None:
    body = {
        "title": LONG_TITLE, "topic": "a", "channels": ["zalo-asean-hue"],
        "scheduled_at": "2026-12-08 08:00",
    }  # fmt: skip
    created = call("cbtt.stttt", "POST", "/api/v1/posts", json=body)
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    path = f"/api/v1/posts/{post_id}/submit"
    english = error_of(call("cbtt.stttt", "POST", path, headers={"Accept-Language": "en"}), 422)
    assert any(ZALO_EN in problem["message"] for problem in english["problems"])
    vietnamese = error_of(call("cbtt.stttt", "POST", path, headers={"Accept-Language": "vi"}), 422)
    assert any(ZALO_VI in problem["message"] for problem in vietnamese["problems"])
    assert call("cbtt.stttt", "GET", f"/api/v1/posts/{post_id}").json()["state"] == "draft"
