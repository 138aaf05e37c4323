"""`loa serve` shows each static subpage channel's folder (`type: static_site`) for preview.

The folder a channel writes (channels.static_site.output_dir) is served read-only at a path of
the web app:

- the path of the channel's `settings.public_url` when that address lies under config.yaml's
  `public_url` (same scheme, host and port, below its path): with Loa at
  http://127.0.0.1:8000 and the channel at http://127.0.0.1:8000/asean/, the pages are at
  /asean/, so the address the pages, feeds and sitemap give is the one that answers;
- otherwise (the portal's own address, say https://thuathienhue.gov.vn/asean/) `/asean/`, for the
  first such channel only: the others have no address of their own under Loa's, and one
  preview path cannot show two sites.

A path Loa's own pages use (/static/, /api/, /calendar...) or the site root is never taken:
the channel is then not served, with a log line saying why. Names starting with a dot (the
`.loa/` index and lock, temporary files) are never served: 404, as the nginx and Apache
snippets of docs/channels/static_site.md do. A folder's address serves its index.html; what is
not there (or not written yet: the folder is made at the first publication) is a 404.

The mount lives here, on Loa's side, because web/ knows nothing of channels.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from channels.errors import Rejected

if TYPE_CHECKING:
    from fastapi import FastAPI

    from loa.app import App
    from loa.config import ChannelConfig

log = logging.getLogger(__name__)

STATIC_SITE = "static_site"
DEFAULT_PATH = "/asean/"


@dataclass(frozen=True)
class Preview:
    channel_id: str
    path: str  # where the web app serves the folder: starts and ends with "/"
    folder: Path


class PreviewFiles(StaticFiles):
    """StaticFiles that never serves a dot-file or anything inside a dot-folder, and answers
    404 for a folder not written yet instead of failing the whole app at its first request."""

    async def check_config(self) -> None:
        # Starlette checks once and raises if the folder is missing; a channel that has not
        # published yet simply has nothing to show.
        return None

    async def get_response(self, path: str, scope: Scope) -> Response:
        # `path` is normalised by get_path ("." for the folder itself, ".." kept only where it
        # would climb out, which lookup_path refuses anyway).
        if any(part.startswith(".") for part in path.split(os.sep) if part != "."):
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)


def preview_path(channel_url: str, loa_url: str) -> str | None:
    """The path of `channel_url` below `loa_url` (both http(s) addresses), as the web app sees
    it ("/asean/"), or None when the channel's address is not under Loa's."""
    channel, loa = urlsplit(channel_url), urlsplit(loa_url)
    if (channel.scheme.lower(), channel.netloc.lower()) != (loa.scheme.lower(), loa.netloc.lower()):
        return None
    base = loa.path.rstrip("/") + "/"
    path = channel.path if channel.path.endswith("/") else channel.path + "/"
    if not path.startswith(base):
        return None
    # Behind a proxy that serves Loa at https://host/loa/, the app itself sees paths without
    # that prefix.
    return "/" + path[len(base) :]


def previews(loa: App, is_loas: Callable[[str], bool] = lambda path: False) -> list[Preview]:
    """Where each static subpage channel is shown, in config.yaml's order; `is_loas(path)`:
    whether the web app's own routes answer that path (a site there would never show)."""
    from channels.static_site import output_dir

    found: list[Preview] = []
    used: set[str] = set()
    fallback_given = False
    for channel in loa.config.channels:
        if channel.type != STATIC_SITE:
            continue
        channel_url = str(channel.settings.get("public_url") or "")
        path = preview_path(channel_url, str(loa.config.public_url))
        if path is None:
            if fallback_given:
                _skip(channel, "its public_url is not under Loa's and /asean/ is already given")
                continue
            path, fallback_given = DEFAULT_PATH, True
        if path == "/" or any(p.startswith(".") for p in path.split("/")) or is_loas(path):
            _skip(channel, f"the path {path} belongs to Loa's own pages")
            continue
        if any(path.startswith(other) or other.startswith(path) for other in used):
            _skip(channel, f"the path {path} overlaps another channel's")
            continue
        try:
            folder = output_dir(channel.settings)
        except Rejected:  # an empty output_dir: `loa config check` reports it
            _skip(channel, "it has no output_dir")
            continue
        used.add(path)
        found.append(Preview(channel.id, path, folder))
    return found


def _answers(route: BaseRoute, path: str) -> bool:
    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
    return route.matches(scope)[0] is not Match.NONE


def _skip(channel: ChannelConfig, why: str) -> None:
    log.warning("static site %s is not served for preview: %s", channel.id, why)


def mount_static_previews(app: FastAPI, loa: App) -> list[Preview]:
    """Serve every static subpage channel's folder on `app` (built by web.app.create_app)."""

    def is_loas(path: str) -> bool:
        return any(_answers(route, probe) for route in app.routes for probe in (path, path[:-1]))

    mounted = previews(loa, is_loas)
    for preview in mounted:
        files = PreviewFiles(directory=preview.folder, html=True, check_dir=False)
        app.mount(preview.path.rstrip("/"), files, name=f"static-site-{preview.channel_id}")
        log.info(
            "static site %s served at %s from %s", preview.channel_id, preview.path, preview.folder
        )
    return mounted
