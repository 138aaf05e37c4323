"""What Loa works out for a Zalo channel from the rest of config.yaml.

- `author`: Zalo refuses an article without one (-201 "Invalid parameter: author") and takes at
  most 50 characters. A channel without `settings.author` signs with its department's name.

Whether Zalo's images have somewhere to go (`settings.media_host`, `public_media`) is not Zalo's
own business: the adapter declares that it needs a media host, and loa.adapter_needs works it
out for every channel that does.

The author lands in the channel's settings, so the adapter and the channel checks (which read
the settings kept in the database) see the same value. Works on the raw YAML data, before the
model is built, so problems are reported together with every other configuration problem.
"""

from __future__ import annotations

from typing import Any

from channels.zalo.article import AUTHOR_MAX

ZALO = "zalo_oa"


def _channels(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    items = data.get("channels")
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _settings(item: dict[str, Any]) -> dict[str, Any]:
    settings = item.get("settings")
    return settings if isinstance(settings, dict) else {}


def zalo_setting_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(key path, message) for each Zalo setting Zalo itself would refuse or Loa cannot use."""
    found: list[tuple[str, str]] = []
    for i, item in _channels(data):
        if item.get("type") != ZALO:
            continue
        problem = _author_problem(_settings(item))
        if problem:
            found.append((f"channels[{i}].settings.author", problem))
    return found


def _author_problem(settings: dict[str, Any]) -> str | None:
    if "author" not in settings:
        return None  # the department's name is used
    author = settings["author"]
    if not isinstance(author, str) or not author.strip():
        return (
            "tên tác giả trống, Zalo sẽ từ chối bài; bỏ khóa này để dùng tên đơn vị"
            " / the author is empty and Zalo would refuse every article; leave the key out"
            " to sign with the department's name"
        )
    length = len(author.strip())
    if length > AUTHOR_MAX:
        return (
            f"tên tác giả dài {length} ký tự, Zalo nhận tối đa {AUTHOR_MAX}"
            f" / the author is {length} characters long; Zalo takes at most {AUTHOR_MAX}"
        )
    return None


def shorten(name: str, limit: int = AUTHOR_MAX) -> str:
    """A department's name as an author: whole words, at most `limit` characters."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    return name[: limit + 1].rsplit(" ", 1)[0].rstrip(" -,;:") or name[:limit]


def with_zalo_settings(data: dict[str, Any]) -> dict[str, Any]:
    """The configuration data with `author` filled in for Zalo channels."""
    channels = _channels(data)
    if not any(item.get("type") == ZALO for _, item in channels):
        return data
    departments = data.get("departments")
    names = {
        str(d.get("code")): str(d.get("name_vi") or "")
        for d in (departments if isinstance(departments, list) else [])
        if isinstance(d, dict)
    }
    completed = list(data["channels"])
    for i, item in channels:
        if item.get("type") != ZALO or not isinstance(item.get("settings", {}), dict):
            continue
        settings = dict(_settings(item))
        if "author" not in settings and names.get(str(item.get("department"))):
            settings["author"] = shorten(names[str(item.get("department"))])
        completed[i] = {**item, "settings": settings}
    return {**data, "channels": completed}
