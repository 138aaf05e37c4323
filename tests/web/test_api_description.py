"""The REST API keeps to its own OpenAPI description: `Allow` names every method of a path, the
topic and pillar enums hold on the filters too, and the examples are times the API accepts for
decades to come."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from content.timeutil import EARLIEST, LATEST, utcnow
from content.users import UserService
from tests.web.api_support import Call, caller, error_of, make_tokens

WINDOW = {"from": "2026-12-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"}


@pytest.fixture
def call(client: TestClient, users: UserService) -> Call:
    return caller(client, make_tokens(users))


@pytest.fixture
def description(client: TestClient) -> dict[str, Any]:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


@pytest.mark.parametrize("method", ["OPTIONS", "PUT", "DELETE"])
def test_allow_names_every_method_of_the_path(
    call: Call, description: dict[str, Any], method: str
) -> None:
    for path, concrete in (
        ("/api/v1/posts", "/api/v1/posts"),
        ("/api/v1/posts/{post_id}", "/api/v1/posts/1"),
        ("/api/v1/control/pause", "/api/v1/control/pause"),
    ):
        declared = {name.upper() for name in description["paths"][path]}
        if method in declared:
            continue
        answer = call("bientap", method, concrete)
        assert error_of(answer, 405)["code"] == "method_not_allowed"
        allowed = {part.strip() for part in answer.headers["allow"].split(",")}
        assert allowed == declared, (path, allowed)


def test_a_topic_outside_the_enum_is_refused_by_the_list(
    call: Call, description: dict[str, Any]
) -> None:
    parameters = description["paths"]["/api/v1/posts"]["get"]["parameters"]
    (topic,) = [p for p in parameters if p["name"] == "topic"]
    enum = next(s["enum"] for s in topic["schema"]["anyOf"] if "enum" in s)
    assert "zz" not in enum
    error = error_of(call("bientap", "GET", "/api/v1/posts", params={"topic": "zz"}), 422)
    assert error["field"] == "topic" and error["message"].startswith("topic: Chủ đề “zz” không có")
    assert call("bientap", "GET", "/api/v1/posts", params={"topic": enum[0]}).status_code == 200


@pytest.mark.parametrize(("name", "value"), [("topic", "zz"), ("pillar", "XYZ")])
def test_the_calendar_holds_to_the_topic_and_pillar_enums(
    call: Call, name: str, value: str
) -> None:
    answer = call("bientap", "GET", "/api/v1/calendar", params={**WINDOW, name: value})
    assert error_of(answer, 422)["field"] == name
    known = {"topic": "a", "pillar": "ASCC"}[name]
    allowed = call("bientap", "GET", "/api/v1/calendar", params={**WINDOW, name: known})
    assert allowed.status_code == 200


def examples_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [e for e in node.get("examples", []) if isinstance(e, str)]
        return found + [e for value in node.values() for e in examples_in(value)]
    if isinstance(node, list):
        return [e for item in node for e in examples_in(item)]
    return []


def test_the_example_times_are_in_the_future_and_in_range(description: dict[str, Any]) -> None:
    times = [e for e in examples_in(description) if e[:4].isdigit() and e[4:5] == "-"]
    assert times, "the description has time examples"
    for example in times:
        when = datetime.fromisoformat(example)
        if when.tzinfo is None:
            when = when.replace(tzinfo=utcnow().tzinfo)
        # well ahead of now, inside the accepted years
        assert when.year >= utcnow().year + 50 and EARLIEST <= when < LATEST, example
    assert "2026-08-08" not in str(description)


def test_an_example_time_creates_a_post(call: Call, description: dict[str, Any]) -> None:
    example = description["components"]["schemas"]["PostCreate"]["properties"]["scheduled_at"]
    at = examples_in(example)[0]
    body = {"title": "Lễ thượng cờ ASEAN", "topic": "a", "channels": ["web-asean"]}
    created = call("cbtt.stttt", "POST", "/api/v1/posts", json={**body, "scheduled_at": at})
    assert created.status_code == 201, created.text


def test_the_callers_notifications_are_described(description: dict[str, Any]) -> None:
    paths = description["paths"]
    listing = paths["/api/v1/me/notifications"]["get"]
    assert listing["operationId"] == "list_notifications" and listing["tags"] == ["account"]
    assert {p["name"] for p in listing["parameters"]} >= {"unread", "limit", "offset", "lang"}
    marking = paths["/api/v1/me/notifications/read"]["post"]
    assert marking["operationId"] == "mark_notifications_read"
    assert {"200", "401", "404", "422"} <= set(marking["responses"])
    schema = description["components"]["schemas"]["MarkReadIn"]
    assert set(schema["properties"]) == {"ids", "all"}
    assert schema["additionalProperties"] is False
