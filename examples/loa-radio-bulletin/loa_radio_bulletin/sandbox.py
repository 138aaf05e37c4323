"""A stand-in for a district radio's bulletin system (hệ thống bản tin phát thanh), strict.

The platform, as the station's integration guide describes it (paths below the base URL that
Loa's configuration calls `api_base`; in Loa's sandbox that is `/radio`):

    GET    /api/v1/station            the station the key belongs to
    POST   /api/v1/bulletins          a bulletin: form fields `title`, `content` (read on air),
                                      optional `reference` (ours, never read or shown) and
                                      `source_url`; optional file part `attachment` (a JPEG or
                                      PNG picture for the web page, an MP3, M4A or MP4 recording)
                                      and, for a picture, `attachment_alt` (at most 300)
    GET    /api/v1/bulletins          `?reference=` | `?q=&since=` | `?ids=a,b` (at most 50);
                                      newest first, `limit` 1-100 (20)
    GET    /api/v1/bulletins/<id>
    PATCH  /api/v1/bulletins/<id>     JSON {"title", "content", "source_url"}, until it is aired
    DELETE /api/v1/bulletins/<id>
    GET    /nghe/<id>                 the public listen page: a bulletin's `listen_url`
    GET    /tep/<id>                  the attached file

Every API call carries the key in the header `X-Api-Key`. An answer is JSON, `{"ok": true, ...}`
or `{"ok": false, "error": {"code", "message", "field"?}}` with the status in `ERRORS`; the
station's messages are Vietnamese. A `reference` is unique per station: sending it again answers
409 `duplicate_reference` with the `bulletin_id` that has it. The station takes at most
`DAILY_LIMIT` bulletins a day (Vietnam's day) and answers 429 `daily_limit_reached` after that.

Controls (`POST /_sandbox/control`, platform "radio"): "issue_key" -> a new key; "revoke_keys"
(alias "expire_tokens"); "air_all": every queued bulletin goes on air (and can no longer be
edited); "add_plays" {"id", "plays"}; "age_posts" {"seconds"}: an hour's plays per hour;
"daily_limit" {"limit"}; "rate_limit" {"seconds"}: every API call answers 429 until then.
Injected faults (`/_sandbox/faults`) take the codes of `ERRORS` and Loa's generic ones.
"""

from __future__ import annotations

import html
import re
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from channels.sandbox.server import (
    Platform,
    Request,
    Response,
    UploadedFile,
    generic_error,
    page,
)

SEEDED_KEY = "rb-sandbox-7d41c0e9a2f85b36"  # the sandbox's own key, not a secret anywhere
STATION = {"id": "dai-truyen-thanh-huyen", "name": "Đài Truyền thanh huyện"}
TITLE_MAX = 120
CONTENT_MAX = 5000
SOURCE_URL_MAX = 500
REFERENCE = re.compile(r"[a-z0-9-]{1,120}")
IMAGE_MAX = 10 * 1024 * 1024
FILE_MAX = 50 * 1024 * 1024
IDS_MAX = 50
DAILY_LIMIT = 30
ALT_MAX = 300
FIELDS = frozenset({"title", "content", "reference", "source_url", "attachment_alt"})
EDITABLE = frozenset({"title", "content", "source_url"})
SEARCH = frozenset({"reference", "q", "since", "ids", "limit"})
ACCEPTED = ("image/jpeg", "image/png", "audio/mpeg", "audio/mp4", "video/mp4")
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

