"""Validation errors are told Vietnamese first, English second, naming the field by its Vietnamese
label and its JSON name; `code` and `field` stay what programs read.

Every Pydantic error type is walked (an unknown one still gets a bilingual sentence), then the
errors the REST API, a route with the other field kinds, and a page really produce are checked
through the app's error handlers."""

from __future__ import annotations

import typing
from datetime import date, datetime
from typing import Annotated, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl
from pydantic_core import ValidationError
from pydantic_core.core_schema import ErrorType

from content.users import UserService
from content.validation_words import FALLBACK, PHRASES, field_words, has_vietnamese, phrase
from tests.web.api_support import Call, caller, error_of, make_tokens
from web.app import ROUTERS

ALL_TYPES: tuple[str, ...] = typing.get_args(ErrorType)
# A value for every `ctx` key any error type needs, so each type can be raised as Pydantic would.
CONTEXT = {
    "attribute": "x", "error": "input is too short", "method_name": "x", "class_name": "Post",
    "gt": 0, "ge": 0, "lt": 10, "le": 10, "multiple_of": 5, "field_type": "List",
    "min_length": 1, "max_length": 200, "actual_length": 201, "pattern": "^[a-z]+$",
    "expected": "'vi' or 'en'", "encoding": "base64", "encoding_error": "x",
    "tz_expected": 25200, "tz_actual": 0, "class": "Post",
    "discriminator": "'kind'", "tag": "zz", "expected_tags": "'a', 'b'",
    "expected_schemes": "'http' or 'https'", "expected_version": 4, "max_digits": 5,
    "decimal_places": 2, "whole_digits": 3,
}  # fmt: skip
# The types the issue names: each must have words of its own, not the fallback.
NAMED = (
    "missing", "string_too_short", "string_too_long", "int_parsing", "int_type", "float_parsing",
    "greater_than", "greater_than_equal", "less_than", "less_than_equal", "literal_error",
    "enum", "json_invalid", "extra_forbidden", "datetime_parsing", "datetime_from_date_parsing",
    "date_parsing", "list_type", "bool_parsing", "url_parsing", "url_scheme", "too_long",
    "string_pattern_mismatch", "model_attributes_type",
)  # fmt: skip


