"""Values at their limits through the API and the pages: a far-future or too-early time is a 422
naming the field and saves nothing; a time an older version stored (9999-12-31) still lists
for everyone; numbers past what a database holds and calendar dates off the calendar are
refusals, never a 500; another department's post is "not found", in the words of a post that
does not exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import func, select

from content.db import Database
from content.models import Post
from content.users import UserService
from tests.factories import Clock
from tests.web.api_support import Call, caller, error_of, make_tokens, seed_posts
from tests.web.conftest import ClientFor
from tests.web.helpers import csrf_of
from web.services import WebServices

POST = {"title": "Lễ thượng cờ ASEAN", "topic": "a", "channels": ["web-asean"]}
FAR = "9999-12-31T23:59:59Z"
EDITORS_AND_OFFICER = ("bientap", "bientap2", "admin", "cbtt.stttt")


@pytest.fixture
def call(web_app: FastAPI, users: UserService) -> Iterator[Call]:
    # server errors come back as the 500 a person would get, not as a raised exception
    with TestClient(web_app, raise_server_exceptions=False) as client:
        yield caller(client, make_tokens(users))


@pytest.fixture
def ids(web_services: WebServices, clock: Clock) -> dict[str, int]:
    return seed_posts(web_services, clock)


def count_posts(db: Database) -> int:
    with db.read() as session:
        return int(session.exec(select(func.count()).select_from(Post)).one())


def store_far_time(db: Database, post_id: int) -> None:
    """What an older version wrote: 9999-12-31 23:59:59 UTC (year 10000 in Hue)."""
    with db.write() as session:
        session.execute(
            text("UPDATE post SET scheduled_at = '9999-12-31 23:59:59.000000' WHERE id = :id"),
            {"id": post_id},
        )
        session.execute(
            text("UPDATE delivery SET due_at = '9999-12-31 23:59:59.000000' WHERE post_id = :id"),
            {"id": post_id},
        )


# --- 1. times out of range: refused by name, nothing saved -----------------------------------


@pytest.mark.parametrize(
    "when", [FAR, "2100-01-01T00:00:00Z", "1999-12-31 23:59", "0001-01-01T00:00:00+05:00"]
)
def test_creating_a_post_at_a_time_out_of_range_is_a_422_and_saves_nothing(
    call: Call, db: Database, when: str
) -> None:
    answer = call("cbtt.stttt", "POST", "/api/v1/posts", json={**POST, "scheduled_at": when})
    error = error_of(answer, 422)
    assert error["field"] == "scheduled_at"
    assert error["message"].startswith(
        (
            f"scheduled_at: Thời điểm {when} nằm ngoài",
            f"scheduled_at: Không đọc được thời điểm “{when}”",
        )
    )
    assert "2000" in error["message"] and "2099" in error["message"]
    assert count_posts(db) == 0


def test_editing_rescheduling_and_retrying_out_of_range_are_refused(
    call: Call, ids: dict[str, int], web_services: WebServices
) -> None:
    draft = ids["draft"]
    before = web_services.posts.detail(draft).post.scheduled_at
    edited = call("cbtt.stttt", "PATCH", f"/api/v1/posts/{draft}", json={"scheduled_at": FAR})
    assert error_of(edited, 422)["field"] == "scheduled_at"
    moved = call("cbtt.stttt", "POST", f"/api/v1/posts/{draft}/reschedule", json={"at": FAR})
    assert error_of(moved, 422)["field"] == "at"
    retried = call(
        "bientap", "POST", f"/api/v1/deliveries/{ids['failed_delivery']}/retry", json={"at": FAR}
    )
    assert error_of(retried, 422)["field"] == "at"
    assert web_services.posts.detail(draft).post.scheduled_at == before


@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_list_and_calendar_filters_out_of_range_are_a_400_naming_them(
    call: Call, name: str, value: str
) -> None:
    # a query the API cannot answer (tests/web/test_query_dates.py), not a body: 400
    listed = call("bientap", "GET", "/api/v1/posts", params={name: value})
    assert error_of(listed, 400)["field"] == name
    window = {"from": "2026-12-01T00:00:00Z", "to": "2026-12-31T00:00:00Z", name: value}
    calendar = call("bientap", "GET", "/api/v1/calendar", params=window)
    assert error_of(calendar, 400)["field"] == name


def test_the_composer_refuses_a_far_time_beside_its_field(
    db: Database, editor_client: TestClient
) -> None:
    data = {
        "csrf_token": csrf_of(editor_client), "title": "Lễ thượng cờ ASEAN", "body": "Nội dung",
        "topic": "a", "channels": ["web-asean"], "timing": "at", "at": "9999-12-31T23:59",
        "missed_policy": "publish_late", "action": "draft",
    }  # fmt: skip
    answer = editor_client.post("/compose", data=data, follow_redirects=False)
    assert answer.status_code == 422
    assert "nằm ngoài khoảng cho phép" in answer.text
    assert count_posts(db) == 0


# --- 1. an extreme stored time still reads, for everyone who may see it ----------------------


def test_a_stored_far_time_still_lists_in_the_api_for_every_editor_and_the_officer(
    call: Call, ids: dict[str, int], db: Database
) -> None:
    store_far_time(db, ids["draft"])
    for who in EDITORS_AND_OFFICER:
        listed = call(who, "GET", "/api/v1/posts")
        assert listed.status_code == 200, (who, listed.text)
        shown = {item["id"]: item for item in listed.json()["items"]}[ids["draft"]]
        assert shown["scheduled_at"] == FAR
        assert shown["scheduled_at_local"] == "9999-12-31T23:59:59+00:00"  # the same instant
        one = call(who, "GET", f"/api/v1/posts/{ids['draft']}")
        assert one.status_code == 200, (who, one.text)
        assert one.json()["deliveries"][0]["due_at_local"] == "9999-12-31T23:59:59+00:00"
        deliveries = call(who, "GET", f"/api/v1/posts/{ids['draft']}/deliveries")
        assert deliveries.status_code == 200, (who, deliveries.text)


def test_a_stored_far_time_still_shows_on_the_pages(
    client_for: ClientFor, ids: dict[str, int], db: Database
) -> None:
    store_far_time(db, ids["draft"])
    for who in EDITORS_AND_OFFICER:
        signed = client_for(who, raise_server_exceptions=False)
        for path in (f"/posts/{ids['draft']}", f"/posts/{ids['draft']}/edit", "/review"):
            page = signed.get(path)
            assert page.status_code == 200, (who, path, page.status_code)
        assert "9999" in signed.get(f"/posts/{ids['draft']}").text


# --- 2. numbers and dates beyond what can be held --------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/posts/99999999999999999999",
        "/posts/9223372036854775808",
        "/posts/2147483648/edit",
        "/posts/0",
        "/posts/-1",
        "/posts/abc",
    ],
)
def test_a_page_number_beyond_the_database_is_not_found(client_for: ClientFor, path: str) -> None:
    page = client_for("bientap", raise_server_exceptions=False).get(path)
    assert page.status_code == 404, page.text
    assert "Không tìm thấy" in page.text or "Không có" in page.text


def test_a_form_post_to_a_huge_number_is_not_found(client_for: ClientFor) -> None:
    signed = client_for("bientap", raise_server_exceptions=False)
    token = csrf_of(signed)
    for path in (
        "/posts/99999999999999999999/cancel",
        "/posts/1/deliveries/99999999999999999999/retry",
        "/account/tokens/99999999999999999999/revoke",
        "/feeds/99999999999999999999/revoke",
    ):
        answer = signed.post(path, data={"csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 404, (path, answer.status_code)


def test_an_api_number_beyond_the_database_names_the_parameter(call: Call) -> None:
    answer = call("bientap", "GET", "/api/v1/posts/99999999999999999999")
    assert error_of(answer, 422)["field"] == "path.post_id"


@pytest.mark.parametrize(
    "query",
    [
        "view=month&date=9999-12-31",
        "view=week&date=9999-12-31",
        "view=day&date=0001-01-01",
        "view=month&date=1999-12-31",
        "view=month&date=2100-01-01",
    ],
)
def test_a_calendar_date_off_the_calendar_is_a_clear_refusal(
    client_for: ClientFor, query: str
) -> None:
    page = client_for("bientap", raise_server_exceptions=False).get(f"/calendar?{query}")
    assert page.status_code == 400, page.status_code  # an address, not a form: 400
    assert "nằm ngoài lịch" in page.text and "2000-01-01" in page.text


def test_the_ends_of_the_calendar_still_show(client_for: ClientFor) -> None:
    signed = client_for("bientap")
    for query in ("view=month&date=2099-12-31", "view=week&date=2000-01-01"):
        assert signed.get(f"/calendar?{query}").status_code == 200


# --- 5. overrides through the API ------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"link": "javascript:alert(9)"}, "overrides.web-asean.link"),
        ({"title": "Hai\ndòng"}, "overrides.web-asean.title"),
        ({"hashtags": ["ASEAN-2026"]}, "overrides.web-asean.hashtags"),
    ],
)
def test_an_override_in_the_api_passes_its_fields_rules(
    call: Call, db: Database, override: dict[str, Any], field: str
) -> None:
    body = {**POST, "overrides": {"web-asean": override}}
    error = error_of(call("cbtt.stttt", "POST", "/api/v1/posts", json=body), 422)
    assert error["field"] == field
    assert count_posts(db) == 0


@pytest.mark.parametrize("title", ["Tiêu đề\x00", "Tiêu đề\r\nhai dòng", "Tiêu đề \u202eabc"])
def test_a_title_with_control_characters_is_refused_in_the_api(call: Call, title: str) -> None:
    answer = call("cbtt.stttt", "POST", "/api/v1/posts", json={**POST, "title": title})
    assert error_of(answer, 422)["field"] == "title"


# --- 9. another department's post is "not found" ---------------------------------------------


def test_another_departments_post_is_not_found_like_a_missing_one(
    call: Call, client_for: ClientFor, ids: dict[str, int]
) -> None:
    theirs, missing = ids["draft"], 999_999
    for method, path, body in (
        ("GET", "/api/v1/posts/{}", None),
        ("PATCH", "/api/v1/posts/{}", {"title": "Khác"}),
        ("POST", "/api/v1/posts/{}/submit", None),
        ("GET", "/api/v1/posts/{}/deliveries", None),
    ):
        refused = error_of(call("cbtt.sdl", method, path.format(theirs), json=body), 404)
        absent = error_of(call("cbtt.sdl", method, path.format(missing), json=body), 404)
        assert refused["message"] == f"Không có bài #{theirs}."
        assert absent["message"] == f"Không có bài #{missing}."
        assert "STTTT" not in str(refused)
    delivery = error_of(call("cbtt.sdl", "GET", f"/api/v1/deliveries/{ids['draft_delivery']}"), 404)
    assert delivery["message"] == f"Không có lượt đăng #{ids['draft_delivery']}."
    page = client_for("cbtt.sdl").get(f"/posts/{theirs}")
    assert page.status_code == 404 and "STTTT" not in page.text
