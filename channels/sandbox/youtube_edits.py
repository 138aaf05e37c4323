"""videos.update and videos.delete in the YouTube sandbox, as the Data API v3 answers them.

    PUT    /youtube/v3/videos?part=snippet,status  {"id", "snippet", "status"}   50 units
    DELETE /youtube/v3/videos?id=ID                                            204, 50 units

An update replaces the parts it names: snippet properties it leaves out are cleared, and when the
snippet is sent its title and categoryId are required. `status.publishAt` may move only while the
video is private and has never been public. Both need the `youtube` scope; a video that is not
the channel's (or no longer exists) is 404 videoNotFound.
"""

from __future__ import annotations

from typing import Any

from channels.sandbox.server import Request, Response
from channels.sandbox.youtube_google import fail, google_error
from channels.sandbox.youtube_pages import privacy
from channels.sandbox.youtube_rules import refused_metadata

SNIPPET_FIELDS = ("title", "description", "tags", "categoryId", "defaultLanguage")
STATUS_FIELDS = (
    "privacyStatus",
    "publishAt",
    "embeddable",
    "license",
    "publicStatsViewable",
    "selfDeclaredMadeForKids",
)


class VideoEdits:
    """The editing half of YouTubeSandbox (a mixin: the sandbox supplies the hooks below)."""

    videos: dict[str, dict[str, Any]]
    order: list[str]
    playlists: dict[str, list[dict[str, Any]]]

    def _charge(self, operation: str) -> Response | None:
        raise NotImplementedError

    def _video_answer(self, video_id: str, part: str) -> Response:
        raise NotImplementedError

    def _update(self, request: Request) -> Response:
        refused = self._charge("videos.update")  # charged even when refused, as YouTube does
        if refused:
            return refused
        body = request.json()
        if not isinstance(body, dict) or not body.get("id"):
            return fail(400, "required", "Required parameter: id", "global")
        parts = {part.strip() for part in request.query["part"].split(",")}
        unknown = parts - {"snippet", "status"}
        if unknown:
            return fail(
                400,
                "unexpectedPart",
                f"The request specifies an unexpected value for the part parameter: {unknown}.",
                "youtube.part",
            )
        video = self.videos.get(str(body["id"]))
        if video is None:
            return google_error("videoNotFound")
        sent = {part: body.get(part) or {} for part in parts}
        refused = refused_metadata(sent, updating=True, ever_public=_ever_public(video))
        if refused:
            return refused
        if "snippet" in sent:
            snippet = video["snippet"]
            for name in SNIPPET_FIELDS:
                snippet.pop(name, None)
            snippet.update({k: v for k, v in sent["snippet"].items() if k in SNIPPET_FIELDS})
            snippet["tags"] = list(snippet.get("tags") or [])
            snippet["categoryId"] = str(snippet["categoryId"])
            snippet["localized"] = {
                "title": snippet["title"],
                "description": snippet.get("description", ""),
            }
            snippet.setdefault("description", "")
        if "status" in sent:
            status = video["status"]
            for name in STATUS_FIELDS:
                status.pop(name, None)
            status.update({k: v for k, v in sent["status"].items() if k in STATUS_FIELDS})
            status.setdefault("privacyStatus", "public")
            status["madeForKids"] = bool(status.get("selfDeclaredMadeForKids", False))
        video["_public_once"] = _ever_public(video)
        video["_updates"] = video.get("_updates", 0) + 1
        return self._video_answer(video["id"], request.query["part"])

    def _delete(self, request: Request) -> Response:
        refused = self._charge("videos.delete")
        if refused:
            return refused
        video_id = request.query.get("id", "")
        if not video_id:
            return fail(400, "required", "Required parameter: id", "global")
        if video_id not in self.videos:
            return google_error("videoNotFound")
        del self.videos[video_id]
        self.order.remove(video_id)
        for playlist, items in self.playlists.items():
            self.playlists[playlist] = [
                item for item in items if item["snippet"]["resourceId"]["videoId"] != video_id
            ]
        return Response.empty(204)


def _ever_public(video: dict[str, Any]) -> bool:
    """Whether anyone could ever watch it: then YouTube no longer takes a publishAt."""
    return bool(video.get("_public_once")) or privacy(video) != "private"
