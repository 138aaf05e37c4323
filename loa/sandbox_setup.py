"""Connecting every configured channel to a running sandbox, as a person would, but unattended.

The demo, the crash test and the benchmarks use it: each channel goes through its adapter's
real connect flow (OAuth consent and code exchange, a Facebook user token, a WordPress
application password, a webhook receiver's signing secret) against the sandbox, and the
credentials are stored encrypted as usual; a static subpage has nothing to connect and is
checked as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from loa.adapters import build_adapter, ensure_key
from loa.app import App

log = logging.getLogger(__name__)

REDIRECT = "http://127.0.0.1:9/callback"  # never opened: the code is read from the redirect


def control(sandbox_url: str, platform: str, command: str, **args: Any) -> Any:
    answer = requests.post(
        f"{sandbox_url}/_sandbox/control",
        json={"platform": platform, "command": command, "args": args},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["result"]


# How the sandbox hands out what a person would paste for Loa's own token and password types.
SECRETS: dict[str, Callable[[str], str]] = {
    # the receiver's signing secret, as its operator would give it
    "webhook": lambda url: str(control(url, "webhook", "signing_secret")),
    "facebook_page": lambda url: str(control(url, "graph", "user_token")["access_token"]),
    "wordpress": lambda url: str(control(url, "wordpress", "issue_app_password")),
}
# Loa's own OAuth types, whose stand-ins answer the consent page with a code at once.
OAUTH_TYPES = frozenset({"zalo_oa", "youtube"})


def connect_all(app: App, sandbox_url: str) -> dict[str, str]:
    """Connect every channel of the configuration; returns channel id -> account name.

    A channel with nothing to connect (`connect_kind` "none", the static subpage) is checked as
    it is. A plug-in's channel type, whose secret the sandbox cannot hand out, is left
    unconnected with a log line (its owner connects it with `loa channels connect`), so one
    installed package never stops the demo or the tests."""
    ensure_key(app)
    accounts = {}
    for channel in app.config.channels:
        adapter: Any = build_adapter(app, channel.id)
        if adapter.connect_kind == "none":  # nothing to connect: checked as it is
            account = adapter.verify()
        elif adapter.connect_kind == "oauth" and channel.type in OAUTH_TYPES:
            authorization = adapter.authorize(REDIRECT)
            consent = requests.get(authorization.url, allow_redirects=False, timeout=10)
            code = parse_qs(urlsplit(consent.headers["Location"]).query)["code"][0]
            account = adapter.complete(authorization, code)
        elif channel.type in SECRETS:
            account = adapter.complete_token(SECRETS[channel.type](sandbox_url))
        else:
            log.warning(
                "channel=%s type=%s not connected: the sandbox has no secret for it;"
                " connect it with `loa channels connect %s`",
                channel.id,
                channel.type,
                channel.id,
            )
            continue
        accounts[channel.id] = account.name
        log.info("channel=%s connected to the sandbox account %s", channel.id, account.name)
    return accounts
