"""The YouTube sandbox refuses what YouTube refuses, in Google's error envelope: one test a rule.

Raw HTTP, so each rule is seen as a client sees it (the adapter's own tests go through the
client library).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from channels.base import MediaFile
from channels.sandbox.server import SandboxServer
from channels.sandbox.youtube_google import UPLOAD
from tests.channels.test_youtube import issued, make_adapter, platform_of, publication, videos

CHUNK = 256 * 1024
GOOD = {"snippet": {"title": "Huế - ASEAN", "categoryId": "25"}, "status": {}}


def bearer(sandbox: SandboxServer, **args: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issued(sandbox, **args)['token']}"}


def open_upload(
    sandbox: SandboxServer, metadata: dict[str, Any], length: int = 3 * CHUNK
) -> requests.Response:
    return requests.post(
        f"{sandbox.url}/youtube/upload/youtube/v3/videos",
        params={"uploadType": "resumable", "part": "snippet,status"},
        headers={
            **bearer(sandbox),
            "X-Upload-Content-Length": str(length),
            "X-Upload-Content-Type": "video/mp4",
        },
        json=metadata,
        timeout=5,
    )


def refusal(answer: requests.Response, status: int, reason: str) -> dict[str, Any]:
    """Google's envelope: {"error": {"code", "message", "errors": [{"reason", ...}], "status"}}."""
    assert answer.status_code == status, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert error["code"] == status and error["message"] and error["status"]
    assert error["errors"][0]["reason"] == reason
    return error


def with_snippet(**fields: Any) -> dict[str, Any]:
    return {**GOOD, "snippet": {**GOOD["snippet"], **fields}}


