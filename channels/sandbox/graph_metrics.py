"""Reading objects from the Graph sandbox, figures included (CHANNELS.md, "Metrics").

- `GET /{id}?fields=...` and `GET /?ids=ID1,ID2&fields=...` (at most 50 ids, answered as an
  object keyed by id). Field expansion as Graph writes it: `reactions.summary(total_count)
  .limit(0)`, `comments.summary(true)`, `insights.metric(a,b)`, `video_insights.metric(...)`.
  `shares` is `{"count": N}` and absent when nobody shared. An id Graph does not know fails the
  whole `?ids=` request with (#803) "Some of the aliases you requested do not exist: a,b".
- `GET /{post-id}/insights?metric=post_media_view,post_total_media_view_unique` (lifetime),
  `GET /{video-id}/video_insights?metric=total_video_views`, `GET /{page-id}/insights?metric=
  page_media_view,page_total_media_view_unique,page_follows`. The metrics Meta withdrew in 2025
  (`post_impressions*`, `page_impressions*`, `page_fans*`) and any unknown name answer (#100)
  "The value must be a valid insights metric". Without `read_insights` the answer is (#200)
  "Requires extended permission: read_insights"; a Page under 100 likes gets `{"data": []}`
  (Graph's own silence, not an error). An insights error inside an expansion fails the request.

Figures come from `channels.sandbox.figures.grow` by the object's age. Controls: `age_posts
{"seconds": N}` (every object N seconds older, for its figures only), `page_likes {"likes": N,
"page_id"?}` and `read_insights {"grant": bool, "page_id"?}` (every page when none is named).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from channels.sandbox.figures import grow
from channels.sandbox.graph_model import (
    PAGE_FIELDS,
    PAGES,
    POST_FIELDS,
    GraphError,
    Item,
    Token,
    missing,
    requested_fields,
    when,
)
from channels.sandbox.server import Request, Response

CONTROLS = ("age_posts", "page_likes", "read_insights")
MAX_IDS = 50  # Graph's limit for `?ids=`
INSIGHTS_MIN_LIKES = 100  # "Page Insights data is only available on Pages with 100 or more likes"
LIKES = {"100000000000001": 12_480, "100000000000002": 3_260, "100000000000009": 48}
WITHDRAWN = re.compile(r"^(post_impressions|page_impressions|page_fans)")
# edge -> metric -> (Loa's figure drawn by `grow`, title)
METRICS: dict[str, dict[str, tuple[str, str]]] = {
    "insights": {
        "post_media_view": ("views", "Lifetime Media views"),
        "post_total_media_view_unique": ("reach", "Lifetime Media viewers"),
    },
    "video_insights": {"total_video_views": ("video_views", "Lifetime Total Video Views")},
    "page_insights": {
        "page_media_view": ("views", "Daily Media views"),
        "page_total_media_view_unique": ("reach", "Daily Media viewers"),
        "page_follows": ("follows", "Page follows"),
    },
}
EDGES = {"post": "insights", "video": "video_insights"}
NODE = {"post": "Post", "video": "Video", "photo": "Photo"}
# The figure fields each node type has (a video has no `shares`).
FIGURE_FIELDS = {
    "post": {"shares", "reactions", "comments", "insights"},
    "video": {"reactions", "comments", "video_insights"},
    "photo": {"reactions", "comments"},
}


@dataclass
class Field:
    name: str
    modifiers: dict[str, str] = field(default_factory=dict)


def parse_fields(text: str) -> list[Field]:
    """`a,b.summary(x).limit(0),c.metric(m,n)`: commas inside parentheses belong to the field."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char in "({") - (char in ")}")
        if depth < 0:
            break
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if depth != 0:
        raise GraphError(2500, f'Syntax error "Unbalanced parentheses" in fields: {text[:200]}')
    parts.append(current)
    fields = []
    for raw in (part.strip() for part in parts):
        if raw:
            name, _, rest = raw.partition(".")
            fields.append(Field(name.strip(), dict(re.findall(r"(\w+)\(([^)]*)\)", rest))))
    return fields


