"""Reconnecting a channel's account from the web, for administrators.

`GET /channels/ID/connect`: for an OAuth platform (Zalo OA, YouTube) a link to its consent page,
which sends the browser back to `GET /channels/ID/callback` on this server; for Facebook (a
user token) and WordPress (an application password) a form whose secret is never shown again;
for a channel with nothing to connect (connect kind "none": the static subpage) it says so and
offers no form. The work is done by `services.connector` (built by `loa`, the same adapter
methods as `loa channels connect`); without one the page shows that command.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from channels.registry import RegistryError, adapter_class
from content.errors import NotFound, TransitionRefused, UserError
from content.models import Channel, ChannelState
from content.workflow import Actor
from web.auth import require_admin, session_of
from web.i18n import known
from web.render import lang_of, render
from web.services import ChannelConnector, WebServices, services_of

router = APIRouter(prefix="/channels")
Admin = Annotated[Actor, Depends(require_admin)]


def owner_of(request: Request) -> str:
    """The administrator's session, as the connector binds a consent to it (never the secret)."""
    info = session_of(request)
    token = info.csrf_token if info is not None else ""
    return hashlib.sha256(f"loa-connect:{token}".encode()).hexdigest()


def external_url(services: WebServices, path: str) -> str:
    """`path` at Loa's configured public address (config.yaml's `public_url`). Never built from
    the request: a forged Host header would send the platform's code to someone else."""
    return f"{services.public_url}{path}"


def connect_kind(channel_type: str) -> str:
    """How a channel of this type connects (its adapter's `connect_kind`: "oauth", "token",
    "password", "none"); "" for a type not registered here. Read from the adapter's class, so
    the pages know it with or without a connector."""
    try:
        return str(adapter_class(channel_type).connect_kind)
    except RegistryError:
        return ""


def secret_label(channel_type: str) -> str:
    """The catalogue key naming what the form asks for: the type's own words where the catalogue
    has them (a WordPress application password, a webhook signing secret), else "the channel's
    secret", so a plug-in's channel is never asked for another platform's password."""
    own = f"connect.secret.{channel_type}"
    return own if known(own) else "connect.secret"


def _channel_and_connector(
    request: Request, channel_id: str
) -> tuple[str, bool, ChannelConnector | None, str]:
    """The channel's display name (404 for an unknown channel), whether it has anything to
    connect, the connector, if the app was built with one, and the label of its secret."""
    services = services_of(request)
    name, channel_type = _channel_name(services, channel_id)
    connectable = connect_kind(channel_type) != "none"
    return name, connectable, services.connector, secret_label(channel_type)


def _channel_name(services: WebServices, channel_id: str) -> tuple[str, str]:
    """The channel's display name and its type."""
    with services.db.read() as session:
        row = session.get(Channel, channel_id)
    if row is None:
        raise NotFound(f"no channel {channel_id!r}", f"Không có kênh “{channel_id}”.")
    if row.state == ChannelState.retired:
        raise TransitionRefused(
            f"the channel {channel_id!r} was removed from the configuration: there is nothing"
            " to connect",
            f"Kênh “{channel_id}” đã gỡ khỏi cấu hình: không có gì để kết nối.",
        )
    display = services.channel(channel_id)
    return (display.name if display else "") or row.name or channel_id, row.type


def _page(
    request: Request, channel_id: str, name: str, status_code: int = 200, **values: object
) -> Response:
    other = "en" if lang_of(request) == "vi" else "vi"
    context: dict[str, object] = {
        # The other language without this request's query: a callback's code stays out of links.
        "lang_url": f"/channels/{channel_id}/connect?lang={other}",
        "channel_id": channel_id,
        "name": name,
        "kind": "",
        "consent_url": "",
        "redirect_uri": "",
        "error": "",
        "account": "",
        "secret_label": "connect.secret",
    }
    context.update(values)
    return render(request, "channels/connect.html", context, status_code=status_code)


@router.get("/{channel_id}/connect")
def connect_page(request: Request, actor: Admin, channel_id: str) -> Response:
    name, connectable, connector, label = _channel_and_connector(request, channel_id)
    if not connectable:
        return _page(request, channel_id, name, kind="none")
    if connector is None:
        return _page(request, channel_id, name)
    kind = connector.kind(channel_id)
    if kind != "oauth":
        return _page(request, channel_id, name, kind=kind, secret_label=label)
    redirect_uri = external_url(services_of(request), f"/channels/{channel_id}/callback")
    try:
        start = connector.begin(channel_id, redirect_uri, owner_of(request))
    except UserError as error:
        return _page(request, channel_id, name, 502, kind=kind, error=error.text(lang_of(request)))
    return _page(
        request, channel_id, name, kind=kind, consent_url=start.url, redirect_uri=redirect_uri
    )


@router.post("/{channel_id}/connect")
def connect_with_secret(
    request: Request,
    actor: Admin,
    channel_id: str,
    secret: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    name, connectable, connector, label = _channel_and_connector(request, channel_id)
    if not connectable:  # nothing is stored: the page says why, as its GET does
        return _page(request, channel_id, name, 409, kind="none")
    if connector is None:
        return _page(request, channel_id, name)
    kind = connector.kind(channel_id)
    try:
        account = connector.complete_secret(channel_id, secret, actor.username)
    except UserError as error:
        message = error.text(lang_of(request))
        return _page(request, channel_id, name, 422, kind=kind, error=message, secret_label=label)
    return _page(request, channel_id, name, kind=kind, account=account)


@router.get("/{channel_id}/callback")
def oauth_callback(
    request: Request,
    actor: Admin,
    channel_id: str,
    state: str = "",
    code: str = "",
) -> Response:
    """Where the platform sends the browser back after consent, with `code` and `state`."""
    name, connectable, connector, _ = _channel_and_connector(request, channel_id)
    if not connectable:
        return _page(request, channel_id, name, 409, kind="none")
    if connector is None:
        return _page(request, channel_id, name)
    try:
        account = connector.finish(channel_id, state, code, owner_of(request), actor.username)
    except UserError as error:  # refused here, so the page never repeats the address's code
        message = error.text(lang_of(request))
        return _page(request, channel_id, name, 400, kind="oauth", error=message)
    return _page(request, channel_id, name, kind="oauth", account=account)
