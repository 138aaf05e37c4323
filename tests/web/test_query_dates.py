"""Dates and times in a query string (the calendar page's `date`; the API's `from` and `to` on
the calendar, the post list and the stats): unreadable or off the calendar is a 400 naming the
parameter, Vietnamese first, never a 422 or a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from content.users import UserService
from tests.web.api_support import Call, caller, error_of, make_tokens

WINDOW = {"from": "2026-12-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"}
API_PATHS = ("/api/v1/calendar", "/api/v1/posts", "/api/v1/stats")
# Unreadable (five-digit year, year 0, naive, no date at all) and readable but off the calendar.
BAD_TIMES = (
    "99999-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "99999-01",
    "0000-W01",
    "2026-12-01T00:00:00",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
)


@pytest.fixture
def call(web_app: FastAPI, users: UserService) -> Iterator[Call]:
    with TestClient(web_app, raise_server_exceptions=False) as client:
        yield caller(client, make_tokens(users))


@pytest.mark.parametrize("value", BAD_TIMES)
@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize("path", API_PATHS)
def test_a_bad_time_in_an_api_query_is_a_400_naming_it(
    call: Call, path: str, name: str, value: str
) -> None:
    error = error_of(call("bientap", "GET", path, params={**WINDOW, name: value}), 400)
    assert error["code"] == "invalid_query" and error["field"] == name
    assert value[:10] in error["message"] and "Traceback" not in error["message"]
    vietnamese = ("Không đọc được thời điểm", "nằm ngoài khoảng cho phép")
    assert any(words in error["message"] for words in vietnamese)
    english = call("bientap", "GET", path, params={**WINDOW, name: value, "lang": "en"})
    assert error_of(english, 400)["field"] == name


@pytest.mark.parametrize("path", ["/api/v1/calendar", "/api/v1/stats"])
def test_a_reversed_period_is_a_400_naming_to(call: Call, path: str) -> None:
    reversed_window = {"from": WINDOW["to"], "to": WINDOW["from"]}
    error = error_of(call("bientap", "GET", path, params=reversed_window), 400)
    assert error["field"] == "to" and "phải sau" in error["message"]


def test_a_body_time_keeps_its_422(call: Call) -> None:
    post = {"title": "Lễ thượng cờ", "topic": "a", "channels": ["web-asean"]}
    body = {**post, "scheduled_at": "9999-12-31T23:59:59Z"}
    error = error_of(call("bientap", "POST", "/api/v1/posts", json=body), 422)
    assert error["field"] == "scheduled_at"


@pytest.mark.parametrize(
    "value", ["99999-01-01", "0000-01-01", "0001-01-01", "9999-12-31", "2100-01-01", "2026-13-45"]
)
@pytest.mark.parametrize("view", ["month", "week", "day", "list"])
def test_a_calendar_page_date_off_the_calendar_is_a_400_page(
    editor_client: TestClient, view: str, value: str
) -> None:
    page = editor_client.get(f"/calendar?view={view}&date={value}")
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "Yêu cầu bị từ chối" in text and "Traceback" not in text
    assert text.index("Ngày “") < text.index("the date")  # Vietnamese first, English after


def test_unknown_calendar_parameters_are_ignored(editor_client: TestClient) -> None:
    for query in ("month=99999-01", "week=0000-W01", "view=year&date="):
        assert editor_client.get(f"/calendar?{query}").status_code == 200
