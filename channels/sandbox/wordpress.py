"""The ASEAN subpage as a WordPress site: the REST API the adapter speaks (CHANNELS.md).

Below /wordpress: the REST API at /wp-json/wp/v2/... and, as on every WordPress site, at
/index.php?rest_route=/wp/v2/... (the front controller); the uploaded files at /wp-content/uploads/
(served, so Zalo articles can show them); a page per post at /<slug>/. Application passwords in
basic auth; answers, envelopes and error codes as WordPress 6 gives them. The media library and
the terms: channels.sandbox.wordpress_media.

Control commands: "issue_app_password" {"user"} -> a new application password for loa-bot;
"revoke_app_passwords" (alias "expire_tokens"); "disable_pretty_permalinks" (/wp-json/ answers
404 rest_no_route, the query form keeps working) and "enable_pretty_permalinks"; "rate_limit"
{"seconds"}: every REST call answers 429 until then. Comments, views and their controls
(age_posts, postviews): channels.sandbox.wordpress_figures.
"""

from __future__ import annotations

import base64
import html
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from channels.sandbox.server import Platform, Request, Response
from channels.sandbox.wordpress_edit import delete_post, update_post
from channels.sandbox.wordpress_figures import CONTROLS, SiteFigures, only_fields
from channels.sandbox.wordpress_media import LibraryRoutes
from channels.sandbox.wordpress_site import (
    STATUSES,
    WPError,
    file_page,
    found_by,
    injected,
    int_list,
    invalid_params,
    no_route,
    normalize_password,
    parse_gmt,
    post_page,
    raw_field,
    sanitize_title,
    text_of,
    unique,
    wp_error,
)
from channels.sandbox.wordpress_store import Store

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], dict[str, Any] | None, Request, str], Response]


