"""Figures of Facebook Page posts and videos (CHANNELS.md, "Metrics"), mixed into FacebookPage.

One `GET /vNN/?ids=ID1,...,ID50&fields=...` per 50 posts (facebook-sdk's `get_objects`) reads
the counts and, by field expansion, the insights of every post at once:

- posts (`PAGEID_POSTID`, what `publish` keeps for text, link and photo posts): `shares`
  (absent when nobody shared: 0, since the post was answered), reactions and comments from their
  `summary(total_count)`, views and reach from `insights.metric(post_media_view,
  post_total_media_view_unique)`, the metrics that replaced impressions in 2025. Loa never asks
  for a withdrawn metric (`post_impressions*`): Graph answers those "invalid metric" (100).
- videos (a plain id, what `publish` keeps for a video): reactions, comments and
  `video_insights.metric(total_video_views)`. A video has no `shares` field, and Graph refuses
  a field a node lacks, so videos go in a request of their own.

Graph fails a whole `?ids=` request for one id it no longer knows (803 "Some of the aliases you
requested do not exist: a,b"): those posts are gone, and the rest are asked again. Insights need
the `read_insights` permission (else 200 fails the request): the counts are asked again alone,
views and reach are "no figure" with a note, and this adapter stops asking for insights for a
few hours, so later batches do not pay the refusal again. A Page under 100 likes gets empty
insights in the same answer: no figure, with a note, and no extra request.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from channels.base import ChannelError, Figures, Problem, as_count
from channels.errors import Step
from channels.facebook.errors import GraphFault
from channels.facebook.graph import Graph

log = logging.getLogger(__name__)

BATCH = 50  # ids Graph takes in one `?ids=`
COUNTS = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
FIELDS = {"post": f"shares,{COUNTS}", "video": COUNTS}
EDGES = {"post": "insights", "video": "video_insights"}
INSIGHTS = {  # Graph's metric -> Loa's figure, by kind
    "post": {"post_media_view": "views", "post_total_media_view_unique": "reach"},
    "video": {"total_video_views": "video_views"},
}
INSIGHTS_PAUSE = 6 * 3600.0  # seconds without asking for insights after Graph refused them
NOT_FOUND = 803
NO_PERMISSION = (
    "Facebook từ chối số liệu chi tiết (Insights) vì Loa chưa được cấp quyền read_insights:"
    " hãy kết nối lại kênh bằng tài khoản quản trị Trang và cấp quyền này.",
    "Facebook refused the Insights figures: Loa lacks the read_insights permission; reconnect"
    " the channel as a Page admin and grant it.",
)
NO_INSIGHTS = (
    "Facebook không trả số liệu chi tiết (Insights): Trang cần từ 100 lượt thích trở lên,"
    " hoặc Facebook chưa tính xong (thường trong vòng một ngày).",
    "Facebook returned no Insights: they need a Page with 100 or more likes, or Facebook has"
    " not computed them yet (usually within a day).",
)
NOT_REPORTED = (
    "Facebook không báo số liệu này cho bài.",
    "Facebook did not report this figure for the post.",
)


class _Gone(ChannelError):
    """Graph does not know these ids any more (803, or 100/33 for one object)."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(
            f"Facebook không còn biết {len(ids)} bài trong số này",
            f"Facebook no longer knows {len(ids)} of the posts",
        )
        self.ids = ids


class _InsightsRefused(ChannelError):
    pass


