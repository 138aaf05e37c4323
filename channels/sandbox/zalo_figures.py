"""What the Zalo sandbox reports about an article's audience: `total_view` and `total_share`.

CHANNELS.md, "Metrics": the article list (`getslice`) and the detail (`getdetail`) carry both
counts per article (*unconfirmed*: where absent, no figure). The sandbox draws them from
`channels.sandbox.figures.grow` by the article's age, so they grow plausibly and the same age
always gives the same figures.

Controls: `age_posts {"seconds": N}` makes every article that exists now N seconds older, for
its figures only (its `create_date` stays as Zalo gave it, so reconciling by time is unaffected);
`omit_figures {"on": true}` answers without the two fields, the other variant CHANNELS.md allows.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from channels.sandbox.figures import grow

CONTROLS = ("age_posts", "omit_figures")


class ArticleFigures:
    def __init__(self) -> None:
        self.aged: dict[str, float] = {}  # article id -> seconds added to its age
        self.omitted = False

    def control(self, command: str, args: Mapping[str, Any], ids: Iterable[str]) -> Any:
        if command == "omit_figures":
            self.omitted = bool(args.get("on", True))
            return self.omitted
        seconds = float(args.get("seconds", 0))
        aged = 0
        for article_id in ids:
            self.aged[article_id] = self.aged.get(article_id, 0.0) + seconds
            aged += 1
        return aged

    def of(self, article: Mapping[str, Any]) -> dict[str, Any]:
        """The article with its counts as Zalo would report them at this moment."""
        shown = {k: v for k, v in article.items() if k not in ("total_view", "total_share")}
        if self.omitted:
            return shown
        article_id = str(article["id"])
        age = time.time() - float(article["create_date"]) / 1000 + self.aged.get(article_id, 0.0)
        return shown | {
            "total_view": grow(article_id, "views", age),
            "total_share": grow(article_id, "shares", age),
        }
