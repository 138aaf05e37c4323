"""`/api/v1/me/notifications`: the caller's own notifications, paged and filtered, marked read;
never another person's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from content import notifications
from content.models import Notification, User
from content.users import UserService
from tests.factories import Clock
from tests.web.api_support import NOBODY, Call, caller, error_of, make_tokens, seed_posts
from tests.web.conftest import PUBLIC_URL
from web.services import WebServices

OFFICER, EDITOR = "cbtt.stttt", "bientap"
LIST = "/api/v1/me/notifications"
READ = "/api/v1/me/notifications/read"


@pytest.fixture
def call(client: TestClient, users: UserService) -> Call:
    return caller(client, make_tokens(users))


@pytest.fixture
def seeded(web_services: WebServices, clock: Clock) -> dict[str, int]:
    """Two of OFFICER's posts approved (two notifications), three submitted (EDITOR's)."""
    return seed_posts(web_services, clock)


def listed(call: Call, who: str, **params: Any) -> dict[str, Any]:
    answer = call(who, "GET", LIST, params=params)
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


def unread_of(web_services: WebServices, username: str) -> int:
    with web_services.db.read() as session:
        user = session.exec(select(User).where(User.username == username)).one()
        assert user.id is not None
        return notifications.unread_count(session, user.id)


def test_the_caller_lists_their_own_in_their_language(call: Call, seeded: dict[str, int]) -> None:
    page = listed(call, OFFICER)
    assert (page["total"], page["unread"], page["next_offset"]) == (2, 2, None)
    newest = page["items"][0]
    assert newest["event"] == "post_approved"
    assert newest["post_id"] == seeded["failed"]  # approved last
    assert newest["title"] == "Bài đã được duyệt: «Bài failed»"
    assert newest["link"] == f"/posts/{seeded['failed']}"
    assert newest["url"] == f"{PUBLIC_URL}/posts/{seeded['failed']}"
    assert newest["read_at"] is None and newest["created_at_local"].endswith("+07:00")
    english = listed(call, OFFICER, lang="en")["items"][0]
    assert english["title"] == "Post approved: “Bài failed”"
    assert {item["event"] for item in listed(call, EDITOR)["items"]} == {"post_submitted"}
    assert listed(call, "cbtt.sdl")["items"] == []  # told nothing
    assert error_of(call(NOBODY, "GET", LIST), 401)["code"] == "unauthenticated"


def test_pages_and_the_unread_filter(
    call: Call, seeded: dict[str, int], web_services: WebServices, clock: Clock
) -> None:
    assert listed(call, EDITOR)["total"] == 3
    first = listed(call, EDITOR, limit=2)
    assert [len(first["items"]), first["next_offset"]] == [2, 2]
    rest = listed(call, EDITOR, limit=2, offset=2)
    assert [len(rest["items"]), rest["next_offset"]] == [1, None]
    ids = [item["id"] for item in first["items"] + rest["items"]]
    assert len(set(ids)) == 3  # newest first, none twice
    done = call(EDITOR, "POST", READ, json={"ids": ids[:1]})
    assert done.status_code == 200 and done.json() == {"marked": 1, "unread": 2}
    unread = listed(call, EDITOR, unread="true")
    assert (unread["total"], unread["unread"]) == (2, 2)
    assert [item["id"] for item in unread["items"]] == ids[1:]
    read = listed(call, EDITOR)["items"][0]
    assert read["read_at"] is not None and read["read_at_local"].endswith("+07:00")
    error_of(call(EDITOR, "GET", LIST, params={"limit": 0}), 422)


def test_marking_read_is_only_ever_ones_own(
    call: Call, seeded: dict[str, int], web_services: WebServices
) -> None:
    editors = [item["id"] for item in listed(call, EDITOR)["items"]]
    mine = [item["id"] for item in listed(call, OFFICER)["items"]]
    refused = call(OFFICER, "POST", READ, json={"ids": [mine[0], editors[0]]})
    error = error_of(refused, 404)
    assert error["code"] == "not_found" and f"#{editors[0]}" in error["message"]
    assert f"#{mine[0]}" not in error["message"]
    assert unread_of(web_services, EDITOR) == 3 and unread_of(web_services, OFFICER) == 2
    error_of(call(OFFICER, "POST", READ, json={"ids": [2_000_000]}), 404)
    assert call(OFFICER, "POST", READ, json={"ids": mine[:1]}).json()["marked"] == 1
    assert call(OFFICER, "POST", READ, json={"ids": mine[:1]}).json()["marked"] == 0  # again
    everything = call(OFFICER, "POST", READ, json={"all": True})
    assert everything.json() == {"marked": 1, "unread": 0}
    assert unread_of(web_services, EDITOR) == 3  # all means the caller's all
    assert error_of(call(NOBODY, "POST", READ, json={"all": True}), 401)


@pytest.mark.parametrize(
    "body", [{}, {"ids": [1], "all": True}, {"ids": [0]}, {"ids": [1], "seen": True}]
)
def test_a_mark_needs_either_ids_or_all(
    call: Call, seeded: dict[str, int], body: dict[str, Any]
) -> None:
    error = error_of(call(OFFICER, "POST", READ, json=body), 422)
    assert error["code"] == "invalid_input"
    assert listed(call, OFFICER)["unread"] == 2


def test_the_page_only_lists_what_the_person_chose_to_see_in_the_page(
    call: Call, web_services: WebServices, clock: Clock
) -> None:
    message = notifications.Message(
        "digest", "digest:2026-11:STTTT", ("Tổng kết", "Digest"), ("", ""), "/reports"
    )
    with web_services.db.write() as session:
        officer = session.exec(select(User).where(User.username == OFFICER)).one()
        assert officer.id is not None
        notifications.tell(session, [officer.id], message, clock.now)
        session.add(
            Notification(
                user_id=officer.id, event="digest", key="mail-only", title_vi="x", title_en="x",
                body_vi="", body_en="", link="", created_at=clock.now + timedelta(minutes=1),
                in_page=False,
            )
        )  # fmt: skip
    page = listed(call, OFFICER)
    assert [item["title"] for item in page["items"]] == ["Tổng kết"]
    assert page["items"][0]["url"] == f"{PUBLIC_URL}/reports"