ERRORS: dict[str, tuple[int, str]] = {
    "missing_api_key": (401, "Thiếu khoá API (tiêu đề X-Api-Key)."),
    "invalid_api_key": (401, "Khoá API không hợp lệ."),
    "api_key_revoked": (403, "Khoá API đã bị thu hồi."),
    "missing_field": (400, "Thiếu trường bắt buộc."),
    "unknown_field": (400, "Trường không được hỗ trợ."),
    "unknown_parameter": (400, "Tham số không được hỗ trợ."),
    "invalid_parameter": (400, "Giá trị tham số không hợp lệ."),
    "title_too_long": (400, f"Tiêu đề dài quá {TITLE_MAX} ký tự."),
    "content_too_long": (400, f"Nội dung dài quá {CONTENT_MAX} ký tự."),
    "invalid_reference": (400, "Mã tham chiếu chỉ gồm chữ thường, chữ số, dấu gạch ngang."),
    "invalid_source_url": (400, "Địa chỉ nguồn phải bắt đầu bằng http(s)://, tối đa 500 ký tự."),
    "alt_too_long": (400, f"Mô tả ảnh dài quá {ALT_MAX} ký tự."),
    "too_many_ids": (400, f"Tối đa {IDS_MAX} mã bản tin mỗi lần."),
    "empty_file": (400, "Tệp đính kèm rỗng."),
    "unsupported_content_type": (415, "Kiểu nội dung yêu cầu không được hỗ trợ."),
    "unsupported_media_type": (415, "Đài chỉ nhận ảnh JPEG, PNG, âm thanh MP3, M4A, video MP4."),
    "media_type_mismatch": (415, "Nội dung tệp không khớp với loại tệp đã khai."),
    "file_too_large": (413, "Tệp quá lớn (ảnh tối đa 10 MB, âm thanh và video tối đa 50 MB)."),
    "not_found": (404, "Không có đường dẫn này."),
    "bulletin_not_found": (404, "Không tìm thấy bản tin."),
    "method_not_allowed": (405, "Phương thức không được hỗ trợ."),
    "duplicate_reference": (409, "Đã có bản tin mang mã tham chiếu này."),
    "already_aired": (409, "Bản tin đã phát sóng, không sửa được nữa."),
    "rate_limited": (429, "Gửi quá nhanh, vui lòng thử lại sau."),
    "daily_limit_reached": (429, "Đài đã nhận đủ số bản tin tối đa trong ngày."),
    "internal_error": (500, "Lỗi hệ thống."),
    "maintenance": (503, "Hệ thống đang bảo trì."),
}
RETRY_AFTER = {"rate_limited": "30", "maintenance": "120"}


class RadioError(Exception):
    """One refusal, answered in the station's envelope."""

    def __init__(self, code: str, field: str | None = None, **extra: Any) -> None:
        super().__init__(code)
        self.code, self.field, self.extra = code, field, extra

    def response(self) -> Response:
        status, message = ERRORS[self.code]
        error: dict[str, Any] = {"code": self.code, "message": message}
        if self.field:
            error["field"] = self.field
        headers = {"Retry-After": RETRY_AFTER[self.code]} if self.code in RETRY_AFTER else {}
        return Response.json({"ok": False, "error": error, **self.extra}, status, headers)