def raised(kind: str, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """One error of this type as `ValidationError.errors()` lists it."""
    line: Any = {"type": kind, "loc": ("title",), "input": "x", "ctx": context or CONTEXT}
    error = ValidationError.from_exception_data("Post", [line])
    found: dict[str, Any] = dict(error.errors()[0])
    return found


def bilingual(message: str, label: str, field: str) -> None:
    """`Label (field): tiếng Việt / field: English`."""
    vi, slash, en = message.partition(" / ")
    assert slash, message
    assert vi.startswith(f"{label} ({field}): ") and has_vietnamese(vi), message
    assert en.startswith(f"{field}: ") and not has_vietnamese(en), message


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_every_pydantic_error_type_is_told_in_vietnamese_first(kind: str) -> None:
    vi, en = field_words("title", raised(kind))
    if kind == "json_invalid":  # about the whole request, whatever Pydantic's location says
        bilingual(vi, "Yêu cầu", "request")
    else:
        bilingual(vi, "Tiêu đề", "title")
    assert vi.endswith(f" / {en}")


def test_the_types_the_api_meets_have_words_of_their_own() -> None:
    assert set(PHRASES) <= set(ALL_TYPES), set(PHRASES) - set(ALL_TYPES)  # no misspelt type
    for kind in NAMED:
        assert PHRASES.get(kind, FALLBACK) != FALLBACK, kind


def test_an_unknown_type_still_names_the_field_in_both_languages() -> None:
    error = {"type": "a_future_type", "loc": ("title",), "msg": "Something went wrong"}
    vi, en = field_words("title", error)
    assert vi == "Tiêu đề (title): giá trị không hợp lệ / title: Something went wrong"
    assert en == "title: Something went wrong"
    assert field_words("zz_unknown", error)[0].startswith("zz_unknown: giá trị không hợp lệ")


def test_our_validators_keep_their_own_vietnamese() -> None:
    ours = raised("value_error", {"error": ValueError("nơi nhận: có dòng trống / empty entry")})
    assert phrase(ours) == ("nơi nhận: có dòng trống", "empty entry")
    english = raised("value_error", {"error": ValueError("not an http(s) URL")})
    assert phrase(english) == ("giá trị không hợp lệ", "not an http(s) URL")


def test_a_context_pydantic_leaves_out_does_not_break_the_message() -> None:
    vi, en = phrase({"type": "string_too_long", "msg": "String should have at most 5 characters"})
    assert (vi, en) == ("tối đa ? ký tự", "should have at most ? characters")


# -- through the REST API -------------------------------------------------------------------


@pytest.fixture
def call(client: TestClient, users: UserService) -> Call:
    return caller(client, make_tokens(users))


JSON = {"content-type": "application/json"}
POST = {"title": "Ngày ASEAN", "topic": "a"}


@pytest.mark.parametrize(
    ("method", "path", "options", "field", "label"),
    [
        ("POST", "/api/v1/posts", {"json": {"topic": "a"}}, "title", "Tiêu đề"),
        ("POST", "/api/v1/posts", {"json": {**POST, "title": "x" * 400}}, "title", "Tiêu đề"),
        ("POST", "/api/v1/posts", {"json": {**POST, "grace_minutes": "abc"}}, "grace_minutes",
         "Số phút cho phép trễ"),
        ("POST", "/api/v1/posts", {"json": {**POST, "grace_minutes": -1}}, "grace_minutes",
         "Số phút cho phép trễ"),
        ("POST", "/api/v1/posts", {"json": {**POST, "missed_policy": "zz"}}, "missed_policy",
         "Cách xử lý khi lỡ giờ"),
        ("POST", "/api/v1/posts", {"json": {**POST, "next_slot": "maybe"}}, "next_slot",
         "Khung giờ trống kế tiếp"),
        ("POST", "/api/v1/posts", {"json": {**POST, "channels": "web"}}, "channels", "Các kênh"),
        ("POST", "/api/v1/posts", {"json": {**POST, "scheduled_at": "mai"}}, "scheduled_at",
         "Thời điểm đăng"),
        ("POST", "/api/v1/posts", {"json": {**POST, "media": [{"sha256": "z"}]}},
         "media.0.sha256", "Mã tệp"),
        ("POST", "/api/v1/posts", {"content": b"[1]", "headers": JSON}, "request", "Yêu cầu"),
        ("POST", "/api/v1/posts/1/reject", {"json": {"comment": ""}}, "comment", "Nhận xét"),
        ("GET", "/api/v1/posts?limit=abc", {}, "limit", "Số dòng tối đa"),
        ("GET", "/api/v1/posts?limit=5000", {}, "limit", "Số dòng tối đa"),
        ("GET", "/api/v1/posts?state=zz", {}, "state", "Trạng thái"),
        ("GET", "/api/v1/posts?lang=fr", {}, "lang", "Ngôn ngữ"),
        ("GET", "/api/v1/posts/abc", {}, "path.post_id", "Mã bài"),
    ],
)  # fmt: skip
def test_the_api_tells_what_it_could_not_read_vietnamese_first(
    call: Call, method: str, path: str, options: dict[str, Any], field: str, label: str
) -> None:
    error = error_of(call("bientap", method, path, **options), 422)
    assert (error["code"], error["field"]) == ("invalid_input", field)
    bilingual(error["message"], label, field)
    assert error["problems"] == [{"field": field, "message": error["message"]}]
    headers = {**options.pop("headers", {}), "Accept-Language": "en"}
    english = error_of(call("bientap", method, path, headers=headers, **options), 422)
    assert english["field"] == field
    assert english["message"] == error["message"].split(" / ", 1)[1]


def test_an_unreadable_json_body_says_so_in_both_languages(call: Call) -> None:
    answer = call("bientap", "POST", "/api/v1/posts", content=b"{title", headers=JSON)
    error = error_of(answer, 422)
    assert error["code"] == "invalid_input" and error["field"] == "1"  # as before: a position
    bilingual(error["message"], "Yêu cầu", "request")
    assert "không phải JSON" in error["message"]


def test_several_problems_are_each_told_and_joined(call: Call) -> None:
    error = error_of(call("bientap", "POST", "/api/v1/posts", json={"bogus": 1}), 422)
    assert [p["field"] for p in error["problems"]] == ["title", "topic", "bogus"]
    for problem in error["problems"]:
        assert has_vietnamese(problem["message"]) and " / " in problem["message"]
    assert error["message"] == "; ".join(p["message"] for p in error["problems"])
    assert error["problems"][2]["message"].startswith("bogus: không có trường này")


def test_the_description_says_which_languages_the_messages_are_in(client: TestClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    described = schemas["ErrorBody"]["properties"]["message"]["description"]
    assert "Vietnamese first" in described and "`?lang=en`" in described
    assert "Tiêu đề (title): bắt buộc phải có / title: required" in described


# -- the other field kinds, through the same handlers ---------------------------------------


def starts_with_vn(value: str) -> str:
    if not value.startswith("Sở"):
        raise ValueError("tên đơn vị phải bắt đầu bằng “Sở” / should name a department")
    return value


class Kinds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    share: float = Field(default=0.5, gt=0, lt=1)
    day: date | None = None
    at: datetime | None = None
    link: HttpUrl | None = None
    name: Annotated[str, AfterValidator(starts_with_vn)] = "Sở Du lịch"
    hashtags: list[str] = Field(default_factory=list, max_length=2)


@pytest.fixture
def kinds_client(web_app: FastAPI) -> TestClient:
    @web_app.post("/api/v1/test/kinds")
    def kinds(body: Kinds) -> dict[str, str]:
        return {"ok": "yes"}

    return TestClient(web_app)


@pytest.mark.parametrize(
    ("body", "field", "label", "words"),
    [
        ({"share": "half"}, "share", None, "phải là một số"),
        ({"share": 0}, "share", None, "phải lớn hơn 0"),
        ({"share": 1}, "share", None, "phải nhỏ hơn 1"),
        ({"day": "08/08/2026"}, "day", None, "không đọc được ngày"),
        ({"at": "mai"}, "at", "Thời điểm", "không đọc được ngày giờ"),
        ({"at": "2026-13-45"}, "at", "Thời điểm", "không đọc được ngày giờ"),
        ({"link": "not a url"}, "link", "Liên kết", "địa chỉ web (URL)"),
        ({"link": "ftp://example.org/x"}, "link", "Liên kết", "địa chỉ web phải bắt đầu bằng"),
        ({"name": "Phòng X"}, "name", "Tên", "tên đơn vị phải bắt đầu bằng “Sở”"),
        ({"hashtags": ["a", "b", "c"]}, "hashtags", "Hashtag", "tối đa 2 mục"),
    ],
)
def test_every_field_kind_is_told_vietnamese_first(
    kinds_client: TestClient, body: dict[str, Any], field: str, label: str | None, words: str
) -> None:
    error = error_of(kinds_client.post("/api/v1/test/kinds", json=body), 422)
    assert error["field"] == field
    vi = error["message"].split(" / ", 1)[0]
    assert vi.startswith(f"{label} ({field}): " if label else f"{field}: "), error["message"]
    assert words in vi and has_vietnamese(vi), error["message"]


# -- pages ----------------------------------------------------------------------------------


def test_a_page_tells_a_bad_form_value_vietnamese_first_and_english_below(
    editor_client: TestClient,
) -> None:
    answer = editor_client.get("/media?page=0")
    assert answer.status_code == 422
    assert "Trang (page): phải từ 1 trở lên / page: should be 1 or more" in answer.text
    assert '<div class="other-lang" lang="en">' in answer.text


def test_every_field_the_api_and_the_pages_take_has_a_vietnamese_label() -> None:
    from content.validation_words import FIELD_LABELS

    names: set[str] = set()
    for router in ROUTERS:
        for route in router.routes:
            dependant = getattr(route, "dependant", None)
            if dependant is not None:
                names |= fields_of(dependant)
    assert names, "the routers declare fields"
    assert names <= set(FIELD_LABELS), sorted(names - set(FIELD_LABELS))


def fields_of(dependant: Any) -> set[str]:
    found: set[str] = set()
    for param in [*dependant.path_params, *dependant.query_params, *dependant.body_params]:
        found.add(param.alias)
        found |= model_fields(param.field_info.annotation)
    for inner in dependant.dependencies:
        found |= fields_of(inner)
    return found


def model_fields(annotation: Any) -> set[str]:
    """The field names of the models an annotation holds, however deep (`dict[str, OverrideIn]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found = set(annotation.model_fields)
        for field in annotation.model_fields.values():
            found |= model_fields(field.annotation)
        return found
    return {name for arg in typing.get_args(annotation) for name in model_fields(arg)}
