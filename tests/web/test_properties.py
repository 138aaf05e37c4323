"""Property tests (Hypothesis): the REST API and the pages driven with values at their type
limits (dates near year 1 and 9999, integers past 2**63, strings with NUL, lone surrogates,
bidi overrides, huge lengths, text that is not JSON) never answer a 5xx nor show a traceback;
what they accept reads back, in the list and on the pages, for everyone who may see it.

Examples run over one app and one database per test (what earlier examples saved stays), so
a stored value that breaks a later reader is found too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import given
from hypothesis import strategies as st

from content.users import UserService
from tests.factories import Clock
from tests.properties import PROPERTIES
from tests.web.api_support import bearer, make_tokens, seed_posts
from tests.web.helpers import login

ZONES = [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)), None]
EDGE_TIMES = [
    "9999-12-31T23:59:59Z", "9999-12-31 23:59", "0001-01-01T00:00:00+05:00", "0001-01-01 00:00",
    "2100-01-01T00:00:00Z", "2099-12-31T23:59:59+00:00", "1999-12-31T23:59:59Z",
    "2000-01-01T00:00:00Z", "2027-02-29 10:00", "2027-13-01 10:00", "2027-01-01T24:00",
    "2027-01-01T10:00:00+24:00", "2027-01-01T10:00:00.9999999Z", "", " ", "now",
]  # fmt: skip
EDGE_TEXT = [
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202egnp.exe", "\u2066ẩn\u2069",
    "line\nbreak", "\r\n", "\u2028", "🇻🇳" * 40, "Huế" * 120, "a" * 301, "#" * 101,
    "'; DROP TABLE post; --", "<script>alert(1)</script>", "{{7*7}}", "%s%n", "\ufeff",
]  # fmt: skip
EDGE_INTS = [0, -1, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, -(10**30)]

times = st.one_of(
    st.sampled_from(EDGE_TIMES),
    st.datetimes(timezones=st.sampled_from(ZONES)).map(lambda d: d.isoformat()),
    st.text(max_size=45),
)
texts = st.one_of(st.sampled_from(EDGE_TEXT), st.text(max_size=60))
integers = st.one_of(st.sampled_from(EDGE_INTS), st.integers(), st.floats(allow_nan=False))
# Anything a JSON field may hold: a program sending the wrong type must get a 422, not a 500.
anything = st.one_of(texts, integers, st.none(), st.booleans(), st.lists(texts, max_size=3))
tags = st.one_of(st.lists(texts, max_size=4), anything)
channels = st.lists(
    st.one_of(st.sampled_from(["web-asean", "fb-asean-hue", "fb-dulich-hue"]), texts), max_size=3
)
override = st.dictionaries(
    st.sampled_from(["title", "body", "hashtags", "link", "summary", "other"]),
    st.one_of(texts, st.sampled_from(["javascript:alert(9)", "https://hue.gov.vn"]), tags),
    max_size=3,
)
post_fields = st.fixed_dictionaries(
    {},
    optional={
        "title": texts,
        "topic": st.one_of(st.sampled_from(["a", "i", "z", "A"]), texts),
        "department": st.one_of(st.sampled_from(["STTTT", "SDL", "X"]), texts),
        "channels": channels,
        "body": texts,
        "link": st.one_of(texts, st.sampled_from(["javascript:alert(9)", "https://hue.gov.vn"])),
        "hashtags": tags,
        "pillar": st.one_of(st.sampled_from(["ASCC", "AEC"]), texts, st.none()),
        "audience": st.one_of(texts, st.none()),
        "scheduled_at": st.one_of(times, st.none(), integers),
        "next_slot": st.one_of(st.booleans(), anything),
        "missed_policy": st.one_of(st.sampled_from(["skip", "publish_late"]), texts),
        "grace_minutes": st.one_of(integers, st.none()),
        "overrides": st.one_of(st.dictionaries(channels.map(lambda c: c[0] if c else ""),
                                               override, max_size=2), anything),
        "expected_version": integers,
    },
)  # fmt: skip
VALID = {"title": "Lễ thượng cờ ASEAN", "topic": "a", "channels": ["web-asean"]}


class Api:
    """Bearer calls whose answers are checked for what must always hold."""

    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def __call__(self, who: str, method: str, path: str, body: Any = None, **options: Any) -> Any:
        headers = bearer(self.tokens[who])
        if "params" in options:  # lone surrogates as the bytes a raw client could send
            query = urlencode(options.pop("params"), errors="surrogatepass")
            path = f"{path}?{query}"
        if body is not None:  # ASCII JSON: lone surrogates travel as \\ud800, as any client can
            headers["Content-Type"] = "application/json"
            options["content"] = json.dumps(body)
        response = self.client.request(method, path, headers=headers, **options)
        return sound(response)


def sound(response: Response) -> Response:
    """The answer holds no server error and no traceback; an API refusal is the JSON error."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    if response.status_code >= 400 and response.request.url.path.startswith("/api/"):
        error = response.json()["error"]
        assert error["code"] and error["message"]
    return response


@pytest.fixture
def api(web_app: FastAPI, users: UserService, clock: Clock) -> Iterator[Api]:
    seed_posts(web_app.state.services, clock)
    with TestClient(web_app, raise_server_exceptions=False) as client:
        yield Api(client, make_tokens(users))


