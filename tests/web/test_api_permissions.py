"""Every REST API operation, allowed and refused, for each kind of caller.

Callers: the officer of the post's department (cbtt.stttt), an officer of another department
(cbtt.sdl), an editor (bientap), an administrator (admin), nobody (no token) and a revoked
token. A refusal is the JSON error with its code; an allowed change is checked in its answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from content.users import UserService
from tests.factories import Clock
from tests.web.api_support import (
    NOBODY,
    REVOKED,
    Call,
    caller,
    error_of,
    make_tokens,
    png,
    seed_posts,
)
from web.services import WebServices

OFFICER, OTHER, EDITOR, ADMIN = "cbtt.stttt", "cbtt.sdl", "bientap", "admin"
CALLERS = (OFFICER, OTHER, EDITOR, ADMIN, NOBODY, REVOKED)
CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 422: "invalid_input"}
NEW_POST = {"title": "Ngày ASEAN", "topic": "a", "department": "STTTT", "channels": ["web-asean"]}


def everyone(status: int, **refused: int) -> dict[str, int]:
    """`status` for the four users (unless `refused` says otherwise); 401 without a token."""
    by_name = {OFFICER: status, OTHER: status, EDITOR: status, ADMIN: status}
    by_name.update({name.replace("_", "."): code for name, code in refused.items()})
    return {**by_name, NOBODY: 401, REVOKED: 401}


# name: (method, path, JSON body, expected status per caller, what an allowed answer shows)
OPERATIONS: dict[str, tuple[str, str, Any, dict[str, int], dict[str, Any]]] = {
    "list posts": ("GET", "/api/v1/posts", None, everyone(200), {}),
    "create": ("POST", "/api/v1/posts", NEW_POST, everyone(201, cbtt_sdl=422), {"state": "draft"}),
    "read": ("GET", "/api/v1/posts/{draft}", None, everyone(200, cbtt_sdl=404), {}),
    "update": (
        "PATCH", "/api/v1/posts/{draft}", {"title": "Tiêu đề mới"},
        everyone(200, cbtt_sdl=404), {"title": "Tiêu đề mới"},
    ),
    "submit": (
        "POST", "/api/v1/posts/{draft}/submit", None, everyone(200, cbtt_sdl=404),
        {"state": "in_review"},
    ),
    "approve": (
        "POST", "/api/v1/posts/{in_review}/approve", {"comment": "Tốt"},
        everyone(200, cbtt_stttt=403, cbtt_sdl=403), {"state": "approved"},
    ),
    "reject": (
        "POST", "/api/v1/posts/{in_review}/reject", {"comment": "Thiếu ảnh"},
        everyone(200, cbtt_stttt=403, cbtt_sdl=403),
        {"state": "rejected", "review_comment": "Thiếu ảnh"},
    ),
    "cancel": (
        "POST", "/api/v1/posts/{draft}/cancel", {"reason": "trùng"}, everyone(200, cbtt_sdl=404),
        {"state": "cancelled"},
    ),
    "reschedule": (
        "POST", "/api/v1/posts/{draft}/reschedule", {"at": "2026-12-10T09:00:00+07:00"},
        everyone(200, cbtt_sdl=404), {"scheduled_at": "2026-12-10T02:00:00Z"},
    ),
    "deliveries": (
        "GET", "/api/v1/posts/{draft}/deliveries", None, everyone(200, cbtt_sdl=404), {},
    ),
    "delivery": (
        "GET", "/api/v1/deliveries/{failed_delivery}", None, everyone(200, cbtt_sdl=404),
        {"state": "failed"},
    ),
    "retry delivery": (
        "POST", "/api/v1/deliveries/{failed_delivery}/retry", None, everyone(200, cbtt_sdl=404),
        {"state": "scheduled", "attempt_count": 0},
    ),
    "cancel delivery": (
        "POST", "/api/v1/deliveries/{draft_delivery}/cancel", {"reason": "không cần"},
        everyone(200, cbtt_sdl=404), {"state": "cancelled"},
    ),
    "channels": ("GET", "/api/v1/channels", None, everyone(200), {}),
    "calendar": (
        "GET", "/api/v1/calendar?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z", None,
        everyone(200), {"zone": "Asia/Ho_Chi_Minh"},
    ),
    "read pause": ("GET", "/api/v1/control/pause", None, everyone(200), {}),
    "pause": (
        "PUT", "/api/v1/control/pause", {"paused": True, "reason": "Quốc tang"},
        everyone(200, cbtt_stttt=403, cbtt_sdl=403), {"paused": True, "reason": "Quốc tang"},
    ),
    "me": ("GET", "/api/v1/me", None, everyone(200), {}),
    "my notifications": ("GET", "/api/v1/me/notifications", None, everyone(200), {}),
    "mark my notifications read": (
        "POST", "/api/v1/me/notifications/read", {"all": True}, everyone(200), {"unread": 0},
    ),
}  # fmt: skip


@pytest.fixture
def call(client: TestClient, users: UserService) -> Call:
    return caller(client, make_tokens(users))


@pytest.fixture
def seeded(web_services: WebServices, clock: Clock) -> dict[str, int]:
    return seed_posts(web_services, clock)


@pytest.mark.parametrize("name", OPERATIONS)
def test_operation_allowed_or_refused(
    name: str, call: Call, web_services: WebServices, clock: Clock
) -> None:
    method, path, body, expected, shows = OPERATIONS[name]
    for who in CALLERS:
        ids = seed_posts(web_services, clock)  # fresh posts: each caller finds the same states
        response = call(who, method, path.format(**ids), json=body)
        status = expected[who]
        if status >= 400:
            error = error_of(response, status)
            assert error["code"] == CODES[status], (who, error)
            if status == 401:
                assert response.headers["www-authenticate"] == "Bearer"
            continue
        assert response.status_code == status, (who, response.text)
        answer = response.json()
        for key, value in shows.items():
            assert answer[key] == value, (who, key, answer)


def test_a_refused_change_changes_nothing(call: Call, seeded: dict[str, int]) -> None:
    before = call(EDITOR, "GET", f"/api/v1/posts/{seeded['in_review']}").json()
    error_of(call(OFFICER, "POST", f"/api/v1/posts/{seeded['in_review']}/approve"), 403)
    error_of(call(NOBODY, "POST", f"/api/v1/posts/{seeded['in_review']}/cancel"), 401)
    assert call(EDITOR, "GET", f"/api/v1/posts/{seeded['in_review']}").json() == before


def test_officers_list_only_their_departments_posts(call: Call, seeded: dict[str, int]) -> None:
    def ids(who: str, query: str = "") -> set[int]:
        response = call(who, "GET", f"/api/v1/posts{query}")
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    stttt = {seeded[name] for name in ("draft", "in_review", "approved", "failed")}
    assert ids(OFFICER) == stttt
    assert ids(OTHER) == {seeded["sdl"]}
    assert ids(OTHER, "?department=STTTT") == set()  # asking for another department finds none
    assert ids(EDITOR) == stttt | {seeded["sdl"]}
    assert ids(EDITOR, "?department=SDL") == {seeded["sdl"]}
    calendar = "/api/v1/calendar?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z"
    departments = {e["department"] for e in call(OTHER, "GET", calendar).json()["entries"]}
    assert departments == {"SDL"}


def test_an_author_editor_may_not_approve_their_own_post(call: Call) -> None:
    created = call(EDITOR, "POST", "/api/v1/posts", json={
        **NEW_POST, "scheduled_at": "2026-12-05 08:00",
    })  # fmt: skip
    post_id = created.json()["id"]
    assert call(EDITOR, "POST", f"/api/v1/posts/{post_id}/submit").status_code == 200
    error = error_of(call(EDITOR, "POST", f"/api/v1/posts/{post_id}/approve?lang=en"), 403)
    assert "another editor must approve it" in error["message"]
    assert call(ADMIN, "POST", f"/api/v1/posts/{post_id}/approve").status_code == 200


@pytest.mark.parametrize("who", CALLERS)
def test_media_upload_and_read(
    who: str, client: TestClient, users: UserService, web_services: WebServices
) -> None:
    call = caller(client, make_tokens(users))
    files = {"file": ("anh.png", png(), "image/png")}
    response = call(who, "POST", "/api/v1/media", files=files, data={"alt_text": "Cờ ASEAN"})
    if who in (NOBODY, REVOKED):
        assert error_of(response, 401)["code"] == "unauthenticated"
        return
    assert response.status_code == 201, response.text
    sha = response.json()["sha256"]
    assert call(who, "GET", f"/api/v1/media/{sha}").json()["alt_text"] == "Cờ ASEAN"
    assert call(who, "GET", f"/api/v1/media/{sha}/thumbnail").status_code == 200


def test_a_session_needs_the_csrf_token_but_a_bearer_does_not(
    officer_client: TestClient, client: TestClient, users: UserService
) -> None:
    refused = officer_client.post("/api/v1/posts", json=NEW_POST)
    assert error_of(refused, 403)["code"] == "csrf"
    secret = make_tokens(users)[OFFICER]
    with_token = client.post("/api/v1/posts", json=NEW_POST, headers={
        "Authorization": f"Bearer {secret}",
    })  # fmt: skip
    assert with_token.status_code == 201
