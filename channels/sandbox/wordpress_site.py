"""What the WordPress stand-in shares with WordPress itself: its error envelope, how it cleans
slugs, file names and dates, and the theme that shows the posts to the public."""

from __future__ import annotations

import html
import io
import re
import unicodedata
from datetime import UTC, datetime, tzinfo
from functools import cache
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import nh3
from PIL import Image, ImageDraw

from channels import render
from channels.sandbox.server import Request, Response, generic_error, page

SITE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# The application password of loa-bot that every sandbox starts with (tests, the demo).
SEEDED_APP_PASSWORD = "LoaS andb oxAp pPas s202 5Hue"
# rest_parse_date(): RFC 3339, with an optional offset that date_gmt ignores
RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(z|[+-]\d{2}(:?\d{2})?)?$",
    re.IGNORECASE,
)
# What the theme lets through even if a post's HTML was written by someone else than Loa.
PAGE_TAGS = render.ALLOWED_TAGS | {"video", "h2", "h3", "blockquote"}
PAGE_ATTRIBUTES = {**render.ALLOWED_ATTRIBUTES, "video": {"src", "controls"}}


STATUSES = ("publish", "future", "draft", "pending", "private")
MIMES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "pdf": "application/pdf",
}
ERRORS: dict[str, tuple[int, str]] = {
    "rest_cannot_create": (401, "Sorry, you are not allowed to create posts as this user."),
    "incorrect_password": (401, "The provided password is an invalid application password."),
    "invalid_username": (
        401,
        "<strong>Error:</strong> Unknown username. Check again or try your email address.",
    ),
    "rest_not_logged_in": (401, "You are not currently logged in."),
    "rest_forbidden": (403, "Sorry, you are not allowed to do that."),
    "rest_cannot_publish": (403, "Sorry, you are not allowed to publish posts as this user."),
    "empty_content": (400, "Content, title, and excerpt are empty."),
    "rest_post_invalid_id": (404, "Invalid post ID."),
    "rest_no_route": (404, "No route was found matching the URL and request method."),
    "rest_upload_sideload_error": (500, "Sorry, you are not allowed to upload this file type."),
    "db_insert_error": (500, "Could not insert post into the database."),
    "internal_server_error": (
        500,
        '<p>There has been a critical error on this website.</p><p><a href="https://wordpr'
        'ess.org/documentation/article/faq-troubleshooting/">Learn more about troubleshooting'
        " WordPress.</a></p>",
    ),
    "rest_too_many_requests": (429, "Too many requests. Try again later."),
}


class WPError(Exception):
    """A failure as the REST API reports it: {"code", "message", "data": {"status", ...}}."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        **data: Any,
    ) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message
        self.headers, self.data = headers or {}, data

    def response(self) -> Response:
        body = {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }
        return Response.json(body, self.status, self.headers)


def wp_error(code: str) -> WPError:
    status, message = ERRORS[code]
    return WPError(status, code, message)


def injected(code: str) -> Response:
    """The answer to an injected fault: WordPress's envelope, or what stands in front of it."""
    if code in ERRORS:
        error = wp_error(code)
        if code == "rest_too_many_requests":
            error.headers["Retry-After"] = "30"
        return error.response()
    if code == "rest_invalid_param":
        return invalid_params({"status": f"status is not one of {', '.join(STATUSES)}."}).response()
    if code == "429":  # a proxy in front of the site, not WordPress itself
        answer = Response.html(file_page("Too Many Requests", "429"), 429)
        answer.headers["Retry-After"] = "30"
        return answer
    if code == "503":  # maintenance mode while WordPress updates itself
        wait = "Briefly unavailable for scheduled maintenance. Check back in a minute."
        answer = Response.html(file_page(wait, "503"), 503)
        answer.headers["Retry-After"] = "600"
        return answer
    return generic_error(code) or wp_error("internal_server_error").response()


def upload_name(request: Request) -> tuple[str, str, str]:
    """The checks of WP_REST_Attachments_Controller on a raw upload -> (stem, extension, mime)."""
    if not request.body:
        raise WPError(400, "rest_upload_no_data", "No data supplied.")
    if not request.headers.get("Content-Type"):
        raise WPError(400, "rest_upload_no_content_type", "No Content-Type supplied.")
    disposition = request.headers.get("Content-Disposition")
    if not disposition:
        raise WPError(400, "rest_upload_no_content_disposition", "No Content-Disposition supplied.")
    filename = sanitize_file_name(filename_from(disposition))
    if not filename:
        raise WPError(
            400,
            "rest_upload_invalid_disposition",
            "Invalid Content-Disposition supplied. Content-Disposition needs to be formatted as"
            ' `attachment; filename="image.png"` or similar.',
        )
    stem, _, extension = filename.rpartition(".")
    mime = MIMES.get(extension.lower())
    # WordPress checks the bytes, not the name: a "photo.jpg" that is no image is refused
    if not stem or mime is None or (mime.startswith("image/") and not image_size(request.body)):
        raise wp_error("rest_upload_sideload_error")
    return stem, extension, mime


