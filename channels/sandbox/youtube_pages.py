"""What a viewer of the YouTube sandbox sees: the watch page, the video bytes, the channel page.

A video scheduled with publishAt stays private until its time and then shows by itself. Tags are
not shown: YouTube keeps them for search, viewers never see them (the hashtags that show are the
ones in the description).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from typing import Any

from channels.sandbox.server import Request, Response, page
from channels.sandbox.youtube_google import now, parse_time


def privacy(video: Mapping[str, Any]) -> str:
    """A scheduled video turns public by itself once its publishAt has passed."""
    status = video["status"]
    when = parse_time(status.get("publishAt"))
    if status["privacyStatus"] == "private" and when is not None and when <= now():
        return "public"
    return str(status["privacyStatus"])


def watch(video: Mapping[str, Any] | None, base: str) -> Response:
    """YouTube's watch page answers 200 either way; a private video is simply unavailable."""
    if video is None or privacy(video) == "private":
        return Response.html(page("YouTube", "<p>Video không khả dụng. / Video unavailable.</p>"))
    return Response.html(page(video["snippet"]["title"], article(video, base)))


def article(video: Mapping[str, Any], base: str) -> str:
    snippet, video_id = video["snippet"], html.escape(video["id"])
    poster = f' poster="{base}/thumbnail/{video_id}"' if video["_thumb"] else ""
    description = html.escape(snippet["description"]).replace("\n", "<br>")
    return (
        f'<article><h2><a href="{base}/watch?v={video_id}">{html.escape(snippet["title"])}</a>'
        f'</h2><video controls preload="metadata" src="{base}/media/{video_id}"{poster}></video>'
        f'<p class="meta">{html.escape(snippet["publishedAt"])}</p>'
        f"<p>{description}</p></article>"
    )


def media(request: Request, video: Mapping[str, Any] | None, kind: str) -> Response:
    """The uploaded bytes (with byte ranges, so a browser can seek) or the thumbnail."""
    missing = Response.html(page("404", "<p>Not Found</p>"), 404)
    if video is None or privacy(video) == "private":
        return missing
    if kind == "thumbnail":
        if not video["_thumb"]:
            return missing
        data, mime = video["_thumb"]
        return Response(200, data, {"Content-Type": mime})
    data, mime = video["_bytes"], video["_mime"]
    wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", request.headers.get("Range", ""))
    if wanted is None:
        return Response(200, data, {"Content-Type": mime, "Accept-Ranges": "bytes"})
    first = int(wanted[1])
    last = min(int(wanted[2]) if wanted[2] else len(data) - 1, len(data) - 1)
    if first > last:
        return Response(416, b"", {"Content-Range": f"bytes */{len(data)}"})
    headers = {
        "Content-Type": mime,
        "Accept-Ranges": "bytes",
        "Content-Range": f"bytes {first}-{last}/{len(data)}",
    }
    return Response(206, data[first : last + 1], headers)


def summary(video: Mapping[str, Any]) -> dict[str, Any]:
    """A video as the sandbox's state shows it: what was published, and how it arrived."""
    snippet, status = video["snippet"], video["status"]
    return {
        "id": video["id"],
        "title": snippet["title"],
        "description": snippet["description"],
        "tags": snippet["tags"],
        "categoryId": snippet["categoryId"],
        "publishedAt": snippet["publishedAt"],
        "privacyStatus": status["privacyStatus"],
        "publishAt": status.get("publishAt"),
        "visible_as": privacy(video),
        "bytes": len(video["_bytes"]),
        "sha256": hashlib.sha256(video["_bytes"]).hexdigest(),
        "mime": video["_mime"],
        "thumbnail": video["_thumb"] is not None,
        "upload": video["_upload"],
        "updates": video.get("_updates", 0),
    }
