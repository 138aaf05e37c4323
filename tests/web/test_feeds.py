"""The iCalendar feed pages and route: made, served without sign-in, scoped, revoked; the feed
parsed back with the `icalendar` package (a real RFC 5545 parser)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar, Event

from content.observances import Observance
from content.posts import PostService
from content.users import UserService
from tests.web.conftest import PUBLIC_URL, ClientFor
from tests.web.helpers import csrf_of
from web.services import WebServices

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
FEED_URL = re.compile(
    r'<code class="token" id="feed-url">https://loa\.thuathienhue\.gov\.vn/feeds/([A-Za-z0-9_-]+)\.ics'
)


def make(service: PostService, username: str = "cbtt.stttt", **fields: Any) -> int:
    from tests.factories import post_input

    author = service.actor(username)
    post = service.create(author, post_input(**fields))
    assert post.id is not None
    service.submit(author, post.id)  # drafts are nobody's schedule yet: feeds leave them out
    return post.id


@pytest.fixture
def posts(service: PostService) -> dict[str, int]:
    """Three posts in review: STTTT on the website, STTTT on Facebook, SDL on its own page."""
    return {
        "web": make(
            service, title="Lễ thượng cờ <ASEAN>", scheduled_at=datetime(2026, 12, 3, 9, tzinfo=HUE)
        ),
        "fb": make(
            service,
            title="Tuần Văn hóa ASEAN",
            channels=["fb-asean-hue"],
            scheduled_at=datetime(2026, 12, 4, 10, tzinfo=HUE),
        ),
        "sdl": make(
            service,
            "cbtt.sdl",
            title="Festival Huế",
            department="SDL",
            channels=["fb-dulich-hue"],
            scheduled_at=datetime(2026, 12, 5, 0, 30, tzinfo=HUE),
        ),
    }


def create(signed: TestClient, scope: str) -> tuple[int, str]:
    response = signed.post("/feeds", data={"csrf_token": csrf_of(signed), "scope": scope})
    if response.status_code != 201:
        return response.status_code, response.text
    found = FEED_URL.search(response.text)
    assert found is not None, response.text
    return 201, found.group(1)


def parse(client: TestClient, token: str) -> list[Event]:
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return [c for c in calendar.walk("VEVENT") if isinstance(c, Event)]


def summaries(events: list[Event]) -> list[str]:
    return sorted(str(e.get("SUMMARY")) for e in events if str(e.get("UID")).startswith("delivery"))


def test_an_editor_makes_a_feed_of_everything_served_without_sign_in(
    posts: dict[str, int], web_services: WebServices, editor_client: TestClient, client: TestClient
) -> None:
    web_services.observances = (
        Observance("Ngày Cộng đồng ASEAN", "ASEAN Community Day", 12, 31, year=2015),
        Observance("Ngày ASEAN", "ASEAN Day", 8, 8, year=1967),  # beyond the feed's 180 days
    )
    page = editor_client.get("/feeds")
    assert page.status_code == 200 and "Toàn bộ lịch" in page.text
    status, token = create(editor_client, "all")
    assert status == 201 and len(token) >= 32
    created = editor_client.get("/feeds").text
    assert token not in created and "Toàn bộ lịch" in created  # shown once, listed afterwards
    events = parse(client, token)  # the anonymous client: the token is the key
    assert summaries(events) == [
        "Festival Huế · fb-dulich-hue",
        "Lễ thượng cờ <ASEAN> · web-asean",
        "Tuần Văn hóa ASEAN · fb-asean-hue",
    ]
    festival = next(e for e in events if "Festival" in str(e.get("SUMMARY")))
    assert festival.decoded("DTSTART") == datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    assert str(festival.get("URL")) == f"{PUBLIC_URL}/posts/{posts['sdl']}"
    assert str(festival.get("STATUS")) == "TENTATIVE"
    observances = [e for e in events if str(e.get("UID")).startswith("observance")]
    assert [e.decoded("DTSTART") for e in observances] == [date(2026, 12, 31)]
    assert str(observances[0].get("SUMMARY")) == (
        "Ngày Cộng đồng ASEAN, kỷ niệm 11 năm / ASEAN Community Day, 11th anniversary"
    )


def test_the_subscription_address_and_its_webcal_link(editor_client: TestClient) -> None:
    response = editor_client.post(
        "/feeds", data={"csrf_token": csrf_of(editor_client), "scope": "channel:web-asean"}
    )
    assert response.status_code == 201
    token = FEED_URL.search(response.text)
    assert token is not None
    assert f'href="webcal://loa.thuathienhue.gov.vn/feeds/{token.group(1)}.ics"' in response.text
    assert "Kênh: web-asean" in editor_client.get("/feeds").text


def test_feed_addresses_come_from_the_public_url_whatever_the_host_header(
    editor_client: TestClient,
) -> None:
    forged = {"host": "attacker.example", "x-forwarded-host": "attacker.example"}
    response = editor_client.post(
        "/feeds",
        data={"csrf_token": csrf_of(editor_client), "scope": "all"},
        headers=forged,
    )
    assert response.status_code == 201
    token = FEED_URL.search(response.text)
    assert token is not None and "attacker.example" not in response.text
    events = editor_client.get(f"/feeds/{token.group(1)}.ics", headers=forged)
    assert events.status_code == 200 and "attacker.example" not in events.text


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (
            "department:STTTT",
            ["Lễ thượng cờ <ASEAN> · web-asean", "Tuần Văn hóa ASEAN · fb-asean-hue"],
        ),
        ("department:SDL", ["Festival Huế · fb-dulich-hue"]),
        ("channel:fb-asean-hue", ["Tuần Văn hóa ASEAN · fb-asean-hue"]),
    ],
)
def test_the_scope_is_honoured(
    posts: dict[str, int],
    editor_client: TestClient,
    client: TestClient,
    scope: str,
    expected: list[str],
) -> None:
    status, token = create(editor_client, scope)
    assert status == 201
    assert summaries(parse(client, token)) == expected


def test_officers_make_feeds_of_their_own_department_only(
    posts: dict[str, int], client_for: ClientFor, client: TestClient
) -> None:
    officer = client_for("cbtt.sdl")
    page = officer.get("/feeds").text
    assert 'value="department:SDL"' in page
    assert 'value="all"' not in page and 'value="department:STTTT"' not in page
    assert 'value="channel:' not in page
    for scope in ("all", "department:STTTT", "channel:fb-dulich-hue"):
        status, text = create(officer, scope)
        assert status == 403, scope
        assert "chỉ được tạo lịch cho đơn vị của mình" in text and "Traceback" not in text
    status, token = create(officer, "department:SDL")
    assert status == 201
    assert summaries(parse(client, token)) == ["Festival Huế · fb-dulich-hue"]


def test_an_unknown_scope_value_is_refused_with_a_reason(editor_client: TestClient) -> None:
    status, text = create(editor_client, "department:KHONGCO")
    assert status == 422 and "Không có đơn vị “KHONGCO”" in text
    status, text = create(editor_client, "planet:mars")
    assert status == 422 and "Phạm vi “planet” không có" in text


def test_revoked_and_unknown_feeds_are_404(
    posts: dict[str, int], editor_client: TestClient, client: TestClient, users: UserService
) -> None:
    status, token = create(editor_client, "all")
    assert status == 201 and client.get(f"/feeds/{token}.ics").status_code == 200
    assert client.get("/feeds/not-a-real-token-at-all-0123456789abcdef.ics").status_code == 404
    feed_id = users.tokens.feeds()[-1].id
    revoked = editor_client.post(
        f"/feeds/{feed_id}/revoke",
        data={"csrf_token": csrf_of(editor_client)},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    gone = client.get(f"/feeds/{token}.ics")
    assert gone.status_code == 404 and "BEGIN:VCALENDAR" not in gone.text
    assert "Đã thu hồi" in editor_client.get("/feeds").text


def test_only_the_maker_revokes_a_feed_and_a_disabled_maker_ends_it(
    posts: dict[str, int],
    client_for: ClientFor,
    client: TestClient,
    users: UserService,
) -> None:
    editor = client_for("bientap")
    status, token = create(editor, "all")
    assert status == 201
    feed_id = users.tokens.feeds()[-1].id
    other = client_for("bientap2")
    refused = other.post(f"/feeds/{feed_id}/revoke", data={"csrf_token": csrf_of(other)})
    assert refused.status_code == 404
    assert client.get(f"/feeds/{token}.ics").status_code == 200
    users.set_active("admin", "bientap", False)
    assert client.get(f"/feeds/{token}.ics").status_code == 404


def test_the_feed_page_needs_a_sign_in_and_a_csrf_token(
    client: TestClient, editor_client: TestClient
) -> None:
    assert client.get("/feeds", follow_redirects=False).status_code == 303
    response = editor_client.post("/feeds", data={"scope": "all"})
    assert response.status_code == 403 and "CSRF" in response.text
