"""Figures of YouTube videos: views, likes and comments, from videos.list.

CHANNELS.md, "Metrics": `videos.list(part="statistics", id="ID1,...")` takes up to 50 ids for
1 quota unit and answers `items[].statistics` with `viewCount`, `likeCount` and `commentCount`
as strings. `likeCount` is absent when the owner hid the likes (and `commentCount` when comments
are off): no figure, with a note, never 0. A deleted video is simply missing from `items`: gone.

The `status` part comes along at no extra cost (videos.list costs 1 unit whatever the parts), so
a video the owner made private, which the owner's own token still sees, counts as gone too; one
YouTube still holds for its publishAt is not gone, only not public yet.

One call per 50 ids, each spending `quota_cost["videos.list"]` units (the figure the collector
keeps in reserve for the day's planned uploads). Failures map through `client.classify`:
quotaExceeded is QuotaExceeded, a refused sign-in AuthRequired, 5xx and transport Retryable.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from channels.base import ChannelSetup, Figures, Problem, as_count
from channels.errors import Step
from channels.youtube.client import classify

log = logging.getLogger(__name__)

BATCH = 50  # videos.list refuses more ids (400 invalidFilters)
FIELDS = {"views": "viewCount", "reactions": "likeCount", "comments": "commentCount"}
NO_FIGURE = {
    "views": (
        "YouTube không báo lượt xem của video này.",
        "YouTube did not report this video's views.",
    ),
    "reactions": (
        "Chủ kênh đã ẩn số lượt thích của video này.",
        "The channel owner hid this video's likes.",
    ),
    "comments": (
        "YouTube không báo số bình luận của video này (bình luận có thể đã bị tắt).",
        "YouTube did not report this video's comments (they may be turned off).",
    ),
}


class YouTubeMetrics:
    """Mixed into `YouTube`, which supplies the hooks below."""

    setup: ChannelSetup

    def _service(self) -> Any:
        raise NotImplementedError

    def _spend(self, operation: str, settings: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def read_metrics(self, remote_ids: Sequence[str]) -> list[Figures]:
        wanted = list(dict.fromkeys(str(i) for i in remote_ids))
        if not wanted:
            return []
        found: dict[str, Mapping[str, Any]] = {}
        with self._service() as service:  # Resource.close() ends httplib2's connections
            for start in range(0, len(wanted), BATCH):
                batch = wanted[start : start + BATCH]
                what = Step(
                    f"reading the figures of {len(batch)} YouTube videos",
                    f"đọc số liệu của {len(batch)} video YouTube",
                )
                try:
                    answer = (
                        service.videos()
                        .list(part="statistics,status", id=",".join(batch))
                        .execute(num_retries=0)
                    )
                except Exception as error:
                    raise classify(error, what) from error
                self._spend("videos.list", self.setup.settings)
                for item in (answer or {}).get("items") or []:
                    if isinstance(item, Mapping) and item.get("id"):
                        found[str(item["id"])] = item
        log.info(
            "channel %s: figures of %d videos (%d answered)", self.setup.id, len(wanted), len(found)
        )
        return [_figures(str(i), found.get(str(i))) for i in remote_ids]


def _figures(video_id: str, video: Mapping[str, Any] | None) -> Figures:
    if video is None:
        return Figures(video_id, gone=True)
    status = video.get("status") or {}
    # Private without a publishAt: the owner took it down. With one, it is (or was) held for
    # its time, which is not gone.
    if status.get("privacyStatus") == "private" and not status.get("publishAt"):
        return Figures(video_id, gone=True)
    statistics = video.get("statistics") or {}
    values = {name: as_count(statistics.get(field)) for name, field in FIELDS.items()}
    notes = tuple(
        Problem(name, *NO_FIGURE[name]) for name, value in values.items() if value is None
    )
    return Figures(video_id, values, notes)
