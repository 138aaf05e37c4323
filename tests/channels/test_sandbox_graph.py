"""The Graph sandbox refuses what Facebook refuses, one rule per case, over plain HTTP.

Each case sends what a careless client would send and expects Facebook's code (and subcode) in
Facebook's envelope: {"error": {"message", "type", "code", "error_subcode", "is_transient",
"fbtrace_id"}}.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from PIL import Image

from channels.sandbox.graph_model import APP_ID, MANAGED, MESSAGE_MAX
from channels.sandbox.server import SandboxServer

PAGE, OTHER_PAGE = MANAGED
Send = Callable[..., requests.Response]


def control(sandbox: SandboxServer, command: str, **args: Any) -> Any:
    graph = sandbox.platform("graph")
    with graph.lock:
        return graph.control(command, args)


@pytest.fixture
def send(sandbox: SandboxServer) -> Send:
    """`send(method, path, token="page"|"other"|"user"|<value>, **requests_kwargs)`."""
    tokens = {
        "page": control(sandbox, "page_token", page_id=PAGE)["access_token"],
        "other": control(sandbox, "page_token", page_id=OTHER_PAGE)["access_token"],
        "user": control(sandbox, "user_token")["access_token"],
    }

    def call(method: str, path: str, token: str = "page", **kwargs: Any) -> requests.Response:
        value = tokens.get(token, token)
        data = kwargs.pop("data", {})
        if method == "DELETE":
            kwargs.setdefault("params", {"access_token": value})
        else:
            data = {"access_token": value, **data}
        host = "graph-video" if path.startswith(("/upload:", f"/{APP_ID}/uploads")) else "graph"
        url = f"{sandbox.url}/{host}/v21.0{path}"
        return requests.request(method, url, data=data or None, timeout=5, **kwargs)

    return call


def photo_bytes(size: tuple[int, int] = (64, 64)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(out, "JPEG")
    return out.getvalue()


def unpublished_photo(send: Send, token: str = "page", page: str = PAGE) -> str:
    answer = send(
        "POST",
        f"/{page}/photos",
        token,
        data={"published": "false"},
        files={"source": ("a.jpg", photo_bytes(), "image/jpeg")},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def refused(answer: requests.Response, code: int, subcode: int | None = None) -> dict[str, Any]:
    assert answer.status_code >= 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error.get("error_subcode")) == (code, subcode), error
    return dict(error)


def ahead(seconds: float) -> str:
    return str(int(time.time() + seconds))


# -- /{page-id}/feed ----------------------------------------------------------------------------

FEED_RULES: list[tuple[str, dict[str, str], str, int, int | None]] = [
    ("nothing to post", {"published": "true"}, "page", 100, None),
    ("message too long", {"message": "x" * (MESSAGE_MAX + 1)}, "page", 100, None),
    ("published as Python prints it", {"message": "a", "published": "False"}, "page", 100, None),
    ("published not a boolean", {"message": "a", "published": "yes"}, "page", 100, None),
    ("schedule on a published post", {"message": "a", "scheduled_publish_time": ahead(3600)},
     "page", 100, None),
    ("schedule under 10 minutes ahead", {"message": "a", "published": "false",
     "scheduled_publish_time": ahead(300)}, "page", 100, None),
    ("schedule over 30 days ahead", {"message": "a", "published": "false",
     "scheduled_publish_time": ahead(31 * 86400)}, "page", 100, None),
    ("schedule in the past", {"message": "a", "published": "false",
     "scheduled_publish_time": ahead(-60)}, "page", 100, None),
    ("schedule not a time", {"message": "a", "published": "false",
     "scheduled_publish_time": "tomorrow"}, "page", 100, None),
    ("link not http(s)", {"link": "ftp://asean.example/x"}, "page", 100, 1609005),
    ("link without a host", {"link": "https://"}, "page", 100, 1609005),
    ("attached_media not JSON", {"attached_media": "[{media_fbid: 1}"}, "page", 100, None),
    ("attached_media not a list", {"attached_media": '{"media_fbid": "1"}'}, "page", 100, None),
    ("attached_media without media_fbid", {"attached_media": '[{"id": "1"}]'}, "page", 100, None),
    ("attached_media unknown", {"attached_media": '[{"media_fbid": "42"}]'}, "page", 100, None),
    ("a user token", {"message": "a"}, "user", 200, None),
    ("another page's token", {"message": "a"}, "other", 200, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "token", "code", "subcode"),
    [rule[1:] for rule in FEED_RULES],
    ids=[rule[0] for rule in FEED_RULES],
)
def test_feed_refuses(
    send: Send, data: dict[str, str], token: str, code: int, subcode: int | None
) -> None:
    refused(send("POST", f"/{PAGE}/feed", token, data=data), code, subcode)


def test_feed_refuses_a_photo_that_is_already_published(send: Send) -> None:
    answer = send(
        "POST", f"/{PAGE}/photos", files={"source": ("a.jpg", photo_bytes(), "image/jpeg")}
    )
    media = json.dumps([{"media_fbid": answer.json()["id"]}])
    refused(send("POST", f"/{PAGE}/feed", data={"attached_media": media}), 100)


def test_feed_refuses_a_photo_of_another_page(send: Send) -> None:
    fbid = unpublished_photo(send, "other", OTHER_PAGE)
    media = json.dumps([{"media_fbid": fbid}])
    refused(send("POST", f"/{PAGE}/feed", data={"attached_media": media}), 100)


def test_feed_refuses_a_photo_used_by_another_post(send: Send) -> None:
    media = json.dumps([{"media_fbid": unpublished_photo(send)}])
    assert send("POST", f"/{PAGE}/feed", data={"attached_media": media}).status_code == 200
    refused(send("POST", f"/{PAGE}/feed", data={"attached_media": media}), 100)


def test_feed_refuses_a_scheduled_post_with_photos_not_marked_temporary(send: Send) -> None:
    media = json.dumps([{"media_fbid": unpublished_photo(send)}])
    data = {"attached_media": media, "published": "false", "scheduled_publish_time": ahead(7200)}
    refused(send("POST", f"/{PAGE}/feed", data=data), 100)


def test_feed_takes_the_longest_message_and_what_a_careful_client_sends(send: Send) -> None:
    fbid = unpublished_photo(send)
    data = {"message": "x" * MESSAGE_MAX, "attached_media": json.dumps([{"media_fbid": fbid}])}
    assert send("POST", f"/{PAGE}/feed", data=data).status_code == 200


# -- /{page-id}/photos ---------------------------------------------------------------------------


def test_photos_need_a_url_or_a_source(send: Send) -> None:
    refused(send("POST", f"/{PAGE}/photos", data={"published": "false"}), 324)


def test_photos_must_be_images(send: Send) -> None:
    files = {"source": ("a.jpg", b"not an image", "image/jpeg")}
    refused(send("POST", f"/{PAGE}/photos", files=files), 324)


def test_photos_over_4_mb_are_refused(send: Send) -> None:
    big = photo_bytes() + b"\0" * (4 * 1024 * 1024)
    refused(send("POST", f"/{PAGE}/photos", files={"source": ("a.jpg", big, "image/jpeg")}), 100)


def test_photos_by_url_need_a_web_address(send: Send) -> None:
    refused(send("POST", f"/{PAGE}/photos", data={"url": "file:///etc/passwd"}), 100, 1609005)


# -- the resumable video upload ------------------------------------------------------------------

UPLOAD = {"file_name": "clip.mp4", "file_length": "10", "file_type": "video/mp4"}


@pytest.mark.parametrize(
    "change",
    [
        {"file_name": ""},
        {"file_length": ""},
        {"file_length": "0"},
        {"file_length": "ten"},
        {"file_type": ""},
        {"file_type": "image/jpeg"},
    ],
    ids=["no file_name", "no file_length", "zero length", "length not a number", "no file_type",
         "not a video"],
)  # fmt: skip
def test_upload_sessions_need_name_length_and_a_video_type(
    send: Send, change: dict[str, str]
) -> None:
    refused(send("POST", f"/{APP_ID}/uploads", data={**UPLOAD, **change}), 100)


def _session(send: Send) -> str:
    answer = send("POST", f"/{APP_ID}/uploads", data=UPLOAD)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def _chunk_headers(sandbox: SandboxServer, offset: str | None) -> dict[str, str]:
    token = control(sandbox, "page_token", page_id=PAGE)["access_token"]
    headers = {"Authorization": f"OAuth {token}"}
    return headers | ({"file_offset": offset} if offset is not None else {})


@pytest.mark.parametrize("offset", [None, "3", "-1"], ids=["missing", "ahead", "negative"])
def test_chunks_need_the_offset_facebook_expects(
    sandbox: SandboxServer, send: Send, offset: str | None
) -> None:
    url = f"{sandbox.url}/graph-video/v21.0/{_session(send)}"
    answer = requests.post(url, data=b"01234", headers=_chunk_headers(sandbox, offset), timeout=5)
    refused(answer, 100)


def test_chunks_need_the_oauth_header(sandbox: SandboxServer, send: Send) -> None:
    url = f"{sandbox.url}/graph-video/v21.0/{_session(send)}"
    token = control(sandbox, "page_token", page_id=PAGE)["access_token"]
    answer = requests.post(
        url, params={"access_token": token}, data=b"0", headers={"file_offset": "0"}, timeout=5
    )
    refused(answer, 190)


def test_chunks_cannot_exceed_file_length(sandbox: SandboxServer, send: Send) -> None:
    url = f"{sandbox.url}/graph-video/v21.0/{_session(send)}"
    answer = requests.post(url, data=b"x" * 11, headers=_chunk_headers(sandbox, "0"), timeout=5)
    refused(answer, 100)


def test_videos_need_a_finished_upload_handle(send: Send) -> None:
    data = {"fbuploader_video_file_chunk": "4::bm90:deadbeef", "title": "x"}
    refused(send("POST", f"/{PAGE}/videos", data=data), 100)


# -- corrections: POST and DELETE /{post-id} -----------------------------------------------------


def _post(send: Send, message: str = "Bài gốc") -> str:
    answer = send("POST", f"/{PAGE}/feed", data={"message": message})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def test_a_post_is_edited_and_deleted(send: Send) -> None:
    post_id = _post(send)
    assert send("POST", f"/{post_id}", data={"message": "Đã sửa"}).json() == {"success": True}
    assert send("GET", f"/{post_id}", params={"fields": "message"}).json()["message"] == "Đã sửa"
    assert send("DELETE", f"/{post_id}").json() == {"success": True}
    refused(send("GET", f"/{post_id}"), 100, 33)


@pytest.mark.parametrize(
    "data",
    [{"link": "https://asean.example/x"}, {"attached_media": "[]"}, {"published": "false"}, {}],
    ids=["link", "attached_media", "published", "nothing"],
)
def test_edits_take_only_the_message(send: Send, data: dict[str, str]) -> None:
    refused(send("POST", f"/{_post(send)}", data=data), 100)


def test_an_edit_cannot_make_the_message_too_long(send: Send) -> None:
    refused(send("POST", f"/{_post(send)}", data={"message": "x" * (MESSAGE_MAX + 1)}), 100)


def test_a_post_of_another_page_cannot_be_edited_or_deleted(send: Send) -> None:
    post_id = _post(send)
    refused(send("POST", f"/{post_id}", "other", data={"message": "x"}), 100, 33)
    refused(send("DELETE", f"/{post_id}", "other"), 100, 33)


def test_a_user_token_cannot_edit_a_page_post(send: Send) -> None:
    refused(send("POST", f"/{_post(send)}", "user", data={"message": "x"}), 200)


def test_a_deleted_post_cannot_be_deleted_again(send: Send) -> None:
    post_id = _post(send)
    assert send("DELETE", f"/{post_id}").status_code == 200
    refused(send("DELETE", f"/{post_id}"), 100, 33)


# -- the envelope ----------------------------------------------------------------------------


def test_every_refusal_comes_in_facebooks_envelope(send: Send) -> None:
    answer = send("POST", f"/{PAGE}/feed", data={"link": "ftp://x.example/"})
    error = refused(answer, 100, 1609005)
    assert set(answer.json()) == {"error"}
    assert {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"} <= set(error)
    assert error["type"] == "OAuthException" and error["is_transient"] is False
    assert error["message"].startswith("(#100)") and error["fbtrace_id"]
    assert answer.headers["Content-Type"].startswith("application/json")
