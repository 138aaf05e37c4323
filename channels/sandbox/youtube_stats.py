"""videos.list in the YouTube sandbox, with the `statistics` part YouTube reports about a video.

    GET /youtube/v3/videos?part=statistics,...&id=ID1,ID2,...        1 unit, at most 50 ids

CHANNELS.md, "Metrics": `items[].statistics` carries `viewCount`, `likeCount`, `favoriteCount`
and `commentCount` as strings (`dislikeCount` is private to the owner, so it is never there);
`likeCount` is absent when the owner hid the likes. An id YouTube does not know (a deleted
video) is simply missing from `items`. More than 50 ids is refused as YouTube refuses it:
400 `invalidFilters`, "The request specifies an invalid filter parameter." (domain
youtube.parameter), charged like any other call.

The counts come from `channels.sandbox.figures.grow`, by the time since the video became
visible (its publishAt when YouTube held it, else its upload); a video still private has none
yet. Controls: `age_posts {"seconds": N}` makes every video that exists now N seconds older,
for its figures only (publishedAt stays, so reconciling by time is unaffected);
`hide_likes {"id": ID, "on": true}` hides (or shows again) the likes of one video, or of every
video when no id is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from channels.sandbox.figures import grow
from channels.sandbox.server import Request, Response
from channels.sandbox.youtube_google import fail, new_id, now, parse_time
from channels.sandbox.youtube_pages import privacy

CONTROLS = ("age_posts", "hide_likes")
MAX_IDS = 50
INVALID_FILTERS = "The request specifies an invalid filter parameter."


class VideoListing:
    """videos.list for YouTubeSandbox (a mixin: the sandbox supplies the hooks below)."""

    videos: dict[str, dict[str, Any]]

    def _parts(self, resource: Mapping[str, Any], part: str) -> dict[str, Any]:
        raise NotImplementedError

    def reset_listing(self) -> None:
        self.aged: dict[str, float] = {}  # video id -> seconds added to its age
        self.likes_hidden: set[str] = set()
        self.list_calls: list[int] = []  # ids asked by each videos.list call, in order

    def listing_control(self, command: str, args: Mapping[str, Any]) -> Any:
        if command == "hide_likes":
            chosen = [str(args["id"])] if args.get("id") else list(self.videos)
            if args.get("on", True):
                self.likes_hidden.update(chosen)
            else:
                self.likes_hidden.difference_update(chosen)
            return sorted(self.likes_hidden)
        seconds = float(args.get("seconds", 0))
        for video_id in self.videos:
            self.aged[video_id] = self.aged.get(video_id, 0.0) + seconds
        return len(self.videos)

    def _videos(self, request: Request) -> Response:
        asked = [v for v in request.query.get("id", "").split(",") if v]
        self.list_calls.append(len(asked))
        if len(asked) > MAX_IDS:
            return fail(400, "invalidFilters", INVALID_FILTERS, "youtube.parameter")
        part = request.query["part"]
        wanted = [v for v in asked if v in self.videos]
        items = [self._parts(self.videos[v], part) for v in wanted]
        if "statistics" in {p.strip() for p in part.split(",")}:
            for item in items:
                item["statistics"] = self.statistics(self.videos[item["id"]])
        return Response.json(
            {
                "kind": "youtube#videoListResponse",
                "etag": new_id(27),
                "items": items,
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            }
        )

    def statistics(self, video: Mapping[str, Any]) -> dict[str, str]:
        """The `statistics` part as YouTube would report it at this moment."""
        video_id = str(video["id"])
        age = 0.0
        if privacy(video) != "private":
            since = _visible_since(video)
            age = (now() - since).total_seconds() if since else 0.0
            age += self.aged.get(video_id, 0.0)
        counts = {
            "viewCount": grow(video_id, "views", age),
            "likeCount": grow(video_id, "reactions", age),
            "favoriteCount": 0,  # deprecated by YouTube: always 0
            "commentCount": grow(video_id, "comments", age),
        }
        if video_id in self.likes_hidden:
            del counts["likeCount"]
        return {name: str(count) for name, count in counts.items()}


def _visible_since(video: Mapping[str, Any]) -> datetime | None:
    held = (
        parse_time(video["status"].get("publishAt")) if video["status"].get("publishAt") else None
    )
    return held or parse_time(video["snippet"]["publishedAt"])
