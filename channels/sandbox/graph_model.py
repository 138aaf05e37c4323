"""The Graph sandbox's data and rules: the app, user and pages it knows, its error answers,
its records, and the checks on what a request sends.

Error messages are Facebook's own wording where it is known, so an adapter's messages read in
tests as they will in production.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from channels.sandbox.server import Response

APP_ID = "1234567890123456"
APP_SECRET = "sandbox-facebook-app-secret"
USER_ID, USER_NAME = "10000000000000001", "Quản trị viên Loa (sandbox)"
PAGES = {
    "100000000000001": ("Thông tin đối ngoại Thừa Thiên Huế", "Government organization"),
    "100000000000002": ("Du lịch Huế - Visit Hue", "Tourism agency"),
    "100000000000009": ("Trang của người khác", "Community"),  # the sandbox user manages no more
}
MANAGED = ("100000000000001", "100000000000002")
PAGE_TASKS = ("ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE")  # a full role
SHORT_LIFE, LONG_LIFE = 2 * 3600, 60 * 86400
MESSAGE_MAX = 63_206  # characters of a post's message or a video's description
PHOTO_MAX_BYTES = 4 * 1024 * 1024  # "Photos should be less than 4 MB" (Page photos reference)
BUC_CAPACITY = 4800  # calls per window before a page is at 100%
VERSION = re.compile(r"^v(\d+)\.(\d+)$")
TOKEN_MESSAGES = {
    458: "Error validating access token: The user has not authorized application {app}.",
    460: "Error validating access token: The session has been invalidated because the user"
    " changed their password or Facebook has changed the session for security reasons.",
    463: "Error validating access token: Session has expired on {when}. The current time is {now}.",
    467: "Error validating access token: The session is invalid because the user logged out.",
}
PAGE_FIELDS = {"id", "name", "link", "category"}
POST_FIELDS = {
    "id",
    "message",
    "created_time",
    "link",
    "permalink_url",
    "is_published",
    "scheduled_publish_time",
    "description",
    "title",
}
RATE_CODES = {"17", "32", "613", "80001", "341"}
INJECTED: dict[str, dict[str, Any]] = {
    "1": {"code": 1, "message": "An unknown error occurred", "subcode": 99, "status": 500},
    "2": {
        "code": 2,
        "message": "An unexpected error has occurred. Please retry your request later.",
        "status": 500,
        "transient": True,
    },
    "4": {"code": 4, "message": "(#4) Application request limit reached", "transient": True},
    "10": {"code": 10, "message": "(#10) Application does not have permission for this action"},
    "17": {"code": 17, "message": "(#17) User request limit reached", "transient": True},
    "32": {"code": 32, "message": "(#32) Page request limit reached", "transient": True},
    "100": {"code": 100, "message": "(#100) Invalid parameter"},
    "100-transient": {"code": 100, "message": "(#100) Invalid parameter", "transient": True},
    "190": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"},
    "200": {
        "code": 200,
        "message": "(#200) If posting to a page, requires both"
        " pages_read_engagement and pages_manage_posts as an admin with sufficient"
        " administrative permission",
    },
    "341": {"code": 341, "message": "(#341) Feed action request limit reached"},
    "368": {
        "code": 368,
        "subcode": 1390008,
        "message": "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
    },
    "506": {"code": 506, "message": "(#506) Duplicate status message"},
    "613": {"code": 613, "message": "(#613) Calls to this api have exceeded the rate limit."},
    "80001": {
        "code": 80001,
        "message": "(#80001) There have been too many calls to this Page"
        " account. Wait a bit and try again.",
        "transient": True,
    },
    "1609005": {
        "code": 100,
        "subcode": 1609005,
        "message": "(#100) The link could not be fetched",
        "user_msg": "Facebook couldn't read the link.",
    },
}
for _sub, _text in TOKEN_MESSAGES.items():
    INJECTED[f"190-{_sub}"] = {"code": 190, "subcode": _sub, "message": _text}


class GraphError(Exception):
    def __init__(
        self,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        status: int = 400,
        kind: str = "OAuthException",
        user_msg: str = "",
        transient: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.subcode, self.status = code, message, subcode, status
        self.kind, self.user_msg, self.transient = kind, user_msg, transient
        self.headers = dict(headers or {})

    def response(self) -> Response:
        error: dict[str, Any] = {"message": self.message, "type": self.kind, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.user_msg:
            error["error_user_title"], error["error_user_msg"] = "Error", self.user_msg
        error["is_transient"] = self.transient
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(14)
        return Response.json({"error": error}, self.status, self.headers)


def missing(what: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported {what.split(maxsplit=1)[0]} request. Object with ID"
        f" '{what.rsplit(maxsplit=1)[-1]}' does"
        " not exist, cannot be loaded due to missing permissions, or does not support this"
        " operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        subcode=33,
        kind="GraphMethodException",
    )


@dataclass
class Token:
    kind: str  # "user_short" | "user_long" | "page" | "system_user"
    app_id: str
    page_id: str | None = None
    pages: tuple[str, ...] = MANAGED
    expires: float | None = None
    revoked: int | None = None  # the subcode Facebook gives for it
    tasks: tuple[str, ...] = PAGE_TASKS  # what the token may do on its pages (`/me/accounts`)
    person: tuple[str, str] = (USER_ID, USER_NAME)  # who `/me` is: a person or a system user


@dataclass
class Item:
    """A post, photo or video on a page."""

    id: str
    page_id: str
    kind: str  # "post" | "photo" | "video"
    message: str = ""
    link: str = ""
    title: str = ""
    photos: list[str] = field(default_factory=list)
    video: str | None = None
    data: bytes = b""
    mime: str = ""
    url: str = ""
    created: float = field(default_factory=time.time)
    published: bool = True
    scheduled: int | None = None
    temporary: bool = False
    post_id: str | None = None
    client: dict[str, str] = field(default_factory=dict)


@dataclass
class Upload:
    app_id: str
    file_name: str
    file_length: int
    file_type: str
    data: bytearray = field(default_factory=bytearray)
    handle: str | None = None


def when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def boolean(value: str, name: str) -> bool:
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    # requests sends Python's False as "False": Graph wants true/false
    raise GraphError(100, f"(#100) param {name} must be a boolean")


def image_mime(data: bytes) -> str | None:
    for magic, mime in (
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG", "image/png"),
        (b"GIF8", "image/gif"),
    ):
        if data.startswith(magic):
            return mime
    return None


def usage_header(page_id: str, percent: int, minutes: int) -> str:
    """`X-Business-Use-Case-Usage`: per page, the share of each limit used and the wait."""
    entry = {
        "type": "pages",
        "call_count": percent,
        "total_cputime": percent // 2,
        "total_time": percent // 2,
        "estimated_time_to_regain_access": minutes,
    }
    return json.dumps({page_id: [entry]})


def attached_media(form: Mapping[str, str]) -> list[str]:
    """`attached_media` as a JSON array, or as `attached_media[0]`, `[1]`... fields."""
    raw = form.get("attached_media")
    if raw is not None:
        try:
            entries = json.loads(raw)
        except ValueError:
            entries = None
        if not isinstance(entries, list):  # a list sent by requests arrives as one object
            raise GraphError(100, "(#100) param attached_media must be an array.")
    else:
        keys = sorted(
            (k for k in form if re.fullmatch(r"attached_media\[\d+\]", k)),
            key=lambda k: int(k[15:-1]),
        )
        try:
            entries = [json.loads(form[key]) for key in keys]
        except ValueError:
            raise GraphError(100, "(#100) param attached_media must be JSON") from None
    ids = [e.get("media_fbid") if isinstance(e, dict) else None for e in entries]
    if not all(isinstance(i, str | int) for i in ids):
        raise GraphError(100, "(#100) each attached_media entry needs a media_fbid")
    return [str(i) for i in ids]


def check_link(link: str) -> None:
    parts = urlsplit(link)
    # Facebook tries to fetch every link: one that is no http(s) address cannot be read either
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GraphError(**INJECTED["1609005"])
    if parts.hostname.endswith(".invalid"):
        raise GraphError(**INJECTED["1609005"])


def schedule(form: Mapping[str, str], published: bool) -> int | None:
    value = form.get("scheduled_publish_time")
    if not value:
        return None
    if published:
        raise GraphError(
            100, "(#100) You cannot specify a scheduled publish time on a published post"
        )
    ahead = int(value) - time.time() if value.isdigit() else -1
    if not 600 <= ahead <= 30 * 86400:
        raise GraphError(100, "(#100) The specified scheduled publish time is invalid.")
    return int(value)


def requested_fields(query: Mapping[str, str], known: set[str], default: str) -> set[str]:
    fields = {f.strip() for f in (query.get("fields") or default).split(",")}
    for name in fields - known:
        raise GraphError(100, f"(#100) Tried accessing nonexisting field ({name})")
    return fields | {"id"}


def stamp(query: Mapping[str, str], name: str, default: float) -> float:
    value = query.get(name, "")
    if value.isdigit():
        return float(value)
    if value:
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            raise GraphError(100, f"(#100) param {name} must be a timestamp") from None
    return default
