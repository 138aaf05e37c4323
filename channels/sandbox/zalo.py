"""Zalo OAuth v4 and the Zalo OA API, as CHANNELS.md says the real ones answer.

`/zalo-oauth` stands in for oauth.zaloapp.com (consent with PKCE, single-use refresh tokens) and
`/zalo-openapi` for openapi.zalo.me. Every OA answer is HTTP 200 with `{"error", "message",
"data"}`; failures too, with a negative `error`. The consent page approves at once and redirects
to the `redirect_uri` with a code, so a command-line test can follow it like a browser would.

Controls: expire_tokens, expire_refresh_tokens, exhaust_quota, rate_limit, night (promotional
sends refused), set_processing_polls {"polls": n} (how many `verify` calls answer -214 first),
issue_tokens (a fresh pair without the consent step, for tools); the figures' age_posts and
omit_figures: channels.sandbox.zalo_figures.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from channels.sandbox.server import Platform, Request, Response, generic_error, page
from channels.sandbox.zalo_figures import CONTROLS, ArticleFigures
from channels.sandbox.zalo_page import article_html, cover_of
from channels.sandbox.zalo_rules import article_problem, invalid

log = logging.getLogger(__name__)

OAUTH, OPENAPI = "/zalo-oauth", "/zalo-openapi"
ACCESS_SECONDS = 90_000
REFRESH_SECONDS = 90 * 86_400
CODE_SECONDS = 600
IMAGE_BYTES = 1024 * 1024
OA = {
    "oa_id": "2491302944280861639",
    "name": "Thông tin đối ngoại Thừa Thiên Huế",
    "description": "Kênh thông tin đối ngoại của tỉnh Thừa Thiên Huế (sandbox)",
    "oa_alias": "thongtindoingoaihue",
    "is_verified": True,
    "oa_type": 2,
    "cate_name": "Cơ quan nhà nước",
    "num_follower": 12480,
    "package_name": "Gói Nâng cao",
}
MESSAGES = {
    -32: "Request exceeds the rate limit of the app",
    -124: "Access token is invalid",
    -201: "Parameters are invalid",
    -209: "API is not support",
    -211: "Out of quota",
    -212: "OA has not registered this API",
    -214: "Media is being processed",
    -216: "Access token is invalid",
    -219: "Application is removed or disabled",
    -220: "Access token has expired",
    -221: "OA is not verified",
    -223: "OA is not allowed to use this API",
    -224: "OA package does not support this feature",
    -234: "Cannot send promotion message from 22:00 to 06:00",
    -240: "This API version has been shut down",
    -248: "Content violates Zalo's content policy",
    -320: "App has not linked a Zalo Cloud Account",
    -321: "Zalo Cloud Account is out of balance",
    -14001: "Invalid parameter",
    -14002: "Invalid app secret",
    -14005: "Invalid code",
    -14014: "Invalid refresh token",
    -14019: "Code has expired",
    -14020: "Refresh token has expired",
}


def ok(data: Any = None) -> Response:
    return Response.json({"error": 0, "message": "Success", "data": data or {}})


def fail(code: int, message: str = "") -> Response:
    """Zalo's failure: still HTTP 200; the verdict is the negative `error`."""
    if code <= -14000:
        return Response.json(
            {
                "error_name": "Invalid parameter",
                "error_reason": message or MESSAGES.get(code, "Error"),
                "ref_doc": "https://developers.zalo.me/docs/official-account/bat-dau/xac-thuc-va-uy-quyen-cho-ung-dung-new",
                "error_description": message or MESSAGES.get(code, "Error"),
                "error": code,
            }
        )
    return Response.json({"error": code, "message": message or MESSAGES.get(code, "Error")})


def now_ms() -> int:
    return int(time.time() * 1000)


