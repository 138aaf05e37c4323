"""What the WordPress stand-in holds, and how the REST API shows it.

Posts and attachments share one id sequence (the `wp_posts` table), categories and tags another
(`wp_terms`). Records are plain dicts; the `*_json` methods give them the shapes WordPress answers
with (`edit` adds the raw fields that `context=edit` shows).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from channels.sandbox.server import Response
from channels.sandbox.wordpress_site import (
    SEEDED_APP_PASSWORD,
    SITE_ZONE,
    WPError,
    cover_png,
    image_size,
    invalid_params,
    normalize_password,
    sanitize_title,
    unique,
    wp_date,
)

PER_PAGE_ERROR = "per_page must be between 1 (inclusive) and 100 (inclusive)"
EDITOR_RIGHTS = ("publish_posts", "upload_files", "edit_posts", "manage_categories")


class Store:
    def __init__(self, root: Callable[[], str]) -> None:
        self._root = root
        self.pretty = True
        self.users: dict[int, dict[str, Any]] = {
            1: _user(1, "admin", "Quản trị viên", "administrator", []),
            2: _user(2, "loa-bot", "Loa - đăng bài tự động", "editor", [SEEDED_APP_PASSWORD]),
        }
        self.next_id = 1
        self.posts: dict[int, dict[str, Any]] = {}
        self.media: dict[int, dict[str, Any]] = {}
        self.files: dict[str, int] = {}  # path below uploads/ -> attachment id
        self.terms: dict[int, dict[str, Any]] = {
            1: {"id": 1, "taxonomy": "category", "name": "Chưa phân loại", "slug": "uncategorized"}
        }
        self.next_term = 2
        # register_rest_field(): plugins add fields to every post answer (name -> value of a post)
        self.rest_fields: dict[str, Callable[[dict[str, Any]], Any]] = {}
        # the default Zalo cover of the demo configuration lives in this library
        self.add_media(None, "loa/cover-asean-hue.png", "image/png", cover_png(), "Huế - ASEAN")

    def index(self, name: str) -> dict[str, Any]:
        """GET /wp-json/: what the site says about itself."""
        root = self.root()
        return {
            "name": name,
            "description": "Loa sandbox",
            "url": root,
            "home": root,
            "gmt_offset": "7",
            "timezone_string": "Asia/Ho_Chi_Minh",
            "namespaces": ["wp/v2"],
            "authentication": {
                "application-passwords": {
                    "endpoints": {"authorization": f"{root}/wp-admin/authorize-application.php"}
                }
            },
        }

    def page_of(
        self,
        items: list[dict[str, Any]],
        params: dict[str, Any],
        invalid: dict[str, str],
        shape: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Response:
        per_page, page = str(params.get("per_page", "10")), str(params.get("page", "1"))
        if not per_page.isdigit() or not 1 <= int(per_page) <= 100:
            invalid["per_page"] = PER_PAGE_ERROR
        if not page.isdigit() or int(page) < 1:
            invalid["page"] = "page must be greater than or equal to 1"
        if invalid:
            raise invalid_params(invalid)
        size, number = int(per_page), int(page)
        pages = -(-len(items) // size)
        if number > max(pages, 1):
            raise WPError(
                400,
                "rest_post_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
            )
        shown = [shape(item) for item in items[(number - 1) * size : number * size]]
        return Response.json(
            shown, headers={"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(pages)}
        )

    def user_json(self, user: dict[str, Any], *, edit: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": user["id"],
            "name": user["name"],
            "url": "",
            "description": "",
            "link": f"{self.root()}/author/{user['username']}/",
            "slug": user["username"],
        }
        if edit:  # every user may see its own account in full
            rights = EDITOR_RIGHTS if user["role"] in ("editor", "administrator") else ()
            data |= {
                "username": user["username"],
                "email": user["email"],
                "roles": [user["role"]],
                "capabilities": {right: True for right in (*rights, user["role"])},
                "extra_capabilities": {user["role"]: True},
            }
        return data

    def post_json(self, post: dict[str, Any], *, edit: bool) -> dict[str, Any]:
        root = self.root()
        data = {
            "id": post["id"],
            "date": wp_date(post["date_gmt"], SITE_ZONE),
            "date_gmt": wp_date(post["date_gmt"]),
            "guid": {"rendered": f"{root}/?p={post['id']}"},
            "modified": wp_date(post["modified_gmt"], SITE_ZONE),
            "modified_gmt": wp_date(post["modified_gmt"]),
            "slug": post["slug"],
            "status": post["status"],
            "type": "post",
            "link": self.link(post),
            "title": {"rendered": post["title"]},  # HTML, as stored
            "content": {"rendered": post["content"], "protected": False},
            "excerpt": {
                "rendered": f"<p>{html.escape(post['excerpt'])}</p>" if post["excerpt"] else "",
                "protected": False,
            },
            "author": post["author"],
            "featured_media": post["featured_media"],
            "comment_status": "open",
            "ping_status": "open",
            "sticky": False,
            "template": "",
            "format": "standard",
            "meta": {"footnotes": ""},
            "categories": post["categories"],
            "tags": post["tags"],
            "_links": {"self": [{"href": f"{root}/wp-json/wp/v2/posts/{post['id']}"}]},
        }
        if edit:
            for key in ("title", "content", "excerpt"):
                data[key]["raw"] = post[key]
            data["password"] = ""
        return data | {name: value(post) for name, value in self.rest_fields.items()}

    def media_json(self, media: dict[str, Any], *, edit: bool) -> dict[str, Any]:
        source = f"{self.root()}/wp-content/uploads/{media['path']}"
        details: dict[str, Any] = {"filesize": len(media["data"])}
        if media["width"]:
            details |= {
                "width": media["width"],
                "height": media["height"],
                "file": media["path"],
                "sizes": {},
            }
        data = {
            "id": media["id"],
            "date": wp_date(media["date_gmt"], SITE_ZONE),
            "date_gmt": wp_date(media["date_gmt"]),
            "guid": {"rendered": source},
            "slug": media["slug"],
            "status": "inherit",
            "type": "attachment",
            "link": f"{self.root()}/{media['slug']}/",
            "title": {"rendered": media["title"]},
            "author": media["author"],
            "comment_status": "open",
            "ping_status": "closed",
            "alt_text": media["alt_text"],
            "caption": {"rendered": ""},
            "description": {"rendered": ""},
            "media_type": "image" if media["mime"].startswith("image/") else "file",
            "mime_type": media["mime"],
            "media_details": details,
            "post": media.get("post"),
            "source_url": source,
        }
        if edit:
            data["title"]["raw"] = media["title"]
        return data

    def term_json(self, term: dict[str, Any]) -> dict[str, Any]:
        kind = "category" if term["taxonomy"] == "category" else "tag"
        key = "categories" if kind == "category" else "tags"
        count = sum(
            1 for p in self.posts.values() if p["status"] == "publish" and term["id"] in p[key]
        )
        data = {
            "id": term["id"],
            "count": count,
            "description": "",
            "link": f"{self.root()}/{kind}/{term['slug']}/",
            "name": term["name"],
            "slug": term["slug"],
            "taxonomy": term["taxonomy"],
            "meta": [],
        }
        if kind == "category":
            data["parent"] = 0
        return data

    def term(self, term_id: int, taxonomy: str) -> bool:
        return self.terms.get(term_id, {}).get("taxonomy") == taxonomy

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add_media(
        self, author: int | None, path: str, mime: str, data: bytes, title: str, slug: str = ""
    ) -> dict[str, Any]:
        taken = {p["slug"] for p in self.posts.values()} | {m["slug"] for m in self.media.values()}
        slug = sanitize_title(slug or title) or "image"
        width, height = image_size(data) or (None, None)
        media: dict[str, Any] = {
            "id": self.new_id(),
            "path": path,
            "mime": mime,
            "data": data,
            "width": width,
            "height": height,
            "alt_text": "",
            "title": title,
            "author": author or 1,
            "slug": unique(slug, taken, start=2),
            "post": None,
            "date_gmt": datetime.now(UTC).replace(microsecond=0),
        }
        self.media[media["id"]] = media
        self.files[path] = media["id"]
        return media

    def root(self) -> str:
        return self._root()

    def link(self, post: dict[str, Any]) -> str:
        # get_permalink(): scheduled posts, and every post without pretty permalinks, are ?p=ID
        if self.pretty and post["status"] == "publish":
            return f"{self.root()}/{post['slug']}/"
        return f"{self.root()}/?p={post['id']}"

    def publish_due(self) -> None:
        """WordPress's cron publishes a "future" post once its date has come."""
        now = datetime.now(UTC)
        for post in self.posts.values():
            if post["status"] == "future" and post["date_gmt"] <= now:
                post["status"] = "publish"

    def view(self, post: dict[str, Any]) -> dict[str, Any]:
        featured = self.media.get(post["featured_media"])
        names = [
            self.terms[i]["name"] for i in post["categories"] + post["tags"] if i in self.terms
        ]
        return {
            "title": post["title"],
            "link": self.link(post),
            "content": post["content"],
            "date": post["date_gmt"].astimezone(SITE_ZONE),
            "terms": names,
            "image": featured
            and (self.media_json(featured, edit=False)["source_url"], featured["alt_text"]),
        }

    def snapshot(self) -> Any:
        self.publish_due()
        names = {i: html.unescape(t["name"]) for i, t in self.terms.items()}
        return {
            "pretty_permalinks": self.pretty,
            "posts": [
                {
                    "id": p["id"],
                    "slug": p["slug"],
                    "status": p["status"],
                    "title": p["title"],
                    "date_gmt": wp_date(p["date_gmt"]),
                    "link": self.link(p),
                    "featured_media": p["featured_media"],
                    "excerpt": p["excerpt"],
                    "categories": [names[i] for i in p["categories"]],
                    "tags": [names[i] for i in p["tags"]],
                    "content": p["content"],
                }
                for p in self.posts.values()
            ],
            "media": [
                {
                    "id": m["id"],
                    "source_url": self.media_json(m, edit=False)["source_url"],
                    "mime_type": m["mime"],
                    "size": len(m["data"]),
                    "alt_text": m["alt_text"],
                    "title": m["title"],
                    "slug": m["slug"],
                    "post": m["post"],
                }
                for m in self.media.values()
            ],
            "categories": sorted(n for i, n in names.items() if self.term(i, "category")),
            "tags": sorted(n for i, n in names.items() if self.term(i, "post_tag")),
            "users": [
                {"username": u["username"], "app_passwords": len(u["passwords"])}
                for u in self.users.values()
            ],
        }


def _user(number: int, login: str, name: str, role: str, passwords: list[str]) -> dict[str, Any]:
    return {
        "id": number,
        "username": login,
        "name": name,
        "role": role,
        "email": f"{login}@asean.example",
        "passwords": [normalize_password(password) for password in passwords],
    }
