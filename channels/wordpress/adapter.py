"""The ASEAN subpage of the provincial website, through the WordPress REST API.

CHANNELS.md, "Website subpage". A post is one `POST /wp/v2/posts` after its files are in the media
library (each post its own items, with its alt text: channels.wordpress.library), which are then
attached to it: the first image becomes the featured image, the other images (as image blocks)
and the video go into the body. The slug is the marker Loa chose, so `find` recognises the post
after an unanswered request. Categories come from the post's topic and pillar, tags from its
hashtags. The site's media library also gives Zalo the public image addresses it needs
(`public_url`).

Loa's worker publishes at the planned time itself; with the setting `native_schedule` a post for
later is handed over at once as status "future" and WordPress holds it. Comments and views (with
the setting `statistics`): channels.wordpress.metrics.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Mapping, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import nh3
import requests

from channels import render
from channels.base import (
    EDITABLE_FIELDS,
    NEED_MEMO,
    Account,
    AuthRequired,
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
from channels.http import TimeoutSession
from channels.wordpress.api import RIGHTS_HINT, RIGHTS_HINT_VI, WordPressAPI, unexpected
from channels.wordpress.library import Library, SiteMemo, Stored
from channels.wordpress.metrics import BATCH, WordPressMetrics

log = logging.getLogger(__name__)

GMT_FORMAT = "%Y-%m-%dT%H:%M:%S"  # WordPress reads date_gmt as UTC whatever offset it carries
FOUND_STATUSES = "publish,future"  # a post WordPress holds for later is ours too
NEEDED_RIGHTS = ("publish_posts", "upload_files")
VIDEO_TAGS = render.ALLOWED_TAGS | {"video"}
VIDEO_ATTRIBUTES = {**render.ALLOWED_ATTRIBUTES, "video": {"src", "controls", "preload"}}
BLOCK_ATTRIBUTES = {
    **render.ALLOWED_ATTRIBUTES,
    "figure": {"class"},
    "img": render.ALLOWED_ATTRIBUTES["img"] | {"class"},
}


class WordPress(WordPressMetrics):
    type: ClassVar[str] = "wordpress"
    connect_kind: ClassVar[ConnectKind] = "password"
    connect_prompt: ClassVar[tuple[str, str]] = (
        "Nhập mật khẩu ứng dụng WordPress (không hiện khi gõ)",
        "Enter the WordPress application password (hidden)",
    )
    needs: ClassVar[frozenset[str]] = frozenset({NEED_MEMO})  # what it learnt of the site
    capabilities: ClassVar[Capabilities] = Capabilities(
        title_max=250,
        title_required=True,
        takes_html=True,
        image_mimes=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
        video_mimes=frozenset({"video/mp4", "video/webm"}),
        max_images=20,  # the first becomes the featured image, the rest go into the body
        max_videos=1,
        max_image_bytes=20 * MiB,
        max_video_bytes=512 * MiB,
        mixes_images_and_video=True,
        can_schedule_natively=True,  # status "future" with date_gmt
        editable=EDITABLE_FIELDS,  # POST /wp/v2/posts/<id>: every field, and date_gmt while future
        can_remove=True,  # DELETE /wp/v2/posts/<id>: to the trash
        # Views only with settings.statistics (a plugin); else "no figure" with a note.
        metrics=frozenset({"comments", "views"}),
        metrics_batch=BATCH,
    )

    def __init__(
        self,
        setup: ChannelSetup,
        credentials: CredentialStore,
        *,
        media_host: MediaHost | None = None,  # the site is its own media host
        session: requests.Session | None = None,
        memo: MutableMapping[str, Any] | None = None,  # shared by the channel's adapters
    ) -> None:
        self.setup = setup
        self.credentials = credentials
        self.api = WordPressAPI(setup, credentials, session or TimeoutSession(setup.timeout))
        site = memo.setdefault("site", SiteMemo()) if memo is not None else SiteMemo()
        self.library = Library(self.api, site)

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        problems = check_capabilities(pub, cls.capabilities)
        if not pub.text.strip():
            problems.append(
                Problem(
                    "body", "Bài trên trang web cần nội dung.", "A website post needs body text."
                )
            )
        return problems

    def publish(self, pub: Publication, progress: Progress | None = None) -> Receipt:
        settings: Mapping[str, Any] = {**self.setup.settings, **pub.settings}
        fields, stored = self._fields(pub, settings, progress)
        status, when = timing(pub, settings, datetime.now(UTC))
        body: dict[str, Any] = {
            "title": fields.pop("title"),
            "content": fields.pop("content"),
            "status": status,
            "date_gmt": when.astimezone(UTC).strftime(GMT_FORMAT),
        }
        optional = {"slug": pub.marker, **fields}
        body.update({key: value for key, value in optional.items() if value})
        post, _ = self.api.call(
            "POST",
            "/wp/v2/posts",
            json=body,
            what=Step(f"publishing {pub.title!r}", f"đăng bài {pub.title!r}"),
        )
        receipt = to_receipt(post, Step("publishing", "đăng bài"))
        self.library.attach([item for _, item in stored], int(receipt.remote_id))
        log.info(
            "channel %s: post %s is %s at %s", self.setup.id, receipt.remote_id, status, receipt.url
        )
        return receipt

    def _fields(
        self, pub: Publication, settings: Mapping[str, Any], progress: Progress | None
    ) -> tuple[dict[str, Any], list[tuple[MediaFile, Stored]]]:
        """What the post shows: title, content, excerpt, terms and featured image (0: none)."""
        categories = self.library.term_ids("categories", category_names(pub, settings))
        tags = self.library.term_ids("tags", list(dict.fromkeys(pub.hashtags)))
        stored = self._store_media(pub, progress)
        images = [item for media, item in stored if media.kind == "image"]
        fields = {
            "title": as_html(pub.title),
            "content": content_html(pub, stored),
            "excerpt": as_html(str(settings.get("summary") or "")),
            "categories": categories,
            "tags": tags,
            "featured_media": images[0].id if images else 0,
        }
        return fields, stored

    def update(self, pub: Publication, sent: Receipt) -> Receipt:
        """Everything the post shows, sent again to `POST /wp/v2/posts/<id>` (empty fields
        included, so a removed image or hashtag goes away). A post WordPress still holds
        (`future`) also gets the new time; a published one keeps its date."""
        post_id = _post_id(sent)
        settings: Mapping[str, Any] = {**self.setup.settings, **pub.settings}
        body, stored = self._fields(pub, settings, None)
        if sent.scheduled_for is not None:
            status, when = timing(pub, {**settings, "native_schedule": True}, datetime.now(UTC))
            body |= {"status": status, "date_gmt": when.astimezone(UTC).strftime(GMT_FORMAT)}
        post, _ = self.api.call(
            "POST",
            f"/wp/v2/posts/{post_id}",
            json=body,
            what=Step(f"updating post {post_id}", f"sửa bài {post_id}"),
        )
        self.library.attach([item for _, item in stored], post_id)
        receipt = to_receipt(post, Step("updating a post", "sửa bài"))
        log.info("channel %s: post %s updated (%s)", self.setup.id, post_id, post.get("status"))
        return receipt

    def remove(self, sent: Receipt) -> None:
        """To the site's trash, where an editor can still restore it (`DELETE` without force);
        a post already trashed or deleted is fine."""
        post_id = _post_id(sent)
        self.api.call(
            "DELETE",
            f"/wp/v2/posts/{post_id}",
            what=Step(f"removing post {post_id}", f"gỡ bài {post_id}"),
            tolerate=frozenset({"rest_post_invalid_id", "rest_already_trashed"}),
        )
        log.info("channel %s: post %s moved to the trash", self.setup.id, post_id)

    def _store_media(
        self, pub: Publication, progress: Progress | None
    ) -> list[tuple[MediaFile, Stored]]:
        tally = None if progress is None else _Tally(progress, pub)
        stored = []
        for media in pub.media:
            reading = None if tally is None else tally.reading
            owner = pub.marker or f"loa-{pub.post_id}-{pub.channel_id}"
            stored.append((media, self.library.for_post(media, owner, reading)))
            if tally is not None:
                tally.finished(media)
        return stored

    def find(self, pub: Publication, since: datetime) -> Receipt | None:
        """Our post by its slug (unique per post and channel); without one, by title and time."""
        params: dict[str, Any] = {"status": FOUND_STATUSES, "context": "edit", "per_page": 100}
        params |= {"slug": pub.marker} if pub.marker else {"search": pub.title}
        found, _ = self.api.call(
            "GET", "/wp/v2/posts", params=params, what=Step("looking for a post", "tìm bài")
        )
        for post in found if isinstance(found, list) else []:
            if not isinstance(post, dict):
                continue
            if pub.marker:
                mine = post.get("slug") == pub.marker
            else:
                title = post.get("title")
                raw = title.get("raw") if isinstance(title, dict) else None
                published = gmt(post.get("date_gmt"))
                mine = raw == as_html(pub.title) and published is not None and published >= since
            if mine:
                return to_receipt(post, Step("looking for a post", "tìm bài"))
        return None

    def verify(self) -> Account:
        me, _ = self.api.call(
            "GET",
            "/wp/v2/users/me",
            params={"context": "edit"},
            what=Step("checking the account", "kiểm tra tài khoản"),
        )
        return self._account(me)

    def connect_token(self, token: str) -> Account:
        """`--token-stdin`: the application password, as the prompt takes it."""
        return self.complete_token(token)

    def complete_token(self, secret: str) -> Account:
        """Connect with an application password: checked against the site, then stored."""
        password = " ".join(secret.split())  # shown in groups of four; WordPress ignores spaces
        username = str(self.setup.settings.get("username") or "")
        if not password or not username:
            raise AuthRequired(
                f"Kênh {self.setup.id}: cần cả mật khẩu ứng dụng và thiết lập `username`",
                f"channel {self.setup.id}: an application password and the setting"
                " `username` are both needed",
            )
        me, _ = self.api.call(
            "GET",
            "/wp/v2/users/me",
            params={"context": "edit"},
            login=(username, password),
            what=Step("checking the application password", "kiểm tra mật khẩu ứng dụng"),
        )
        account = self._account(me)
        self.credentials.save({"username": username, "app_password": password})
        log.info("channel %s connected as WordPress user %s", self.setup.id, account.id)
        return account

    def public_url(self, media: MediaFile) -> str:
        """A public address for a file (Zalo takes images only by URL): the site's library."""
        return self.library.shared(media).source_url

    def _account(self, me: Any) -> Account:
        if not isinstance(me, dict) or "id" not in me:
            raise unexpected(Step("checking the account", "kiểm tra tài khoản"))
        rights = me.get("capabilities")
        lacking = [r for r in NEEDED_RIGHTS if isinstance(rights, dict) and not rights.get(r)]
        if lacking:
            who, rights = me.get("username") or me["id"], ", ".join(lacking)
            raise AuthRequired(
                f"người dùng WordPress {who} thiếu các quyền {rights}. {RIGHTS_HINT_VI}",
                f"the WordPress user {who} lacks the rights {rights}. {RIGHTS_HINT}",
            )
        name = str(me.get("name") or me.get("username") or me["id"])
        return Account(str(me["id"]), name, self.setup.base())


