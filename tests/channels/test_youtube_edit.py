"""Correcting, rescheduling and taking down a YouTube video (videos.update, videos.delete), the
marker in its tags, and the checks that catch YouTube's rules before an upload."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from channels.base import (
    EDITABLE_FIELDS,
    AuthRequired,
    Editable,
    MediaFile,
    QuotaExceeded,
    Receipt,
    Rejected,
)
from channels.credentials import MemoryCredentials
from channels.sandbox.server import SandboxServer
from channels.sandbox.youtube_google import UPLOAD
from channels.youtube.adapter import YouTube
from tests.channels.test_youtube import issued, make_adapter, platform_of, publication, videos


def whole_seconds(hours: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)


def quota_used(sandbox: SandboxServer) -> int:
    return int(platform_of(sandbox).snapshot()["quota"]["used"])


def test_the_adapter_declares_what_it_can_edit() -> None:
    assert YouTube.capabilities.editable == {"title", "text", "hashtags", "scheduled_at"}
    assert YouTube.capabilities.editable <= EDITABLE_FIELDS and YouTube.capabilities.can_remove
    assert YouTube.capabilities.quota_cost["videos.update"] == 50


def test_the_marker_rides_in_the_tags_which_viewers_never_see(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    receipt = make_adapter(sandbox).publish(publication((mp4,), marker="loa-abc123-7-yt"))
    [video] = videos(sandbox)
    assert video["tags"][-1] == "loa-abc123-7-yt"
    assert receipt.url is not None
    assert "loa-abc123-7-yt" not in requests.get(receipt.url, timeout=5).text


@pytest.mark.parametrize("native", [True, False])
def test_publish_says_when_youtube_holds_the_video_until(
    sandbox: SandboxServer, mp4: MediaFile, native: bool
) -> None:
    at = whole_seconds(3)
    adapter = make_adapter(sandbox, settings={"native_schedule": native})
    receipt = adapter.publish(publication((mp4,), scheduled_at=at))
    assert receipt.scheduled_for == (at if native else None)
    found = adapter.find(publication((mp4,)), datetime.now(UTC) - timedelta(minutes=1))
    assert found is not None and found.scheduled_for == receipt.scheduled_for


def test_an_update_sends_title_description_and_tags_and_keeps_the_marker(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, settings={"privacy_status": "unlisted"})
    assert isinstance(adapter, Editable)
    pub = publication((mp4,))
    sent = adapter.publish(pub)
    before = quota_used(sandbox)
    title = "Festival Huế 2026 (đính chính)"
    edited = replace(pub, title=title, text="Lịch mới.", hashtags=("Hue",))
    receipt = adapter.update(edited, sent)
    [video] = videos(sandbox)
    assert video["title"] == title
    assert video["description"].startswith("Lịch mới.") and video["description"].endswith("#Hue")
    assert video["tags"] == ["Hue", "loa-7-yt"] and video["updates"] == 1
    assert video["privacyStatus"] == "unlisted" and video["publishAt"] is None  # status kept
    assert receipt.remote_id == sent.remote_id and receipt.url == sent.url
    assert receipt.scheduled_for is None
    assert quota_used(sandbox) - before == 1 + 50 and adapter.quota_used == 1600 + 1 + 50
    assert adapter.find(edited, datetime.now(UTC) - timedelta(minutes=1)) == receipt


def test_rescheduling_a_video_youtube_still_holds_moves_its_publish_at(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, settings={"native_schedule": True})
    pub = publication((mp4,), scheduled_at=whole_seconds(3))
    sent = adapter.publish(pub)
    moved = whole_seconds(27)
    receipt = adapter.update(replace(pub, scheduled_at=moved), sent)
    [video] = videos(sandbox)
    assert video["privacyStatus"] == "private" and video["visible_as"] == "private"
    assert video["publishAt"] == moved.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert receipt.scheduled_for == moved and receipt.published_at == moved


def test_rescheduling_a_held_video_to_now_makes_it_public(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, settings={"native_schedule": True})
    pub = publication((mp4,), scheduled_at=whole_seconds(3))
    sent = adapter.publish(pub)
    receipt = adapter.update(replace(pub, scheduled_at=None), sent)
    [video] = videos(sandbox)
    assert video["privacyStatus"] == "public" and video["publishAt"] is None
    assert receipt.scheduled_for is None


def test_an_update_of_a_video_removed_on_youtube_is_rejected(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    pub = publication((mp4,))
    sent = adapter.publish(pub)
    adapter.remove(sent)
    with pytest.raises(Rejected, match="no longer on YouTube"):
        adapter.update(pub, sent)


def test_an_update_that_youtube_refuses_maps_to_the_error_tree(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    pub = publication((mp4,))
    sent = adapter.publish(pub)
    with pytest.raises(Rejected, match="invalidTitle"):
        adapter.update(replace(pub, title="Huế <3"), sent)
    platform = platform_of(sandbox)
    with platform.lock:
        platform.control("exhaust_quota", {})
    with pytest.raises(QuotaExceeded):
        adapter.update(pub, sent)


def test_remove_deletes_the_video_and_a_video_already_gone_is_not_an_error(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, settings={"playlist_id": "PLsandboxHueASEANfestivals"})
    pub = publication((mp4,))
    sent = adapter.publish(pub)
    before = quota_used(sandbox)
    adapter.remove(sent)
    assert videos(sandbox) == []
    assert platform_of(sandbox).snapshot()["playlists"]["PLsandboxHueASEANfestivals"] == []
    adapter.remove(sent)
    adapter.remove(Receipt("neverthere1", None))
    assert quota_used(sandbox) - before == 150
    assert adapter.find(pub, datetime.now(UTC) - timedelta(minutes=5)) is None


def test_editing_with_an_upload_only_grant_needs_a_person(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    sent = make_adapter(sandbox).publish(publication((mp4,)))
    narrow = make_adapter(sandbox, credentials=MemoryCredentials(issued(sandbox, scopes=[UPLOAD])))
    with pytest.raises(AuthRequired, match="reconnect"):
        narrow.remove(sent)
    assert len(videos(sandbox)) == 1


# -- check: YouTube's rules before any upload --------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    [
        ({"title": "  "}, "title", "A title is required"),
        ({"title": "ế" * 101}, "title", "at most 100"),
        ({"title": "Huế <3 ASEAN"}, "title", "title may not contain < or >"),
        ({"text": "a > b"}, "body", "description may not contain < or >"),
        ({"text": "ế" * 1700}, "body", "bytes in UTF-8; YouTube takes at most 5000"),
        ({"hashtags": ("a" * 246, "b" * 245)}, "hashtags", "add up to 501"),  # + marker, commas
        ({"hashtags": ("a b",) * 3}, "hashtags", None),  # quotes count, but 27 is well within
        ({"settings": {"privacy_status": "friends"}}, "privacy_status", "`friends` is not valid"),
        ({"settings": {"category_id": "99"}}, "category_id", "category `99` is not valid"),
    ],
)
def test_check_catches_each_rule_in_both_languages(
    mp4: MediaFile, fields: dict[str, Any], field: str, expected: str | None
) -> None:
    problems = YouTube.check(publication((mp4,), **fields))
    if expected is None:
        assert problems == []
        return
    [problem] = [p for p in problems if expected in p.en]
    assert problem.field == field and problem.vi and problem.vi != problem.en


def test_the_tag_rule_reserves_room_for_the_marker(mp4: MediaFile) -> None:
    """499 characters of tags fit YouTube alone, but not with the marker Loa adds."""
    pub = publication((mp4,), hashtags=("a" * 249, "b" * 249), marker="loa-0123456789ab-7-yt")
    [problem] = YouTube.check(pub)
    assert problem.field == "hashtags" and "marker" in problem.en and "Loa" in problem.vi
    assert YouTube.check(replace(pub, hashtags=("a" * 238, "b" * 238))) == []
