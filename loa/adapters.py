"""Building channel adapters from the configuration: setup, secrets, credentials, and what each
adapter declares it needs (channels.base: NEED_MEDIA_HOST, NEED_MEMO).

Every need has one provider here, and every adapter that declares a need gets it alike, whatever
its type: a new platform that needs public addresses for its media, or a memo of what it learnt,
needs no change in Loa. `loa config check` refuses a need with no provider (loa.adapter_needs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

from channels.base import NEED_MEDIA_HOST, NEED_MEMO, Channel, ChannelSetup, MediaHost, needs_of
from channels.registry import RegistryError, adapter_class
from content.errors import UserError
from loa.adapter_needs import choose_media_host
from loa.app import App
from loa.config import ChannelConfig
from loa.credentials import DatabaseCredentials
from loa.keys import KEY_ENV, ensure_key_file, load_key
from loa.media_links import MediaLinks, media_link_key

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
    return _build(app, channel_id, frozenset())


def _build(app: App, channel_id: str, building: frozenset[str]) -> Channel:
    channel = app.config.channel(channel_id)
    cls: Any = adapter_class(channel.type)
    needs = needs_of(cls)
    unknown = ", ".join(repr(need) for need in sorted(needs - PROVIDERS.keys()))
    if unknown:
        known = ", ".join(sorted(PROVIDERS))
        raise UserError(
            f"channel {channel.id}: the {channel.type!r} adapter needs {unknown}, which Loa does"
            f" not provide (Loa provides: {known})",
            f"kênh {channel.id}: bộ điều hợp {channel.type!r} cần {unknown}, thứ Loa không cung"
            f" cấp (Loa cung cấp: {known})",
        )
    within = building | {channel.id}
    provided = {need: PROVIDERS[need](app, channel, within) for need in sorted(needs)}
    return cls(channel_setup(channel), credentials_for(app, channel_id), **provided)  # type: ignore[no-any-return]


def media_links(app: App) -> MediaLinks:
    """Loa's own signed addresses for its stored files, keyed from the workspace key."""
    return MediaLinks(media_link_key(load_key(key_path(app))), str(app.config.public_url))


def _media_host(app: App, channel: ChannelConfig, building: frozenset[str]) -> MediaHost | None:
    """The channel's media host, chosen as `loa config check` chose it (loa.adapter_needs)."""
    classes = [(c.id, _adapter_or_none(c.type)) for c in app.config.channels]
    choice = choose_media_host(channel.id, channel.settings, classes, str(app.config.public_url))
    if choice is None:
        return None
    if choice.channel_id is None:
        return media_links(app)
    if choice.channel_id in building:
        return None  # hosts that need each other's host: a loop, not a host
    return _build(app, choice.channel_id, building)  # type: ignore[return-value]


def _memo(app: App, channel: ChannelConfig, building: frozenset[str]) -> MutableMapping[str, Any]:
    return app.memos.setdefault(channel.id, {})


def _adapter_or_none(channel_type: str) -> type[Any] | None:
    try:
        return adapter_class(channel_type)
    except RegistryError:
        return None  # `loa config check` says why


Provider = Callable[[App, ChannelConfig, frozenset[str]], Any]
# One provider for each need loa.adapter_needs.PROVIDED names (`loa config check` reads that list,
# since it cannot import this module without importing the whole app).
PROVIDERS: dict[str, Provider] = {NEED_MEDIA_HOST: _media_host, NEED_MEMO: _memo}