def category_names(pub: Publication, settings: Mapping[str, Any]) -> list[str]:
    """The topic's and the pillar's categories; `settings.categories` may rename them."""
    mapping = settings.get("categories") or {}
    names = []
    if pub.topic:
        names.append(str(mapping.get(pub.topic) or f"ASEAN - chủ đề {pub.topic}"))
    if pub.pillar:
        names.append(str(mapping.get(pub.pillar) or pub.pillar))
    return names


def timing(pub: Publication, settings: Mapping[str, Any], now: datetime) -> tuple[str, datetime]:
    """Status and date_gmt: "future" only when asked for and more than a minute ahead, because
    WordPress itself turns a "future" post due within a minute into "publish"."""
    when = pub.scheduled_at
    if settings.get("native_schedule") and when is not None and when - now > timedelta(minutes=1):
        return "future", when
    return "publish", now


def as_html(text: str) -> str:
    """Titles and excerpts are HTML on WordPress (themes print them as they are): plain text
    from an officer is escaped, as WordPress's own filter does for users without unfiltered_html."""
    return html.escape(text, quote=False)


def content_html(pub: Publication, stored: list[tuple[MediaFile, Stored]]) -> str:
    """The text as sanitized HTML, then every image but the featured one, then the video."""
    parts = [render.body_html(pub)]
    featured = next((item for media, item in stored if media.kind == "image"), None)
    for media, item in stored:
        if item is featured:
            continue
        src, alt = html.escape(item.source_url), html.escape(media.alt_text)
        if media.kind == "video":
            caption = f"<figcaption>{alt}</figcaption>" if alt else ""
            fragment = f'<figure><video controls src="{src}"></video>{caption}</figure>'
            parts.append(
                nh3.clean(
                    fragment,
                    tags=VIDEO_TAGS,
                    attributes=VIDEO_ATTRIBUTES,
                    url_schemes={"http", "https"},
                )
            )
            continue
        parts.append(image_block(media, item))
    return "".join(parts)