class ZaloSandbox(Platform):
    name = "zalo"
    title = "Zalo OA (sandbox)"
    prefixes = (OPENAPI, OAUTH)

    def reset(self) -> None:
        self.codes: dict[str, dict[str, Any]] = {}
        self.access: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self.refresh: dict[str, dict[str, Any]] = {}  # token -> {"expires", "used"}
        self.refresh_requests = self.refreshes = self.exchanges = 0
        self.articles: dict[str, dict[str, Any]] = {}  # in creation order
        self.figures = ArticleFigures()
        self.processes: dict[str, dict[str, Any]] = {}  # process token -> {"id", "polls"}
        self.processing_polls = 1
        self.videos: dict[str, dict[str, Any]] = {}  # video id -> file details
        self.video_tokens: dict[str, dict[str, Any]] = {}
        self.attachments: dict[str, dict[str, Any]] = {}
        self.broadcasts: list[dict[str, Any]] = []
        self.quota_spent = self.rate_limited = self.night = False

    # -- framework hooks -----------------------------------------------------------------------

    def error_response(self, code: str) -> Response:
        generic = generic_error(code)
        if generic is not None:
            return generic
        try:
            return fail(int(code))
        except ValueError:
            return super().error_response(code)

    def control(self, command: str, args: Mapping[str, Any]) -> Any:
        on = bool(args.get("on", True))
        if command == "expire_tokens":
            self.access = dict.fromkeys(self.access, time.time() - 1)
        elif command == "expire_refresh_tokens":
            for entry in self.refresh.values():
                entry["expires"] = time.time() - 1
        elif command == "exhaust_quota":
            self.quota_spent = on
        elif command == "rate_limit":
            self.rate_limited = on
        elif command == "night":
            self.night = on
        elif command == "set_processing_polls":
            self.processing_polls = int(args.get("polls", 1))
        elif command == "issue_tokens":
            return self._issue()
        elif command in CONTROLS:
            return self.figures.control(command, args, list(self.articles))
        else:
            raise KeyError(command)
        return command

    def snapshot(self) -> Any:
        return {
            "articles": list(self.articles.values()),
            "pending": sorted(p["id"] for p in self.processes.values() if p["polls"] > 0),
            "refresh_requests": self.refresh_requests,
            "refreshes": self.refreshes,
            "exchanges": self.exchanges,
            "broadcasts": self.broadcasts,
            "videos": list(self.videos.values()),
            "attachments": len(self.attachments),
        }

    def handle(self, request: Request) -> Response:
        if request.prefix == OAUTH:
            return self._oauth(request)
        route = ROUTES.get((request.method, request.path))
        if route is None:
            return fail(-209)
        token = request.headers.get("access_token", "")
        if token not in self.access:
            return fail(-216)
        if self.access[token] <= time.time():
            return fail(-220)
        if self.rate_limited:
            return fail(-32)
        return route(self, request)

    # -- OAuth ---------------------------------------------------------------------------------

    def _oauth(self, request: Request) -> Response:
        if request.method == "GET" and request.path == "/v4/oa/permission":
            return self._consent(request)
        if request.method == "POST" and request.path == "/v4/oa/access_token":
            return self._token(request)
        return Response.html("<h1>404 Not Found</h1>", 404)

    def _consent(self, request: Request) -> Response:
        """Zalo's consent page, approved at once: straight back to the app with a code."""
        query = request.query
        missing = [k for k in ("app_id", "redirect_uri", "code_challenge") if not query.get(k)]
        if missing:
            return Response.html(
                f"<h1>Yêu cầu không hợp lệ: thiếu {html.escape(missing[0])}</h1>", 400
            )
        code = secrets.token_urlsafe(32)
        self.codes[code] = {
            "app_id": query["app_id"],
            "challenge": query["code_challenge"],
            "expires": time.time() + CODE_SECONDS,
        }
        target = query["redirect_uri"]
        back = urlencode({"code": code, "oa_id": OA["oa_id"], "state": query.get("state", "")})
        location = target + ("&" if "?" in target else "?") + back
        return Response.empty(302, {"Location": location})

    def _token(self, request: Request) -> Response:
        form = request.form()
        if not request.headers.get("secret_key"):
            return fail(-14002)
        if not form.get("app_id"):
            return fail(-14001, "app_id is missing")
        grant = form.get("grant_type")
        if grant == "authorization_code":
            found = self.codes.pop(form.get("code", ""), None)  # a code works once, right or wrong
            if found is None or found["app_id"] != form["app_id"]:
                return fail(-14005)
            if found["expires"] <= time.time():
                return fail(-14019)
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if digest.decode() != found["challenge"]:
                return fail(-14005, "Invalid code verifier")
            self.exchanges += 1
            return Response.json(self._issue())
        if grant == "refresh_token":
            self.refresh_requests += 1
            entry = self.refresh.get(form.get("refresh_token", ""))
            if entry is None or entry["used"]:
                return fail(-14014)
            if entry["expires"] <= time.time():
                return fail(-14020)
            entry["used"] = True  # single use: the next refresh needs the new token
            self.refreshes += 1
            return Response.json(self._issue())
        return fail(-14001, "grant_type is invalid")

    def _issue(self) -> dict[str, str]:
        access, refresh = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
        self.access[access] = time.time() + ACCESS_SECONDS
        self.refresh[refresh] = {"expires": time.time() + REFRESH_SECONDS, "used": False}
        return {"access_token": access, "refresh_token": refresh, "expires_in": str(ACCESS_SECONDS)}

    # -- OA API --------------------------------------------------------------------------------

    def getoa(self, request: Request) -> Response:
        return ok({**OA, "avatar": f"{self.base_url}{OPENAPI}/_public#avatar", "cover": ""})

    def upload_image(self, request: Request) -> Response:
        upload = request.files().get("file")
        if upload is None:
            return fail(-201, "file is missing")
        if not upload.data.startswith((b"\xff\xd8", b"\x89PNG")):
            return fail(-201, "file type is not supported (jpg, png)")
        if len(upload.data) > IMAGE_BYTES:
            return fail(-201, "file size exceeds 1MB")
        attachment_id = secrets.token_urlsafe(24)
        self.attachments[attachment_id] = {"name": upload.filename, "size": len(upload.data)}
        return ok({"attachment_id": attachment_id})

    def create(self, request: Request, update: bool = False) -> Response:
        body = request.json()
        if not isinstance(body, dict):
            return fail(-201, "body is not JSON")
        if self.quota_spent:
            return fail(-211)
        if update and not _text_id(body.get("id")):
            return fail(-201, invalid("id"))
        if update and body["id"] not in self.articles:
            return fail(-201, "article is not exist")
        problem = article_problem(body, self.videos, self._public)
        if problem:
            return fail(-201, problem)
        article_id = str(body["id"]) if update else secrets.token_hex(16)
        stamp = now_ms()
        previous = self.articles.get(article_id, {"create_date": stamp})
        fields = ("type", "title", "author", "description", "cover", "body", "video_id", "avatar")
        self.articles[article_id] = {
            "id": article_id,
            **{key: body[key] for key in fields if key in body},
            "status": body.get("status", "show"),
            "comment": body.get("comment", "show"),
            "create_date": previous["create_date"],
            "update_date": stamp,
            "url": f"{self.base_url}{OPENAPI}/_public#article-{article_id}",
        }
        token = secrets.token_urlsafe(24)
        self.processes[token] = {"id": article_id, "polls": self.processing_polls}
        return ok({"token": token})

    def update(self, request: Request) -> Response:
        return self.create(request, update=True)

    def verify(self, request: Request) -> Response:
        body = request.json()
        process = self.processes.get(str((body or {}).get("token", "")))
        if process is None:
            return fail(-201, "token is invalid")
        if process["polls"] > 0:
            process["polls"] -= 1
            return fail(-214)
        return ok({"id": process["id"]})

    def getdetail(self, request: Request) -> Response:
        article = self.articles.get(request.query.get("id", ""))
        if article is None:
            return fail(-201, "article is not exist")
        return ok(self.figures.of(article))

    def getslice(self, request: Request) -> Response:
        try:
            offset, limit = int(request.query.get("offset", 0)), int(request.query.get("limit", 10))
        except ValueError:
            return fail(-201, "offset and limit must be numbers")
        if limit > 10:
            return fail(-201, "maximum limit is 10")
        kind = request.query.get("type", "")
        if kind not in ("normal", "video"):
            return fail(-201, "type accept only 2 value normal and video.")
        shown = [self.figures.of(a) for a in reversed(self.articles.values())]
        keys = ("id", "type", "title", "status", "total_view", "total_share", "create_date",
                "update_date", "url")  # fmt: skip
        medias = [{k: a[k] for k in keys if k in a} | {"thumb": cover_of(a)}
                  for a in shown if a.get("type") == kind]  # fmt: skip
        return ok({"medias": medias[offset : offset + limit], "total": len(medias)})

    def remove(self, request: Request) -> Response:
        body = request.json()
        article_id = body.get("id") if isinstance(body, dict) else None
        if not _text_id(article_id):
            return fail(-201, invalid("id"))
        if self.articles.pop(str(article_id), None) is None:
            return fail(-201, "article is not exist")
        return ok()

    def prepare_video(self, request: Request) -> Response:
        upload = request.files().get("file")
        if upload is None:
            return fail(-201, "file is missing")
        if upload.data[4:8] != b"ftyp" and not upload.data.startswith(b"RIFF"):
            return fail(-201, "file type is not supported (mp4, avi)")
        video_id = secrets.token_hex(16)
        self.videos[video_id] = {
            "video_id": video_id, "video_name": upload.filename, "video_size": len(upload.data),
            "sha256": hashlib.sha256(upload.data).hexdigest(),
        }  # fmt: skip
        token = secrets.token_urlsafe(24)
        self.video_tokens[token] = {"video_id": video_id, "polls": self.processing_polls}
        return ok({"token": token})

    def verify_video(self, request: Request) -> Response:
        process = self.video_tokens.get(request.headers.get("token", ""))
        if process is None:
            return fail(-201, "token is invalid")
        video = {k: v for k, v in self.videos[process["video_id"]].items() if k != "sha256"}
        if process["polls"] > 0:
            process["polls"] -= 1
            return ok({**video, "convert_percent": 50, "status": 3, "status_message": "processing"})
        return ok({**video, "convert_percent": 100, "status": 1, "status_message": "success"})

    def message(self, request: Request) -> Response:
        body = request.json() or {}
        attachment = ((body.get("message") or {}).get("attachment")) or {}
        payload = attachment.get("payload") or {}
        elements = payload.get("elements") or []
        if "target" not in (body.get("recipient") or {}) or payload.get("template_type") != "media":
            return fail(-201, "recipient.target and a media template are required")
        if not 1 <= len(elements) <= 5:
            return fail(-201, "elements must hold 1 to 5 articles")
        if any(e.get("attachment_id") not in self.articles for e in elements):
            return fail(-201, "attachment_id is invalid")
        if self.night:
            return fail(-234)
        if self.quota_spent:
            return fail(-211)
        message_id = secrets.token_hex(16)
        self.broadcasts.append({"message_id": message_id, "target": body["recipient"]["target"],
                                "articles": [e["attachment_id"] for e in elements]})  # fmt: skip
        return ok({"message_id": message_id})

    # -- validation and the public page --------------------------------------------------------

    def _public(self, url: Any) -> bool:
        # Zalo fetches images from the internet, so it takes https addresses only. The local
        # media host (the WordPress sandbox) serves plain http on loopback, from this very
        # server: addresses under our own base URL stand in for public https ones.
        text = str(url or "")
        return text.startswith("https://") or bool(
            self.base_url and text.startswith(self.base_url + "/")
        )

    def public_page(self) -> str:
        shown = [a for a in reversed(self.articles.values()) if a.get("status") == "show"]
        if not shown:
            return page(f"{OA['name']} · Zalo OA", "<p>Chưa có bài viết. No articles yet.</p>")
        names = {video_id: str(video["video_name"]) for video_id, video in self.videos.items()}
        body = "".join(article_html(a, names, str(OA["name"])) for a in shown)
        return page(f"{OA['name']} · Zalo OA", body)


def _text_id(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


ROUTES: dict[tuple[str, str], Callable[[ZaloSandbox, Request], Response]] = {
    ("GET", "/v2.0/oa/getoa"): ZaloSandbox.getoa,
    ("POST", "/v2.0/oa/upload/image"): ZaloSandbox.upload_image,
    ("POST", "/v2.0/oa/message"): ZaloSandbox.message,
    ("POST", "/v2.0/article/create"): ZaloSandbox.create,
    ("POST", "/v2.0/article/update"): ZaloSandbox.update,
    ("POST", "/v2.0/article/verify"): ZaloSandbox.verify,
    ("POST", "/v2.0/article/remove"): ZaloSandbox.remove,
    ("GET", "/v2.0/article/getdetail"): ZaloSandbox.getdetail,
    ("GET", "/v2.0/article/getslice"): ZaloSandbox.getslice,
    ("POST", "/v2.0/article/upload_video/preparevideo"): ZaloSandbox.prepare_video,
    ("GET", "/v2.0/article/upload_video/verify"): ZaloSandbox.verify_video,
}
