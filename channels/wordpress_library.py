"""The site's media library and its terms, as the WordPress adapter uses them.

Files are uploaded under a name made from their SHA-256 (`loa-<16 hex>.jpg`) and looked up by that
name first, so a publish that is tried again, or an image that Zalo needs a public address for,
never fills the library with copies. Category and tag ids are looked up by name, created when
missing, and remembered in a `SiteMemo`.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from channels.base import MediaFile
from channels.wordpress_api import Upload, WordPressAPI, unexpected

log = logging.getLogger(__name__)

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/webm": "webm",
}
SEARCH_PAGE = 20
NOUNS = {"categories": "category", "tags": "tag"}


@dataclass(frozen=True)
class Stored:
    id: int
    source_url: str
    alt_text: str


def library_name(media: MediaFile) -> str:
    return f"loa-{media.sha256[:16]}"


@dataclass
class SiteMemo:
    """What Loa has learnt of one site's library. The worker gives each publishing thread its own
    adapter (HTTP clients are per thread), and the adapters of a channel share one memo, so a
    term is looked up once per process, not once per thread. Plain dict reads and writes: two
    threads that miss the same name at once both look it up, and the site answers both alike."""

    files: dict[str, Stored] = field(default_factory=dict)  # sha256 -> what the site holds
    terms: dict[tuple[str, str], int] = field(default_factory=dict)  # (taxonomy, name) -> id


class Library:
    def __init__(self, api: WordPressAPI, memo: SiteMemo | None = None) -> None:
        self.api = api
        self.memo = memo or SiteMemo()

    def store(self, media: MediaFile, on_read: Callable[[int], None] | None = None) -> Stored:
        """The file in the site's library (found or uploaded) with the alt text set."""
        stored = self.memo.files.get(media.sha256) or self._find(media)
        if stored is None:
            stored = self._upload(media, on_read)
        if media.alt_text and stored.alt_text != media.alt_text:
            body, _ = self.api.call(
                "POST",
                f"/wp/v2/media/{stored.id}",
                json={"alt_text": media.alt_text},
                what=f"setting the alt text of {media.path.name}",
            )
            stored = _stored(body, "the media library")
        self.memo.files[media.sha256] = stored
        return stored

    def _find(self, media: MediaFile) -> Stored | None:
        name = library_name(media)
        found, _ = self.api.call(
            "GET",
            "/wp/v2/media",
            params={"search": name, "per_page": SEARCH_PAGE},
            what=f"looking for {media.path.name} in the media library",
        )
        for item in found if isinstance(found, list) else []:
            filename = PurePosixPath(urlsplit(str(item.get("source_url", ""))).path).name
            # WordPress names a second upload of the same name `loa-...-1.jpg`: both are ours
            if filename.startswith(name) and item.get("mime_type") == media.mime:
                log.debug("%s is already in the library as %s", media.path.name, item.get("id"))
                return _stored(item, "the media library")
        return None

    def _upload(self, media: MediaFile, on_read: Callable[[int], None] | None) -> Stored:
        extension = EXTENSIONS.get(media.mime) or media.path.suffix.lstrip(".") or "bin"
        filename = f"{library_name(media)}.{extension}"
        headers = {
            "Content-Type": media.mime,
            "Content-Disposition": f'attachment; filename="{filename}"',
        }
        body, _ = self.api.call(
            "POST",
            "/wp/v2/media",
            upload=Upload(media.path, on_read),
            headers=headers,
            what=f"uploading {media.path.name}",
        )
        stored = _stored(body, f"uploading {media.path.name}")
        log.info("uploaded %s as media %s", media.path.name, stored.id)
        return stored

    def term_ids(self, taxonomy: str, names: list[str]) -> list[int]:
        ids: list[int] = []
        for name in names:
            term = self._term(taxonomy, name)
            if term not in ids:
                ids.append(term)
        return ids

    def _term(self, taxonomy: str, name: str) -> int:
        key = (taxonomy, name.casefold())
        if key in self.memo.terms:
            return self.memo.terms[key]
        what = f"looking up the {NOUNS[taxonomy]} {name!r}"
        found, _ = self.api.call(
            "GET", f"/wp/v2/{taxonomy}", params={"search": name, "per_page": 100}, what=what
        )
        # WordPress keeps names HTML-escaped ("Văn hóa &amp; Du lịch"): compare them unescaped
        terms = (
            [term for term in found if isinstance(term, dict)] if isinstance(found, list) else []
        )
        match = next(
            (t for t in terms if html.unescape(str(t.get("name", ""))).casefold() == key[1]), None
        )
        if match is not None:
            term_id = _id(match, what)
        else:
            body, _ = self.api.call(
                "POST",
                f"/wp/v2/{taxonomy}",
                json={"name": name},
                what=f"creating the {NOUNS[taxonomy]} {name!r}",
                tolerate=frozenset({"term_exists"}),
            )
            if body.get("code") == "term_exists":
                # the search missed a term the site has (an escaped name): it says which one
                term_id = _id(body.get("data"), what, key="term_id")
            else:
                term_id = _id(body, what)
                log.info("created the %s %r as %s", NOUNS[taxonomy], name, term_id)
        self.memo.terms[key] = term_id
        return term_id


def _stored(item: Any, what: str) -> Stored:
    try:
        return Stored(int(item["id"]), str(item["source_url"]), str(item.get("alt_text") or ""))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise unexpected(what) from None


def _id(item: Any, what: str, key: str = "id") -> int:
    try:
        return int(item[key])
    except (KeyError, TypeError, ValueError):
        raise unexpected(what) from None