class RadioSandbox(Platform):
    name = "radio"
    title = "Hệ thống bản tin phát thanh — Đài Truyền thanh huyện"
    prefixes = ("/radio",)

    def reset(self) -> None:
        self.keys = {SEEDED_KEY}
        self.revoked: set[str] = set()
        self.bulletins: dict[str, dict[str, Any]] = {}
        self.created: dict[str, datetime] = {}
        self.files: dict[str, UploadedFile] = {}
        self.numbered = 0
        self.daily_limit = DAILY_LIMIT
        self.rate_limited_until = 0.0

    def handle(self, request: Request) -> Response:
        try:
            return self._route(request)
        except RadioError as error:
            return error.response()

    def _route(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and len(parts) == 2 and parts[0] in ("nghe", "tep"):
            return self._listen_page(parts[1]) if parts[0] == "nghe" else self._file(parts[1])
        if parts[:2] != ["api", "v1"]:
            raise RadioError("not_found")
        self._authenticate(request)
        if time.monotonic() < self.rate_limited_until:
            raise RadioError("rate_limited")
        route, method = parts[2:], request.method
        if route == ["station"] and method == "GET":
            return ok({"station": {**STATION, "url": self._root()}})
        if route == ["bulletins"] and method == "GET":
            return ok({"bulletins": self._search(request.query)})
        if route == ["bulletins"] and method == "POST":
            return ok({"bulletin": self._create(request)}, 201)
        if len(route) == 2 and route[0] == "bulletins":
            bulletin = self.bulletins.get(route[1])
            if bulletin is None:
                raise RadioError("bulletin_not_found")
            if method == "GET":
                return ok({"bulletin": bulletin})
            if method == "PATCH":
                return ok({"bulletin": self._edit(bulletin, request)})
            if method == "DELETE":
                self._delete(route[1])
                return ok({"deleted": route[1]})
            raise RadioError("method_not_allowed")
        raise RadioError("not_found")

    def _authenticate(self, request: Request) -> None:
        key = request.headers.get("X-Api-Key", "")
        if not key:
            raise RadioError("missing_api_key")
        if key in self.revoked:
            raise RadioError("api_key_revoked")
        if key not in self.keys:
            raise RadioError("invalid_api_key")

    def _create(self, request: Request) -> dict[str, Any]:
        kind = request.headers.get("Content-Type", "")
        if not kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            raise RadioError("unsupported_content_type")
        form, files = request.form(), request.files()
        for name in [*form, *files]:
            if name not in FIELDS and not (name == "attachment" and name in files):
                raise RadioError("unknown_field", name)
        for name in ("title", "content"):
            if not form.get(name, "").strip():
                raise RadioError("missing_field", name)
        fields = validated(form)
        reference = form.get("reference") or None
        if reference is not None and not REFERENCE.fullmatch(reference):
            raise RadioError("invalid_reference", "reference")
        upload = files.get("attachment")
        if upload is not None:
            check_file(upload)
        alt = form.get("attachment_alt", "")
        if len(alt) > ALT_MAX:
            raise RadioError("alt_too_long", "attachment_alt")
        now = datetime.now(UTC).replace(microsecond=0)
        today = [t for t in self.created.values() if same_day(t, now)]
        if len(today) >= self.daily_limit:
            raise RadioError("daily_limit_reached")
        taken = next((b for b in self.bulletins.values() if b["reference"] == reference), None)
        if reference is not None and taken is not None:
            raise RadioError("duplicate_reference", "reference", bulletin_id=taken["id"])
        self.numbered += 1
        number = f"BT{self.numbered:06d}"
        root = self._root()
        bulletin: dict[str, Any] = {
            "id": number,
            "title": fields["title"],
            "content": fields["content"],
            "reference": reference,
            "source_url": fields.get("source_url") or None,
            "status": "queued",
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "listen_url": f"{root}/nghe/{number}",
            "attachment": None,
            "plays": 0,
        }
        if upload is not None:
            self.files[number] = upload
            bulletin["attachment"] = {
                "type": upload.content_type,
                "bytes": len(upload.data),
                "url": f"{root}/tep/{number}",
                "alt": alt,
            }
        self.bulletins[number], self.created[number] = bulletin, now
        return bulletin

    def _edit(self, bulletin: dict[str, Any], request: Request) -> dict[str, Any]:
        if not request.headers.get("Content-Type", "").startswith("application/json"):
            raise RadioError("unsupported_content_type")
        body = request.json()
        if not isinstance(body, dict):
            raise RadioError("missing_field")
        for name in body:
            if name not in EDITABLE:
                raise RadioError("unknown_field", name)
        if bulletin["status"] == "aired":
            raise RadioError("already_aired")
        for name in ("title", "content"):
            if name in body and not str(body[name] or "").strip():
                raise RadioError("missing_field", name)
        changes = validated({k: str(v) if v is not None else "" for k, v in body.items()})
        bulletin.update(changes)
        if "source_url" in changes:  # "" or null clears it
            bulletin["source_url"] = changes["source_url"] or None
        return bulletin

    def _delete(self, number: str) -> None:
        del self.bulletins[number]
        self.created.pop(number, None)
        self.files.pop(number, None)

    def _search(self, query: Mapping[str, str]) -> list[dict[str, Any]]:
        for name in query:
            if name not in SEARCH:
                raise RadioError("unknown_parameter", name)
        if "ids" in query:
            ids = [number for number in query["ids"].split(",") if number]
            if len(ids) > IDS_MAX:
                raise RadioError("too_many_ids", "ids")
            return [self.bulletins[number] for number in ids if number in self.bulletins]
        limit = query.get("limit", "20")
        if not limit.isdigit() or not 1 <= int(limit) <= 100:
            raise RadioError("invalid_parameter", "limit")
        since = None
        if "since" in query:
            try:
                since = datetime.fromisoformat(query["since"])
            except ValueError:
                raise RadioError("invalid_parameter", "since") from None
            if since.tzinfo is None:
                raise RadioError("invalid_parameter", "since")
        found = []
        for number, bulletin in reversed(self.bulletins.items()):
            if "reference" in query and bulletin["reference"] != query["reference"]:
                continue
            if query.get("q") and query["q"].casefold() not in bulletin["title"].casefold():
                continue
            if since is not None and self.created[number] < since:
                continue
            found.append(bulletin)
        return found[: int(limit)]

    def _root(self) -> str:
        return f"{self.base_url}{self.prefixes[0]}"

    # -- what listeners see ---------------------------------------------------------------

    def _listen_page(self, number: str) -> Response:
        bulletin = self.bulletins.get(number)
        if bulletin is None:
            return Response.html(page("Không tìm thấy bản tin", "<p>404</p>"), 404)
        return Response.html(page(bulletin["title"], article(bulletin)))

    def _file(self, number: str) -> Response:
        upload = self.files.get(number)
        if upload is None:
            return Response.html(page("Không tìm thấy tệp", "<p>404</p>"), 404)
        return Response(200, upload.data, {"Content-Type": upload.content_type})

    def public_page(self) -> str:
        items = "".join(article(b) for b in reversed(self.bulletins.values()))
        return page(self.title, items or "<p>Chưa có bản tin nào.</p>")

    # -- the sandbox's side ---------------------------------------------------------------

    def error_response(self, code: str) -> Response:
        if code in ERRORS:
            return RadioError(code).response()
        return generic_error(code) or super().error_response(code)

    def snapshot(self) -> Any:
        return {"bulletins": list(self.bulletins.values()), "keys": len(self.keys)}

    def control(self, command: str, args: Mapping[str, Any]) -> Any:
        if command == "issue_key":
            key = f"rb-{secrets.token_hex(16)}"
            self.keys.add(key)
            return key
        if command in ("revoke_keys", "expire_tokens"):
            self.revoked |= self.keys
            self.keys = set()
            return True
        if command == "air_all":
            queued = [b for b in self.bulletins.values() if b["status"] == "queued"]
            for bulletin in queued:
                bulletin["status"] = "aired"
            return len(queued)
        if command == "add_plays":
            self.bulletins[str(args["id"])]["plays"] += int(args.get("plays", 1))
            return True
        if command == "age_posts":
            hours = max(1, int(float(args.get("seconds", 3600)) // 3600))
            for bulletin in self.bulletins.values():
                bulletin["plays"] += hours
            return True
        if command == "daily_limit":
            self.daily_limit = int(args.get("limit", DAILY_LIMIT))
            return self.daily_limit
        if command == "rate_limit":
            self.rate_limited_until = time.monotonic() + float(args.get("seconds", 60))
            return True
        raise KeyError(command)


def ok(data: Mapping[str, Any], status: int = 200) -> Response:
    return Response.json({"ok": True, **data}, status)


def validated(form: Mapping[str, str]) -> dict[str, str]:
    """The fields of a new or edited bulletin that are present, refused past their limits."""
    fields = {name: form[name] for name in EDITABLE if name in form}
    if len(fields.get("title", "")) > TITLE_MAX:
        raise RadioError("title_too_long", "title")
    if len(fields.get("content", "")) > CONTENT_MAX:
        raise RadioError("content_too_long", "content")
    source = fields.get("source_url", "")
    if source and (len(source) > SOURCE_URL_MAX or not source.startswith(("http://", "https://"))):
        raise RadioError("invalid_source_url", "source_url")
    return fields


def check_file(upload: UploadedFile) -> None:
    if upload.content_type not in ACCEPTED:
        raise RadioError("unsupported_media_type", "attachment")
    if not upload.data:
        raise RadioError("empty_file", "attachment")
    most = IMAGE_MAX if upload.content_type.startswith("image/") else FILE_MAX
    if len(upload.data) > most:
        raise RadioError("file_too_large", "attachment")
    if not sniffed(upload.content_type, upload.data):
        raise RadioError("media_type_mismatch", "attachment")


def sniffed(mime: str, data: bytes) -> bool:
    """Whether the bytes are what the part's type says (the station decodes them on air)."""
    if mime == "image/jpeg":
        return data[:3] == b"\xff\xd8\xff"
    if mime == "image/png":
        return data[:8] == b"\x89PNG\r\n\x1a\n"
    if mime == "audio/mpeg":
        return data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] >= 0xE0)
    return data[4:8] == b"ftyp"  # audio/mp4, video/mp4


def same_day(moment: datetime, now: datetime) -> bool:
    return moment.astimezone(VIETNAM).date() == now.astimezone(VIETNAM).date()


def article(bulletin: Mapping[str, Any]) -> str:
    title, when = html.escape(bulletin["title"]), html.escape(bulletin["created_at"])
    paragraphs = "".join(
        f"<p>{html.escape(part)}</p>" for part in bulletin["content"].split("\n\n") if part.strip()
    )
    attached = bulletin["attachment"]
    media = ""
    if attached and attached["type"].startswith("image/"):
        src, alt = html.escape(attached["url"]), html.escape(attached["alt"])
        media = f'<img src="{src}" alt="{alt}">'
    elif attached:
        media = f'<audio controls src="{html.escape(attached["url"])}"></audio>'
    listen = html.escape(bulletin["listen_url"])
    return (
        f'<article><h2><a href="{listen}">{title}</a></h2>'
        f'<p class="meta">{bulletin["id"]} · {when} · {bulletin["status"]}</p>'
        f"{media}{paragraphs}</article>"
    )
