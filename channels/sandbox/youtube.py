"""A stand-in for the YouTube Data API v3, its resumable uploads and Google's OAuth endpoints.

Mounted at /youtube, so `api_base: http://127.0.0.1:8765/youtube` is the discovery document's
`rootUrl`, and google-api-python-client works against it unchanged:

    GET  /o/oauth2/auth                 consent: approves at once, 302 to redirect_uri?code&state
    POST /token                         authorization_code (PKCE checked) and refresh_token grants
    POST /upload/youtube/v3/videos      ?uploadType=resumable: 200 (exactly) + Location
    PUT  /upload/youtube/v3/videos      ?upload_id=: chunks with Content-Range, 308 + Range until
                                        the last (200 + the video); `bytes */N` asks where it
                                        stands (youtube_upload: what a chunk must be)
    POST /upload/youtube/v3/thumbnails/set   ?videoId&uploadType=media (needs a verified channel)
    GET  /youtube/v3/channels|videos|search|playlistItems, POST /youtube/v3/playlistItems
    PUT  /youtube/v3/videos, DELETE /youtube/v3/videos     videos.update, videos.delete
    GET  /watch?v=ID, /media/ID, /thumbnail/ID      what a viewer sees, and the bytes behind it

Metadata is refused as YouTube refuses it (youtube_rules). Errors come in Google's envelope with
the right status; quota is counted per call (10,000 units a day by default; an insert 1,600, an
update or a delete 50, a search 100, other reads 1). Controls: expire_tokens, revoke, exhaust_quota,
set_quota {limit, used}, set_verified {verified}, issue_tokens {scopes, expires_in}; videos.list,
its `statistics` and the figures' controls age_posts and hide_likes: channels.sandbox.youtube_stats.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from channels.sandbox import youtube_pages as pages
from channels.sandbox.server import Platform, Request, Response, generic_error, page
from channels.sandbox.youtube_edits import VideoEdits
from channels.sandbox.youtube_google import (
    ERRORS,
    MANAGE,
    OAUTH_ERRORS,
    READ,
    UPLOAD,
    GoogleAccounts,
    fail,
    google_error,
    new_id,
    now_rfc3339,
    oauth_error,
)
from channels.sandbox.youtube_stats import CONTROLS as LISTING_CONTROLS
from channels.sandbox.youtube_stats import VideoListing
from channels.sandbox.youtube_upload import ResumableUploads

CHANNEL_ID = "UCsandboxHueASEAN00001a"
CHANNEL_TITLE = "Huế - ASEAN"
UPLOADS = "UU" + CHANNEL_ID[2:]  # the channel's uploads playlist
PLAYLIST = "PLsandboxHueASEANfestivals"  # one playlist of the channel's own
COSTS = {
    "videos.insert": 1600,
    "videos.update": 50,
    "videos.delete": 50,
    "thumbnails.set": 50,
    "playlistItems.insert": 50,
    "search": 100,
}


class YouTubeSandbox(ResumableUploads, VideoEdits, VideoListing, Platform):
    name: ClassVar[str] = "youtube"
    title: ClassVar[str] = "YouTube · Huế - ASEAN (sandbox)"
    prefixes: ClassVar[tuple[str, ...]] = ("/youtube",)

    def reset(self) -> None:
        self.videos: dict[str, dict[str, Any]] = {}  # id -> resource + "_bytes", "_mime", ...
        self.order: list[str] = []  # upload order, oldest first
        self.sessions: dict[str, dict[str, Any]] = {}  # upload_id -> resumable session
        self.playlists: dict[str, list[dict[str, Any]]] = {PLAYLIST: []}
        self.accounts = GoogleAccounts()
        self.quota_limit, self.quota_used = 10_000, 0
        self.verified = True
        self.reset_listing()

    # -- the framework's hooks ----------------------------------------------------------------

    def error_response(self, code: str) -> Response:
        if code in ERRORS:
            return google_error(code)
        if code in OAUTH_ERRORS:
            return oauth_error(code)
        return generic_error(code) or google_error("500")

    def control(self, command: str, args: Mapping[str, Any]) -> Any:
        if command == "expire_tokens":
            return self.accounts.expire()
        if command == "revoke":
            return self.accounts.revoke()
        if command == "exhaust_quota":
            self.quota_used = self.quota_limit
            return self.quota_used
        if command == "set_quota":
            self.quota_limit = int(args.get("limit", self.quota_limit))
            self.quota_used = int(args.get("used", self.quota_used))
            return {"limit": self.quota_limit, "used": self.quota_used}
        if command == "set_verified":
            self.verified = bool(args.get("verified", True))
            return self.verified
        if command in LISTING_CONTROLS:
            return self.listing_control(command, args)
        if command == "issue_tokens":
            scopes = list(args.get("scopes") or [UPLOAD, MANAGE])
            return self.accounts.issue(scopes, int(args.get("expires_in", 3599)), refresh=None)
        raise KeyError(command)

    def snapshot(self) -> Any:
        return {
            "channel": {"id": CHANNEL_ID, "verified": self.verified},
            "videos": [pages.summary(self.videos[video_id]) for video_id in self.order],
            "playlists": {
                key: [i["snippet"]["resourceId"]["videoId"] for i in items]
                for key, items in self.playlists.items()
            },
            "uploads_open": sum(1 for s in self.sessions.values() if not s.get("video_id")),
            "quota": {"used": self.quota_used, "limit": self.quota_limit},
            "videos_list_calls": list(self.list_calls),  # ids asked by each call
            "tokens": {"access": len(self.accounts.access), "refresh": len(self.accounts.refresh)},
        }

    def public_page(self) -> str:
        shown = [self.videos[v] for v in reversed(self.order)]
        shown = [video for video in shown if pages.privacy(video) == "public"]
        if not shown:
            return page(self.title, "<p>Chưa có video nào được công khai.</p>")
        return page(self.title, "".join(pages.article(video, self.prefixes[0]) for video in shown))

    # -- routing ------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == "/o/oauth2/auth" and method == "GET":
            return self.accounts.consent(request)
        if path == "/token" and method == "POST":
            return self.accounts.token(request)
        if path == "/watch" and method == "GET":
            return pages.watch(self.videos.get(request.query.get("v", "")), self.prefixes[0])
        media = re.fullmatch(r"/(media|thumbnail)/([\w-]+)", path)
        if media and method == "GET":
            return pages.media(request, self.videos.get(media[2]), media[1])
        if path == "/upload/youtube/v3/videos" and method == "PUT":
            return self._chunk(request)  # the session id is the credential: no token needed
        grant = self.accounts.grant(request)
        if isinstance(grant, Response):
            return grant
        routes = {
            ("POST", "/upload/youtube/v3/videos"): (self._open_upload, (UPLOAD, MANAGE)),
            ("POST", "/upload/youtube/v3/thumbnails/set"): (self._thumbnail, (UPLOAD, MANAGE)),
            ("GET", "/youtube/v3/channels"): (self._channels, (READ, MANAGE)),
            ("GET", "/youtube/v3/videos"): (self._videos, (READ, MANAGE)),
            ("PUT", "/youtube/v3/videos"): (self._update, (MANAGE,)),
            ("DELETE", "/youtube/v3/videos"): (self._delete, (MANAGE,)),
            ("GET", "/youtube/v3/search"): (self._search, (READ, MANAGE)),
            ("GET", "/youtube/v3/playlistItems"): (self._playlist_items, (READ, MANAGE)),
            ("POST", "/youtube/v3/playlistItems"): (self._insert_item, (MANAGE,)),
        }
        route = routes.get((method, path))
        if route is None:
            return fail(404, "notFound", "Not Found", "global")
        handler, needs = route
        if not set(needs) & grant["scopes"]:
            return google_error("insufficientPermissions")
        needs_part = path.startswith("/youtube/v3/") and method != "DELETE"
        if needs_part and "part" not in request.query:
            return fail(400, "required", "Required parameter: part", "global")
        if method == "GET" and path != "/youtube/v3/search":  # search charges 100 itself
            refused = self._charge("read")
            if refused:
                return refused
        return handler(request)

    def _charge(self, operation: str) -> Response | None:
        cost = COSTS.get(operation, 1)
        if self.quota_used + cost > self.quota_limit:
            return google_error("quotaExceeded")
        self.quota_used += cost
        return None

    # -- videos ------------------------------------------------------------------------------

    def _video_answer(self, video_id: str, part: str) -> Response:
        return Response.json(self._parts(self.videos[video_id], part))

    def _create_video(self, session: Mapping[str, Any]) -> str:
        video_id = new_id()
        while video_id in self.videos:
            video_id = new_id()
        snippet, status = (
            session["metadata"].get("snippet", {}),
            session["metadata"].get("status", {}),
        )
        self.videos[video_id] = {
            "kind": "youtube#video",
            "etag": new_id(27),
            "id": video_id,
            "snippet": {
                "publishedAt": now_rfc3339(),
                "channelId": CHANNEL_ID,
                "title": snippet.get("title", ""),
                "description": snippet.get("description", ""),
                "thumbnails": self._thumbnails(video_id),
                "channelTitle": CHANNEL_TITLE,
                "tags": list(snippet.get("tags") or []),
                "categoryId": str(snippet.get("categoryId", "22")),
                "liveBroadcastContent": "none",
                "localized": {
                    "title": snippet.get("title", ""),
                    "description": snippet.get("description", ""),
                },
            },
            "status": {
                "uploadStatus": "processed",
                "privacyStatus": status.get("privacyStatus", "public"),
                **({"publishAt": status["publishAt"]} if status.get("publishAt") else {}),
                "license": "youtube",
                "embeddable": True,
                "publicStatsViewable": True,
                "madeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
            },
            "_bytes": bytes(session["data"]),
            "_mime": session["mime"],
            "_thumb": None,
            "_upload": session["stats"],
        }
        self.order.append(video_id)
        return video_id

    def _thumbnail(self, request: Request) -> Response:
        video = self.videos.get(request.query.get("videoId", ""))
        refused = self._charge("thumbnails.set")
        if refused:
            return refused
        if video is None:
            return google_error("videoNotFound")
        if not self.verified:
            return fail(
                403,
                "forbidden",
                "The authenticated user doesn't have permissions to"
                " upload and set custom video thumbnails.",
            )
        kind = request.headers.get("Content-Type", "").split(";")[0].strip()
        if request.query.get("uploadType") != "media" or kind not in ("image/jpeg", "image/png"):
            return fail(400, "invalidImage", "The provided image content is invalid.")
        if len(request.body) > 2 * 1024 * 1024:
            return fail(413, "mediaBodyTooLarge", "The image is larger than 2 MB.")
        video["_thumb"] = (request.body, kind)
        return Response.json(
            {
                "kind": "youtube#thumbnailSetResponse",
                "etag": new_id(27),
                "items": [self._thumbnails(video["id"])],
            }
        )

    # -- reading ------------------------------------------------------------------------------

    def _channels(self, request: Request) -> Response:
        mine = request.query.get("mine") == "true"
        items = [self._parts(self._channel(), request.query["part"])]
        if not mine and request.query.get("id") != CHANNEL_ID:
            items = []
        return Response.json(
            {
                "kind": "youtube#channelListResponse",
                "etag": new_id(27),
                "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
                "items": items,
            }
        )

    def _channel(self) -> dict[str, Any]:
        return {
            "kind": "youtube#channel",
            "etag": new_id(27),
            "id": CHANNEL_ID,
            "snippet": {
                "title": CHANNEL_TITLE,
                "description": "Kênh sandbox của Loa.",
                "customUrl": "@hueasean",
                "publishedAt": "2020-11-20T02:00:00Z",
                "localized": {"title": CHANNEL_TITLE, "description": ""},
            },
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": UPLOADS}},
            "status": {
                "privacyStatus": "public",
                "isLinked": True,
                "longUploadsStatus": "allowed" if self.verified else "eligible",
            },
        }

    def _search(self, request: Request) -> Response:
        q = request.query
        if q.get("forMine") == "true" and q.get("type") != "video":
            return fail(
                400,
                "invalidSearchFilter",
                "The request contains an invalid"
                " combination of search filters and/or restrictions.",
                "youtube.search",
            )
        refused = self._charge("search")
        if refused:
            return refused
        words = q.get("q", "").lower()
        found = [self.videos[v] for v in reversed(self.order)]
        found = [
            v
            for v in found
            if words in (v["snippet"]["title"] + " " + v["snippet"]["description"]).lower()
        ]
        results = [
            {
                "kind": "youtube#searchResult",
                "etag": new_id(27),
                "id": {"kind": "youtube#video", "videoId": v["id"]},
                "snippet": {
                    **{
                        k: v["snippet"][k]
                        for k in (
                            "publishedAt",
                            "channelId",
                            "title",
                            "description",
                            "thumbnails",
                            "channelTitle",
                            "liveBroadcastContent",
                        )
                    },
                    "publishTime": v["snippet"]["publishedAt"],
                },
            }
            for v in found
        ]
        return self._page(results, request, "youtube#searchListResponse")

    def _playlist_items(self, request: Request) -> Response:
        playlist = request.query.get("playlistId", "")
        if playlist == UPLOADS:
            items = [self._item(UPLOADS, v, n) for n, v in enumerate(reversed(self.order))]
        elif playlist in self.playlists:
            items = self.playlists[playlist]
        else:
            return google_error("playlistNotFound")
        return self._page(items, request, "youtube#playlistItemListResponse")

    def _insert_item(self, request: Request) -> Response:
        snippet = (request.json() or {}).get("snippet") or {}
        playlist = str(snippet.get("playlistId", ""))
        video_id = str((snippet.get("resourceId") or {}).get("videoId", ""))
        refused = self._charge("playlistItems.insert")
        if refused:
            return refused
        if playlist == UPLOADS:
            return fail(
                400,
                "playlistOperationUnsupported",
                "The playlist does not support this operation.",
                "youtube.playlistItem",
            )
        if playlist not in self.playlists:
            return google_error("playlistNotFound")
        if video_id not in self.videos:
            return google_error("videoNotFound")
        item = self._item(playlist, video_id, len(self.playlists[playlist]))
        self.playlists[playlist].append(item)
        return Response.json(item)

    def _item(self, playlist: str, video_id: str, position: int) -> dict[str, Any]:
        video = self.videos[video_id]["snippet"]
        return {
            "kind": "youtube#playlistItem",
            "etag": new_id(27),
            "id": base64.urlsafe_b64encode(f"{playlist}.{video_id}".encode()).decode(),
            "snippet": {
                "publishedAt": video["publishedAt"] if playlist == UPLOADS else now_rfc3339(),
                "channelId": CHANNEL_ID,
                "title": video["title"],
                "description": video["description"],
                "thumbnails": video["thumbnails"],
                "channelTitle": CHANNEL_TITLE,
                "playlistId": playlist,
                "position": position,
                "resourceId": {"kind": "youtube#video", "videoId": video_id},
                "videoOwnerChannelTitle": CHANNEL_TITLE,
                "videoOwnerChannelId": CHANNEL_ID,
            },
        }

    def _page(self, items: list[dict[str, Any]], request: Request, kind: str) -> Response:
        size = min(int(request.query.get("maxResults", "5") or 5), 50)
        token = request.query.get("pageToken", "")
        start = int(token[1:]) if re.fullmatch(r"p\d+", token) else 0
        answer: dict[str, Any] = {
            "kind": kind,
            "etag": new_id(27),
            "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
            "items": items[start : start + size],
        }
        if start + size < len(items):
            answer["nextPageToken"] = f"p{start + size}"
        if start:
            answer["prevPageToken"] = f"p{max(start - size, 0)}"
        return Response.json(answer)

    def _parts(self, resource: Mapping[str, Any], part: str) -> dict[str, Any]:
        """Only the parts asked for, as the API answers; internal fields never leave."""
        kept = {"kind", "etag", "id"} | {p.strip() for p in part.split(",")}
        return {k: v for k, v in resource.items() if k in kept and not k.startswith("_")}

    def _thumbnails(self, video_id: str) -> dict[str, Any]:
        url = f"{self.base_url}{self.prefixes[0]}/thumbnail/{video_id}"
        return {
            "default": {"url": url, "width": 120, "height": 90},
            "medium": {"url": url, "width": 320, "height": 180},
            "high": {"url": url, "width": 480, "height": 360},
        }
