"""The Graph API stand-in (CHANNELS.md, "Facebook Pages"): the graph and graph-video hosts.

Paths are the real ones below a version segment (v2.8 to v25.0, or none), tokens have kinds
(short- and long-lived user tokens, page tokens, system-user tokens) and are checked as Facebook
does: posting with a user token answers (#200), an expired or revoked token 190 with its
subcode. Errors come in the `{"error": {...}}` envelope with Facebook's HTTP statuses, and every
call about a page carries the `X-Business-Use-Case-Usage` header. Photos, videos and resumable
uploads are kept (channels.sandbox.graph_posts, with the corrections `POST`/`DELETE
/{post-id}`), and `/graph/_public` shows the pages as a timeline.

Tokens, `/me`, `/me/accounts` and the token exchange, with Business Manager system users:
channels.sandbox.graph_auth (controls "user_token" {pages?}: what the Graph API Explorer gives a
person, also at /graph/tools/explorer; "page_token" {page_id}; "system_user" {pages?, tasks?};
"expire_tokens" {subcode=463, kind?}). Control command "rate_limit" {minutes=5, percent=100,
page_id?, code=32} (a percent below 100 only reports the usage; 0 minutes lifts the limit).
Reading objects, `?ids=` and insights, with "age_posts", "page_likes" and "read_insights":
channels.sandbox.graph_metrics.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import time
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlencode

from channels.sandbox import graph_site as site
from channels.sandbox.graph_auth import AUTH_CONTROLS, GraphAuth
from channels.sandbox.graph_metrics import CONTROLS, GraphMetrics, PageFigures
from channels.sandbox.graph_model import (
    APP_ID,
    BUC_CAPACITY,
    INJECTED,
    MANAGED,
    PAGES,
    POST_FIELDS,
    RATE_CODES,
    VERSION,
    GraphError,
    Item,
    Token,
    Upload,
    missing,
    requested_fields,
    stamp,
    usage_header,
    when,
)
from channels.sandbox.graph_posts import GraphPosts
from channels.sandbox.server import Platform, Request, Response, generic_error, page

log = logging.getLogger(__name__)


class GraphSandbox(GraphAuth, GraphPosts, GraphMetrics, Platform):
    name: ClassVar[str] = "graph"
    title: ClassVar[str] = "Facebook (Graph API)"
    prefixes: ClassVar[tuple[str, ...]] = ("/graph", "/graph-video")

    def reset(self) -> None:
        self.tokens: dict[str, Token] = {}
        self.items: dict[str, Item] = {}
        self.uploads: dict[str, Upload] = {}
        self.calls: dict[str, int] = dict.fromkeys(PAGES, 0)
        self.limits: dict[str, dict[str, Any]] = {}
        self.log: list[dict[str, str]] = []
        self.figures = PageFigures()
        self.regain_minutes = 7  # what injected rate-limit errors announce
        self._seq = 122_000_000_000_000_000
        self._touched: str | None = None
        self.system_users = 0

    # -- routing ---------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        self._touched = None
        self._promote_due()
        parts = [part for part in request.path.split("/") if part]
        if parts and parts[0] in ("_media", "_public", "tools"):
            return self._site(parts)
        self.log = [
            *self.log[-199:],
            {
                "method": request.method,
                "path": request.path,
                "content_type": request.headers.get("Content-Type", ""),
                "user_agent": request.headers.get("User-Agent", ""),
            },
        ]
        try:
            if parts and (match := VERSION.match(parts[0])):
                if not (2, 8) <= (int(match[1]), int(match[2])) <= (25, 0):
                    raise GraphError(12, f"(#12) Graph API {parts[0]} is no longer available")
                parts = parts[1:]
            response = self._route(request, parts)
        except GraphError as error:
            response = error.response()
        if self._touched:
            response.headers["X-Business-Use-Case-Usage"] = self._usage(self._touched)
        return response

    def _route(self, request: Request, parts: list[str]) -> Response:
        method, head = request.method, parts[0] if parts else ""
        edge = parts[1] if len(parts) > 1 else ""
        if parts == ["oauth", "access_token"] and method == "GET":
            return self._exchange(request)
        if head == "me":
            return self._me(request, edge)
        if method == "GET" and not parts and "ids" in request.query:
            return self._by_ids(request)
        if method == "GET" and len(parts) == 2 and edge in ("insights", "video_insights"):
            return self._insights(request, head, edge)
        if head.startswith("upload:"):
            return self._chunk(request, head)
        if edge == "uploads" and method == "POST":
            return self._start_upload(request, head)
        if head in PAGES and edge:
            self._count(head)
            if (method, edge) == ("POST", "feed"):
                return self._feed(request, head)
            if (method, edge) == ("POST", "photos"):
                return self._photo(request, head)
            if (method, edge) == ("POST", "videos"):
                return self._video(request, head)
            if method == "GET" and edge in ("posts", "feed", "scheduled_posts", "videos"):
                return self._listing(request, head, edge)
        if method == "GET" and len(parts) == 1:
            return self._object(request, head)
        if method == "POST" and len(parts) == 1:
            return self._edit(request, head)
        if method == "DELETE" and len(parts) == 1:
            return self._delete(request, head)
        raise missing(f"{method.lower()} {head}")

    # -- reading ---------------------------------------------------------------------------

    def _listing(self, request: Request, page_id: str, edge: str) -> Response:
        token = self._token(request)
        if token.kind != "page" or token.page_id != page_id:
            raise GraphError(
                10,
                "(#10) This endpoint requires the 'pages_read_engagement'"
                " permission or the 'Page Public Content Access' feature.",
            )
        fields = requested_fields(request.query, POST_FIELDS, "id,message,created_time")
        since, until = stamp(request.query, "since", 0), stamp(request.query, "until", math.inf)
        if edge == "videos":
            found = [i for i in self.items.values() if i.kind == "video" and i.page_id == page_id]
            found.sort(key=lambda item: -item.created)
        else:
            found = self._posts(page_id, scheduled=edge == "scheduled_posts")
        found = [item for item in found if since <= item.created <= until]
        limit = min(int(request.query.get("limit") or 25), 100)
        start = int(base64.b64decode(request.query.get("after") or "MA==").decode() or 0)
        chunk = found[start : start + limit]
        body: dict[str, Any] = {"data": [self._shape(item, fields) for item in chunk]}
        if chunk:
            after = base64.b64encode(str(start + len(chunk)).encode()).decode()
            body["paging"] = {
                "cursors": {
                    "before": base64.b64encode(str(start).encode()).decode(),
                    "after": after,
                }
            }
            if start + len(chunk) < len(found):
                query = {**request.query, "after": after}
                body["paging"]["next"] = (
                    f"{self.base_url}{request.prefix}{request.path}?{urlencode(query)}"
                )
        return Response.json(body)

    def _shape(self, item: Item, fields: set[str]) -> dict[str, Any]:
        values: dict[str, Any] = {
            "id": item.id,
            "created_time": when(item.created),
            "permalink_url": f"{self.base_url}/graph/_public/{item.id}",
            "is_published": item.published,
            "title": item.title,
        }
        if item.message:
            values["message" if item.kind != "video" else "description"] = item.message
        if item.link:
            values["link"] = item.link
        if item.scheduled:
            values["scheduled_publish_time"] = item.scheduled
        return {key: value for key, value in values.items() if key in fields}

    def _posts(self, page_id: str, *, scheduled: bool = False) -> list[Item]:
        """The page's posts, newest first: published ones, or those waiting for their time."""
        posts = [
            i
            for i in self.items.values()
            if i.kind == "post"
            and i.page_id == page_id
            and (i.published != scheduled)
            and (i.scheduled is not None or not scheduled)
        ]
        return sorted(posts, key=lambda item: -item.created)

    def _promote_due(self) -> None:
        now = time.time()
        for item in self.items.values():
            if item.scheduled is not None and not item.published and item.scheduled <= now:
                item.published, item.created = True, float(item.scheduled)

    # -- usage and faults ------------------------------------------------------------------

    def _count(self, page_id: str) -> None:
        self._touched = page_id
        self.calls[page_id] = self.calls.get(page_id, 0) + 1
        limit = self.limits.get(page_id)
        if limit and limit["until"] > time.time() and limit["percent"] >= 100:
            spec = INJECTED.get(str(limit["code"]), INJECTED["32"])
            raise GraphError(**spec)

    def _usage(self, page_id: str) -> str:
        percent = min(100, self.calls.get(page_id, 0) * 100 // BUC_CAPACITY)
        minutes = 0
        limit = self.limits.get(page_id)
        if limit and limit["until"] > time.time():
            percent = max(percent, int(limit["percent"]))
            minutes = math.ceil((limit["until"] - time.time()) / 60)
        return usage_header(page_id, percent, minutes)

    def error_response(self, code: str) -> Response:
        spec = INJECTED.get(code)
        if spec is None:
            return (
                generic_error(code)
                or GraphError(1, "An unknown error occurred", status=500).response()
            )
        headers = {}
        if code in RATE_CODES:
            headers["X-Business-Use-Case-Usage"] = usage_header(
                MANAGED[0], 100, self.regain_minutes
            )
        elif code == "4":
            headers["X-App-Usage"] = json.dumps(
                {"call_count": 100, "total_time": 30, "total_cputime": 20}
            )
        return GraphError(**spec, headers=headers).response()

    def control(self, command: str, args: Mapping[str, Any]) -> Any:
        if command in AUTH_CONTROLS:
            return self.auth_control(command, args)
        if command in CONTROLS:
            return self.figures.control(command, args, list(self.items.values()))
        if command == "rate_limit":
            minutes = float(args.get("minutes", 5))
            for pid in [str(args["page_id"])] if args.get("page_id") else list(PAGES):
                self.limits[pid] = {
                    "until": time.time() + minutes * 60,
                    "percent": args.get("percent", 100),
                    "code": args.get("code", 32),
                }
            return {"minutes": minutes}
        raise KeyError(command)

    # -- what people see -------------------------------------------------------------------

    def snapshot(self) -> Any:
        kinds: dict[str, int] = {}
        for token in self.tokens.values():
            kinds[token.kind] = kinds.get(token.kind, 0) + 1
        return {
            "app_id": APP_ID,
            "items": {item.id: site.dump(item) for item in self.items.values()},
            "uploads": {
                key: {"file_length": u.file_length, "received": len(u.data), "done": bool(u.handle)}
                for key, u in self.uploads.items()
            },
            "tokens": kinds,
            "requests": self.log,
        }

    def _site(self, parts: list[str]) -> Response:
        """The public side: Facebook's web pages, served from the API's host for simplicity."""
        if parts[0] == "tools":
            return Response.html(site.explorer(self.control("user_token", {})["access_token"]))
        item = self.items.get(parts[1]) if len(parts) > 1 else None
        if parts[0] == "_media":
            if item is None or not item.data:
                return Response.json({"error": "no such media"}, 404)
            return Response(200, item.data, {"Content-Type": item.mime or "video/mp4"})
        if len(parts) > 1 and parts[1] in PAGES:
            return Response.html(self._timeline([parts[1]]))
        if item is not None:
            post = self.items.get(item.post_id or "") or item
            return Response.html(page(PAGES[post.page_id][0], site.article(post, self.items)))
        return Response.html(self.public_page())

    def public_page(self) -> str:
        return self._timeline(list(PAGES))

    def _timeline(self, page_ids: list[str]) -> str:
        shown = [pid for pid in page_ids if pid in MANAGED or self._posts(pid)]
        return site.timeline(
            {pid: (self._posts(pid), self._posts(pid, scheduled=True)) for pid in shown},
            self.items,
        )
