"""Figures in the REST API: inside each delivery, and the totals of /api/v1/stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from content import metrics
from content.db import Database
from content.models import Delivery
from content.timeutil import zone
from content.users import UserService
from tests.factories import published_deliveries
from tests.web.api_support import Call, caller, error_of, make_tokens

HCM = zone("Asia/Ho_Chi_Minh")
AT = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)
PERIOD = {"from": "2026-01-01T00:00:00+07:00", "to": "2027-01-01T00:00:00+07:00"}


@pytest.fixture
def call(client: TestClient, users: UserService) -> Call:
    return caller(client, make_tokens(users))


@pytest.fixture
def read(db: Database) -> dict[str, int]:
    stttt = published_deliveries(db, 1, AT, topic="g")[0]
    sdl = published_deliveries(db, 1, AT, channel_id="fb-dulich-hue", department="SDL",
                               author="cbtt.sdl")[0]  # fmt: skip
    unread = published_deliveries(db, 1, AT, channel_id="web-asean")[0]
    with db.write() as session:
        metrics.schedule_new(session)
        figures = [
            metrics.Reading(stttt, {"views": 1200, "reach": None, "shares": 4}),
            metrics.Reading(sdl, {"views": 300}),
        ]
        metrics.record(session, figures, AT + timedelta(days=1), HCM)
    return {"stttt": stttt, "sdl": sdl, "unread": unread}


def _post_of(db: Database, delivery_id: int) -> int:
    with db.read() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        return delivery.post_id


def test_each_delivery_carries_its_latest_figures_with_null_for_no_figure(
    call: Call, db: Database, read: dict[str, int]
) -> None:
    post_id = _post_of(db, read["stttt"])
    detail = call("bientap", "GET", f"/api/v1/posts/{post_id}").json()
    (delivery,) = detail["deliveries"]
    assert delivery["metrics"] == {"views": 1200, "reach": None, "shares": 4}
    assert delivery["metrics_collected_at"] == "2026-05-05T03:00:00Z"
    listed = call("bientap", "GET", f"/api/v1/posts/{post_id}/deliveries").json()
    assert listed[0]["metrics"] == delivery["metrics"]
    one = call("bientap", "GET", f"/api/v1/deliveries/{read['stttt']}").json()
    assert one["metrics"]["views"] == 1200
    unread = call("bientap", "GET", f"/api/v1/deliveries/{read['unread']}").json()
    assert unread["metrics"] == {} and unread["metrics_collected_at"] is None


def test_stats_by_channel_for_an_editor_cover_every_department(
    call: Call, read: dict[str, int]
) -> None:
    answer = call("bientap", "GET", "/api/v1/stats", params={**PERIOD, "by": "channel"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    groups = {g["key"]: g for g in body["groups"]}
    assert set(groups) == {"fb-asean-hue", "fb-dulich-hue", "web-asean"}
    assert groups["fb-asean-hue"]["totals"] == {"views": 1200, "shares": 4}
    assert groups["web-asean"]["without_figures"] == 1 and groups["web-asean"]["totals"] == {}
    assert body["total"]["totals"] == {"views": 1500, "shares": 4}
    assert body["total"]["deliveries"] == 3 and body["total"]["with_figures"] == 2
    assert body["total"]["last_collected_at"] == "2026-05-05T03:00:00Z"


def test_an_officer_sees_only_their_departments_totals(call: Call, read: dict[str, int]) -> None:
    body = call("cbtt.sdl", "GET", "/api/v1/stats", params={**PERIOD, "by": "department"}).json()
    assert [(g["key"], g["totals"]) for g in body["groups"]] == [("SDL", {"views": 300})]
    other = call("cbtt.sdl", "GET", "/api/v1/stats", params={**PERIOD, "department": "STTTT"})
    assert other.json()["groups"] == []


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        ({**PERIOD, "by": "week"}, "by", 422),
        # a period in the query that cannot be answered: 400 (tests/web/test_query_dates.py)
        ({"from": PERIOD["to"], "to": PERIOD["from"]}, "to", 400),
        ({"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to", 400),
        ({"from": "2026-01-01T00:00:00", "to": PERIOD["to"]}, "from", 400),
    ],
)
def test_bad_periods_and_groupings_are_refused_naming_the_field(
    call: Call, params: dict[str, str], field: str, status: int
) -> None:
    error = error_of(call("bientap", "GET", "/api/v1/stats", params=params), status)
    assert field in (error["field"] or "") or any(
        field in (p.get("field") or "") for p in error.get("problems", [])
    )


def test_stats_need_a_login(call: Call) -> None:
    error_of(call("nobody", "GET", "/api/v1/stats", params=PERIOD), 401)
