"""One static site on the disk: its index of posts and the pages rebuilt from it.

Every change (publish, correct, remove) runs under the site's lock: read the index, change one
post in it, render what that change touches, write the pages as one batch (channels.static_site
.store: staged, then renamed into place, post page before lists), and write the index last.
Pages whose bytes did not change are not written again: the index keeps each page's digest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from channels import render
from channels.base import Publication
from channels.static_site import feeds, store
from channels.static_site.renderer import Renderer, post_path, summary_of, template_digest
from channels.static_site.settings import SiteSettings

log = logging.getLogger(__name__)

EMBLEM = "assets/emblem.svg"
SLUG_MAX = 60
# Pages every change rebuilds (besides the posts' own), by where they live.
LIST_PREFIXES = ("chu-de/", "tru-cot/")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def slug(text: str) -> str:
    """Vietnamese words as an address: "Huế đón bạn bè" -> "hue-don-ban-be"."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return words[:SLUG_MAX].rstrip("-")


def remote_id(pub: Publication) -> str:
    """The post's name on the site, for good: its number, its first title's words, and a digest
    of Loa's marker, so two installations numbering their posts alike never share a page."""
    mark = pub.marker or f"{pub.channel_id}-{pub.post_id}"
    tail = hashlib.sha256(mark.encode()).hexdigest()[:8]
    return "-".join(part for part in (str(pub.post_id), slug(pub.title), tail) if part)


def entry_for(
    pub: Publication, rid: str, files: list[str], published_at: str, updated_at: str | None
) -> dict[str, Any]:
    """What the index keeps of a post: enough to render its page and every list again."""
    media = [
        {
            "kind": item.kind,
            "file": name,
            "mime": item.mime,
            "alt": item.alt_text.strip(),
            "width": item.width,
            "height": item.height,
            "bytes": item.size_bytes,
        }
        for item, name in zip(pub.media, files, strict=True)
    ]
    return {
        "remote_id": rid,
        "marker": pub.marker,
        "post_id": pub.post_id,
        "title": pub.title.strip(),
        "summary": summary_of(pub.text),
        "body_html": render.paragraphs_html(pub.text),
        "link": pub.link or "",
        "hashtags": list(pub.hashtags),
        "topic": pub.topic,
        "pillar": pub.pillar or "",
        "media": media,
        "published_at": published_at,
        "updated_at": updated_at,
    }


class Site:
    def __init__(self, settings: SiteSettings) -> None:
        self.settings = settings
        self.root = settings.output_dir

    def logo_path(self) -> str:
        logo = self.settings.logo
        return f"assets/logo{logo.suffix.lower()}" if logo is not None else EMBLEM

    def fingerprint(self) -> str:
        """Changes with anything every page shows: the templates, the portal's settings and
        its logo. Then every post's page is rendered again, not only the lists."""
        shown = {k: str(v) for k, v in vars(self.settings).items() if k != "output_dir"}
        total = hashlib.sha256(json.dumps(shown, sort_keys=True).encode())
        total.update(template_digest().encode())
        if self.settings.logo is not None:
            total.update(self.settings.logo.read_bytes())
        return total.hexdigest()

    @contextmanager
    def change(self) -> Iterator[dict[str, Any]]:
        """The index, under the lock; `apply` writes what changed in it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with store.site_lock(self.root):
            store.sweep(self.root)
            yield store.load_manifest(self.root)

    def manifest(self) -> dict[str, Any]:
        """The index as last written (read without the lock: it is replaced whole)."""
        return store.load_manifest(self.root)

    def apply(
        self, manifest: dict[str, Any], changed: tuple[str, ...] = (), gone: tuple[str, ...] = ()
    ) -> int:
        """Write the pages of the posts `changed`, delete those of the posts `gone`, rebuild
        every list, feed and the sitemap, then the index. Returns how many files were written."""
        posts: Mapping[str, dict[str, Any]] = manifest["posts"]
        fingerprint = self.fingerprint()
        renderer = Renderer(self.settings, self.logo_path())
        pages: dict[str, bytes] = {"assets/site.css": renderer.stylesheet()}
        pages[EMBLEM] = (
            resources.files("channels.static_site").joinpath("templates/emblem.svg").read_bytes()
        )
        if self.settings.logo is not None:
            pages[self.logo_path()] = self.settings.logo.read_bytes()
        again = posts.keys() if fingerprint != manifest["fingerprint"] else changed
        for rid in again:
            if rid in posts:
                pages[post_path(rid)] = renderer.post_page(posts[rid])
        listed = list(posts.values())
        pages |= renderer.list_pages(listed)  # after the posts' pages: no link to a missing one
        pages["atom.xml"] = feeds.atom(self.settings, listed)
        pages["rss.xml"] = feeds.rss(self.settings, listed)
        pages["sitemap.xml"] = feeds.sitemap(self.settings, listed)
        old: dict[str, str] = manifest["pages"]
        removed = {post_path(rid) for rid in gone} | {
            page for page in old if _is_list(page) and page not in pages
        }  # a list that has fewer pages now
        written, kept = 0, {page: sum_ for page, sum_ in old.items() if page not in removed}
        with store.Batch(self.root) as batch:
            for page, data in pages.items():
                sum_ = store.digest(data)
                if old.get(page) != sum_ or not (self.root / page).is_file():
                    batch.write(page, data)
                    written += 1
                kept[page] = sum_
            for page in sorted(removed):
                batch.remove(page)
            batch.commit()
        manifest["pages"], manifest["fingerprint"] = kept, fingerprint
        store.save_manifest(self.root, manifest)
        log.debug("static site %s: %d files written, %d removed", self.root, written, len(removed))
        return written


def _is_list(page: str) -> bool:
    top = "/" not in page and page.endswith(".html")  # index.html, trang-2.html
    return top or page.startswith(LIST_PREFIXES)
