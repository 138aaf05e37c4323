"""Figures of Zalo articles: views (`total_view`) and shares (`total_share`).

CHANNELS.md, "Metrics": the article list (`getslice`) and the article detail (`getdetail`) both
carry the two counts (*unconfirmed* on the real API: where one is absent it is "no figure", with
a note, never 0). Zalo has no call that takes many ids: `getdetail` answers one article, and
`getslice` pages through all of them, newest first, at most 10 a page ("maximum limit is 10").

So the fewest requests depend on where the articles sit in the list. Loa reads figures mostly
soon after publishing (an hour, a day, a week), when its articles are on the first pages, where
one page serves up to 10 of them. Older ones sit deep in the list, where a detail per article is
cheaper. `read_metrics` pages while paging pays (a page found something, and the pages read are
fewer than the articles still missing), then asks `getdetail` for the rest: at most one wasted
page per batch. An article Zalo no longer knows (-201 "article is not exist") or that is hidden
(status "hide") is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from channels.base import Figures, Problem, as_count
from channels.errors import Step
from channels.zalo.api import ZaloAPI

log = logging.getLogger(__name__)

SLICE_LIMIT = 10  # getslice refuses more than 10 per page
NOT_FOUND = -201  # what getdetail answers for an id it does not know
FIELDS = {"views": "total_view", "shares": "total_share"}  # Loa's name -> Zalo's
BATCH = 20  # ids per read_metrics call: enough for paging to pay when the articles are recent
NO_FIGURE = {
    "views": ("Zalo không báo lượt xem của bài này.", "Zalo did not report this article's views."),
    "shares": (
        "Zalo không báo lượt chia sẻ của bài này.",
        "Zalo did not report this article's shares.",
    ),
}


class ZaloMetrics:
    """Mixed into `ZaloOA`, which owns the API client."""

    api: ZaloAPI

    def read_metrics(self, remote_ids: Sequence[str]) -> list[Figures]:
        wanted = list(dict.fromkeys(str(i) for i in remote_ids))
        found = _from_list(self.api, wanted) if len(wanted) > 1 else {}
        figures = {i: _figures(i, article) for i, article in found.items()}
        for article_id in wanted:
            if article_id not in figures:
                figures[article_id] = _figures(article_id, _detail(self.api, article_id))
        log.info(
            "zalo %s: figures of %d articles (%d from the list)",
            self.api.setup.id, len(wanted), len(found),
        )  # fmt: skip
        return [figures[str(i)] for i in remote_ids]


def _from_list(api: ZaloAPI, wanted: list[str]) -> dict[str, Mapping[str, Any]]:
    """The wanted articles `getslice` shows on its first pages, paging only while it pays."""
    found: dict[str, Mapping[str, Any]] = {}
    pages = 0
    while True:
        missing = len(wanted) - len(found)
        params = {"offset": pages * SLICE_LIMIT, "limit": SLICE_LIMIT, "type": "normal"}
        data = api.call(
            "GET", "/v2.0/article/getslice", Step("Zalo figures", "số liệu Zalo"), params=params
        )
        pages += 1
        items = data.get("medias") or data.get("articles") or []
        hits = {
            str(item["id"]): item
            for item in items
            if isinstance(item, Mapping) and str(item.get("id", "")) in wanted
        }
        found.update(hits)
        total = as_count(data.get("total"))
        end = len(items) < SLICE_LIMIT or (total is not None and pages * SLICE_LIMIT >= total)
        # A page without any of them says the rest are older: a detail each is cheaper then.
        if end or not hits or len(found) == len(wanted) or pages >= missing - len(hits):
            return found


def _detail(api: ZaloAPI, article_id: str) -> Mapping[str, Any] | None:
    """The article as `getdetail` answers it, or None when Zalo does not know the id."""
    what = Step(f"Zalo figures of article {article_id}", f"số liệu bài Zalo {article_id}")
    code, body = api.ask("GET", "/v2.0/article/getdetail", what, params={"id": article_id})
    if code == NOT_FOUND:
        return None
    if code != 0:
        raise api.error(code, body, what)
    data = body.get("data")
    return data if isinstance(data, Mapping) else {}


def _figures(article_id: str, article: Mapping[str, Any] | None) -> Figures:
    if article is None or article.get("status") == "hide":
        return Figures(article_id, gone=True)
    values = {name: as_count(article.get(field)) for name, field in FIELDS.items()}
    notes = tuple(
        Problem(name, *NO_FIGURE[name]) for name, value in values.items() if value is None
    )
    return Figures(article_id, values, notes)