class PageFigures:
    """What the figures depend on: each object's extra age, each page's likes and permission."""

    def __init__(self) -> None:
        self.aged: dict[str, float] = {}
        self.likes: dict[str, int] = dict(LIKES)
        self.no_insights: set[str] = set()  # pages whose tokens lack read_insights

    def control(self, command: str, args: Mapping[str, Any], items: Iterable[Item]) -> Any:
        pages = [str(args["page_id"])] if args.get("page_id") else list(PAGES)
        if command == "page_likes":
            for page_id in pages:
                self.likes[page_id] = int(args["likes"])
            return {page_id: self.likes[page_id] for page_id in pages}
        if command == "read_insights":
            grant = bool(args.get("grant", True))
            for page_id in pages:
                (self.no_insights.discard if grant else self.no_insights.add)(page_id)
            return {"grant": grant, "pages": pages}
        seconds = float(args.get("seconds", 0))
        aged = 0
        for item in items:
            self.aged[item.id] = self.aged.get(item.id, 0.0) + seconds
            aged += 1
        return aged

    def of(self, item: Item, metric: str) -> int:
        age = time.time() - item.created + self.aged.get(item.id, 0.0)
        value = grow(item.id, metric, age)
        if metric == "reach":  # distinct viewers never outnumber views
            value = min(value, grow(item.id, "views", age))
        return value


