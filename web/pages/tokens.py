"""A person's own REST API tokens: make one (its secret is shown this once), see, revoke."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from content.errors import InvalidInput
from content.workflow import Actor
from web.auth import current_actor
from web.path_ids import PathId
from web.render import field_errors, lang_of, render
from web.services import services_of

router = APIRouter(prefix="/account/tokens")
Signed = Annotated[Actor, Depends(current_actor)]


@router.get("")
def tokens_page(request: Request, actor: Signed) -> Response:
    return _page(request, actor)


@router.post("")
def create_token(
    request: Request, actor: Signed, name: Annotated[str, Form(max_length=500)] = ""
) -> Response:
    tokens = services_of(request).users.tokens
    try:
        secret, _ = tokens.create(actor.username, actor.username, name)
    except InvalidInput as error:
        errors = field_errors(error, lang_of(request))
        return _page(request, actor, errors=errors, name=name, status=422)
    return _page(request, actor, secret=secret, status=201)


@router.post("/{token_id}/revoke")
def revoke_token(request: Request, actor: Signed, token_id: PathId) -> Response:
    services_of(request).users.tokens.revoke(actor.username, token_id, owner=actor.username)
    return RedirectResponse("/account/tokens", status_code=303)


def _page(
    request: Request,
    actor: Actor,
    *,
    secret: str = "",
    errors: dict[str, list[str]] | None = None,
    name: str = "",
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "tokens": services_of(request).users.tokens.api_tokens(actor.username),
        "secret": secret,
        "errors": errors or {},
        "name": name,
    }
    return render(request, "tokens/index.html", context, status_code=status)