def image_block(media: MediaFile, item: Stored) -> str:
    """An image as the block editor writes it, so the post opens as an Image block (alt text,
    library item) rather than as Classic HTML. The markup is built from escaped values only."""
    src, alt = html.escape(item.source_url), html.escape(media.alt_text)
    size = f' width="{media.width}" height="{media.height}"' if media.width else ""
    figure = nh3.clean(
        f'<figure class="wp-block-image size-full"><img src="{src}" alt="{alt}"{size}'
        f' class="wp-image-{item.id}"></figure>',
        tags=render.ALLOWED_TAGS,
        attributes=BLOCK_ATTRIBUTES,
        url_schemes={"http", "https"},
    )
    attributes = json.dumps({"id": item.id, "sizeSlug": "full", "linkDestination": "none"})
    return f"<!-- wp:image {attributes} -->{figure}<!-- /wp:image -->"


def to_receipt(post: Any, what: str) -> Receipt:
    """A post WordPress holds for later (`future`) is there, but public only at its date."""
    if not isinstance(post, dict) or "id" not in post:
        raise unexpected(what)
    link, when = post.get("link"), gmt(post.get("date_gmt"))
    held = when if post.get("status") == "future" else None
    return Receipt(str(post["id"]), str(link) if link else None, when, scheduled_for=held)


def _post_id(sent: Receipt) -> int:
    if not sent.remote_id.isdigit():
        raise Rejected(
            f"{sent.remote_id!r} không phải mã bài WordPress",
            f"{sent.remote_id!r} is not a WordPress post id",
        )
    return int(sent.remote_id)


def gmt(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value)[:19], GMT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


class _Tally:
    """Bytes sent over all of a post's files, reported whenever the count moves."""

    def __init__(self, progress: Progress, pub: Publication) -> None:
        self.progress, self.total = progress, sum(media.size_bytes for media in pub.media)
        self.before, self.last = 0, -1

    def reading(self, done: int) -> None:
        self._report(self.before + done)

    def finished(self, media: MediaFile) -> None:
        self.before += media.size_bytes
        self._report(self.before)  # a file already in the library counts at once

    def _report(self, done: int) -> None:
        done = min(done, self.total)
        if done != self.last:
            self.last = done
            self.progress(done, self.total)
