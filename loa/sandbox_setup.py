"""Connecting every configured channel to a running sandbox, as a person would, but unattended.

The demo, the crash test and the benchmarks use it: each channel goes through its adapter's
real connect flow (OAuth consent and code exchange, a Facebook user token, a WordPress
application password, a webhook receiver's signing secret) against the sandbox, and the
credentials are stored encrypted as usual.
"""

from __future__ import annotations

import logging
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


def connect_all(app: App, sandbox_url: str) -> dict[str, str]:
    """Connect every channel of the configuration; returns channel id -> account name."""
    ensure_key(app)
    accounts = {}
    for channel in app.config.channels:
        adapter: Any = build_adapter(app, channel.id)
        if adapter.connect_kind == "oauth":
            authorization = adapter.authorize(REDIRECT)
            consent = requests.get(authorization.url, allow_redirects=False, timeout=10)
            code = parse_qs(urlsplit(consent.headers["Location"]).query)["code"][0]
            account = adapter.complete(authorization, code)
        elif adapter.connect_kind == "none":  # nothing to connect: checked as it is
            account = adapter.verify()
        elif channel.type == "webhook":  # the receiver's secret, as its operator would give it
            account = adapter.complete_token(str(control(sandbox_url, "webhook", "signing_secret")))
        elif channel.type == "facebook_page":
            token = control(sandbox_url, "graph", "user_token")["access_token"]
            account = adapter.complete_token(token)
        else:
            account = adapter.complete_token(
                str(control(sandbox_url, "wordpress", "issue_app_password"))
            )
        accounts[channel.id] = account.name
        log.info("channel=%s connected to the sandbox account %s", channel.id, account.name)
    return accounts