class WordPressSandbox(LibraryRoutes, Platform):
    name = "wordpress"
    title = "Trang thông tin ASEAN tỉnh Thừa Thiên Huế (WordPress)"
    prefixes = ("/wordpress",)

    def reset(self) -> None:
        self.rate_limited_until = 0.0
        self.site = Store(self._root)
        self.figures = SiteFigures(self.site)

    def _root(self) -> str:
        return f"{self.base_url}{self.prefixes[0]}"

    # -- routing --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        self.site.publish_due()
        try:
            return self._route(request)
        except WPError as error:
            return error.response()

    def _route(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/wp-content/uploads/"):
            media = self.site.media.get(
                self.site.files.get(path.removeprefix("/wp-content/uploads/"), 0)
            )
            if media is None:
                return Response.html(file_page("Không tìm thấy trang", "404"), 404)
            return Response(200, media["data"], {"Content-Type": media["mime"]})
        if path == "/wp-json" or path.startswith("/wp-json/"):
            if not self.site.pretty:  # no rewrite rules: nothing answers below /wp-json/
                raise no_route()
            route = path.removeprefix("/wp-json") or "/"
        elif path in ("/", "/index.php") and "rest_route" in request.query:
            route = request.query["rest_route"] or "/"
        else:
            return self._page(request)
        if time.monotonic() < self.rate_limited_until:
            limited = wp_error("rest_too_many_requests")
            limited.headers["Retry-After"] = str(
                int(self.rate_limited_until - time.monotonic()) + 1
            )
            raise limited
        user = self._authenticate(request)
        params = {k: v for k, v in request.query.items() if k != "rest_route"}
        if "json" in request.headers.get("Content-Type", ""):
            body = request.json()
            params.update(body if isinstance(body, dict) else {})
        elif "form-urlencoded" in request.headers.get("Content-Type", ""):
            params.update(request.form())
        answer = self._dispatch(request, route.rstrip("/") or "/", params, user)
        return only_fields(answer, str(params.get("_fields") or ""))

    def _dispatch(
        self, request: Request, route: str, params: dict[str, Any], user: dict[str, Any] | None
    ) -> Response:
        write = request.method in ("POST", "PUT", "PATCH")
        parts = route.strip("/").split("/")
        handlers: dict[tuple[str, bool], Handler] = {
            ("wp/v2/users/me", False): self._me,
            ("wp/v2/posts", False): self._list_posts,
            ("wp/v2/posts", True): self._create_post,
            ("wp/v2/posts/ID", False): self._get_post,
            ("wp/v2/posts/ID", True): lambda p, u, _, arg: update_post(self.site, p, u, arg),
            ("wp/v2/media", False): self._list_media,
            ("wp/v2/media", True): self._upload,
            ("wp/v2/media/ID", False): self._get_media,
            ("wp/v2/media/ID", True): self._update_media,
            ("wp/v2/comments", False): lambda p, u, _, __: self.figures.list_comments(p, u),
            ("wp/v2/categories", False): self._list_terms,
            ("wp/v2/categories", True): self._create_term,
            ("wp/v2/tags", False): self._list_terms,
            ("wp/v2/tags", True): self._create_term,
        }
        key, arg = "/".join(parts), parts[-1]
        if len(parts) == 4 and parts[3].isdigit():
            key = "/".join([*parts[:3], "ID"])
        if route == "/" and request.method == "GET":
            return Response.json(self.site.index(self.title))
        if request.method == "DELETE" and key == "wp/v2/posts/ID":
            return delete_post(self.site, params, user, arg)
        handler = handlers.get((key, write))
        if handler is None or request.method not in ("GET", "HEAD", "POST", "PUT", "PATCH"):
            raise no_route()
        return handler(params, user, request, arg)

    def _authenticate(self, request: Request) -> dict[str, Any] | None:
        """Basic auth with an application password; a wrong one fails every REST call."""
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except ValueError:
            return None
        login, _, password = decoded.partition(":")
        user = next(
            (u for u in self.site.users.values() if login in (u["username"], u["email"])), None
        )
        if user is None:
            raise wp_error("invalid_username")
        if normalize_password(password) not in user["passwords"]:
            raise wp_error("incorrect_password")
        return user

    # -- REST handlers --------------------------------------------------------------------

    def _me(self, params: dict[str, Any], user: Any, request: Request, _: str) -> Response:
        if user is None:
            raise wp_error("rest_not_logged_in")
        return Response.json(self.site.user_json(user, edit=params.get("context") == "edit"))

    def _create_post(self, params: dict[str, Any], user: Any, request: Request, _: str) -> Response:
        if user is None:
            raise wp_error("rest_cannot_create")
        invalid: dict[str, str] = {}
        status = params.get("status", "draft")
        if status not in STATUSES:
            invalid["status"] = f"status is not one of {', '.join(STATUSES)}."
        when = parse_gmt(params["date_gmt"]) if params.get("date_gmt") is not None else None
        if params.get("date_gmt") is not None and when is None:
            invalid["date_gmt"] = "Invalid date."
        terms = {key: int_list(params.get(key)) for key in ("categories", "tags")}
        invalid |= {
            key: f"{key}[0] is not of type integer." for key, v in terms.items() if v is None
        }
        featured = params.get("featured_media", 0)
        if not isinstance(featured, int) and not str(featured).isdigit():
            invalid["featured_media"] = "featured_media is not of type integer."
        if invalid:
            raise invalid_params(invalid)
        title, content, excerpt = (
            raw_field(params.get(k)) for k in ("title", "content", "excerpt")
        )
        if not (title or content or excerpt):
            raise wp_error("empty_content")
        if int(featured) and int(featured) not in self.site.media:
            raise WPError(400, "rest_invalid_featured_media", "Invalid featured media ID.")
        now = datetime.now(UTC).replace(microsecond=0)
        when = when or now
        # wp_insert_post: a "publish" more than a minute ahead waits; a due "future" goes out
        if status == "publish" and when - now >= timedelta(minutes=1):
            status = "future"
        elif status == "future" and when - now < timedelta(minutes=1):
            status = "publish"
        slug = sanitize_title(str(params.get("slug") or title)) or str(self.site.next_id)
        if status in ("publish", "future"):
            taken = {post["slug"] for post in self.site.posts.values()}
            slug = unique(slug, taken, start=2)
        categories = [i for i in terms["categories"] or [] if self.site.term(i, "category")] or [1]
        post = {
            "id": self.site.new_id(),
            "slug": slug,
            "status": status,
            "title": title,
            "content": content,
            "excerpt": excerpt,
            "date_gmt": when,
            "modified_gmt": now,
            "author": user["id"],
            "featured_media": int(featured),
            "categories": categories,
            "tags": [i for i in terms["tags"] or [] if self.site.term(i, "post_tag")],
        }
        self.site.posts[post["id"]] = post
        log.info("sandbox wordpress: post %s %r is %s", post["id"], slug, status)
        location = {"Location": f"{self._root()}/wp-json/wp/v2/posts/{post['id']}"}
        return Response.json(self.site.post_json(post, edit=True), 201, location)

    def _list_posts(self, params: dict[str, Any], user: Any, request: Request, _: str) -> Response:
        statuses = str(params.get("status") or "publish").split(",")
        invalid: dict[str, str] = {}
        if any(status not in STATUSES for status in statuses):
            invalid["status"] = f"status[0] is not one of {', '.join(STATUSES)}, any."
        elif user is None and statuses != ["publish"]:
            invalid["status"] = "Status is forbidden."
        if params.get("context") == "edit" and user is None:
            raise WPError(
                401,
                "rest_forbidden_context",
                "Sorry, you are not allowed to edit posts in this post type.",
            )
        slugs = [s for s in str(params.get("slug") or "").split(",") if s]
        include = int_list(params.get("include"))
        if include is None:
            invalid["include"] = "include[0] is not of type integer."
        search = str(params.get("search") or "")
        found = [
            post
            for post in self.site.posts.values()
            if post["status"] in statuses
            and (not slugs or post["slug"] in slugs)
            and (not include or post["id"] in include)
            and found_by(search, post["title"], post["excerpt"], post["content"])
        ]
        found.sort(key=lambda post: (post["date_gmt"], post["id"]), reverse=True)
        edit = params.get("context") == "edit"
        return self.site.page_of(
            found, params, invalid, lambda p: self.site.post_json(p, edit=edit)
        )

    def _get_post(self, params: dict[str, Any], user: Any, request: Request, arg: str) -> Response:
        post = self.site.posts.get(int(arg))
        if post is None:
            raise wp_error("rest_post_invalid_id")
        if post["status"] != "publish" and user is None:
            raise wp_error("rest_forbidden")
        return Response.json(self.site.post_json(post, edit=params.get("context") == "edit"))

    def _page(self, request: Request) -> Response:
        """The theme: /<slug>/ or index.php?p=ID shows a post, index.php the front page."""
        slug, number = request.path.strip("/"), request.query.get("p", "")
        if request.method == "GET" and slug == "index.php" and not number:
            return Response.html(self.public_page())
        post = next(
            (
                p
                for p in self.site.posts.values()
                if p["status"] == "publish" and (p["slug"] == slug or str(p["id"]) == number)
            ),
            None,
        )
        if request.method != "GET" or post is None:
            return Response.html(file_page("Không tìm thấy trang", "404"), 404)
        heading = html.unescape(text_of(post["title"]))  # page() escapes it again
        return Response.html(post_page(heading, [self.site.view(post)]))

    def public_page(self) -> str:
        self.site.publish_due()
        posts = sorted(
            (p for p in self.site.posts.values() if p["status"] == "publish"),
            key=lambda post: (post["date_gmt"], post["id"]),
            reverse=True,
        )
        return post_page(self.title, [self.site.view(post) for post in posts])

    def error_response(self, code: str) -> Response:
        return injected(code)

    def snapshot(self) -> Any:
        return self.site.snapshot()

    def control(self, command: str, args: Mapping[str, Any]) -> Any:
        if command == "issue_app_password":
            user = next(
                u for u in self.site.users.values() if u["username"] == args.get("user", "loa-bot")
            )
            password = "".join(secrets.choice(ALPHABET) for _ in range(24))
            user["passwords"].append(password)
            return " ".join(password[i : i + 4] for i in range(0, 24, 4))
        if command in ("revoke_app_passwords", "expire_tokens"):
            for user in self.site.users.values():
                user["passwords"] = []
            return True
        if command in ("disable_pretty_permalinks", "enable_pretty_permalinks"):
            self.site.pretty = command.startswith("enable")
            return self.site.pretty
        if command in CONTROLS:
            return self.figures.control(command, args)
        if command == "rate_limit":
            self.rate_limited_until = time.monotonic() + float(args.get("seconds", 60))
            return True
        raise KeyError(command)


ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
