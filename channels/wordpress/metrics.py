"""Figures of posts on the website: comments from core, views from a statistics plugin.

CHANNELS.md, "Metrics": WordPress core counts no views. Comments are core's
`GET /wp/v2/comments` (approved comments only, what readers see), with the total in the
`X-WP-Total` header. Views come only from a statistics plugin the channel names in its settings:

    settings:
      statistics: wp-postviews   # WP-PostViews 2.x: a `views` field on every post

WP-PostViews registers `views` on the core post resource, so the same listing that tells which
posts still exist reads every view count at once. Without the setting, views are "no figure"
(None, with a note saying why), never 0.

Requests for a batch of up to 100 posts (`include` and `per_page` stop at 100):

1. `GET /wp/v2/posts?include=ID1,...&status=publish,future&_fields=id,status[,views]`: a post
   missing from it is trashed, deleted, private or a draft again: gone.
2. Comments, whichever costs fewer requests (see `_comment_counts`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import requests

from channels.base import ChannelSetup, Figures, Problem, as_count
from channels.errors import Step
from channels.wordpress.api import WordPressAPI

log = logging.getLogger(__name__)

BATCH = 100  # the REST API's largest page: `include` and `per_page`
PER_PAGE = 100
PLUGINS = {"wp-postviews": "views"}  # settings.statistics -> the field it adds to a post
NO_ROUTE = frozenset({"rest_no_route"})


def _note(field: str, vi: str, en: str) -> Problem:
    return Problem(field, vi, en)


NOT_CONFIGURED = _note(
    "views",
    "Trang web không có số lượt xem: WordPress không tự đếm; hãy cài một plugin thống kê"
    " (WP-PostViews) và đặt settings.statistics: wp-postviews cho kênh.",
    "The site reports no views: WordPress counts none itself; install a statistics plugin"
    " (WP-PostViews) and set the channel's settings.statistics: wp-postviews.",
)
NOT_ANSWERED = _note(
    "views",
    "Trang web không trả lượt xem: plugin WP-PostViews có đang bật không?",
    "The site did not answer views: is the WP-PostViews plugin active?",
)
NO_COMMENT_COUNT = _note(
    "comments",
    "Trang web không trả số bình luận (/wp/v2/comments có thể đã bị tắt).",
    "The site did not answer the comment count (/wp/v2/comments may be switched off).",
)
NOT_YET = _note(
    "*",
    "Bài chưa đăng: trang web đang giữ bài đến giờ hẹn.",
    "The post is not published yet: the site holds it until its time.",
)


class WordPressMetrics:
    """Mixed into `WordPress`, which owns the setup and the API client."""

    setup: ChannelSetup
    api: WordPressAPI

    def read_metrics(self, remote_ids: Sequence[str]) -> list[Figures]:
        ids = [int(i) for i in dict.fromkeys(remote_ids) if str(i).isdigit()]
        field, problem = views_field(self.setup.settings)
        posts = self._posts(ids, field) if ids else {}
        published = [i for i in ids if posts.get(i, {}).get("status") == "publish"]
        comments = _comment_counts(self.api, published) if published else {}
        figures = []
        for remote_id in remote_ids:
            post = posts.get(int(remote_id)) if str(remote_id).isdigit() else None
            if post is None:
                figures.append(Figures(remote_id, gone=True))
            elif post.get("status") != "publish":
                figures.append(Figures(remote_id, {"comments": None, "views": None}, (NOT_YET,)))
            else:
                figures.append(_figures(remote_id, post, comments, field, problem))
        log.info("wordpress %s: figures of %d posts", self.setup.id, len(remote_ids))
        return figures

    def _posts(self, ids: list[int], field: str | None) -> dict[int, Mapping[str, Any]]:
        params = {
            "include": ",".join(map(str, ids)),
            "status": "publish,future",  # a post the site holds for later is not gone
            "per_page": PER_PAGE,
            "_fields": "id,status" + (f",{field}" if field else ""),
        }
        found, _ = self.api.call(
            "GET", "/wp/v2/posts", params=params, what=Step("reading figures", "đọc số liệu")
        )
        return {
            int(post["id"]): post
            for post in (found if isinstance(found, list) else [])
            if isinstance(post, Mapping) and str(post.get("id", "")).isdigit()
        }


def views_field(settings: Mapping[str, Any]) -> tuple[str | None, Problem | None]:
    """The post field holding views, or why there is none."""
    plugin = str(settings.get("statistics") or "").strip().lower()
    if not plugin:
        return None, NOT_CONFIGURED
    if plugin not in PLUGINS:
        known = ", ".join(PLUGINS)
        return None, _note(
            "views",
            f"settings.statistics = {plugin!r} không được hỗ trợ; Loa đọc được: {known}.",
            f"settings.statistics = {plugin!r} is not supported; Loa reads: {known}.",
        )
    return PLUGINS[plugin], None


def _figures(
    remote_id: str,
    post: Mapping[str, Any],
    comments: Mapping[int, int | None],
    field: str | None,
    problem: Problem | None,
) -> Figures:
    count = comments.get(int(remote_id))
    notes = [] if count is not None else [NO_COMMENT_COUNT]
    views = as_count(post.get(field)) if field else None
    if views is None:
        notes.append(problem or NOT_ANSWERED)
    return Figures(remote_id, {"comments": count, "views": views}, tuple(notes))


def _comment_counts(api: WordPressAPI, post_ids: list[int]) -> dict[int, int | None]:
    """Approved comments per post, in as few requests as the counts allow.

    Two ways: one request per post (`post=ID&per_page=1`, reading `X-WP-Total`), or one listing
    of all the batch's comments (`post=ID1,ID2,...&_fields=post&per_page=100`, counted by post)
    in ceil(total / 100) pages. A provincial post draws a few dozen comments, so 100 posts make
    some 25 pages against 100 single requests: the listing wins for typical counts, and for one
    post its first page's `X-WP-Total` is the answer. The listing's first page tells how many
    pages it has; when the rest would cost more than a request per post (posts with hundreds of
    comments), the counts come one post at a time instead. Ordered by id, comments that arrive
    while the pages are read land on a later page, not twice.
    """
    params: dict[str, Any] = {
        "post": ",".join(map(str, post_ids)),
        "per_page": PER_PAGE,
        "orderby": "id",
        "order": "asc",
        "_fields": "post",
    }
    items, response = _comments(api, params)
    if items is None:
        return dict.fromkeys(post_ids)
    total, pages = _header(response, "X-WP-Total"), _header(response, "X-WP-TotalPages")
    if len(post_ids) == 1 and total is not None:
        return {post_ids[0]: total}
    if pages is not None and pages - 1 > len(post_ids):
        return {post_id: _one(api, post_id) for post_id in post_ids}
    counted = Counter(_post_of(item) for item in items)
    page, last = 1, len(items)
    while (pages is not None and page < pages) or (pages is None and last == PER_PAGE):
        page += 1
        more, _ = _comments(api, {**params, "page": page})
        counted.update(_post_of(item) for item in more or [])
        last = len(more or [])
    return {post_id: counted[post_id] for post_id in post_ids}


def _one(api: WordPressAPI, post_id: int) -> int | None:
    params = {"post": post_id, "per_page": 1, "_fields": "id"}
    items, response = _comments(api, params)
    return None if items is None else _header(response, "X-WP-Total")


def _comments(
    api: WordPressAPI, params: Mapping[str, Any]
) -> tuple[list[Any] | None, requests.Response]:
    """A page of comments, or None when the site has no comments route."""
    found, response = api.call(
        "GET",
        "/wp/v2/comments",
        params=params,
        what=Step("reading comments", "đọc bình luận"),
        tolerate=NO_ROUTE,
    )
    return (found if isinstance(found, list) else None), response


def _post_of(item: Any) -> int:
    value = str(item.get("post") if isinstance(item, Mapping) else "")
    return int(value) if value.isdigit() else 0


def _header(response: requests.Response, name: str) -> int | None:
    value = response.headers.get(name, "").strip()
    return int(value) if value.isdigit() else None
