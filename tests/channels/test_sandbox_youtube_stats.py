"""The YouTube sandbox's videos.list with `statistics`, as YouTube answers it: one test a rule.

Raw HTTP, so each answer is seen as a client sees it (the adapter's reading of the figures is
tested through google-api-python-client in test_youtube_metrics).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from channels.sandbox.figures import DAY, grow
from channels.sandbox.server import SandboxServer
from tests.channels.test_sandbox_youtube import bearer, refusal
from tests.channels.test_youtube import platform_of, videos

WEEK = 7 * DAY
SLACK = 600.0  # seconds a test may take between making a video older and reading it
STATISTICS = {"viewCount": "views", "likeCount": "reactions", "commentCount": "comments"}


def control(sandbox: SandboxServer, command: str, **args: Any) -> Any:
    platform = platform_of(sandbox)
    with platform.lock:
        return platform.control(command, args)


def quota(sandbox: SandboxServer) -> dict[str, int]:
    return dict(platform_of(sandbox).snapshot()["quota"])


def uploaded(sandbox: SandboxServer, count: int = 1, **status: Any) -> list[str]:
    """`count` small videos, uploaded as a client does it (a resumable session, one chunk); the
    quota their uploads spend is given back, so a test sees only what it reads."""
    control(sandbox, "set_quota", limit=10**9)
    ids: list[str] = []
    with requests.Session() as http:
        http.headers.update(bearer(sandbox))
        for number in range(count):
            opened = http.post(
                f"{sandbox.url}/youtube/upload/youtube/v3/videos",
                params={"uploadType": "resumable", "part": "snippet,status"},
                headers={"X-Upload-Content-Length": "1024", "X-Upload-Content-Type": "video/mp4"},
                json={
                    "snippet": {"title": f"Huế - ASEAN, video {number}", "categoryId": "25"},
                    "status": status,
                },
                timeout=5,
            )
            assert opened.status_code == 200, opened.text
            done = http.put(
                opened.headers["Location"],
                data=bytes(1024),
                headers={"Content-Range": "bytes 0-1023/1024"},
                timeout=5,
            )
            assert done.status_code == 200, done.text
            ids.append(str(done.json()["id"]))
    control(sandbox, "set_quota", limit=10_000, used=0)
    return ids


def listed(sandbox: SandboxServer, ids: list[str], part: str = "statistics") -> requests.Response:
    return requests.get(
        f"{sandbox.url}/youtube/youtube/v3/videos",
        params={"part": part, "id": ",".join(ids)},
        headers=bearer(sandbox),
        timeout=5,
    )


def statistics(sandbox: SandboxServer, ids: list[str]) -> dict[str, dict[str, str]]:
    answer = listed(sandbox, ids)
    assert answer.status_code == 200, answer.text
    assert answer.json()["kind"] == "youtube#videoListResponse"
    return {item["id"]: item["statistics"] for item in answer.json()["items"]}


def test_statistics_are_strings_grown_from_the_video_s_age(sandbox: SandboxServer) -> None:
    [video_id] = uploaded(sandbox)
    control(sandbox, "age_posts", seconds=WEEK)
    found = statistics(sandbox, [video_id])[video_id]
    assert set(found) == {"viewCount", "likeCount", "favoriteCount", "commentCount"}
    assert all(isinstance(value, str) for value in found.values())
    assert "dislikeCount" not in found and found["favoriteCount"] == "0"
    for field, metric in STATISTICS.items():
        assert grow(video_id, metric, WEEK) <= int(found[field])
        assert int(found[field]) <= grow(video_id, metric, WEEK + SLACK)
    assert int(found["viewCount"]) > 0


def test_age_posts_makes_videos_older_for_their_figures_only(sandbox: SandboxServer) -> None:
    [video_id] = uploaded(sandbox)
    published = videos(sandbox)[0]["publishedAt"]
    young = statistics(sandbox, [video_id])[video_id]
    assert control(sandbox, "age_posts", seconds=3 * DAY) == 1
    old = statistics(sandbox, [video_id])[video_id]
    assert int(old["viewCount"]) > int(young["viewCount"])
    assert int(old["viewCount"]) >= grow(video_id, "views", 3 * DAY)
    assert videos(sandbox)[0]["publishedAt"] == published
    [later] = uploaded(sandbox)  # made after the aging: young
    assert int(statistics(sandbox, [later])[later]["viewCount"]) < grow(later, "views", DAY)


def test_hidden_likes_leave_like_count_out(sandbox: SandboxServer) -> None:
    hidden, shown = uploaded(sandbox, 2)
    control(sandbox, "age_posts", seconds=DAY)
    control(sandbox, "hide_likes", id=hidden)
    found = statistics(sandbox, [hidden, shown])
    assert "likeCount" not in found[hidden] and found[hidden]["viewCount"]
    assert found[shown]["likeCount"].isdigit()
    control(sandbox, "hide_likes", id=hidden, on=False)
    assert statistics(sandbox, [hidden])[hidden]["likeCount"].isdigit()


def test_a_deleted_or_unknown_video_is_missing_from_items(sandbox: SandboxServer) -> None:
    kept, deleted = uploaded(sandbox, 2)
    gone = requests.delete(
        f"{sandbox.url}/youtube/youtube/v3/videos",
        params={"id": deleted},
        headers=bearer(sandbox),
        timeout=5,
    )
    assert gone.status_code == 204
    answer = listed(sandbox, [kept, deleted, "noSuchVide0"])
    assert answer.status_code == 200
    assert [item["id"] for item in answer.json()["items"]] == [kept]
    assert answer.json()["pageInfo"]["totalResults"] == 1


def test_more_than_50_ids_are_refused_as_invalid_filters(sandbox: SandboxServer) -> None:
    ids = uploaded(sandbox, 2)
    fifty = ids + [f"unknown{n:04d}" for n in range(48)]
    assert len(statistics(sandbox, fifty)) == 2
    error = refusal(listed(sandbox, [*fifty, "unknown0048"]), 400, "invalidFilters")
    assert error["message"] == "The request specifies an invalid filter parameter."
    assert error["errors"][0]["domain"] == "youtube.parameter"


def test_a_call_costs_1_unit_and_is_refused_once_the_quota_is_spent(
    sandbox: SandboxServer,
) -> None:
    ids = uploaded(sandbox, 3)
    statistics(sandbox, ids)
    statistics(sandbox, ids[:1])
    assert quota(sandbox)["used"] == 2
    assert platform_of(sandbox).snapshot()["videos_list_calls"] == [3, 1]
    control(sandbox, "exhaust_quota")
    error = refusal(listed(sandbox, ids), 403, "quotaExceeded")
    assert error["errors"][0]["domain"] == "youtube.quota"
    assert quota(sandbox)["used"] == quota(sandbox)["limit"]


def test_a_video_held_for_its_publish_at_has_no_audience_yet(sandbox: SandboxServer) -> None:
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    [held] = uploaded(sandbox, privacyStatus="private", publishAt=later)
    control(sandbox, "age_posts", seconds=WEEK)
    found = statistics(sandbox, [held])[held]
    assert found == {"viewCount": "0", "likeCount": "0", "favoriteCount": "0", "commentCount": "0"}