def no_route() -> WPError:
    return WPError(404, "rest_no_route", "No route was found matching the URL and request method.")


def invalid_params(params: dict[str, str]) -> WPError:
    names = ", ".join(params)
    return WPError(
        400,
        "rest_invalid_param",
        f"Invalid parameter(s): {names}",
        params=params,
        details={
            name: {"code": "rest_invalid_param", "message": why, "data": None}
            for name, why in params.items()
        },
    )


def unique(base: str, taken: set[str], *, start: int) -> str:
    """wp_unique_post_slug() appends -2, -3...; wp_unique_filename() appends -1, -2..."""
    if base not in taken:
        return base
    number = start
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def normalize_password(password: str) -> str:
    """WordPress ignores everything but letters and digits (the groups shown with spaces)."""
    return re.sub(r"[^a-zA-Z0-9]", "", password)


def parse_gmt(value: Any) -> datetime | None:
    """rest_get_date_with_gmt(..., true): any offset is replaced by +00:00, not applied."""
    match = RFC3339.match(str(value))
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(n)) for n in range(1, 7))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def wp_date(value: datetime, zone: tzinfo = UTC) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")


def found_by(search: str, *fields: str) -> bool:
    """WP_Query's `search`: every word must occur in the title, the excerpt or the content."""
    text = " ".join(fields).casefold()
    return all(word in text for word in search.casefold().split())


def int_list(value: Any) -> list[int] | None:
    """An array of ids; WordPress also takes "1,2" and numeric strings."""
    if value is None or value == "":
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        items = [items]
    if not all(isinstance(i, int) or str(i).strip().isdigit() for i in items):
        return None
    return [int(i) for i in items]


def sanitize_title(text: str) -> str:
    """sanitize_title_with_dashes(): accents removed, lower case, dashes between words."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = re.sub(r"&[a-z0-9#]+;", "", text)
    text = re.sub(r"[^a-z0-9 _-]", "", text)
    return re.sub(r"[\s-]+", "-", text).strip("-")


def sanitize_file_name(name: str) -> str:
    """sanitize_file_name(): no path, no special characters, dashes for spaces."""
    name = name.replace("\\", "/").rpartition("/")[2]
    name = re.sub(r"[?\[\]=<>:;,'\"&$#*()|~`!{}%+’«»”“]", "", name)
    return re.sub(r"[\s-]+", "-", name).strip(".-_")


def filename_from(disposition: str) -> str:
    """The file name of `attachment; filename="x.jpg"` (or filename*=UTF-8''x.jpg)."""
    match = re.search(r"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)", disposition)
    if match:
        return unquote(match.group(1).strip())
    match = re.search(r'filename\s*=\s*"([^"]*)"', disposition) or re.search(
        r"filename\s*=\s*([^;\s]+)", disposition
    )
    return match.group(1).strip() if match else ""


def image_size(data: bytes) -> tuple[int, int] | None:
    """The width and height of an image, or None when the bytes are not one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


@cache
def cover_png() -> bytes:
    """The demo's default Zalo cover: a plain banner in the site's colours."""
    image = Image.new("RGB", (1200, 630), (18, 58, 120))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 520, 1200, 630), fill=(226, 176, 38))
    draw.text((60, 80), "Hue - ASEAN", fill=(255, 255, 255), font_size=96)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def file_page(message: str, status: str) -> str:
    return page(f"{status} {message}", f"<p>{html.escape(message)}</p>")


def text_of(fragment: str) -> str:
    """An HTML field that may hold no markup (a title), cleaned: entities stay entities."""
    return nh3.clean(fragment, tags=set())


def post_page(title: str, posts: list[dict[str, Any]]) -> str:
    """The theme: plain fields escaped; the post's HTML (title, content) cleaned again, whoever
    wrote it."""
    articles = []
    for post in posts:
        image = ""
        if post["image"]:
            src, alt = post["image"]
            image = f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
        terms = " · ".join(html.escape(html.unescape(name)) for name in post["terms"])
        content = nh3.clean(
            post["content"],
            tags=PAGE_TAGS,
            attributes=PAGE_ATTRIBUTES,
            url_schemes={"http", "https"},
        )
        articles.append(
            f'<article><h2><a href="{html.escape(post["link"])}">{text_of(post["title"])}'
            f'</a></h2><p class="meta">{post["date"]:%d/%m/%Y %H:%M} · {terms}</p>'
            f"{image}{content}</article>"
        )
    return page(title, "".join(articles) or "<p>Chưa có bài viết nào.</p>")


def raw_field(value: Any) -> str:
    """A title, content or excerpt: a string, or {"raw": ...} as the block editor sends it."""
    if isinstance(value, dict):
        value = value.get("raw", "")
    return "" if value is None else str(value)
