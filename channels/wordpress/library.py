"""The site's media library and its terms, as the WordPress adapter uses them.

Each post gets its own library item for each of its files (`for_post`). WordPress keeps an
image's alt text and the post it belongs to on the library item, one of each, and themes show a
featured image with the item's alt text: an item shared by two posts would show the second
post's description under the first, and could be attached to only one of them. So every post's
item carries that post's alt text, is attached to it (`attach`, once the post exists), and is
titled with the officer's file name. Its slug, `<marker>-<16 hex of the SHA-256>`, finds it again
when a publish is tried again, so a retry never fills the library with copies.

Images that Zalo needs a public address for (`shared`) are one item per file, uploaded as
`loa-<16 hex>.jpg` and looked up by that name: no post, and their alt text is left as first set.
Category and tag ids are looked up by name, created when missing; both are remembered in a
`SiteMemo`.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from channels.base import ChannelError, MediaFile
from channels.errors import Step
from channels.wordpress.api import Upload, WordPressAPI, unexpected

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
NOUNS_VI = {"categories": "chuyên mục", "tags": "thẻ"}


@dataclass(frozen=True)
class Stored:
    id: int
    source_url: str
    alt_text: str


def library_name(media: MediaFile) -> str:
    return f"loa-{media.sha256[:16]}"


def post_item_slug(owner: str, media: MediaFile) -> str:
    """The slug of a post's own copy of a file: the post's marker and the file's digest."""
    return f"{owner}-{media.sha256[:16]}"


def officer_name(media: MediaFile) -> str:
    """The file's name as the officer gave it, without its extension: the item's title."""
    name = PurePosixPath(media.original_name or media.path.name).name
    stem, dot, _ = name.rpartition(".")
    return (stem if dot and stem else name).strip() or library_name(media)


def ascii_file_name(media: MediaFile) -> str:
    """An address-safe file name from the officer's ("Lễ hội Huế" -> "le-hoi-hue.jpg")."""
    text = unicodedata.normalize("NFKD", officer_name(media).replace("đ", "d").replace("Đ", "D"))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    stem = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or library_name(media)
    extension = EXTENSIONS.get(media.mime) or media.path.suffix.lstrip(".") or "bin"
    return f"{stem}.{extension}"


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

    def for_post(
        self, media: MediaFile, owner: str, on_read: Callable[[int], None] | None = None
    ) -> Stored:
        """The post's own library item for the file (found again, or uploaded) with the post's
        alt text and the officer's file name as its title."""
        slug = post_item_slug(owner, media)
        stored = self.memo.files.get(slug) or self._find_slug(slug, media)
        if stored is None:
            stored = self._upload(
                media,
                on_read,
                filename=ascii_file_name(media),
                fields={"slug": slug, "title": officer_name(media), "alt_text": media.alt_text},
            )
        elif stored.alt_text != media.alt_text:  # the officer corrected it since the last try
            body, _ = self.api.call(
                "POST",
                f"/wp/v2/media/{stored.id}",
                json={"alt_text": media.alt_text},
                what=Step(
                    f"setting the alt text of {media.original_name or media.path.name}",
                    f"đặt mô tả ảnh cho {media.original_name or media.path.name}",
                ),
            )
            stored = _stored(body, "the media library")
        self.memo.files[slug] = stored
        return stored

    def attach(self, items: list[Stored], post_id: int) -> None:
        """Attach the post's items to it. The post is on the site already: a failure here must
        not make the worker publish it again, so it is logged and left for a person."""
        for item in items:
            try:
                self.api.call(
                    "POST",
                    f"/wp/v2/media/{item.id}",
                    json={"post": post_id},
                    what=Step(
                        f"attaching media {item.id} to post {post_id}",
                        f"gắn tệp {item.id} vào bài {post_id}",
                    ),
                )
            except ChannelError as error:
                log.warning("media %s stays unattached to post %s: %s", item.id, post_id, error)

    def shared(self, media: MediaFile, on_read: Callable[[int], None] | None = None) -> Stored:
        """One library item per file, for a public address (Zalo): its alt text is set on
        upload and never overwritten, since posts that show it carry their own."""
        stored = self.memo.files.get(media.sha256) or self._find(media)
        if stored is None:
            fields = {"alt_text": media.alt_text} if media.alt_text else {}
            filename = f"{library_name(media)}.{ascii_file_name(media).rpartition('.')[2]}"
            stored = self._upload(media, on_read, filename=filename, fields=fields)
        self.memo.files[media.sha256] = stored
        return stored

    def _find_slug(self, slug: str, media: MediaFile) -> Stored | None:
        found, _ = self.api.call(
            "GET",
            "/wp/v2/media",
            params={"slug": slug, "context": "edit"},
            what=Step(
                f"looking for {media.original_name or media.path.name} in the media library",
                f"tìm {media.original_name or media.path.name} trong thư viện tệp",
            ),
        )
        for item in found if isinstance(found, list) else []:
            if isinstance(item, dict) and item.get("slug") == slug:
                return _stored(item, "the media library")
        return None

    def _find(self, media: MediaFile) -> Stored | None:
        name = library_name(media)
        found, _ = self.api.call(
            "GET",
            "/wp/v2/media",
            params={"search": name, "per_page": SEARCH_PAGE},
            what=Step(
                f"looking for {media.original_name or media.path.name} in the media library",
                f"tìm {media.original_name or media.path.name} trong thư viện tệp",
            ),
        )
        for item in found if isinstance(found, list) else []:
            filename = PurePosixPath(urlsplit(str(item.get("source_url", ""))).path).name
            # WordPress names a second upload of the same name `loa-...-1.jpg`: both are ours
            if filename.startswith(name) and item.get("mime_type") == media.mime:
                log.debug("%s is already in the library as %s", media.path.name, item.get("id"))
                return _stored(item, "the media library")
        return None

    def _upload(
        self,
        media: MediaFile,
        on_read: Callable[[int], None] | None,
        *,
        filename: str,
        fields: dict[str, str],
    ) -> Stored:
        """A raw upload; WordPress takes the item's other fields from the query string."""
        headers = {
            "Content-Type": media.mime,
            "Content-Disposition": f'attachment; filename="{filename}"',
        }
        body, _ = self.api.call(
            "POST",
            "/wp/v2/media",
            params={key: value for key, value in fields.items() if value},
            upload=Upload(media.path, on_read),
            headers=headers,
            what=Step(
                f"uploading {media.original_name or media.path.name}",
                f"tải {media.original_name or media.path.name} lên",
            ),
        )
        stored = _stored(
            body,
            Step(
                f"uploading {media.original_name or media.path.name}",
                f"tải {media.original_name or media.path.name} lên",
            ),
        )
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
        what = Step(
            f"looking up the {NOUNS[taxonomy]} {name!r}", f"tìm {NOUNS_VI[taxonomy]} {name!r}"
        )
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
                what=Step(
                    f"creating the {NOUNS[taxonomy]} {name!r}", f"tạo {NOUNS_VI[taxonomy]} {name!r}"
                ),
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
