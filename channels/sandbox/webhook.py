"""A webhook receiver standing in for the HueS app or a district radio's system.

It behaves as docs/channels/webhook.md asks a receiver to, and is as strict as a careful one:

    POST /webhook/events           the events: the Standard Webhooks signature is verified with
                                   the `standardwebhooks` library (a missing, wrong or stale one
                                   -> 401 {"error"}), the body is checked against
                                   post.schema.json (-> 400 {"error", "path"}), a webhook-id
                                   seen before is answered as the first time and not carried
                                   out again; "published" -> 201 {"id", "url"}, "updated" ->
                                   200 {"id", "url"}, "removed" -> 200 {"id"}; an unknown id
                                   -> 404
    GET  /webhook/lookup?marker=   signed (the query string is the signed content): 200
                                   {"id", "url"} or 404 {"error"}
    GET  /webhook/whoami           signed: 200 {"id", "name", "url"} (a verify_url)
    GET  /webhook/posts/<id>       a received post as a page; /webhook/_public lists them

Faults as on every platform (channels.sandbox.server.Faults): `fail_next` codes answer in this
receiver's envelope without carrying anything out: "408", "409", "425", "500", "503" (with
Retry-After: 120), "429" (Retry-After: 30), any three digits, and "badanswer" (200 with an
answer that does not match answer.schema.json); `drop_next` / `hang_next` carry the event out
and lose the answer. Control commands: "signing_secret" -> the receiver's secret;
"rotate_secret" -> a new one (Loa's signatures then fail with 401); "set_secret" {"secret"}.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from standardwebhooks import Webhook as Verifier
from standardwebhooks import WebhookVerificationError

from channels.render import sanitize
from channels.sandbox.server import Platform, Request, Response, generic_error, page
from channels.webhook.payload import PUBLISHED, REMOVED, mismatches

log = logging.getLogger(__name__)

# The sandbox's own secret (32 fixed bytes): configured for the demo as LOA_WEBHOOK_SECRET.
SEEDED_SECRET = "whsec_bG9hLXNhbmRib3gtd2ViaG9vay1zaWduaW5nLWtleSE="
RECEIVER = {"id": "hues-sandbox", "name": "HueS (hộp cát / sandbox)"}


class WebhookSandbox(Platform):
    name = "webhook"
    title = "Máy nhận webhook HueS (mô phỏng)"
    prefixes = ("/webhook",)

    def reset(self) -> None:
        self.secret = SEEDED_SECRET
        self.posts: dict[str, dict[str, Any]] = {}
        self.answered: dict[str, tuple[int, dict[str, Any]]] = {}  # webhook-id -> first answer
        self.events: list[dict[str, Any]] = []  # every event carried out, in order
        self.duplicates = 0
        self.refused: list[dict[str, Any]] = []  # what was refused, and why

    # -- routing --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if request.method == "POST" and path == "/events":
            return self._event(request)
        if request.method == "GET" and path == "/lookup":
            return self._signed_get(request) or self._lookup(request)
        if request.method == "GET" and path == "/whoami":
            url = f"{self.base_url}{self.prefixes[0]}/_public"
            return self._signed_get(request) or Response.json({**RECEIVER, "url": url})
        if request.method == "GET" and path.startswith("/posts/"):
            return self._post_page(path.removeprefix("/posts/"))
        return Response.json({"error": f"no route {request.method} {request.path}"}, 404)

    def _refuse(self, request: Request, status: int, error: str, **more: Any) -> Response:
        self.refused.append(
            {"status": status, "error": error, "webhook-id": request.headers.get("webhook-id")}
        )
        return Response.json({"error": error, **more}, status)

    def _verify(self, request: Request, signed: bytes) -> Response | None:
        """None when the signature holds; else the 401 a receiver answers."""
        try:
            Verifier(self.secret).verify(signed, dict(request.headers), json_parse=False)
        except WebhookVerificationError as error:
            return self._refuse(request, 401, f"signature refused: {error}")
        return None

    def _signed_get(self, request: Request) -> Response | None:
        return self._verify(request, request.raw_query.encode())

    # -- events ---------------------------------------------------------------------------

    def _event(self, request: Request) -> Response:
        refused = self._verify(request, request.body)
        if refused is not None:
            return refused
        msg_id = request.headers["webhook-id"]
        if msg_id in self.answered:  # a retry of what was carried out: the same answer
            self.duplicates += 1
            status, answer = self.answered[msg_id]
            return Response.json(answer, 200 if status < 300 else status)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return self._refuse(request, 415, "Content-Type must be application/json")
        try:
            body = json.loads(request.body)
        except ValueError as error:
            return self._refuse(request, 400, f"the body is not JSON: {error}")
        wrong = mismatches("post", body)
        if wrong:
            return self._refuse(
                request, 400, "the body does not match post.schema.json",
                path=wrong[0].where, message=wrong[0].detail,
            )  # fmt: skip
        status, answer = self._carry_out(body)
        if status < 300:
            self.answered[msg_id] = (status, answer)
            self.events.append({"webhook-id": msg_id, "type": body["type"], **answer})
        return Response.json(answer, status)

    def _carry_out(self, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        data = event["data"]
        if event["type"] == PUBLISHED:
            same = self._by_marker(data["marker"])
            if same is not None:  # sent again under another id: still one post
                return 200, self._answer(same)
            post_id = f"hues-{len(self.posts) + 1}"
            self.posts[post_id] = {"id": post_id, "data": data, "removed": False, "versions": 1}
            return 201, self._answer(self.posts[post_id])
        post = self.posts.get(str(data["id"]))
        if post is None or post["removed"]:
            return 404, {"error": f"no post {data['id']!r}"}
        if event["type"] == REMOVED:
            post["removed"] = True
            return 200, {"id": post["id"]}
        post["data"] = {key: value for key, value in data.items() if key != "id"}
        post["versions"] += 1
        return 200, self._answer(post)

    def _by_marker(self, marker: str) -> dict[str, Any] | None:
        return next(
            (p for p in self.posts.values() if p["data"]["marker"] == marker and not p["removed"]),
            None,
        )

    def _answer(self, post: dict[str, Any]) -> dict[str, Any]:
        return {"id": post["id"], "url": f"{self.base_url}/webhook/posts/{quote(post['id'])}"}

    def _lookup(self, request: Request) -> Response:
        marker = request.query.get("marker", "")
        if not marker:
            return self._refuse(request, 400, "the query needs ?marker=")
        post = self._by_marker(marker)
        if post is None:
            return Response.json({"error": f"no post with marker {marker!r}"}, 404)
        return Response.json(self._answer(post))

    # -- faults, control, pages -----------------------------------------------------------

    def error_response(self, code: str) -> Response:
        if code == "badanswer":
            return Response.json({"received": True}, 200)
        waits = {"429": "30", "503": "120"}
        if code.isdigit() and len(code) == 3:
            headers = {"Retry-After": waits[code]} if code in waits else {}
            return Response.json({"error": f"injected {code}"}, int(code), headers)
        return generic_error(code) or Response.json({"error": "injected"}, 500)

    def control(self, command: str, args: Mapping[str, Any]) -> Any:
        if command == "signing_secret":
            return self.secret
        if command == "rotate_secret":
            self.secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
            return self.secret
        if command == "set_secret":
            self.secret = str(args["secret"])
            return self.secret
        raise KeyError(command)

    def snapshot(self) -> Any:
        return {
            "posts": list(self.posts.values()),
            "events": self.events,
            "duplicates": self.duplicates,
            "refused": self.refused,
        }

    def public_page(self) -> str:
        items = "".join(
            f'<li><a href="posts/{quote(p["id"])}">{html.escape(p["data"]["title"])}</a></li>'
            for p in self.posts.values()
            if not p["removed"]
        )
        return page(self.title, f"<ul>{items}</ul>" if items else "<p>Chưa có bài.</p>")

    def _post_page(self, post_id: str) -> Response:
        post = self.posts.get(post_id)
        if post is None or post["removed"]:
            return Response.html(page("Không tìm thấy / not found", "<p>404</p>"), 404)
        data = post["data"]
        images = "".join(
            f'<img src="{html.escape(m["url"])}" alt="{html.escape(m["alt"])}">'
            for m in data["media"]
            if m["kind"] == "image"
        )
        # Loa sanitizes `html`; a receiver sanitizes it again all the same, as this one does.
        text = sanitize(data["html"])
        body = f"<article><h2>{html.escape(data['title'])}</h2>{images}{text}</article>"
        return Response.html(page(self.title, body))