def later(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the metadata of videos.insert -------------------------------------------------------------


def test_a_title_is_required(sandbox: SandboxServer) -> None:
    refusal(open_upload(sandbox, {"snippet": {"categoryId": "25"}}), 400, "invalidTitle")


def test_a_title_has_at_most_100_characters(sandbox: SandboxServer) -> None:
    assert open_upload(sandbox, with_snippet(title="ế" * 100)).status_code == 200
    refusal(open_upload(sandbox, with_snippet(title="ế" * 101)), 400, "invalidTitle")


def test_a_title_has_no_angle_brackets(sandbox: SandboxServer) -> None:
    refusal(open_upload(sandbox, with_snippet(title="Huế <3 ASEAN")), 400, "invalidTitle")


def test_a_description_has_no_angle_brackets(sandbox: SandboxServer) -> None:
    answer = open_upload(sandbox, with_snippet(description="a > b"))
    refusal(answer, 400, "invalidDescription")


def test_a_description_has_at_most_5000_bytes(sandbox: SandboxServer) -> None:
    assert open_upload(sandbox, with_snippet(description="ế" * 1666)).status_code == 200
    # 1,700 characters, 5,100 bytes: YouTube counts the bytes
    refusal(open_upload(sandbox, with_snippet(description="ế" * 1700)), 400, "invalidDescription")


def test_tags_have_500_characters_in_all_commas_included(sandbox: SandboxServer) -> None:
    assert open_upload(sandbox, with_snippet(tags=["a" * 249, "b" * 250])).status_code == 200
    answer = open_upload(sandbox, with_snippet(tags=["a" * 250, "b" * 250]))  # 500 + a comma
    refusal(answer, 400, "invalidTags")


def test_a_tag_with_a_space_counts_its_quotes(sandbox: SandboxServer) -> None:
    answer = open_upload(sandbox, with_snippet(tags=["a" * 200 + " " + "b" * 298]))  # 499 + ""
    refusal(answer, 400, "invalidTags")


def test_the_privacy_status_is_one_of_youtube_s(sandbox: SandboxServer) -> None:
    answer = open_upload(sandbox, {**GOOD, "status": {"privacyStatus": "friends"}})
    error = refusal(answer, 400, "invalid")
    assert error["status"] == "INVALID_ARGUMENT" and "privacy_status" in error["message"]


def test_publish_at_needs_a_private_video(sandbox: SandboxServer) -> None:
    status = {"privacyStatus": "public", "publishAt": later(2)}
    refusal(open_upload(sandbox, {**GOOD, "status": status}), 400, "invalidPublishAt")


def test_publish_at_is_in_the_future(sandbox: SandboxServer) -> None:
    status = {"privacyStatus": "private", "publishAt": later(-1)}
    refusal(open_upload(sandbox, {**GOOD, "status": status}), 400, "invalidPublishAt")
    ahead = {"privacyStatus": "private", "publishAt": later(1)}
    assert open_upload(sandbox, {**GOOD, "status": ahead}).status_code == 200


def test_the_category_is_one_youtube_assigns(sandbox: SandboxServer) -> None:
    refusal(open_upload(sandbox, with_snippet(categoryId="99")), 400, "invalidCategoryId")


# -- the resumable protocol --------------------------------------------------------------------


def test_the_initiating_post_is_answered_200_with_the_session_s_location(
    sandbox: SandboxServer,
) -> None:
    answer = open_upload(sandbox, GOOD)
    assert answer.status_code == 200  # exactly: google-api-python-client takes nothing else
    assert answer.headers["Location"].startswith(f"{sandbox.url}/youtube/upload/youtube/v3/")
    assert "upload_id=" in answer.headers["Location"] and answer.content == b""


def put(location: str, first: int, data: bytes, total: int) -> requests.Response:
    span = f"bytes {first}-{first + len(data) - 1}/{total}"
    return requests.put(location, data=data, headers={"Content-Range": span}, timeout=5)


def test_a_chunk_other_than_the_last_is_a_multiple_of_256_kib(sandbox: SandboxServer) -> None:
    total = 2 * CHUNK + 10
    location = open_upload(sandbox, GOOD, total).headers["Location"]
    error = refusal(put(location, 0, b"x" * (CHUNK + 1), total), 400, "badRequest")
    assert "262144" in error["message"]
    assert put(location, 0, b"x" * 2 * CHUNK, total).status_code == 308
    assert put(location, 2 * CHUNK, b"y" * 10, total).status_code == 200  # the last: any size


@pytest.mark.parametrize("first", [0, CHUNK, 3 * CHUNK], ids=["again", "overlap", "gap"])
def test_a_chunk_not_starting_where_the_upload_stands_is_refused(
    sandbox: SandboxServer, first: int
) -> None:
    total = 4 * CHUNK
    location = open_upload(sandbox, GOOD, total).headers["Location"]
    assert put(location, 0, b"a" * 2 * CHUNK, total).headers["Range"] == f"bytes=0-{2 * CHUNK - 1}"
    error = refusal(put(location, first, b"b" * CHUNK, total), 400, "badRequest")
    assert f"stands at {2 * CHUNK}" in error["message"]
    asked = requests.put(location, headers={"Content-Range": f"bytes */{total}"}, timeout=5)
    assert asked.status_code == 308 and asked.headers["Range"] == f"bytes=0-{2 * CHUNK - 1}"
    assert put(location, 2 * CHUNK, b"c" * 2 * CHUNK, total).status_code == 200
    [video] = videos(sandbox)
    assert video["upload"]["refused"] == 1 and video["bytes"] == total


def test_a_session_with_nothing_stored_answers_308_without_range(sandbox: SandboxServer) -> None:
    location = open_upload(sandbox, GOOD).headers["Location"]
    asked = requests.put(location, headers={"Content-Range": f"bytes */{3 * CHUNK}"}, timeout=5)
    assert asked.status_code == 308 and "Range" not in asked.headers


# -- quota -------------------------------------------------------------------------------------


def test_a_spent_quota_is_refused_in_google_s_envelope(sandbox: SandboxServer) -> None:
    platform = platform_of(sandbox)
    with platform.lock:
        platform.control("exhaust_quota", {})
    error = refusal(open_upload(sandbox, GOOD), 403, "quotaExceeded")
    assert error["errors"][0]["domain"] == "youtube.quota" and error["status"]
    read = requests.get(
        f"{sandbox.url}/youtube/youtube/v3/channels",
        params={"part": "id", "mine": "true"},
        headers=bearer(sandbox),
        timeout=5,
    )
    refusal(read, 403, "quotaExceeded")


# -- videos.update and videos.delete -----------------------------------------------------------


def a_video(sandbox: SandboxServer, mp4: MediaFile, **settings: Any) -> str:
    scheduled = datetime.now(UTC) + timedelta(days=1)
    receipt = make_adapter(sandbox, settings=settings).publish(
        publication((mp4,), scheduled_at=scheduled)
    )
    return receipt.remote_id


def update(sandbox: SandboxServer, body: dict[str, Any], **token: Any) -> requests.Response:
    return requests.put(
        f"{sandbox.url}/youtube/youtube/v3/videos",
        params={"part": ",".join(k for k in ("snippet", "status") if k in body)},
        headers=bearer(sandbox, **token),
        json=body,
        timeout=5,
    )


def quota_used(sandbox: SandboxServer) -> int:
    return int(platform_of(sandbox).snapshot()["quota"]["used"])


def test_an_update_replaces_the_snippet_and_costs_50_units(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    video_id = a_video(sandbox, mp4)
    before = quota_used(sandbox)
    answer = update(sandbox, {"id": video_id, "snippet": {"title": "Mới", "categoryId": "27"}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["snippet"]["title"] == "Mới" and answer.json()["snippet"]["tags"] == []
    assert quota_used(sandbox) - before == 50
    [video] = videos(sandbox)
    assert video["title"] == "Mới" and video["description"] == "" and video["updates"] == 1


def test_an_update_of_the_snippet_needs_its_category(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    video_id = a_video(sandbox, mp4)
    refusal(
        update(sandbox, {"id": video_id, "snippet": {"title": "Mới"}}), 400, "invalidCategoryId"
    )


def test_an_update_follows_the_insert_rules(sandbox: SandboxServer, mp4: MediaFile) -> None:
    video_id = a_video(sandbox, mp4)
    body = {"id": video_id, "snippet": {"title": "a <b>", "categoryId": "25"}}
    refusal(update(sandbox, body), 400, "invalidTitle")


def test_publish_at_moves_only_while_the_video_was_never_public(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    held = a_video(sandbox, mp4, native_schedule=True)
    moved = {"privacyStatus": "private", "publishAt": later(30)}
    assert update(sandbox, {"id": held, "status": moved}).status_code == 200
    public = a_video(sandbox, mp4)
    refusal(update(sandbox, {"id": public, "status": moved}), 400, "invalidPublishAt")


def test_an_update_of_an_unknown_video_is_video_not_found(sandbox: SandboxServer) -> None:
    body = {"id": "nosuchvideo", "snippet": {"title": "x", "categoryId": "25"}}
    refusal(update(sandbox, body), 404, "videoNotFound")


def test_editing_needs_the_youtube_scope(sandbox: SandboxServer, mp4: MediaFile) -> None:
    video_id = a_video(sandbox, mp4)
    body = {"id": video_id, "snippet": {"title": "x", "categoryId": "25"}}
    refusal(update(sandbox, body, scopes=[UPLOAD]), 403, "insufficientPermissions")


def test_a_delete_answers_204_then_video_not_found_and_costs_50_units_each(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    video_id = a_video(sandbox, mp4)
    before = quota_used(sandbox)

    def delete() -> requests.Response:
        return requests.delete(
            f"{sandbox.url}/youtube/youtube/v3/videos",
            params={"id": video_id},
            headers=bearer(sandbox),
            timeout=5,
        )

    first = delete()
    assert first.status_code == 204 and first.content == b""
    assert videos(sandbox) == []
    refusal(delete(), 404, "videoNotFound")
    assert quota_used(sandbox) - before == 100
