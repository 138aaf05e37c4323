"""The WordPress sandbox refuses and transforms what WordPress 6 does, one rule per case.

Plain HTTP, as any REST client would send it; every refusal in WordPress's envelope
{"code", "message", "data": {"status", ...}}.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from PIL import Image

from channels.sandbox.server import SandboxServer
from channels.sandbox.wordpress_site import SEEDED_APP_PASSWORD

USER = "loa-bot"


def rest(sandbox: SandboxServer, method: str, route: str, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("auth", (USER, SEEDED_APP_PASSWORD))
    return requests.request(method, f"{sandbox.url}/wordpress/wp-json{route}", timeout=5, **kwargs)


def refused(answer: requests.Response, status: int, code: str) -> dict[str, Any]:
    body = answer.json()
    assert (answer.status_code, body["code"], body["data"]["status"]) == (status, code, status)
    assert isinstance(body["message"], str) and body["message"]
    return dict(body)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


def gmt(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%S")


# -- posts ---------------------------------------------------------------------------------------


def test_future_with_a_past_date_is_published_at_once(sandbox: SandboxServer) -> None:
    body = {"title": "A", "status": "future", "date_gmt": gmt(-timedelta(hours=1))}
    assert rest(sandbox, "POST", "/wp/v2/posts", json=body).json()["status"] == "publish"


def test_future_with_a_coming_date_is_held(sandbox: SandboxServer) -> None:
    body = {"title": "A", "status": "future", "date_gmt": gmt(timedelta(hours=1))}
    created = rest(sandbox, "POST", "/wp/v2/posts", json=body).json()
    assert created["status"] == "future" and created["link"].endswith(f"?p={created['id']}")


def test_publish_with_a_coming_date_waits_as_future(sandbox: SandboxServer) -> None:
    body = {"title": "A", "status": "publish", "date_gmt": gmt(timedelta(days=1))}
    assert rest(sandbox, "POST", "/wp/v2/posts", json=body).json()["status"] == "future"


@pytest.mark.parametrize("key", ["categories", "tags"])
def test_terms_must_be_integers(sandbox: SandboxServer, key: str) -> None:
    answer = rest(sandbox, "POST", "/wp/v2/posts", json={"title": "A", key: ["ASEAN"]})
    assert key in refused(answer, 400, "rest_invalid_param")["data"]["params"]


def test_term_ids_that_do_not_exist_are_skipped_as_wordpress_does(sandbox: SandboxServer) -> None:
    # wp_set_object_terms() skips an integer that names no term; the default category stays
    body = {"title": "A", "status": "publish", "categories": [9999], "tags": [9998]}
    created = rest(sandbox, "POST", "/wp/v2/posts", json=body).json()
    assert (created["categories"], created["tags"]) == ([1], [])


def test_featured_media_must_exist(sandbox: SandboxServer) -> None:
    answer = rest(sandbox, "POST", "/wp/v2/posts", json={"title": "A", "featured_media": 9999})
    refused(answer, 400, "rest_invalid_featured_media")


def test_featured_media_must_be_an_integer(sandbox: SandboxServer) -> None:
    answer = rest(sandbox, "POST", "/wp/v2/posts", json={"title": "A", "featured_media": "x"})
    assert "featured_media" in refused(answer, 400, "rest_invalid_param")["data"]["params"]


def test_slugs_are_sanitised_and_made_unique_when_published(sandbox: SandboxServer) -> None:
    body = {"title": "Đà Nẵng & Huế: ASEAN!", "status": "publish"}
    slugs = [rest(sandbox, "POST", "/wp/v2/posts", json=body).json()["slug"] for _ in range(3)]
    assert slugs == ["da-nang-hue-asean", "da-nang-hue-asean-2", "da-nang-hue-asean-3"]


def test_a_wrong_application_password_is_incorrect_password(sandbox: SandboxServer) -> None:
    answer = rest(sandbox, "GET", "/wp/v2/users/me", auth=(USER, "abcd efgh ijkl mnop qrst uvwx"))
    refused(answer, 401, "incorrect_password")


def test_creating_without_login_is_rest_cannot_create(sandbox: SandboxServer) -> None:
    refused(rest(sandbox, "POST", "/wp/v2/posts", json={"title": "A"}, auth=None), 401,
            "rest_cannot_create")  # fmt: skip


# -- media ---------------------------------------------------------------------------------------

DISPOSITION = 'attachment; filename="anh.png"'


@pytest.mark.parametrize(
    ("data", "headers", "status", "code"),
    [
        (b"", {"Content-Type": "image/png", "Content-Disposition": DISPOSITION}, 400,
         "rest_upload_no_data"),
        (png(), {"Content-Disposition": DISPOSITION}, 400, "rest_upload_no_content_type"),
        (png(), {"Content-Type": "image/png"}, 400, "rest_upload_no_content_disposition"),
        (png(), {"Content-Type": "image/png", "Content-Disposition": "attachment"}, 400,
         "rest_upload_invalid_disposition"),
        (png(), {"Content-Type": "application/x-msdownload",
                 "Content-Disposition": 'attachment; filename="setup.exe"'}, 500,
         "rest_upload_sideload_error"),
        (b"not a picture", {"Content-Type": "image/png", "Content-Disposition": DISPOSITION},
         500, "rest_upload_sideload_error"),
    ],
    ids=["no data", "no content type", "no disposition", "disposition without a name",
         "a type WordPress does not allow", "an image name on bytes that are no image"],
)  # fmt: skip
def test_uploads_are_refused(
    sandbox: SandboxServer, data: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    refused(rest(sandbox, "POST", "/wp/v2/media", data=data, headers=headers), status, code)


def test_uploading_without_login_is_rest_cannot_create(sandbox: SandboxServer) -> None:
    headers = {"Content-Type": "image/png", "Content-Disposition": DISPOSITION}
    answer = rest(sandbox, "POST", "/wp/v2/media", data=png(), headers=headers, auth=None)
    refused(answer, 401, "rest_cannot_create")


def test_an_upload_takes_its_title_alt_text_and_post_from_the_query(
    sandbox: SandboxServer,
) -> None:
    post = rest(sandbox, "POST", "/wp/v2/posts", json={"title": "A"}).json()
    headers = {"Content-Type": "image/png", "Content-Disposition": DISPOSITION}
    params = {"title": "Ảnh Ngọ Môn", "alt_text": "Ngọ Môn", "post": post["id"]}
    created = rest(sandbox, "POST", "/wp/v2/media", data=png(), headers=headers, params=params)
    body = created.json()
    assert created.status_code == 201
    assert (body["title"]["raw"], body["alt_text"], body["post"]) == (
        "Ảnh Ngọ Môn",
        "Ngọ Môn",
        post["id"],
    )
    plain = rest(sandbox, "POST", "/wp/v2/media", data=png(), headers=headers).json()
    assert (plain["title"]["raw"], plain["post"]) == ("anh-1", None)  # the stored file name


def test_media_can_be_attached_only_to_a_post_that_exists(sandbox: SandboxServer) -> None:
    headers = {"Content-Type": "image/png", "Content-Disposition": DISPOSITION}
    upload = rest(
        sandbox, "POST", "/wp/v2/media", data=png(), headers=headers, params={"post": 999}
    )
    refused(upload, 403, "rest_cannot_edit")
    media = rest(sandbox, "POST", "/wp/v2/media", data=png(), headers=headers).json()
    refused(rest(sandbox, "POST", f"/wp/v2/media/{media['id']}", json={"post": 999}), 403,
            "rest_cannot_edit")  # fmt: skip
    post = rest(sandbox, "POST", "/wp/v2/posts", json={"title": "A"}).json()
    moved = rest(sandbox, "POST", f"/wp/v2/media/{media['id']}", json={"post": post["id"]})
    assert moved.json()["post"] == post["id"]


def test_media_are_listed_by_slug(sandbox: SandboxServer) -> None:
    headers = {"Content-Type": "image/png", "Content-Disposition": DISPOSITION}
    params = {"slug": "loa-1-web-abc"}
    created = rest(sandbox, "POST", "/wp/v2/media", data=png(), headers=headers, params=params)
    listed = rest(sandbox, "GET", "/wp/v2/media", params={"slug": "loa-1-web-abc"}).json()
    assert [m["id"] for m in listed] == [created.json()["id"]]
