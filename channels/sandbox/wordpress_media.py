"""The WordPress sandbox's media library and terms: uploads as WP_REST_Attachments_Controller
takes them (raw body, the item's fields in the query), items attached to posts, and the
category and tag routes with their `term_exists` answer."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

from channels.sandbox.server import Request, Response
from channels.sandbox.wordpress_site import (
    SITE_ZONE,
    WPError,
    found_by,
    invalid_params,
    raw_field,
    sanitize_title,
    unique,
    upload_name,
    wp_error,
)
from channels.sandbox.wordpress_store import Store

TAXONOMIES = {"categories": "category", "tags": "post_tag"}


class LibraryRoutes:
    """Mixed into `WordPressSandbox`, which owns the site and the routing."""

    site: Store
    _root: Callable[[], str]

    def _upload(self, params: dict[str, Any], user: Any, request: Request, _: str) -> Response:
        if user is None:
            raise WPError(
                401,
                "rest_cannot_create",
                "Sorry, you are not allowed to upload media on this site.",
            )
        stem, extension, mime = upload_name(request)
        parent = self._parent(params.get("post"))
        folder = datetime.now(SITE_ZONE).strftime("%Y/%m")
        taken = {
            path.rpartition("/")[2] for path in self.site.files if path.startswith(folder + "/")
        }
        name = unique(stem, {t.rpartition(".")[0] for t in taken}, start=1) + "." + extension
        # WordPress titles an upload with its stored file name unless a title is sent
        title = raw_field(params.get("title")) or name.rpartition(".")[0]
        media = self.site.add_media(
            user["id"],
            f"{folder}/{name}",
            mime,
            request.body,
            title,
            slug=str(params.get("slug") or ""),
        )
        media["alt_text"], media["post"] = raw_field(params.get("alt_text")), parent
        location = {"Location": f"{self._root()}/wp-json/wp/v2/media/{media['id']}"}
        return Response.json(self.site.media_json(media, edit=True), 201, location)

    def _list_media(self, params: dict[str, Any], user: Any, request: Request, _: str) -> Response:
        search = str(params.get("search") or "")
        slugs = [s for s in str(params.get("slug") or "").split(",") if s]
        if params.get("context") == "edit" and user is None:
            raise WPError(
                401,
                "rest_forbidden_context",
                "Sorry, you are not allowed to edit posts in this post type.",
            )
        found = [
            m
            for m in self.site.media.values()
            if found_by(search, m["title"]) and (not slugs or m["slug"] in slugs)
        ]
        found.sort(key=lambda media: (media["date_gmt"], media["id"]), reverse=True)
        edit = params.get("context") == "edit"
        return self.site.page_of(found, params, {}, lambda m: self.site.media_json(m, edit=edit))

    def _get_media(self, params: dict[str, Any], user: Any, request: Request, arg: str) -> Response:
        media = self.site.media.get(int(arg))
        if media is None:
            raise wp_error("rest_post_invalid_id")
        return Response.json(self.site.media_json(media, edit=params.get("context") == "edit"))

    def _update_media(
        self, params: dict[str, Any], user: Any, request: Request, arg: str
    ) -> Response:
        media = self.site.media.get(int(arg))
        if media is None:
            raise wp_error("rest_post_invalid_id")
        if user is None:
            raise WPError(401, "rest_cannot_edit", "Sorry, you are not allowed to edit this post.")
        if "post" in params:
            media["post"] = self._parent(params["post"])
        for key in ("alt_text", "title"):
            if key in params:
                media[key] = raw_field(params[key])
        return Response.json(self.site.media_json(media, edit=True))

    def _parent(self, value: Any) -> int | None:
        """The post a library item is attached to (`post`): an id of an existing post."""
        if value in (None, "", 0, "0"):
            return None
        if not isinstance(value, int) and not str(value).isdigit():
            raise invalid_params({"post": "post is not of type integer."})
        if int(value) not in self.site.posts:
            # current_user_can('edit_post', id) is false for a post that does not exist
            raise WPError(
                403, "rest_cannot_edit", "Sorry, you are not allowed to upload media to this post."
            )
        return int(value)

    def _list_terms(
        self, params: dict[str, Any], user: Any, request: Request, arg: str
    ) -> Response:
        taxonomy = TAXONOMIES[arg]
        search = str(params.get("search") or "").casefold()
        found = [
            term
            for term in self.site.terms.values()
            if term["taxonomy"] == taxonomy
            and (not search or search in term["name"].casefold() or search in term["slug"])
        ]
        found.sort(key=lambda term: term["name"].casefold())
        return self.site.page_of(found, params, {}, self.site.term_json)

    def _create_term(
        self, params: dict[str, Any], user: Any, request: Request, arg: str
    ) -> Response:
        taxonomy = TAXONOMIES[arg]
        if user is None:
            raise WPError(
                401,
                "rest_cannot_create",
                "Sorry, you are not allowed to create terms in this taxonomy.",
            )
        if "name" not in params:
            raise WPError(
                400, "rest_missing_callback_param", "Missing parameter(s): name", params=["name"]
            )
        # WordPress strips tags and keeps &, <, > as entities in the stored name
        name = html.escape(html.unescape(str(params["name"])).strip(), quote=False)
        if not name:
            raise WPError(400, "empty_term_name", "A name is required for this term.")
        same = next(
            (
                t
                for t in self.site.terms.values()
                if t["taxonomy"] == taxonomy and t["name"].casefold() == name.casefold()
            ),
            None,
        )
        if same is not None:
            where = "with this parent" if taxonomy == "category" else "in this taxonomy"
            raise WPError(
                400,
                "term_exists",
                f"A term with the name provided already exists {where}.",
                term_id=same["id"],
            )
        taken = {term["slug"] for term in self.site.terms.values() if term["taxonomy"] == taxonomy}
        slug = unique(sanitize_title(str(params.get("slug") or name)) or "term", taken, start=2)
        term: dict[str, Any] = {
            "id": self.site.next_term,
            "taxonomy": taxonomy,
            "name": name,
            "slug": slug,
        }
        self.site.terms[term["id"]] = term
        self.site.next_term += 1
        location = {"Location": f"{self._root()}/wp-json/wp/v2/{arg}/{term['id']}"}
        return Response.json(self.site.term_json(term), 201, location)

    # -- pages, faults, control, state ----------------------------------------------------
