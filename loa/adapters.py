"""Building channel adapters from the configuration: setup, secrets, credentials, media host."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from channels.base import Channel, ChannelSetup, MediaHost
from channels.registry import adapter_class
from channels.wordpress.library import SiteMemo
from loa.app import App
from loa.config import ChannelConfig
from loa.credentials import DatabaseCredentials
from loa.keys import KEY_ENV, ensure_key_file, load_key

REQUEST_TIMEOUT = 30.0


def key_path(app: App) -> Path:
    return app.config.media_path.parent / "loa.key"


def ensure_key(app: App) -> Path | None:
    """Create the workspace's key file unless the key comes from LOA_SECRET_KEY."""
    if os.environ.get(KEY_ENV):
        return None
    return ensure_key_file(key_path(app))


def channel_setup(channel: ChannelConfig) -> ChannelSetup:
    """The adapter's view of a channel; a secret whose variable is unset is simply absent."""
    secrets = {
        name: os.environ[variable]
        for name, variable in channel.secrets.items()
        if os.environ.get(variable)
    }
    return ChannelSetup(
        id=channel.id,
        type=channel.type,
        name=channel.name,
        bases=channel.bases,
        settings=dict(channel.settings),
        secrets=secrets,
        timeout=float(channel.settings.get("timeout_seconds", REQUEST_TIMEOUT)),
    )


def credentials_for(app: App, channel_id: str) -> DatabaseCredentials:
    return DatabaseCredentials(app.db, channel_id, load_key(key_path(app)))


def build_adapter(app: App, channel_id: str) -> Channel:
    channel = app.config.channel(channel_id)
    cls: Any = adapter_class(channel.type)
    extra: dict[str, Any] = {}
    if channel.type == "zalo_oa":
        extra["media_host"] = _media_host(app, channel)
    if channel.type == "wordpress":
        extra["memo"] = app.site_memos.setdefault(channel_id, SiteMemo())
    return cls(channel_setup(channel), credentials_for(app, channel_id), **extra)  # type: ignore[no-any-return]


def _media_host(app: App, channel: ChannelConfig) -> MediaHost | None:
    """Zalo takes images by public URL: by default the website channel's media library."""
    host_id = channel.settings.get("media_host") or next(
        (c.id for c in app.config.channels if c.type == "wordpress"), None
    )
    if host_id is None:
        return None
    host = build_adapter(app, str(host_id))
    return host if hasattr(host, "public_url") else None  # type: ignore[return-value]