@pytest.fixture
def page(web_app: FastAPI) -> Iterator[TestClient]:
    """An editor's browser session; server errors come back as the 500 page."""
    with TestClient(web_app, raise_server_exceptions=False) as signed:
        assert login(signed, "bientap").status_code == 303
        yield signed


def readable_everywhere(api: Api, page: TestClient, post_id: int) -> None:
    """A saved post reads back: alone, in the list of its readers, and on its page."""
    for who in ("cbtt.stttt", "bientap", "bientap2", "admin"):
        assert api(who, "GET", f"/api/v1/posts/{post_id}").status_code in (200, 404)
        assert api(who, "GET", "/api/v1/posts", params={"limit": 200}).status_code == 200
    assert sound(page.get(f"/posts/{post_id}")).status_code == 200
    assert sound(page.get(f"/posts/{post_id}/edit")).status_code in (200, 409)


@PROPERTIES
@given(fields=post_fields)
def test_creating_a_post_never_fails_on_the_server(
    api: Api, page: TestClient, fields: dict[str, Any]
) -> None:
    fields.pop("expected_version", None)
    answer = api("cbtt.stttt", "POST", "/api/v1/posts", {**VALID, **fields})
    assert answer.status_code in (201, 403, 404, 409, 422), answer.text
    if answer.status_code == 201:
        readable_everywhere(api, page, answer.json()["id"])


@PROPERTIES
@given(fields=post_fields, who=st.sampled_from(["cbtt.stttt", "cbtt.sdl", "bientap"]))
def test_updating_a_post_never_fails_on_the_server(
    api: Api, page: TestClient, fields: dict[str, Any], who: str
) -> None:
    created = api("cbtt.stttt", "POST", "/api/v1/posts", VALID)
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    answer = api(who, "PATCH", f"/api/v1/posts/{post_id}", fields)
    assert answer.status_code in (200, 403, 404, 409, 422), answer.text
    if who == "cbtt.sdl":  # another department's post: not found, never told whose
        assert answer.status_code in (404, 422)
    readable_everywhere(api, page, post_id)


@PROPERTIES
@given(at=st.one_of(times, integers, st.none()), next_slot=anything)
def test_rescheduling_and_retrying_never_fail_on_the_server(
    api: Api, page: TestClient, at: Any, next_slot: Any
) -> None:
    created = api("cbtt.stttt", "POST", "/api/v1/posts", VALID)
    post_id = created.json()["id"]
    body = {"at": at, "next_slot": next_slot}
    moved = api("bientap", "POST", f"/api/v1/posts/{post_id}/reschedule", body)
    assert moved.status_code in (200, 409, 422), moved.text
    delivery = created.json()["deliveries"][0]["id"]
    retried = api("bientap", "POST", f"/api/v1/deliveries/{delivery}/retry", {"at": at})
    assert retried.status_code in (200, 409, 422), retried.text
    readable_everywhere(api, page, post_id)


@PROPERTIES
@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "from": times, "to": times, "topic": texts, "state": texts, "department": texts,
            "channel": texts, "limit": integers, "offset": integers, "lang": texts,
        },
    )
)  # fmt: skip
def test_listing_with_any_filter_never_fails_on_the_server(
    api: Api, params: dict[str, Any]
) -> None:
    for who in ("cbtt.stttt", "bientap"):
        listed = api(who, "GET", "/api/v1/posts", params=params)
        # a bad time in the query is a 400 (web.query_errors), any other bad filter a 422
        assert listed.status_code in (200, 400, 422), listed.text
        window = api(who, "GET", "/api/v1/calendar", params=params)
        assert window.status_code in (200, 400, 422), window.text


@PROPERTIES
@given(number=st.one_of(st.sampled_from(EDGE_INTS), st.integers()), text=texts)
def test_numbers_in_paths_are_found_or_not_never_a_server_error(
    api: Api, page: TestClient, number: int, text: str
) -> None:
    for path in (f"/api/v1/posts/{number}", f"/api/v1/deliveries/{number}",
                 f"/api/v1/posts/{number}/deliveries"):  # fmt: skip
        assert api("bientap", "GET", path).status_code in (200, 404, 422)
    raw = quote(text, safe="", errors="surrogatepass")
    for path in (f"/posts/{number}", f"/posts/{number}/edit", f"/posts/{raw}"):
        assert sound(page.get(path)).status_code in (200, 404, 409)


@PROPERTIES
@given(
    day=st.one_of(st.dates().map(lambda d: d.isoformat()), texts),
    view=st.one_of(st.sampled_from(["month", "week", "day"]), texts),
)
def test_any_calendar_date_is_shown_or_refused_never_a_server_error(
    page: TestClient, day: str, view: str
) -> None:
    query = urlencode({"view": view, "date": day}, errors="surrogatepass")
    answer = sound(page.get(f"/calendar?{query}"))
    assert answer.status_code in (200, 400)  # a date off the calendar: 400, never 422 or 500
    if answer.status_code == 200 and day.strip():  # an empty date is today
        assert date(2000, 1, 1) <= date.fromisoformat(day.strip()) <= date(2099, 12, 31)
