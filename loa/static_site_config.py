"""What Loa checks and works out for a static subpage channel (`type: static_site`) from
config.yaml.

- Its settings are checked by the package's own rules (channels.static_site.settings), each
  problem named by its key and worded Vietnamese first, reported by `loa config check` with every
  other configuration problem.
- Paths (`output_dir`, `logo`) are taken from the config file's folder, like `media_dir`, so the
  adapter, the worker and `loa serve` find the same folder whatever their working directory.
- What the pages show that Loa already knows is filled in unless the channel sets it: the
  portal's name from the channel's `name`, the agency from its department's Vietnamese name, the
  topics' and pillars' names from `topics:` and `pillars:` (channels never read Loa's tables).
- A static site calls no platform, so it has no `api_base`: its address is
  `settings.public_url`, which stands in as the channel's base address.

Works on the raw YAML data, before the model is built, like loa.zalo_config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from channels.static_site.settings import problems

STATIC_SITE = "static_site"
PATHS = ("output_dir", "logo")
# Stands for the base address of a channel whose public_url is missing or wrong: that problem is
# reported (the configuration is refused), so this never reaches a loaded configuration.
NO_ADDRESS = "http://127.0.0.1"


def _channels(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    items = data.get("channels")
    if not isinstance(items, list):
        return []
    return [
        (i, item)
        for i, item in enumerate(items)
        if isinstance(item, dict) and item.get("type") == STATIC_SITE
    ]


def _settings(item: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    settings = item.get("settings")
    resolved = dict(settings) if isinstance(settings, dict) else {}
    for key in PATHS:
        value = resolved.get(key)
        if isinstance(value, str) and value.strip():
            resolved[key] = str((base_dir / Path(value).expanduser()).resolve())
    return resolved


def static_site_problems(data: dict[str, Any], base_dir: Path) -> list[tuple[str, str]]:
    """(key path, message) for every setting a static subpage channel cannot use."""
    found: list[tuple[str, str]] = []
    for i, item in _channels(data):
        settings = _settings(item, base_dir)
        for key, vi, en in problems(settings):
            found.append((f"channels[{i}].settings.{key}", f"{vi} / {en}"))
        if "api_base" in item:
            found.append(
                (
                    f"channels[{i}].api_base",
                    "trang tĩnh không gọi nền tảng nào nên không có api_base; địa chỉ của trang"
                    " là settings.public_url / a static site calls no platform and has no"
                    " api_base; its address is settings.public_url",
                )
            )
    return found


def with_static_site_settings(data: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """The configuration data with each static subpage channel's settings completed."""
    channels = _channels(data)
    if not channels:
        return data
    departments = {
        str(d.get("code")): str(d.get("name_vi") or "")
        for d in _list(data, "departments")
        if isinstance(d, dict)
    }
    names = {
        key: {str(t.get("code")): str(t.get("vi")) for t in _list(data, key) if isinstance(t, dict)}
        for key in ("topics", "pillars")
    }
    completed = list(data["channels"])
    for i, item in channels:
        settings = _settings(item, base_dir)
        if item.get("name"):
            settings.setdefault("site_name", item["name"])
        agency = departments.get(str(item.get("department")))
        if agency:
            settings.setdefault("agency", agency)
        for key, table in names.items():
            own = settings.get(key)
            if table and (own is None or isinstance(own, dict)):
                # config.yaml's list, in its order; the channel's own names for some codes
                settings[key] = {**table, **{str(k): v for k, v in (own or {}).items()}}
        url = settings.get("public_url")
        valid = isinstance(url, str) and not any(
            k == "public_url" for k, _, _ in problems(settings)
        )
        address = str(url).rstrip("/") if valid else NO_ADDRESS
        completed[i] = {**item, "api_base": item.get("api_base", address), "settings": settings}
    return {**data, "channels": completed}


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []
