"""The Zalo sandbox refuses what Zalo refuses, one test per rule, over real HTTP.

Every refusal is HTTP 200 with Zalo's envelope `{"error": -201, "message": "Invalid parameter:
<field>"}`. A sandbox that accepts what Zalo refuses lets a bug reach users (an empty author did).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import requests

from channels.sandbox.server import SandboxServer

Article = dict[str, Any]
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42" + bytes(64)


def api(sandbox: SandboxServer) -> str:
    return f"{sandbox.url}/zalo-openapi/v2.0"


def token(sandbox: SandboxServer) -> str:
    answer = requests.post(
        f"{sandbox.url}/_sandbox/control",
        json={"platform": "zalo", "command": "issue_tokens", "args": {}},
        timeout=5,
    )
    return str(answer.json()["result"]["access_token"])


def post(sandbox: SandboxServer, path: str, **kwargs: Any) -> dict[str, Any]:
    headers = {"access_token": token(sandbox), **kwargs.pop("headers", {})}
    answer = requests.post(f"{api(sandbox)}{path}", headers=headers, timeout=5, **kwargs)
    assert answer.status_code == 200  # Zalo's failures are HTTP 200 too
    return dict(answer.json())


def get(sandbox: SandboxServer, path: str, **params: Any) -> dict[str, Any]:
    headers = {"access_token": token(sandbox)}
    answer = requests.get(f"{api(sandbox)}{path}", headers=headers, params=params, timeout=5)
    assert answer.status_code == 200
    return dict(answer.json())


def normal_article() -> Article:
    return {
        "type": "normal",
        "title": "Huế - Thành phố Văn hóa ASEAN",
        "author": "Sở Thông tin và Truyền thông",
        "description": "Huế đón đoàn đại biểu ASEAN.",
        "cover": {
            "cover_type": "photo",
            "photo_url": "https://asean.thuathienhue.gov.vn/anh/bia.jpg",
            "status": "show",
        },
        "body": [
            {"type": "text", "content": "<p>Huế đón đoàn đại biểu ASEAN.</p>"},
            {"type": "image", "url": "https://asean.thuathienhue.gov.vn/anh/1.jpg"},
        ],
        "status": "show",
        "comment": "show",
    }


def uploaded_video(sandbox: SandboxServer) -> str:
    files = {"file": ("clip.mp4", MP4_HEAD, "video/mp4")}
    process = post(sandbox, "/article/upload_video/preparevideo", files=files)["data"]["token"]
    for _ in range(5):
        answer = requests.get(
            f"{api(sandbox)}/article/upload_video/verify",
            headers={"access_token": token(sandbox), "token": process},
            timeout=5,
        ).json()["data"]
        if answer["status"] == 1:
            return str(answer["video_id"])
    raise AssertionError("the sandbox never finished the video")


def video_article(video_id: str) -> Article:
    return {
        "type": "video",
        "title": "Clip: Festival Huế",
        "description": "Những hình ảnh đẹp nhất.",
        "video_id": video_id,
        "avatar": "https://asean.thuathienhue.gov.vn/anh/clip.jpg",
        "status": "show",
        "comment": "show",
    }


def _set(path: str, value: Any) -> Callable[[Article], None]:
    keys = path.split(".")

    def change(article: Article) -> None:
        target: Any = article
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        if value is _DROP:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return change


_DROP = object()

# rule -> (change to a valid normal article, the field Zalo names)
NORMAL_RULES: dict[str, tuple[Callable[[Article], None], str]] = {
    "type is normal or video": (_set("type", "photo"), "type"),
    "title is required": (_set("title", ""), "title"),
    "title is text": (_set("title", 12345), "title"),
    "title is under 150": (_set("title", "x" * 150), "title"),
    "description is required": (_set("description", _DROP), "description"),
    "description is under 300": (_set("description", "x" * 300), "description"),
    "status is show or hide": (_set("status", "public"), "status"),
    "comment is show or hide": (_set("comment", "on"), "comment"),
    "author is required": (_set("author", ""), "author"),
    "author is not blank": (_set("author", "   "), "author"),
    "author is missing": (_set("author", _DROP), "author"),
    "author is at most 50": (_set("author", "x" * 51), "author"),
    "cover is required": (_set("cover", _DROP), "cover"),
    "cover is an object": (_set("cover", "https://example.org/a.jpg"), "cover"),
    "cover_type is photo or video": (_set("cover.cover_type", "image"), "cover.cover_type"),
    "cover photo_url is https": (
        _set("cover.photo_url", "http://example.org/a.jpg"),
        "cover.photo_url",
    ),
    "cover photo_url is required": (_set("cover.photo_url", _DROP), "cover.photo_url"),
    "a video cover needs a known video_id": (_set("cover.cover_type", "video"), "cover.video_id"),
    "cover status is show or hide": (_set("cover.status", "visible"), "cover.status"),
    "cover status is required": (_set("cover.status", _DROP), "cover.status"),
    "body is required": (_set("body", _DROP), "body"),
    "body is not empty": (_set("body", []), "body"),
    "body is a list": (_set("body", "<p>Huế</p>"), "body"),
    "body item type is text, image, video or product": (
        _set("body.0.type", "html"),
        "body[0].type",
    ),
    "body item is an object": (_set("body.0", "Huế"), "body[0].type"),
    "body text has content": (_set("body.0.content", " "), "body[0].content"),
    "body image url is https": (_set("body.1.url", "http://example.org/1.jpg"), "body[1].url"),
    "body video needs a known video_id": (
        _set("body.1", {"type": "video", "video_id": "nope"}),
        "body[1].video_id",
    ),
    "body product needs an id": (_set("body.1", {"type": "product"}), "body[1].id"),
}


def test_a_valid_normal_article_is_accepted_at_the_limits(sandbox: SandboxServer) -> None:
    article = normal_article()
    article.update(title="x" * 149, author="y" * 50, description="z" * 299)
    answer = post(sandbox, "/article/create", json=article)
    assert answer["error"] == 0 and answer["data"]["token"]


@pytest.mark.parametrize("rule", NORMAL_RULES)
def test_a_normal_article_breaking_a_rule_is_refused(sandbox: SandboxServer, rule: str) -> None:
    change, field = NORMAL_RULES[rule]
    article = copy.deepcopy(normal_article())
    change(article)
    answer = post(sandbox, "/article/create", json=article)
    assert answer == {"error": -201, "message": f"Invalid parameter: {field}"}


def test_a_video_article_is_accepted(sandbox: SandboxServer) -> None:
    answer = post(sandbox, "/article/create", json=video_article(uploaded_video(sandbox)))
    assert answer["error"] == 0


VIDEO_RULES: dict[str, tuple[str, Any, str]] = {
    "a video article needs its video_id": ("video_id", _DROP, "video_id"),
    "a video article's video_id is one Zalo knows": ("video_id", "not-uploaded", "video_id"),
    "a video article needs an avatar": ("avatar", _DROP, "avatar"),
    "a video article's avatar is https": ("avatar", "http://example.org/a.jpg", "avatar"),
    "a video article needs a title": ("title", "", "title"),
}


@pytest.mark.parametrize("rule", VIDEO_RULES)
def test_a_video_article_breaking_a_rule_is_refused(sandbox: SandboxServer, rule: str) -> None:
    key, value, field = VIDEO_RULES[rule]
    article = video_article(uploaded_video(sandbox))
    _set(key, value)(article)
    answer = post(sandbox, "/article/create", json=article)
    assert answer == {"error": -201, "message": f"Invalid parameter: {field}"}


def test_the_token_travels_in_a_header_named_access_token(sandbox: SandboxServer) -> None:
    bearer = {"Authorization": f"Bearer {token(sandbox)}"}
    answer = requests.get(f"{api(sandbox)}/oa/getoa", headers=bearer, timeout=5)
    assert (answer.status_code, answer.json()["error"]) == (200, -216)


@pytest.mark.parametrize(
    ("rule", "name", "data", "message"),
    [
        ("an upload is jpg or png", "a.gif", b"GIF89a" + bytes(10), "not supported"),
        ("an upload is at most 1 MB", "a.jpg", b"\xff\xd8" + bytes(1024 * 1024), "exceeds 1MB"),
    ],
)
def test_image_uploads_are_refused(
    sandbox: SandboxServer, rule: str, name: str, data: bytes, message: str
) -> None:
    answer = post(sandbox, "/oa/upload/image", files={"file": (name, data, "image/jpeg")})
    assert answer["error"] == -201 and message in answer["message"]


@pytest.mark.parametrize(
    ("rule", "params", "message"),
    [
        ("getslice takes at most 10", {"offset": 0, "limit": 11, "type": "normal"}, "limit is 10"),
        ("getslice type is normal or video", {"offset": 0, "limit": 5, "type": "all"}, "type"),
    ],
)
def test_getslice_refuses(
    sandbox: SandboxServer, rule: str, params: dict[str, Any], message: str
) -> None:
    answer = get(sandbox, "/article/getslice", **params)
    assert answer["error"] == -201 and message in answer["message"]


def _created(sandbox: SandboxServer) -> str:
    process = post(sandbox, "/article/create", json=normal_article())["data"]["token"]
    for _ in range(5):
        answer = post(sandbox, "/article/verify", json={"token": process})
        if answer["error"] == 0:
            return str(answer["data"]["id"])
    raise AssertionError("the sandbox never finished the article")


def test_update_takes_the_create_body_plus_id(sandbox: SandboxServer) -> None:
    article_id = _created(sandbox)
    answer = post(sandbox, "/article/update", json={**normal_article(), "id": article_id,
                                                     "title": "Tiêu đề mới"})  # fmt: skip
    assert answer["error"] == 0 and answer["data"]["token"]
    assert get(sandbox, "/article/getdetail", id=article_id)["data"]["title"] == "Tiêu đề mới"


@pytest.mark.parametrize(
    ("rule", "change", "message"),
    [
        ("update needs an id", {}, "Invalid parameter: id"),
        ("update needs an existing article", {"id": "0" * 32}, "article is not exist"),
        ("update checks the article like create", {"author": ""}, "Invalid parameter: author"),
    ],
)
def test_update_refuses(
    sandbox: SandboxServer, rule: str, change: dict[str, Any], message: str
) -> None:
    article_id = _created(sandbox)
    body = {**normal_article(), "id": article_id, **change}
    if not change:
        del body["id"]
    answer = post(sandbox, "/article/update", json=body)
    assert answer == {"error": -201, "message": message}


def test_remove_takes_the_article_away(sandbox: SandboxServer) -> None:
    article_id = _created(sandbox)
    assert post(sandbox, "/article/remove", json={"id": article_id})["error"] == 0
    gone = get(sandbox, "/article/getdetail", id=article_id)
    assert gone == {"error": -201, "message": "article is not exist"}


@pytest.mark.parametrize(
    ("rule", "body", "message"),
    [
        ("remove needs an id", {}, "Invalid parameter: id"),
        ("remove needs an existing article", {"id": "0" * 32}, "article is not exist"),
    ],
)
def test_remove_refuses(
    sandbox: SandboxServer, rule: str, body: dict[str, Any], message: str
) -> None:
    assert post(sandbox, "/article/remove", json=body) == {"error": -201, "message": message}


def test_a_broadcast_carries_at_most_five_articles(sandbox: SandboxServer) -> None:
    article_id = _created(sandbox)
    element = {"media_type": "article", "attachment_id": article_id}
    payload = {"template_type": "media", "elements": [element] * 6}
    message = {"recipient": {"target": {}},
               "message": {"attachment": {"type": "template", "payload": payload}}}  # fmt: skip
    answer = post(sandbox, "/oa/message", json=message)
    assert answer["error"] == -201 and "1 to 5" in answer["message"]
