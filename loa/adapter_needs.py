"""What the configured adapters need from Loa (channels.base: NEED_MEDIA_HOST, NEED_MEMO), checked
and worked out from config.yaml, whatever the adapters' types.

- A need Loa does not provide is a configuration problem naming the channel and the need, so a
  third-party adapter asking for something this version of Loa lacks is refused by
  `loa config check`, not at its first publication.
- A media host is chosen the same way here and in `loa.adapters.build_adapter`: the channel's
  `settings.media_host` (a channel whose adapter has `public_url`), else the first configured
  channel whose adapter is a media host (the website, the static subpage), else Loa's own signed
  addresses (loa.media_links) when `public_url` is https. A `settings.media_host` naming anything
  else is a problem; every channel that needs a host gets `settings.public_media`, so its `check`
  refuses media with nowhere to go when a post is submitted.

Works on the raw YAML data, before the model is built, so these problems are reported together
with every other configuration problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from channels.base import NEED_MEDIA_HOST, NEED_MEMO, needs_of
from channels.registry import adapter_class, known_types
from loa.media_links import is_public_base

PROVIDED = frozenset({NEED_MEDIA_HOST, NEED_MEMO})  # loa.adapters.PROVIDERS has one for each


@dataclass(frozen=True)
class HostChoice:
    """Where a channel's media get their public addresses."""

    channel_id: str | None  # None: Loa's own signed addresses, served by `loa serve`


def is_media_host(adapter: type[Any] | None) -> bool:
    """An adapter class is a media host if it can give a file a public address: by what it
    does, never by its type's name."""
    return adapter is not None and callable(getattr(adapter, "public_url", None))


def choose_media_host(
    channel_id: str,
    settings: Mapping[str, Any],
    channels: Sequence[tuple[str, type[Any] | None]],
    public_url: object,
) -> HostChoice | None:
    """The media host of `channel_id` among `channels` (id, adapter class), or None."""
    hosts = [other for other, adapter in channels if other != channel_id and is_media_host(adapter)]
    named = settings.get("media_host")
    if named is not None:
        return HostChoice(str(named)) if str(named) in hosts else None
    if hosts:
        return HostChoice(hosts[0])
    if isinstance(public_url, str) and is_public_base(public_url):
        return HostChoice(None)
    return None


# -- the raw configuration data -------------------------------------------------------------------


def _channels(data: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    items = data.get("channels")
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _settings(item: Mapping[str, Any]) -> dict[str, Any]:
    settings = item.get("settings")
    return settings if isinstance(settings, dict) else {}


def _adapters(data: Mapping[str, Any]) -> dict[str, type[Any] | Exception]:
    """Each configured, registered type's adapter class, or why it cannot be loaded. A type that
    is not registered is left out: the type check reports it."""
    registered = set(known_types())
    found: dict[str, type[Any] | Exception] = {}
    for _, item in _channels(data):
        kind = item.get("type")
        if isinstance(kind, str) and kind in registered and kind not in found:
            try:
                found[kind] = adapter_class(kind)
            except Exception as error:  # a broken third-party adapter: said, not raised
                found[kind] = error
    return found


def _classes(
    data: Mapping[str, Any], adapters: Mapping[str, type[Any] | Exception]
) -> list[tuple[str, type[Any] | None]]:
    pairs = []
    for _, item in _channels(data):
        adapter = adapters.get(str(item.get("type")))
        pairs.append((str(item.get("id")), adapter if isinstance(adapter, type) else None))
    return pairs


def need_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key path, message) for each adapter that cannot load, needs what Loa does not provide,
    or names as its media host a channel that cannot host files."""
    adapters = _adapters(data)
    classes = _classes(data, adapters)
    hosts = [channel for channel, adapter in classes if is_media_host(adapter)]
    found: list[tuple[str, str]] = []
    for i, item in _channels(data):
        kind, name = item.get("type"), item.get("id")
        adapter = adapters.get(str(kind))
        if isinstance(adapter, Exception):
            found.append((f"channels[{i}].type", _unloadable(name, kind, adapter)))
            continue
        if adapter is None:
            continue
        try:
            needs = needs_of(adapter)
        except TypeError as error:
            found.append((f"channels[{i}].type", _unloadable(name, kind, error)))
            continue
        for need in sorted(needs - PROVIDED):
            found.append((f"channels[{i}].type", _unknown_need(name, kind, need)))
        host = _settings(item).get("media_host")
        others = [h for h in hosts if h != name]
        if NEED_MEDIA_HOST in needs and host is not None and str(host) not in others:
            found.append(
                (
                    f"channels[{i}].settings.media_host",
                    f"{host!r} không phải kênh lưu được tệp trong config.yaml (trang web, trang"
                    f" tĩnh...); các kênh lưu được tệp: {', '.join(others) or 'không có'}"
                    f" / is not a channel of this file that hosts files (a website, a static"
                    f" site...); channels that host files: {', '.join(others) or 'none'}",
                )
            )
    return found


def with_need_settings(data: dict[str, Any]) -> dict[str, Any]:
    """The configuration data with `public_media` set for every channel needing a media host."""
    adapters = _adapters(data)
    classes = _classes(data, adapters)
    completed = list(data.get("channels") or [])
    changed = False
    for i, item in _channels(data):
        adapter = adapters.get(str(item.get("type")))
        if not isinstance(adapter, type) or not isinstance(item.get("settings", {}), dict):
            continue
        try:
            needs = needs_of(adapter)
        except TypeError:
            continue  # reported by need_problems
        if NEED_MEDIA_HOST not in needs:
            continue
        settings = dict(_settings(item))
        choice = choose_media_host(str(item.get("id")), settings, classes, data.get("public_url"))
        settings["public_media"] = choice is not None
        completed[i] = {**item, "settings": settings}
        changed = True
    return {**data, "channels": completed} if changed else data


def _unloadable(name: object, kind: object, error: Exception) -> str:
    return (
        f"kênh {name}: không nạp được bộ điều hợp {kind!r} ({type(error).__name__})"
        f" / channel {name}: the {kind!r} adapter cannot be loaded: {error}"
    )


def _unknown_need(name: object, kind: object, need: str) -> str:
    provided = ", ".join(sorted(PROVIDED))
    return (
        f"kênh {name}: bộ điều hợp {kind!r} cần {need!r}, thứ Loa không cung cấp"
        f" (Loa cung cấp: {provided}) / channel {name}: the {kind!r} adapter needs {need!r},"
        f" which Loa does not provide (Loa provides: {provided})"
    )