class FacebookMetrics:
    """`read_metrics` for FacebookPage, which owns the token and the Graph connection."""

    # time.monotonic() until which insights are not asked for (instance attribute once set)
    insights_paused_until: float = 0.0

    def _token(self) -> tuple[str, str]:
        raise NotImplementedError

    def _graph(self) -> Graph:
        raise NotImplementedError

    def read_metrics(self, remote_ids: Sequence[str]) -> list[Figures]:
        token, page_id = self._token()
        graph = self._graph()
        wanted = list(dict.fromkeys(str(i) for i in remote_ids))
        figures: dict[str, Figures] = {}
        for kind in ("post", "video"):
            ids = [i for i in wanted if _kind(i) == kind]
            for start in range(0, len(ids), BATCH):
                figures.update(self._read_batch(graph, token, kind, ids[start : start + BATCH]))
        log.info("facebook page %s: figures of %d posts and videos", page_id, len(wanted))
        return [figures[str(i)] for i in remote_ids]

    def _read_batch(
        self, graph: Graph, token: str, kind: str, ids: list[str]
    ) -> dict[str, Figures]:
        left, result = list(ids), dict[str, Figures]()
        while left:
            insights = time.monotonic() >= self.insights_paused_until
            try:
                answer = self._ask(graph, token, kind, left, insights)
            except _Gone as error:
                result.update({i: Figures(i, gone=True) for i in error.ids})
                left = [i for i in left if i not in error.ids]
                continue
            except _InsightsRefused:
                self.insights_paused_until = time.monotonic() + INSIGHTS_PAUSE
                log.warning(
                    "Facebook refused Insights (no read_insights): reading counts only for"
                    " the next %.0f hours",
                    INSIGHTS_PAUSE / 3600,
                )
                continue
            for remote_id in left:
                node = answer.get(remote_id) if isinstance(answer, Mapping) else None
                result[remote_id] = _figures(remote_id, kind, node, insights)
            break
        return result

    @staticmethod
    def _ask(graph: Graph, token: str, kind: str, ids: list[str], insights: bool) -> Any:
        fields = FIELDS[kind]
        if insights:
            fields += f",{EDGES[kind]}.metric({','.join(INSIGHTS[kind])})"

        def special(fault: GraphFault) -> ChannelError | None:
            unknown = _unknown_ids(fault, ids)
            if unknown:
                return _Gone(unknown)
            code = fault.code or 0
            if insights and (code == 10 or 200 <= code <= 299):
                return _InsightsRefused(
                    "Facebook không cho đọc số liệu chi tiết của Trang",
                    "Facebook refused the page's insights",
                    fault.said(),
                )
            return None

        return graph.sdk(
            token,
            Step(
                f"reading the figures of {len(ids)} Facebook {kind}s",
                f"đọc số liệu của {len(ids)} bài Facebook",
            ),
            lambda api: api.get_objects(ids, fields=fields),
            publishes=False,
            on_fault=special,
        )


def _kind(remote_id: str) -> str:
    """Posts are `PAGEID_POSTID`; a video is kept by its own id (see FacebookPage.publish)."""
    return "post" if "_" in remote_id else "video"


def _unknown_ids(fault: GraphFault, asked: list[str]) -> list[str]:
    if fault.code == NOT_FOUND:
        named = fault.message.rpartition(":")[2].split(",")
    elif fault.code == 100 and fault.subcode == 33:
        named = re.findall(r"ID '([^']+)'", fault.message)
    else:
        return []
    return [i for i in (n.strip() for n in named) if i in asked]


def _total(node: Mapping[str, Any], edge: str) -> int | None:
    body = node.get(edge)
    summary = body.get("summary") if isinstance(body, Mapping) else None
    return as_count(summary.get("total_count")) if isinstance(summary, Mapping) else None


def _insight_values(edge: Any) -> dict[str, int | None]:
    data = edge.get("data") if isinstance(edge, Mapping) else None
    values: dict[str, int | None] = {}
    for entry in data if isinstance(data, list) else ():
        points = entry.get("values") if isinstance(entry, Mapping) else None
        if isinstance(points, list) and points and isinstance(points[-1], Mapping):
            values[str(entry.get("name"))] = as_count(points[-1].get("value"))
    return values


def _figures(remote_id: str, kind: str, node: Any, insights: bool) -> Figures:
    if not isinstance(node, Mapping):
        return Figures(remote_id, notes=(Problem("*", *NOT_REPORTED),))
    values: dict[str, int | None] = {
        "reactions": _total(node, "reactions"),
        "comments": _total(node, "comments"),
    }
    if kind == "post":
        shares = node.get("shares")
        # Graph leaves `shares` out when nobody shared: 0, as this post was answered.
        values["shares"] = (
            as_count(shares.get("count")) if isinstance(shares, Mapping) else None
        ) if shares is not None else 0  # fmt: skip
    notes = [Problem(name, *NOT_REPORTED) for name, value in values.items() if value is None]
    reported = _insight_values(node.get(EDGES[kind])) if insights else {}
    for metric, name in INSIGHTS[kind].items():
        values[name] = reported.get(metric)
        if values[name] is None:
            why = NO_PERMISSION if not insights else NO_INSIGHTS if not reported else NOT_REPORTED
            notes.append(Problem(name, *why))
    return Figures(remote_id, values, tuple(notes))
