"""The Graph sandbox's tokens: who a token speaks for, the token exchange, `/me` and `/me/accounts`.

Four kinds of tokens, as Facebook has them (CHANNELS.md, "Facebook Pages"; Meta's "System Users"
guide):
- a person's short-lived user token (the Graph API Explorer's, about 2 hours) and the long-lived
  one `oauth/access_token?grant_type=fb_exchange_token` gives for it (60 days);
- a Page token, which answers `GET /me` as the Page itself;
- a Business Manager **system-user** token, generated in Business Settings for a system user the
  business assigned Pages to, with the tasks it chose per Page. It never expires (or lasts 60
  days when generated as expiring). `/me` is the system user ("me refers to the system user
  since that is the user id from the access token"), and `/me/accounts` lists only the Pages
  assigned to it, each with the tasks assigned (possibly `["ANALYZE"]` alone) and a Page token
  that lives as long as the system-user token.

Control commands: "user_token" {pages?}, "page_token" {page_id}, "system_user" {pages?, tasks?,
name?, expiring?} (mints a system user with those Pages assigned, and its token),
"expire_tokens" {subcode=463, kind?}.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Mapping
from typing import Any

from channels.sandbox.graph_model import (
    APP_ID,
    APP_SECRET,
    INJECTED,
    LONG_LIFE,
    MANAGED,
    PAGE_TASKS,
    PAGES,
    SHORT_LIFE,
    TOKEN_MESSAGES,
    USER_ID,
    USER_NAME,
    GraphError,
    Token,
    missing,
    when,
)
from channels.sandbox.server import Request, Response

AUTH_CONTROLS = ("user_token", "page_token", "system_user", "expire_tokens")
TOKEN_KINDS = ("user_short", "user_long", "page", "system_user")
SYSTEM_USER_BASE = 61_550_000_000_000


class GraphAuth:
    """Mixed into `GraphSandbox`, which routes `oauth/access_token` and `me` here."""

    tokens: dict[str, Token]
    system_users: int

    def issue(
        self,
        kind: str,
        *,
        page_id: str | None = None,
        life: float | None = None,
        pages: tuple[str, ...] = MANAGED,
        tasks: tuple[str, ...] = PAGE_TASKS,
        person: tuple[str, str] = (USER_ID, USER_NAME),
    ) -> str:
        value = "EAA" + secrets.token_urlsafe(48).replace("-", "x").replace("_", "y")
        expires = time.time() + life if life else None
        self.tokens[value] = Token(
            kind, APP_ID, page_id, pages, expires, tasks=tasks, person=person
        )
        return value

    def _token(self, request: Request) -> Token:
        auth = request.headers.get("Authorization", "")
        value = auth.split(" ", 1)[1].strip() if " " in auth else ""
        value = value or request.query.get("access_token", "")
        kind = request.headers.get("Content-Type", "")
        if not value and ("form" in kind):
            value = request.form().get("access_token", "")
        if not value:
            raise GraphError(104, "An access token is required to request this resource.")
        token = self.tokens.get(value)
        if token is None:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if token.expires is not None and token.expires < time.time() and token.revoked is None:
            token.revoked = 463
        if token.revoked is not None:
            text = TOKEN_MESSAGES[token.revoked].format(
                app=APP_ID, when=when(token.expires or time.time()), now=when(time.time())
            )
            raise GraphError(190, text, subcode=token.revoked)
        return token

    def _page_token(self, request: Request, page_id: str) -> Token:
        token = self._token(request)
        if token.kind != "page" or token.page_id != page_id:
            raise GraphError(**INJECTED["200"])
        return token

    # -- connecting ------------------------------------------------------------------------

    def _exchange(self, request: Request) -> Response:
        query = request.query
        if query.get("grant_type") != "fb_exchange_token":
            raise GraphError(100, "(#100) Unsupported grant_type")
        if query.get("client_id") != APP_ID:
            raise GraphError(101, "Error validating application. Invalid application ID.")
        if query.get("client_secret") != APP_SECRET:
            raise GraphError(1, "Error validating client secret.")
        request.query = {"access_token": query.get("fb_exchange_token", "")}
        user = self._token(request)
        if user.kind == "page":
            raise GraphError(100, "(#100) The token to exchange must be a user access token")
        token = self.issue("user_long", life=LONG_LIFE, pages=user.pages, tasks=user.tasks)
        return Response.json(
            {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIFE - 56}
        )

    def _me(self, request: Request, edge: str) -> Response:
        token = self._token(request)
        if token.kind == "page" and token.page_id:
            if edge:
                raise GraphError(
                    100, f"(#100) Tried accessing nonexisting field ({edge}) on node type (Page)"
                )
            return Response.json({"id": token.page_id, "name": PAGES[token.page_id][0]})
        person_id, person_name = token.person
        if not edge:
            return Response.json({"id": person_id, "name": person_name})
        if edge != "accounts":
            raise missing(f"get {edge}")
        # A Page token lives as long as the token it came from: never, from a long-lived user
        # token or a non-expiring system-user token; from a short one, it dies with it.
        if token.kind == "user_long" or token.expires is None:
            life = None
        else:
            life = max(1.0, token.expires - time.time())
        data = [
            {
                "access_token": self.issue("page", page_id=pid, life=life, tasks=token.tasks),
                "category": PAGES[pid][1],
                "category_list": [{"id": "2235", "name": PAGES[pid][1]}],
                "name": PAGES[pid][0],
                "id": pid,
                "tasks": list(token.tasks),
            }
            for pid in token.pages
        ]
        cursor = base64.b64encode(b"0").decode()
        return Response.json(
            {"data": data, "paging": {"cursors": {"before": cursor, "after": cursor}}}
        )

    # -- controls --------------------------------------------------------------------------

    def auth_control(self, command: str, args: Mapping[str, Any]) -> Any:
        if command == "user_token":
            pages = tuple(args.get("pages") or MANAGED)
            return {
                "access_token": self.issue("user_short", life=SHORT_LIFE, pages=pages),
                "user_id": USER_ID,
            }
        if command == "page_token":
            return {"access_token": self.issue("page", page_id=str(args["page_id"]))}
        if command == "system_user":
            return self._system_user(args)
        kinds = {args["kind"]} if args.get("kind") else set(TOKEN_KINDS)
        hit = [t for t in self.tokens.values() if t.kind in kinds]
        for token in hit:
            token.revoked = int(args.get("subcode", 463))
        return len(hit)

    def _system_user(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """What Business Settings → System users → Assign assets, then Generate new token do."""
        pages = tuple(str(page) for page in (args.get("pages") or MANAGED))
        unknown = [page for page in pages if page not in PAGES]
        if unknown:
            raise KeyError(f"no such page: {', '.join(unknown)}")
        self.system_users += 1
        person = (
            str(SYSTEM_USER_BASE + self.system_users),
            str(args.get("name") or f"Loa server {self.system_users}"),
        )
        tasks = tuple(str(task) for task in (args.get("tasks") or PAGE_TASKS))
        life = LONG_LIFE if args.get("expiring") else None
        token = self.issue("system_user", life=life, pages=pages, tasks=tasks, person=person)
        return {"access_token": token, "user_id": person[0], "name": person[1]}
