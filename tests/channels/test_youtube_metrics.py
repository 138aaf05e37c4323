"""Views, likes and comments of YouTube videos: the adapter reading them from the sandbox.

google-api-python-client runs unchanged against the sandbox, which answers videos.list's
`statistics` from `channels.sandbox.figures.grow` and keeps every call's ids and the quota spent
(`videos_list_calls`, `quota` in its state), so the tests count requests and units there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from channels.base import (
    AuthRequired,
    Figures,
    Measurable,
    QuotaExceeded,
    Receipt,
    Retryable,
)
from channels.sandbox.figures import DAY, grow
from channels.sandbox.server import SandboxServer
from channels.youtube.adapter import YouTube
from tests.channels.test_sandbox_youtube import bearer
from tests.channels.test_sandbox_youtube_stats import SLACK, control, quota, uploaded
from tests.channels.test_youtube import assert_no_secret, make_adapter, platform_of, set_faults

WEEK = 7 * DAY


def calls(sandbox: SandboxServer) -> list[int]:
    """The number of ids each videos.list call asked for, in order."""
    return list(platform_of(sandbox).snapshot()["videos_list_calls"])


def within(figure: int | None, video_id: str, metric: str, age: float) -> bool:
    """The figure the sandbox grew for this video at `age`, give or take the test's own time."""
    assert figure is not None
    return grow(video_id, metric, age) <= figure <= grow(video_id, metric, age + SLACK)


def test_youtube_declares_its_figures_and_what_a_call_costs() -> None:
    caps = YouTube.capabilities
    assert issubclass(YouTube, Measurable)
    assert caps.metrics == frozenset({"views", "reactions", "comments"})
    assert caps.metrics_batch == 50
    assert caps.quota_cost["videos.list"] == 1


def test_youtube_s_strings_become_counts(sandbox: SandboxServer) -> None:
    first, second = uploaded(sandbox, 2)
    control(sandbox, "age_posts", seconds=WEEK)
    figures = make_adapter(sandbox).read_metrics([second, first])
    assert [f.remote_id for f in figures] == [second, first]
    for found in figures:
        assert not found.gone and found.notes == ()
        assert set(found.values) == {"views", "reactions", "comments"}
        assert all(isinstance(value, int) for value in found.values.values())
        assert within(found.values["views"], found.remote_id, "views", WEEK)
        assert within(found.values["reactions"], found.remote_id, "reactions", WEEK)
        assert within(found.values["comments"], found.remote_id, "comments", WEEK)
    assert calls(sandbox) == [2]


def test_hidden_likes_are_no_figure_with_a_note(sandbox: SandboxServer) -> None:
    hidden, shown = uploaded(sandbox, 2)
    control(sandbox, "age_posts", seconds=DAY)
    control(sandbox, "hide_likes", id=hidden)
    by_id = {f.remote_id: f for f in make_adapter(sandbox).read_metrics([hidden, shown])}
    assert by_id[hidden].values["reactions"] is None
    assert within(by_id[hidden].values["views"], hidden, "views", DAY)
    [note] = by_id[hidden].notes
    assert note.field == "reactions"
    assert note.vi == "Chủ kênh đã ẩn số lượt thích của video này."
    assert "hid" in note.en
    assert within(by_id[shown].values["reactions"], shown, "reactions", DAY)
    assert by_id[shown].notes == ()


def test_deleted_and_private_videos_are_gone_a_held_one_is_not(sandbox: SandboxServer) -> None:
    kept, deleted, hidden = uploaded(sandbox, 3)
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    [held] = uploaded(sandbox, privacyStatus="private", publishAt=later)
    adapter = make_adapter(sandbox)
    adapter.remove(Receipt(deleted, None))
    made_private = requests.put(  # the owner takes it down in YouTube Studio
        f"{sandbox.url}/youtube/youtube/v3/videos",
        params={"part": "status"},
        headers=bearer(sandbox),
        json={"id": hidden, "status": {"privacyStatus": "private"}},
        timeout=5,
    )
    assert made_private.status_code == 200, made_private.text
    control(sandbox, "age_posts", seconds=DAY)
    by_id = {f.remote_id: f for f in adapter.read_metrics([kept, deleted, hidden, held])}
    assert by_id[deleted] == Figures(deleted, gone=True)
    assert by_id[hidden] == Figures(hidden, gone=True)
    assert not by_id[kept].gone and within(by_id[kept].values["views"], kept, "views", DAY)
    assert not by_id[held].gone
    assert by_id[held].values == {"views": 0, "reactions": 0, "comments": 0}
    assert calls(sandbox) == [4]


def test_120_videos_take_3_calls_and_3_quota_units(sandbox: SandboxServer) -> None:
    ids = uploaded(sandbox, 120)
    control(sandbox, "age_posts", seconds=DAY)
    adapter = make_adapter(sandbox)
    figures = adapter.read_metrics(ids)
    assert [f.remote_id for f in figures] == ids
    assert all(not f.gone and f.values["views"] is not None for f in figures)
    assert calls(sandbox) == [50, 50, 20]
    assert adapter.quota_used == 3
    assert quota(sandbox)["used"] == 3


def test_nothing_asked_makes_no_call(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    assert adapter.read_metrics([]) == []
    assert calls(sandbox) == [] and adapter.quota_used == 0


def test_a_spent_quota_is_quota_exceeded_until_midnight_pacific(sandbox: SandboxServer) -> None:
    ids = uploaded(sandbox, 2)
    control(sandbox, "exhaust_quota")
    adapter = make_adapter(sandbox)
    with pytest.raises(QuotaExceeded) as caught:
        adapter.read_metrics(ids)
    assert caught.value.until is not None and caught.value.until > datetime.now(UTC)
    assert "quotaExceeded" in str(caught.value)
    assert adapter.quota_used == 0
    assert_no_secret(caught.value, adapter)


def test_a_revoked_sign_in_is_auth_required(sandbox: SandboxServer) -> None:
    ids = uploaded(sandbox, 2)
    adapter = make_adapter(sandbox)
    control(sandbox, "revoke")
    with pytest.raises(AuthRequired) as caught:
        adapter.read_metrics(ids)
    assert "connect" in str(caught.value)
    assert_no_secret(caught.value, adapter)


def test_youtube_s_trouble_is_retryable(sandbox: SandboxServer) -> None:
    ids = uploaded(sandbox, 2)
    adapter = make_adapter(sandbox)
    set_faults(sandbox, fail_next=["503"], paths=["/youtube/v3/videos"])
    with pytest.raises(Retryable):
        adapter.read_metrics(ids)
    assert len(adapter.read_metrics(ids)) == 2
