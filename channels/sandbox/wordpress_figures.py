"""What the WordPress sandbox tells about a post's audience: its comments, and its views through
a statistics plugin.

Comments: `GET /wp/v2/comments` as WP_REST_Comments_Controller answers it: `post` takes one id
or a comma list, `per_page` 1 to 100, `page`, `orderby` and `order`; only approved comments of
readable posts; `X-WP-Total` and `X-WP-TotalPages` headers; a page past the last is 400
`rest_comment_invalid_page_number`. Each published post gathers `grow(id, "comments", age)`
comments, written into the site as they "arrive" (one id sequence, so ids grow with time).

Views: WordPress core counts none. The sandbox stands in for WP-PostViews (lesterchan/wp-postviews,
2.x), which registers a read-only integer `views` field on the core post resource
(`register_rest_field('post', 'views')`): every post answer carries it, so one
`GET /wp/v2/posts?include=...&_fields=id,views` reads the views of up to 100 posts. Without the
plugin the field is simply absent, as `_fields` ignores names it does not know.

Controls: `age_posts {"seconds": N}` (every post N seconds older, for its figures only) and
`postviews {"on": false}` (the plugin deactivated; active by default).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from channels.sandbox.figures import grow
from channels.sandbox.server import Response
from channels.sandbox.wordpress_site import SITE_ZONE, WPError, int_list, invalid_params, wp_date
from channels.sandbox.wordpress_store import PER_PAGE_ERROR, Store

CONTROLS = ("age_posts", "postviews")
ORDERBY = ("date", "date_gmt", "id", "include", "post", "parent", "type")
READERS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Quốc Dũng", "Hoàng Thu Hà")
SAID = (
    "Bài viết rất hữu ích, cảm ơn Sở!",
    "Huế mình đẹp quá.",
    "Mong có thêm thông tin về lịch các sự kiện.",
    "Tự hào Huế - Thành phố Văn hóa ASEAN.",
)


class SiteFigures:
    """The comments that have arrived so far, and how much older each post is made."""

    def __init__(self, site: Store) -> None:
        self.site = site
        self.aged: dict[int, float] = {}  # post id -> seconds added to its age
        self.comments: list[dict[str, Any]] = []  # in arrival order: ids grow
        self.postviews = True
        site.rest_fields["views"] = self.views

    def control(self, command: str, args: Mapping[str, Any]) -> Any:
        if command == "postviews":
            self.postviews = bool(args.get("on", True))
            if self.postviews:
                self.site.rest_fields["views"] = self.views
            else:
                self.site.rest_fields.pop("views", None)
            return self.postviews
        seconds = float(args.get("seconds", 0))
        for post_id in self.site.posts:
            self.aged[post_id] = self.aged.get(post_id, 0.0) + seconds
        return len(self.site.posts)

    def age(self, post: Mapping[str, Any]) -> float:
        published: float = post["date_gmt"].timestamp()
        return time.time() - published + self.aged.get(post["id"], 0.0)

    def views(self, post: Mapping[str, Any]) -> int:
        """WP-PostViews' `views`: a post never viewed has 0 (the meta it seeds on publish)."""
        return grow(str(post["id"]), "views", self.age(post)) if post["status"] == "publish" else 0

    def arrive(self) -> None:
        """Each published post gets the comments its age brings, in a shared id sequence."""
        have: dict[int, int] = {}
        for comment in self.comments:
            have[comment["post"]] = have.get(comment["post"], 0) + 1
        for post in self.site.posts.values():
            if post["status"] != "publish":
                continue
            due = grow(str(post["id"]), "comments", self.age(post))
            for number in range(have.get(post["id"], 0), due):
                self.comments.append(self._comment(post, number))

    def _comment(self, post: Mapping[str, Any], number: int) -> dict[str, Any]:
        comment_id = len(self.comments) + 1
        author = READERS[(post["id"] + number) % len(READERS)]
        text = SAID[(post["id"] * 7 + number) % len(SAID)]
        when = post["date_gmt"]
        root = self.site.root()
        return {
            "id": comment_id,
            "post": post["id"],
            "parent": 0,
            "author": 0,
            "author_name": author,
            "author_url": "",
            "date": wp_date(when, SITE_ZONE),
            "date_gmt": wp_date(when),
            "content": {"rendered": f"<p>{text}</p>\n"},
            "link": f"{self.site.link(dict(post))}#comment-{comment_id}",
            "status": "approved",
            "type": "comment",
            "meta": [],
            "_links": {"self": [{"href": f"{root}/wp-json/wp/v2/comments/{comment_id}"}]},
        }

    def list_comments(self, params: Mapping[str, Any], user: Any) -> Response:
        invalid: dict[str, str] = {}
        posts = int_list(params.get("post"))
        if posts is None:
            invalid["post"] = "post[0] is not of type integer."
        orderby, order = str(params.get("orderby", "date_gmt")), str(params.get("order", "desc"))
        if orderby not in ORDERBY:
            invalid["orderby"] = f"orderby is not one of {', '.join(ORDERBY)}."
        if order not in ("asc", "desc"):
            invalid["order"] = "order is not one of asc, desc."
        per_page, page = str(params.get("per_page", "10")), str(params.get("page", "1"))
        if not per_page.isdigit() or not 1 <= int(per_page) <= 100:
            invalid["per_page"] = PER_PAGE_ERROR
        if not page.isdigit() or int(page) < 1:
            invalid["page"] = "page must be greater than or equal to 1"
        if invalid:
            raise invalid_params(invalid)
        for post_id in posts or []:
            post = self.site.posts.get(post_id)
            if post is not None and post["status"] != "publish" and user is None:
                raise WPError(
                    401,
                    "rest_cannot_read_post",
                    "Sorry, you are not allowed to read the post for this comment.",
                )
        self.arrive()
        # Comments of a post in the trash become "post-trashed": no longer approved, not listed.
        shown = [
            c
            for c in self.comments
            if (not posts or c["post"] in posts)
            and self.site.posts.get(c["post"], {}).get("status") == "publish"
        ]
        key = "id" if orderby in ("id", "include") else orderby.replace("date_gmt", "date")
        shown.sort(key=lambda c: (c[key], c["id"]), reverse=order == "desc")
        size, number = int(per_page), int(page)
        pages = -(-len(shown) // size)
        if number > pages and shown:
            raise WPError(
                400,
                "rest_comment_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
            )
        headers = {"X-WP-Total": str(len(shown)), "X-WP-TotalPages": str(pages)}
        return Response.json(shown[(number - 1) * size : number * size], headers=headers)


def only_fields(response: Response, fields: str) -> Response:
    """`_fields=a,b`: WordPress keeps only these top-level keys of each object it answers."""
    wanted = {name.split(".")[0] for name in fields.split(",") if name}
    if not wanted or "json" not in response.headers.get("Content-Type", ""):
        return response
    data = json.loads(response.body or b"null")

    def keep(item: Any) -> Any:
        return {k: v for k, v in item.items() if k in wanted} if isinstance(item, dict) else item

    if isinstance(data, list):
        data = [keep(item) for item in data]
    elif isinstance(data, dict) and "code" not in data:  # errors are never filtered
        data = keep(data)
    else:
        return response
    extra = {k: v for k, v in response.headers.items() if k != "Content-Type"}
    return Response.json(data, response.status, extra)
