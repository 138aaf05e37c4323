"""The ASEAN subpage rendered by Loa itself, as static pages, for a portal without an API.

Publishing writes the post's page, every page that lists it, the feeds and the sitemap into
`settings.output_dir`, which a web server serves at `settings.public_url` (docs/channels/
static_site.md). Nothing is sent anywhere, so there is nothing to connect: `connect_kind` is
"none". A post is recognised by Loa's marker, which its page carries (`<meta name="loa-marker">`)
and the site's index records. The site also gives files public addresses (`MediaHost`), so a
Zalo channel can take its images from it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from channels.base import (
    Account,
    Capabilities,
    ChannelSetup,
    ConnectKind,
    CredentialStore,
    MediaFile,
    MediaHost,
    MiB,
    Problem,
    Progress,
    Publication,
    Receipt,
    Rejected,
)
from channels.checks import check_capabilities
from channels.errors import Step
from channels.static_site import settings as site_settings
from channels.static_site import store
from channels.static_site.media import copy_in
from channels.static_site.renderer import post_path
from channels.static_site.site import Site, entry_for, now_iso, remote_id

log = logging.getLogger(__name__)

PUBLISHING = Step("publishing", "đăng bài")
UPDATING = Step("correcting a page", "sửa trang bài")
REMOVING = Step("removing a page", "gỡ trang bài")
CHECKING = Step("checking the folder", "kiểm tra thư mục")
HOSTING = Step("copying a file", "chép tệp")


class StaticSite:
    type: ClassVar[str] = "static_site"
    # Nothing to connect: the site is a folder Loa writes, with no account, token or password.
    # "none" (channels.base.ConnectKind) makes `loa channels connect` say so instead of asking
    # for a secret; `verify` checks the folder can be written.
    connect_kind: ClassVar[ConnectKind] = "none"
    needs: ClassVar[frozenset[str]] = frozenset()  # nothing from Loa: it is its own media host
    # No `setting_problems` hook: loa.static_site_config checks the settings after taking the
    # paths from the config file's folder (the hook sees them as written, relative to nothing),
    # and the hook would report every problem a second time.
    capabilities: ClassVar[Capabilities] = Capabilities(
        title_max=250,  # Loa's house limit, as for the WordPress subpage: a heading, not a text
        title_required=True,  # every page, feed entry and sitemap line needs one
        takes_html=True,  # the text becomes paragraphs and links, sanitized (channels.render)
        image_mimes=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
        video_mimes=frozenset({"video/mp4", "video/webm"}),  # what browsers play in <video>
        max_images=20,
        max_videos=1,
        # Our own disk and readers' downloads, not a platform's rule.
        max_image_bytes=20 * MiB,
        max_video_bytes=512 * MiB,
        mixes_images_and_video=True,
        can_schedule_natively=False,  # a page is there once written: the worker waits for the time
        editable=frozenset({"title", "text", "link", "hashtags", "media"}),
        can_remove=True,
    )

    def __init__(
        self,
        setup: ChannelSetup,
        credentials: CredentialStore,
        *,
        media_host: MediaHost | None = None,  # unused: the site hosts its own files
        session: Any = None,  # unused: nothing goes over the network
    ) -> None:
        self.setup = setup
        self.credentials = credentials

    def _site(self) -> Site:
        return Site(site_settings.parse(self.setup.settings, self.setup.id))

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        problems = check_capabilities(pub, cls.capabilities)
        if not pub.text.strip():
            problems.append(
                Problem("body", "Bài trên trang cần nội dung.", "A page needs body text.")
            )
        return problems

    def publish(self, pub: Publication, progress: Progress | None = None) -> Receipt:
        """Write the post's page and every page listing it; publishing the same marker again
        rewrites the same page (a retry never makes a second one)."""
        site = self._site()
        try:
            files = self._copy_media(site, pub, progress)
            with site.change() as manifest:
                existing = _by_marker(manifest, pub.marker)
                rid = existing["remote_id"] if existing else remote_id(pub)
                first = existing["published_at"] if existing else now_iso()
                updated = existing["updated_at"] if existing else None
                manifest["posts"][rid] = entry_for(pub, rid, files, first, updated)
                site.apply(manifest, changed=(rid,))
        except OSError as error:
            raise store.disk_error(error, site.root, PUBLISHING) from None
        log.info("channel %s: post %s written as %s", self.setup.id, pub.post_id, post_path(rid))
        return self._receipt(site, rid, first)

    def update(self, pub: Publication, sent: Receipt) -> Receipt:
        """The page written again with the post as it is now, and every list with it (a new
        topic or pillar moves it); it keeps its address and publication time."""
        site = self._site()
        try:
            files = self._copy_media(site, pub, None)
            with site.change() as manifest:
                existing = manifest["posts"].get(sent.remote_id)
                if existing is None:
                    raise Rejected(
                        f"trang bài {sent.remote_id} không còn trên trang tĩnh để sửa",
                        f"the page {sent.remote_id} is no longer on the static site to correct",
                    )
                first = existing["published_at"]
                entry = entry_for(pub, sent.remote_id, files, first, now_iso())
                manifest["posts"][sent.remote_id] = entry
                site.apply(manifest, changed=(sent.remote_id,))
        except OSError as error:
            raise store.disk_error(error, site.root, UPDATING) from None
        log.info("channel %s: page %s corrected", self.setup.id, sent.remote_id)
        return self._receipt(site, sent.remote_id, first)

    def remove(self, sent: Receipt) -> None:
        """Out of every list and feed first, then its page deleted; a page already gone is
        fine. Its files stay in media/ (other posts and channels may show them)."""
        site = self._site()
        try:
            with site.change() as manifest:
                manifest["posts"].pop(sent.remote_id, None)
                site.apply(manifest, gone=(sent.remote_id,))
        except OSError as error:
            raise store.disk_error(error, site.root, REMOVING) from None
        log.info("channel %s: page %s removed", self.setup.id, sent.remote_id)

    def find(self, pub: Publication, since: datetime) -> Receipt | None:
        """The post's page if the index records it under Loa's marker and the page on the disk
        carries that marker; without a marker, a page of that title published since `since`."""
        site = self._site()
        manifest = site.manifest()
        entry = _by_marker(manifest, pub.marker) if pub.marker else None
        if entry is None and not pub.marker:
            entry = next(
                (
                    post
                    for post in manifest["posts"].values()
                    if post["title"] == pub.title.strip()
                    and datetime.fromisoformat(post["published_at"]) >= since
                ),
                None,
            )
        if entry is None or not _page_carries(site, entry):
            return None
        return self._receipt(site, entry["remote_id"], entry["published_at"])

    def verify(self) -> Account:
        """The folder exists (it is made if not) and Loa can write in it; the portal's name."""
        site = self._site()
        try:
            site.root.mkdir(parents=True, exist_ok=True)
            probe = site.root / store.STATE_DIR / "verify"
            store.write_atomic(probe, b"ok\n")
            probe.unlink()
            site.manifest()  # an index Loa cannot read stops here, not at the first post
        except OSError as error:
            raise store.disk_error(error, site.root, CHECKING) from None
        url = site.settings.public_url
        return Account(id=url, name=site.settings.site_name, url=url)

    def public_url(self, media: MediaFile) -> str:
        """The file's public address in the site's media/ folder (copied there if needed)."""
        site = self._site()
        try:
            return site.settings.url(copy_in(site.root, media))
        except OSError as error:
            raise store.disk_error(error, site.root, HOSTING) from None

    def _copy_media(self, site: Site, pub: Publication, progress: Progress | None) -> list[str]:
        total = sum(item.size_bytes for item in pub.media)
        before, names = 0, []
        for item in pub.media:
            names.append(copy_in(site.root, item, _tally(progress, before, total)))
            before += item.size_bytes
        return names

    def _receipt(self, site: Site, rid: str, published_at: str) -> Receipt:
        url = site.settings.url(post_path(rid))
        return Receipt(rid, url, datetime.fromisoformat(published_at))


def _tally(progress: Progress | None, before: int, total: int) -> Callable[[int], None] | None:
    """Bytes copied over all of a post's files, as one count."""
    if progress is None:
        return None
    report = progress
    return lambda done: report(before + done, total)


def _by_marker(manifest: dict[str, Any], marker: str) -> dict[str, Any] | None:
    if not marker:
        return None
    return next((p for p in manifest["posts"].values() if p["marker"] == marker), None)


def _page_carries(site: Site, entry: dict[str, Any]) -> bool:
    """The page is on the disk and is this post's: it carries the marker (or, for a post
    without one, it exists)."""
    try:
        text = (site.root / post_path(entry["remote_id"])).read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    marker = entry["marker"]
    return not marker or f'<meta name="loa-marker" content="{marker}">' in text
