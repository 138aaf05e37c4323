"""One set of adapters per publishing thread, built on first use and rebuilt after a reload.

Adapters hold HTTP clients, and not all of those are thread-safe (httplib2, under the YouTube
client): a worker's threads never share one. A reloaded config.yaml (`Worker.reconfigure`) bumps
the generation, and each thread then builds its adapters again from the new settings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from channels.base import Channel as Adapter


class PerThreadAdapters:
    """Adapters hold HTTP clients that are not all thread-safe (httplib2): one set per thread."""

    def __init__(self, build: Callable[[str], Adapter]) -> None:
        self.build = build
        self.local = threading.local()
        self.generation = 0  # bumped by `renew`: each thread then builds its adapters again

    def get(self, channel_id: str) -> Adapter:
        local = self.local.__dict__
        if local.get("generation") != self.generation:
            local["adapters"], local["generation"] = {}, self.generation
        cache: dict[str, Adapter] = local["adapters"]
        if channel_id not in cache:
            cache[channel_id] = self.build(channel_id)
        return cache[channel_id]

    def renew(self) -> None:
        self.generation += 1
