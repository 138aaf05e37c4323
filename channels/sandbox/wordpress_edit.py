"""Changing and deleting a post, as WordPress 6's REST API does it.

`POST /wp/v2/posts/<id>` (update_item): only the fields sent change; status and date_gmt follow
wp_insert_post's rules (a "publish" dated ahead waits as "future", a "future" whose date has come
is published). `DELETE /wp/v2/posts/<id>` (delete_item): to the trash, where the slug gets
WordPress's `__trashed` suffix, and 410 `rest_already_trashed` the second time; `force=true`
deletes it for good and answers `{"deleted": true, "previous": ...}`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from channels.sandbox.server import Response
from channels.sandbox.wordpress_site import (
    STATUSES,
    WPError,
    int_list,
    invalid_params,
    parse_gmt,
    raw_field,
    sanitize_title,
    unique,
    wp_error,
)
from channels.sandbox.wordpress_store import Store

log = logging.getLogger(__name__)

TRUE, FALSE = ("true", "1"), ("false", "0", "")  # rest_sanitize_boolean's words


def _own_post(site: Store, arg: str, user: Any, code: str, verb: str) -> dict[str, Any]:
    """The post `arg` names, as WordPress checks it: an unknown id first, then the user."""
    post = site.posts.get(int(arg))
    if post is None:
        raise wp_error("rest_post_invalid_id")
    if user is None:
        raise WPError(401, code, f"Sorry, you are not allowed to {verb} this post.")
    return post


def update_post(site: Store, params: dict[str, Any], user: Any, arg: str) -> Response:
    post = _own_post(site, arg, user, "rest_cannot_edit", "edit")
    invalid: dict[str, str] = {}
    status = params.get("status", post["status"])
    if status not in STATUSES and status != post["status"]:
        invalid["status"] = f"status is not one of {', '.join(STATUSES)}."
    when = parse_gmt(params["date_gmt"]) if params.get("date_gmt") is not None else None
    if params.get("date_gmt") is not None and when is None:
        invalid["date_gmt"] = "Invalid date."
    terms = {key: int_list(params[key]) for key in ("categories", "tags") if key in params}
    invalid |= {key: f"{key}[0] is not of type integer." for key, v in terms.items() if v is None}
    featured = params.get("featured_media", post["featured_media"])
    if not isinstance(featured, int) and not str(featured).isdigit():
        invalid["featured_media"] = "featured_media is not of type integer."
    if invalid:
        raise invalid_params(invalid)
    texts = {
        key: raw_field(params[key]) if key in params else post[key]
        for key in ("title", "content", "excerpt")
    }
    if not any(texts.values()):
        raise wp_error("empty_content")
    if int(featured) and int(featured) not in site.media:
        raise WPError(400, "rest_invalid_featured_media", "Invalid featured media ID.")
    now = datetime.now(UTC).replace(microsecond=0)
    when = when or post["date_gmt"]
    if status == "publish" and when - now >= timedelta(minutes=1):
        status = "future"
    elif status == "future" and when - now < timedelta(minutes=1):
        status = "publish"
    if params.get("slug"):
        taken = {p["slug"] for p in site.posts.values() if p is not post}
        post["slug"] = unique(sanitize_title(str(params["slug"])), taken, start=2)
    post |= texts | {"status": status, "date_gmt": when, "modified_gmt": now}
    post["featured_media"] = int(featured)
    if terms.get("categories") is not None:
        post["categories"] = [i for i in terms["categories"] or [] if site.term(i, "category")]
        post["categories"] = post["categories"] or [1]
    if terms.get("tags") is not None:
        post["tags"] = [i for i in terms["tags"] or [] if site.term(i, "post_tag")]
    log.info("sandbox wordpress: post %s updated, %s", post["id"], status)
    return Response.json(site.post_json(post, edit=True))


def delete_post(site: Store, params: dict[str, Any], user: Any, arg: str) -> Response:
    post = _own_post(site, arg, user, "rest_cannot_delete", "delete")
    force = str(params.get("force", "false")).strip().lower()
    if force not in TRUE + FALSE:
        raise invalid_params({"force": "force is not of type boolean."})
    if force in TRUE:
        previous = site.post_json(post, edit=True)
        del site.posts[post["id"]]
        log.info("sandbox wordpress: post %s deleted", post["id"])
        return Response.json({"deleted": True, "previous": previous})
    if post["status"] == "trash":
        raise WPError(410, "rest_already_trashed", "The post has already been deleted.")
    post["status"], post["slug"] = "trash", f"{post['slug']}__trashed"
    post["modified_gmt"] = datetime.now(UTC).replace(microsecond=0)
    log.info("sandbox wordpress: post %s moved to the trash", post["id"])
    return Response.json(site.post_json(post, edit=True))
