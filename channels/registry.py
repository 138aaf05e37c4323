"""Adapters are found through the `loa.channels` entry point group, the built-in ones too.

A new platform is a module plus one line in its package's entry points; nothing here changes.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib.metadata import entry_points

from channels.base import Channel

log = logging.getLogger(__name__)

GROUP = "loa.channels"


class RegistryError(RuntimeError):
    pass


def known_types() -> list[str]:
    """The registered type names, without importing any adapter."""
    return sorted({entry.name for entry in entry_points(group=GROUP)})


@cache
def adapter_class(channel_type: str) -> type[Channel]:
    matches = [entry for entry in entry_points(group=GROUP) if entry.name == channel_type]
    if not matches:
        known = ", ".join(known_types())
        raise RegistryError(f"unknown channel type {channel_type!r}; known: {known}")
    if len({entry.value for entry in matches}) > 1:
        where = ", ".join(sorted(entry.value for entry in matches))
        raise RegistryError(f"channel type {channel_type!r} is registered twice: {where}")
    loaded = matches[0].load()
    if getattr(loaded, "type", None) != channel_type:
        raise RegistryError(
            f"entry point {channel_type!r} loads {matches[0].value}, whose type is"
            f" {getattr(loaded, 'type', None)!r}"
        )
    log.debug("loaded adapter %s from %s", channel_type, matches[0].value)
    return loaded  # type: ignore[no-any-return]