class GraphMetrics:
    """Mixed into `GraphSandbox`, which owns the records, the tokens and the usage counts."""

    items: dict[str, Item]
    figures: PageFigures
    base_url: str

    def _token(self, request: Request) -> Token:
        raise NotImplementedError

    def _count(self, page_id: str) -> None:
        raise NotImplementedError

    def _shape(self, item: Item, fields: set[str]) -> dict[str, Any]:
        raise NotImplementedError

    def _posts(self, page_id: str, *, scheduled: bool = False) -> list[Item]:
        raise NotImplementedError

    # -- objects ---------------------------------------------------------------------------

    def _object(self, request: Request, object_id: str) -> Response:
        token = self._token(request)
        if object_id in PAGES:
            self._count(object_id)
            return Response.json(self._page_object(object_id, request.query))
        item = self.items.get(object_id)
        if item is None:
            raise missing(f"get {object_id}")
        self._count(item.page_id)
        return Response.json(self._read(token, item, request.query.get("fields") or "id"))

    def _by_ids(self, request: Request) -> Response:
        token = self._token(request)
        ids = list(dict.fromkeys(i.strip() for i in request.query["ids"].split(",") if i.strip()))
        if not ids:
            raise GraphError(100, "(#100) The parameter ids is required")
        if len(ids) > MAX_IDS:
            raise GraphError(100, f"(#100) Too many IDs. Maximum: {MAX_IDS}. Provided: {len(ids)}.")
        unknown = [i for i in ids if i not in self.items and i not in PAGES]
        if unknown:
            raise GraphError(
                803,
                "(#803) Some of the aliases you requested do not exist: " + ",".join(unknown),
                status=404,
            )
        for page_id in dict.fromkeys(self.items[i].page_id if i in self.items else i for i in ids):
            self._count(page_id)
        fields = request.query.get("fields") or "id"
        return Response.json(
            {
                i: self._page_object(i, request.query)
                if i in PAGES
                else self._read(token, self.items[i], fields)
                for i in ids
            }
        )

    def _page_object(self, page_id: str, query: Mapping[str, str]) -> dict[str, Any]:
        fields = requested_fields(query, PAGE_FIELDS | {"fan_count"}, "id,name")
        name, category = PAGES[page_id]
        values = {
            "id": page_id,
            "name": name,
            "category": category,
            "link": f"{self.base_url}/graph/_public/{page_id}",
            "fan_count": self.figures.likes.get(page_id, 0),
        }
        return {key: value for key, value in values.items() if key in fields}

    def _read(self, token: Token, item: Item, fields_text: str) -> dict[str, Any]:
        fields = parse_fields(fields_text)
        figures = [f for f in fields if f.name in FIGURE_FIELDS["post"] | {"video_insights"}]
        plain = ",".join(f.name for f in fields if f not in figures) or "id"
        shaped = self._shape(item, requested_fields({"fields": plain}, POST_FIELDS, "id"))
        for wanted in figures:
            if wanted.name not in FIGURE_FIELDS.get(item.kind, set()):
                raise GraphError(
                    100,
                    f"(#100) Tried accessing nonexisting field ({wanted.name}) on node type"
                    f" ({NODE.get(item.kind, 'Post')})",
                )
            value = self._figure(token, item, wanted)
            if value is not None:
                shaped[wanted.name] = value
        return shaped

    def _figure(self, token: Token, item: Item, wanted: Field) -> Any:
        if wanted.name in ("insights", "video_insights"):
            return self._insights_data(token, item, wanted.name, wanted.modifiers.get("metric"))
        count = self.figures.of(item, wanted.name)
        if wanted.name == "shares":
            return {"count": count} if count else None  # Graph leaves out a share count of 0
        body: dict[str, Any] = {"data": []}  # the sandbox keeps counts, not who reacted
        summary = wanted.modifiers.get("summary", "")
        if summary in ("true", "1"):
            extra: dict[str, Any] = {"viewer_reaction": "NONE"}
            if wanted.name == "comments":
                extra = {"order": "ranked", "can_comment": True}
            body["summary"] = {"total_count": count, **extra}
        elif summary:
            body["summary"] = {key: count for key in summary.split(",") if key == "total_count"}
        return body

    # -- insights --------------------------------------------------------------------------

    def _insights(self, request: Request, object_id: str, edge: str) -> Response:
        token = self._token(request)
        if object_id in PAGES and edge == "insights":
            self._count(object_id)
            return Response.json(self._page_insights(token, object_id, request.query))
        item = self.items.get(object_id)
        if item is None:
            raise missing(f"get {object_id}")
        self._count(item.page_id)
        if EDGES.get(item.kind) != edge:
            raise GraphError(2500, f"Unknown path components: /{edge}")
        return Response.json(self._insights_data(token, item, edge, request.query.get("metric")))

    def _insights_data(
        self, token: Token, item: Item, edge: str, metric: str | None
    ) -> dict[str, Any]:
        names = self._metrics(edge, metric)
        self._may_read_insights(token, item.page_id)
        if self.figures.likes.get(item.page_id, 0) < INSIGHTS_MIN_LIKES:
            return {"data": []}
        data = []
        for name in names:
            figure, title = METRICS[edge][name]
            data.append(
                {
                    "name": name,
                    "period": "lifetime",
                    "values": [{"value": self.figures.of(item, figure)}],
                    "title": title,
                    "id": f"{item.id}/{edge}/{name}/lifetime",
                }
            )
        return {"data": data}

    def _page_insights(
        self, token: Token, page_id: str, query: Mapping[str, str]
    ) -> dict[str, Any]:
        names = self._metrics("page_insights", query.get("metric"))
        self._may_read_insights(token, page_id)
        likes = self.figures.likes.get(page_id, 0)
        if likes < INSIGHTS_MIN_LIKES:
            return {"data": []}
        posts = self._posts(page_id)
        period = query.get("period") or "day"
        data = []
        for name in names:
            figure, title = METRICS["page_insights"][name]
            value = likes if figure == "follows" else sum(self.figures.of(p, figure) for p in posts)
            data.append(
                {
                    "name": name,
                    "period": period,
                    "values": [{"value": value, "end_time": when(time.time())}],
                    "title": title,
                    "id": f"{page_id}/insights/{name}/{period}",
                }
            )
        return {"data": data}

    @staticmethod
    def _metrics(edge: str, metric: str | None) -> list[str]:
        names = [n.strip() for n in (metric or "").split(",") if n.strip()]
        for name in names:
            if WITHDRAWN.match(name) or name not in METRICS[edge]:
                raise GraphError(100, "(#100) The value must be a valid insights metric")
        return names or list(METRICS[edge])

    def _may_read_insights(self, token: Token, page_id: str) -> None:
        if token.kind != "page" or token.page_id != page_id:
            raise GraphError(190, "(#190) This method must be called with a Page Access Token")
        if page_id in self.figures.no_insights:
            raise GraphError(200, "(#200) Requires extended permission: read_insights", status=403)
