"""An adapter's own rules for its channel's settings, reported by `loa config check`.

An adapter class may have a class method `setting_problems(settings) -> list[Problem]`: no I/O,
each `Problem.field` the key under the channel's `settings:` it concerns, worded Vietnamese
first. Loa asks every configured channel's adapter that has one, whatever its type, and reports
each problem at its key and line with every other configuration problem, so a setting the adapter
cannot use is refused when the file is loaded instead of when a post is due.

Works on the raw YAML data, before the model is built, like loa.adapter_needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.registry import RegistryError, adapter_class


def adapter_setting_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key path, message) for every setting a channel's adapter says it cannot use."""
    channels = data.get("channels")
    found: list[tuple[str, str]] = []
    for i, item in enumerate(channels if isinstance(channels, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            continue
        try:
            cls = adapter_class(item["type"])
        except (RegistryError, ImportError):
            continue  # an unknown or unloadable type is reported by the type's own check
        rules = getattr(cls, "setting_problems", None)
        settings = item.get("settings")
        if rules is None or not isinstance(settings, dict):
            continue
        name = item.get("id")
        for problem in rules(settings):
            found.append(
                (
                    f"channels[{i}].settings.{problem.field}",
                    f"kênh {name}: {problem.vi} / channel {name}: {problem.en}",
                )
            )
    return found
