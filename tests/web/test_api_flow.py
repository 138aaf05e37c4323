"""The REST API by token: a whole post's life, times in and out, validation naming the field,
errors in the language asked for, warnings on approval, the pause in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from content.models import AuditEvent, Channel, PublishingControl
from content.users import UserService
from tests.factories import Clock
from tests.web.api_support import Call, caller, error_of, make_tokens, png, seed_posts
from web.services import WebServices

POST = {"title": "Lễ thượng cờ ASEAN", "topic": "a", "channels": ["web-asean"]}


@pytest.fixture
def call(client: TestClient, users: UserService) -> Call:
    return caller(client, make_tokens(users))


def test_create_with_media_submit_approve_reschedule_cancel(call: Call) -> None:
    image = png(800, 600)
    files = {"file": ("co-asean.png", image, "image/png")}
    uploaded = call("cbtt.stttt", "POST", "/api/v1/media", files=files, data={"alt_text": "Cờ"})
    assert uploaded.status_code == 201, uploaded.text
    media = uploaded.json()
    assert media["kind"] == "image" and media["mime"] == "image/png"
    assert (media["width"], media["height"]) == (800, 600)
    thumbnail = call("cbtt.stttt", "GET", media["thumbnail_url"])
    assert (
        thumbnail.headers["content-type"] == "image/jpeg" and thumbnail.content[:2] == b"\xff\xd8"
    )

    body = {
        **POST, "channels": ["web-asean", "fb-asean-hue"], "hashtags": ["#ASEAN", "Hue"],
        "pillar": "ASCC", "scheduled_at": "2026-12-08 07:30",
        "media": [{"sha256": media["sha256"], "alt_text": "Lễ thượng cờ"}],
        "overrides": {"fb-asean-hue": {"title": "Cờ ASEAN tung bay"}},
    }  # fmt: skip
    created = call("cbtt.stttt", "POST", "/api/v1/posts", json=body)
    assert created.status_code == 201, created.text
    post = created.json()
    post_id = post["id"]
    assert created.headers["location"] == f"/api/v1/posts/{post_id}"
    assert post["state"] == "draft" and post["department"] == "STTTT"
    assert post["author"] == "cbtt.stttt" and post["hashtags"] == ["ASEAN", "Hue"]
    assert [m["sha256"] for m in post["media"]] == [media["sha256"]]
    assert post["media"][0]["alt_text"] == "Lễ thượng cờ"
    deliveries = {d["channel_id"]: d for d in post["deliveries"]}
    assert set(deliveries) == {"web-asean", "fb-asean-hue"}
    assert deliveries["fb-asean-hue"]["overrides"] == {"title": "Cờ ASEAN tung bay"}
    assert {d["state"] for d in deliveries.values()} == {"pending"}

    submitted = call("cbtt.stttt", "POST", f"/api/v1/posts/{post_id}/submit")
    assert submitted.json()["state"] == "in_review"
    approved = call("bientap", "POST", f"/api/v1/posts/{post_id}/approve", json={"comment": "OK"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved" and approved.json()["review_comment"] == "OK"
    assert {d["state"] for d in approved.json()["deliveries"]} == {"scheduled"}

    moved = call(
        "bientap", "POST", f"/api/v1/posts/{post_id}/reschedule",
        json={"at": "2026-12-09T09:15:00+07:00"},
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert moved.json()["state"] == "approved"  # an editor's move keeps the approval
    assert moved.json()["scheduled_at"] == "2026-12-09T02:15:00Z"
    assert {d["due_at"] for d in moved.json()["deliveries"]} == {"2026-12-09T02:15:00Z"}

    cancelled = call("cbtt.stttt", "POST", f"/api/v1/posts/{post_id}/cancel", json={"reason": "x"})
    assert cancelled.json()["state"] == "cancelled"
    assert {d["state"] for d in cancelled.json()["deliveries"]} == {"cancelled"}
    again = error_of(call("cbtt.stttt", "POST", f"/api/v1/posts/{post_id}/cancel"), 409)
    assert again["code"] == "transition_refused"


def test_editing_an_approved_post_sends_it_back_to_review(
    call: Call, web_services: WebServices, clock: Clock
) -> None:
    ids = seed_posts(web_services, clock)
    path = f"/api/v1/posts/{ids['approved']}"
    version = call("bientap", "GET", path).json()["version"]
    changed = call("cbtt.stttt", "PATCH", path, json={"body": "Nội dung mới", "pillar": "AEC"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["state"] == "in_review" and changed.json()["pillar"] == "AEC"
    assert {d["state"] for d in changed.json()["deliveries"]} == {"pending"}
    stale = call("bientap", "PATCH", path, json={"title": "X", "expected_version": version})
    assert error_of(stale, 409)["code"] == "conflict"


@pytest.mark.parametrize(
    ("sent", "utc", "local"),
    [
        ("2026-12-05 08:00", "2026-12-05T01:00:00Z", "2026-12-05T08:00:00+07:00"),
        ("2026-12-05T08:00:00", "2026-12-05T01:00:00Z", "2026-12-05T08:00:00+07:00"),
        ("2026-12-05T08:00:00Z", "2026-12-05T08:00:00Z", "2026-12-05T15:00:00+07:00"),
        ("2026-12-05T08:00:00+09:00", "2026-12-04T23:00:00Z", "2026-12-05T06:00:00+07:00"),
    ],
)
def test_times_round_trip(call: Call, sent: str, utc: str, local: str) -> None:
    created = call("bientap", "POST", "/api/v1/posts", json={**POST, "scheduled_at": sent})
    assert created.status_code == 201, created.text
    read = call("bientap", "GET", f"/api/v1/posts/{created.json()['id']}").json()
    assert (read["scheduled_at"], read["scheduled_at_local"]) == (utc, local)
    assert read["deliveries"][0]["due_at_local"] == local
    window = call("bientap", "GET", "/api/v1/calendar", params={
        "from": "2026-12-04T00:00:00+07:00", "to": "2026-12-06T00:00:00+07:00",
    }).json()  # fmt: skip
    (entry,) = window["entries"]
    assert (entry["due_at"], entry["due_at_local"]) == (utc, local)
    assert entry["local_time"] == local[11:16] and entry["local_date"] == local[:10]
    listed = call("bientap", "GET", "/api/v1/posts", params={"from": utc, "to": utc[:-1] + ".1Z"})
    assert [item["id"] for item in listed.json()["items"]] == [read["id"]]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/v1/posts", {"topic": "a"}, "title"),
        ("POST", "/api/v1/posts", {**POST, "topic": "z"}, "topic"),
        ("POST", "/api/v1/posts", {**POST, "titel": "typo"}, "titel"),
        ("POST", "/api/v1/posts", {**POST, "channels": ["khong-co"]}, "channels"),
        ("POST", "/api/v1/posts", {**POST, "link": "javascript:alert(1)"}, "link"),
        ("POST", "/api/v1/posts", {**POST, "scheduled_at": "2026-13-45 08:00"}, "scheduled_at"),
        ("PATCH", "/api/v1/posts/{draft}", {"scheduled_at": "2020-01-01 08:00"}, "scheduled_at"),
        ("POST", "/api/v1/posts", {**POST, "grace_minutes": -1}, "grace_minutes"),
        ("POST", "/api/v1/posts", {**POST, "media": [{"sha256": "0" * 64}]}, "media"),
        ("PATCH", "/api/v1/posts/{draft}", {"title": None}, "title"),
        ("PATCH", "/api/v1/posts/{draft}", {"missed_policy": "maybe"}, "missed_policy"),
        ("POST", "/api/v1/posts/{in_review}/reject", {"comment": "  "}, "comment"),
        ("POST", "/api/v1/posts/{in_review}/reject", {}, "comment"),
        ("POST", "/api/v1/posts/{draft}/reschedule", {"at": "mai"}, "at"),
        ("POST", "/api/v1/posts/{draft}/reschedule", {}, "at"),
        ("POST", "/api/v1/deliveries/{failed_delivery}/retry", {"at": "2020-01-01 08:00"}, "at"),
        ("PUT", "/api/v1/control/pause", {"paused": True}, "reason"),
        ("GET", "/api/v1/posts/0", None, "path.post_id"),
        ("GET", "/api/v1/posts?limit=500", None, "limit"),
    ],
)
def test_validation_errors_name_the_field(
    call: Call,
    web_services: WebServices,
    clock: Clock,
    method: str,
    path: str,
    body: Any,
    field: str,
) -> None:
    ids = seed_posts(web_services, clock)
    response = call("bientap", method, path.format(**ids), json=body)
    error = error_of(response, 422)
    assert error["code"] == "invalid_input"
    assert error["field"] == field, error
    assert field.rsplit(".", 1)[-1] in error["message"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/calendar?from=2026-12-01T00:00:00&to=2026-12-02T00:00:00Z", "from"),
        ("/api/v1/calendar?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "to"),
    ],
)
def test_a_query_period_that_cannot_be_answered_is_a_400_naming_it(
    call: Call, path: str, field: str
) -> None:
    error = error_of(call("bientap", "GET", path), 400)  # tests/web/test_query_dates.py
    assert (error["code"], error["field"]) == ("invalid_query", field)


def test_errors_in_the_language_asked_for(call: Call) -> None:
    bad = {**POST, "topic": "z"}
    vi = error_of(call("bientap", "POST", "/api/v1/posts", json=bad), 422)
    assert "Chủ đề “z” không có" in vi["message"]
    en = error_of(call("bientap", "POST", "/api/v1/posts?lang=en", json=bad), 422)
    assert "unknown topic 'z'" in en["message"]
    (problem,) = en["problems"]
    assert problem["field"] == "topic" and en["message"].endswith(problem["message"])
    header = call("bientap", "POST", "/api/v1/posts", json=bad, headers={
        "Accept-Language": "en-GB,en;q=0.9,vi;q=0.5",
    })  # fmt: skip
    assert "unknown topic" in error_of(header, 422)["message"]
    missing = error_of(call("bientap", "GET", "/api/v1/posts/999", headers={
        "Accept-Language": "vi-VN",
    }), 404)  # fmt: skip
    assert missing == {"code": "not_found", "message": "Không có bài #999.", "field": None}


def test_approval_answers_with_the_quota_warnings(
    call: Call, web_services: WebServices, clock: Clock
) -> None:
    ids = seed_posts(web_services, clock)
    web_services.approval_warnings = lambda post_id: [
        (f"bài {post_id}: vượt hạn mức", f"post {post_id}: over quota")
    ]
    path = f"/api/v1/posts/{ids['in_review']}/approve?lang=en"
    approved = call("bientap", "POST", path)
    assert approved.status_code == 200, approved.text
    assert approved.json()["warnings"] == [f"post {ids['in_review']}: over quota"]


def test_deliveries_show_their_attempts_and_retry(
    call: Call, web_services: WebServices, clock: Clock
) -> None:
    ids = seed_posts(web_services, clock)
    listed = call("cbtt.stttt", "GET", f"/api/v1/posts/{ids['failed']}/deliveries").json()
    (delivery,) = listed
    assert delivery["state"] == "failed" and delivery["retryable"] is True
    (attempt,) = delivery["attempts"]
    assert attempt["error_kind"] == "Rejected" and attempt["started_at_local"].endswith("+07:00")
    path = f"/api/v1/deliveries/{delivery['id']}/retry"
    retried = call("cbtt.stttt", "POST", path, json={"at": "2026-12-03 10:00"})
    assert retried.status_code == 200, retried.text
    assert retried.json()["state"] == "scheduled"
    assert retried.json()["due_at"] == "2026-12-03T03:00:00Z"
    assert len(retried.json()["attempts"]) == 1  # the evidence stays
    refused = error_of(call("cbtt.stttt", "POST", path), 409)
    assert refused["code"] == "transition_refused"


def test_channels_say_their_state_and_nothing_secret(call: Call, web_services: WebServices) -> None:
    with web_services.db.write() as session:
        channel = session.get(Channel, "yt-hue-asean")
        assert channel is not None
        channel.state, channel.credentials = "needs_auth", b"secret-refresh-token"
    response = call("cbtt.sdl", "GET", "/api/v1/channels")
    states = {item["id"]: item["state"] for item in response.json()}
    assert states["yt-hue-asean"] == "needs_auth" and states["web-asean"] == "active"
    assert "secret" not in response.text and "credentials" not in response.text


def test_pause_is_set_and_cleared_with_an_audit_record(
    call: Call, web_services: WebServices
) -> None:
    paused = call("bientap", "PUT", "/api/v1/control/pause", json={
        "paused": True, "reason": "Quốc tang",
    })  # fmt: skip
    assert paused.json()["paused"] is True and paused.json()["changed_by"] == "bientap"
    read = call("cbtt.sdl", "GET", "/api/v1/control/pause").json()
    assert read["reason"] == "Quốc tang" and read["changed_at_local"].endswith("+07:00")
    resumed = call("admin", "PUT", "/api/v1/control/pause", json={"paused": False})
    assert resumed.json() == {**resumed.json(), "paused": False, "reason": None}
    with web_services.db.read() as session:
        control = session.get(PublishingControl, 1)
        assert control is not None and control.paused is False
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
        trail = [
            (e.actor, e.action, e.detail.get("reason")) for e in events if "publishing" in e.action
        ]
    assert trail == [
        ("bientap", "publishing.paused", "Quốc tang"),
        ("admin", "publishing.resumed", None),
    ]
