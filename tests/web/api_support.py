"""Helpers for the REST API tests: a token per seeded user, bearer calls, a small PNG."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from PIL import Image
from sqlmodel import select

from content.models import Attempt, Delivery, DeliveryState
from content.users import UserService
from tests.factories import USERS, Clock, post_input
from web.services import WebServices

Call = Callable[..., Response]
# Who asks, in the permission tests: every seeded user, nobody, and a revoked token.
NOBODY = "nobody"
REVOKED = "revoked"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def make_tokens(users: UserService) -> dict[str, str]:
    """A live API token for every seeded user, and a revoked one (of bientap)."""
    found = {name: users.tokens.create(name, name, "tests")[0] for name, _, _ in USERS}
    secret, info = users.tokens.create("bientap", "bientap", "revoked")
    users.tokens.revoke("bientap", info.id)
    found[REVOKED] = secret
    return found


def caller(client: TestClient, tokens: dict[str, str]) -> Call:
    """`call("bientap", "GET", "/api/v1/posts", json=...)`: a bearer request as that user."""

    def call(who: str, method: str, path: str, **options: Any) -> Response:
        headers = dict(options.pop("headers", {}))
        if who != NOBODY:
            headers.update(bearer(tokens[who]))
        return client.request(method, path, headers=headers, **options)

    return call


def png(width: int = 64, height: int = 48, colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def error_of(response: Response, status: int) -> dict[str, Any]:
    """The JSON error of a refusal, checked for its shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert {"code", "message", "field"} <= set(error) <= {"code", "message", "field", "problems"}
    assert isinstance(error["message"], str) and error["message"]
    return error


def seed_posts(services: WebServices, clock: Clock) -> dict[str, int]:
    """Posts of STTTT in each state (and one of SDL), a failed delivery with its attempt."""
    posts = services.posts
    officer, editor = posts.actor("cbtt.stttt"), posts.actor("bientap2")
    when = clock.now + timedelta(days=3)
    ids: dict[str, int] = {}
    for name in ("draft", "in_review", "approved", "failed"):
        post = posts.create(officer, post_input(title=f"Bài {name}", scheduled_at=when))
        assert post.id is not None
        ids[name] = post.id
        if name != "draft":
            posts.submit(officer, post.id)
        if name in ("approved", "failed"):
            posts.approve(editor, post.id)
    sdl = posts.create(
        posts.actor("cbtt.sdl"),
        post_input(department="SDL", channels=["fb-dulich-hue"], scheduled_at=when),
    )
    assert sdl.id is not None
    ids["sdl"] = sdl.id
    with services.db.write() as session:
        draft = session.exec(select(Delivery).where(Delivery.post_id == ids["draft"])).one()
        ids["draft_delivery"] = draft.id or 0
        delivery = session.exec(select(Delivery).where(Delivery.post_id == ids["failed"])).one()
        delivery.state = DeliveryState.failed
        delivery.attempts = 1
        delivery.last_error = "Rejected: the page refused the post"
        session.add(delivery)
        session.add(
            Attempt(
                delivery_id=delivery.id or 0,
                number=1,
                worker_id="w1",
                started_at=clock.now,
                finished_at=clock.now,
                outcome="failed",
                error_kind="Rejected",
                error_message="the page refused the post",
            )
        )
        ids["failed_delivery"] = delivery.id or 0
    return ids
