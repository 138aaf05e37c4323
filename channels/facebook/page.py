"""Facebook Pages through the Graph API (CHANNELS.md, "Facebook Pages").

- text and link posts: `POST /{page-id}/feed` (message, link) through facebook-sdk's put_object
- one photo: `POST /{page-id}/photos` with the file as multipart `source` (put_photo)
- several photos: each uploaded unpublished, then one feed post with `attached_media`
- a video: the resumable upload with `requests` (channels.facebook.video)
- a post due more than 10 minutes ahead is handed to Facebook to hold (`scheduled_publish_time`)

Connecting ("token"): a person pastes a short-lived user token (`complete_token`), or a script
gives a Page, user or system-user token (`connect_token`); either becomes the page's own token
(channels.facebook.connect).

Reconcile: Facebook keeps only the text people read, so every message and video description
ends with the post's marker spelt in zero-width characters (`channels.markers.invisible`), and
`find` takes a post created since the attempt began only if its text carries that marker: a
post of another Loa installation with the same text is never taken for ours.

Corrections (`update`, `remove`): channels.facebook.edit. Figures (`read_metrics`, 50 posts a
request): channels.facebook.metrics.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from channels.base import (
    METRICS,
    Account,
    AuthRequired,
    Capabilities,
    ChannelSetup,
    ConnectKind,
    CredentialStore,
    MediaFile,
    MediaHost,
    MiB,
    OutcomeUnknown,
    Problem,
    Progress,
    Publication,
    Receipt,
    Rejected,
    Retryable,
)
from channels.checks import check_capabilities
from channels.errors import Step, vietnam_time
from channels.facebook import connect, edit
from channels.facebook.graph import Graph, UsageNote, required
from channels.facebook.metrics import BATCH, FacebookMetrics
from channels.facebook.video import DEFAULT_CHUNK, VideoTarget, upload_video
from channels.http import TimeoutSession
from channels.markers import carries, invisible
from channels.render import plain_text

log = logging.getLogger(__name__)

DEFAULT_VERSION = "v21.0"
WEB_BASE = "https://www.facebook.com"
NATIVE_MIN = timedelta(minutes=10)  # Facebook holds a post from 10 minutes to 30 days ahead
NATIVE_MAX = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=2)  # Facebook's clock against ours, when reconciling
SCAN_PAGES = 5  # pages of 100 recent posts searched by `find`
MESSAGE_MAX = 63_206  # the Graph API's limit for a Page post message
MARKER_CHARS = len(invisible(""))  # what the invisible marker adds to every message


class FacebookPage(FacebookMetrics):
    type: ClassVar[str] = "facebook_page"
    connect_kind: ClassVar[ConnectKind] = "token"
    connect_prompt: ClassVar[tuple[str, str]] = (
        "Dán mã truy cập người dùng Facebook (không hiện khi gõ)",
        "Paste a Facebook user access token (hidden)",
    )
    capabilities: ClassVar[Capabilities] = Capabilities(
        text_max=MESSAGE_MAX - MARKER_CHARS,  # room kept for the invisible marker
        image_mimes=frozenset({"image/jpeg", "image/png", "image/gif"}),
        video_mimes=frozenset({"video/mp4", "video/quicktime"}),
        max_images=10,  # a multi-photo post through attached_media
        max_videos=1,
        max_image_bytes=4 * MiB,  # larger photos are accepted but recompressed badly
        max_video_bytes=1024 * MiB,
        mixes_images_and_video=False,
        can_schedule_natively=True,  # scheduled_publish_time: 10 minutes to 30 days ahead
        # A Page can change a post's text (hashtags are text), not its link card or media.
        editable=frozenset({"text", "hashtags"}),
        can_remove=True,
        requests_per_minute=60,
        metrics=frozenset(METRICS),  # views and reach from Insights, when the page allows them
        metrics_batch=BATCH,
    )

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        problems = check_capabilities(pub, cls.capabilities)
        if not (pub.text.strip() or pub.link or pub.media):
            problems.append(
                Problem(
                    "body",
                    "Bài trên Facebook cần nội dung, liên kết hoặc ảnh/video.",
                    "A Facebook post needs text, a link or media.",
                )
            )
        card = cls.link_card(pub)
        if card and not _web_address(card):
            problems.append(
                Problem(
                    "link",
                    "Liên kết phải là địa chỉ web http:// hoặc https://.",
                    "The link must be an http:// or https:// web address.",
                )
            )
        shown, most = len(cls.message(pub)), MESSAGE_MAX - MARKER_CHARS
        if shown > most and len(pub.text_with_hashtags) <= most:
            # the link goes into the text beside media: the shared text check did not count it
            problems.append(
                Problem(
                    "body",
                    f"Nội dung kèm liên kết dài {shown} ký tự, tối đa {most}.",
                    f"The text with its link is {shown} characters long; at most {most}.",
                )
            )
        return problems

    def __init__(
        self,
        setup: ChannelSetup,
        credentials: CredentialStore,
        *,
        media_host: MediaHost | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.setup, self.credentials = setup, credentials
        self.version = str(setup.settings.get("graph_version") or DEFAULT_VERSION)
        # Per adapter object: a rebuilt adapter forgets it, and Facebook's own refusals
        # (RateLimited with its estimate) take over until the next note.
        self.usage = UsageNote()
        self._session = session or TimeoutSession(setup.timeout)
        self.known_secrets: list[str] = []

    # -- connecting ------------------------------------------------------------------------

    def complete_token(self, user_token: str) -> Account:
        """Turn a person's user token into the page's own token, and keep only that."""
        connect.keep_page_token(self, self._graph(), user_token.strip())
        log.info("channel %s connected to Facebook page %s", self.setup.id, self.page_id())
        return self.verify()

    def connect_token(self, token: str) -> Account:
        """A Page token kept as is, or a user or system-user token's Page token."""
        account = connect.connect_token(self, self._graph(), token)
        log.info("channel %s connected to Facebook page %s", self.setup.id, account.id)
        return replace(account, url=self._web_url(account.id))

    def verify(self) -> Account:
        token, page_id = self._token()
        page = self._graph().sdk(
            token,
            Step("checking the page", "kiểm tra Trang"),
            lambda api: api.get_object(page_id, fields="id,name,link"),
            publishes=False,
        )
        page_id = required(page, "id", Step("checking the page", "kiểm tra Trang"), Retryable)
        return Account(page_id, str(page.get("name") or ""), page.get("link"))

    # -- publishing ------------------------------------------------------------------------

    def publish(self, pub: Publication, progress: Progress | None = None) -> Receipt:
        token, page_id = self._token()
        when = self._native_time(pub)
        fields: dict[str, str] = {}
        if when is not None:
            fields = {"published": "false", "scheduled_publish_time": str(int(when.timestamp()))}
        images, videos = pub.media_of("image"), pub.media_of("video")
        if videos:
            video_id = self._publish_video(pub, videos[0], token, page_id, fields, progress)
            return Receipt(video_id, self._web_url(video_id), when or datetime.now(UTC), when)
        graph = self._graph()
        if len(images) == 1 and when is None:
            post_id = self._post_photo(graph, token, page_id, images[0], self.sent_message(pub))
        else:
            data: dict[str, str] = {"message": self.sent_message(pub), **fields}
            if images:
                ids = [self._stage_photo(graph, token, page_id, m, bool(when)) for m in images]
                data["attached_media"] = json.dumps([{"media_fbid": i} for i in ids])
            elif card := self.link_card(pub):
                data["link"] = card
            answer = graph.sdk(
                token,
                Step("publishing the post", "đăng bài"),
                lambda api: api.put_object(page_id, "feed", **data),
                publishes=True,
            )
            post_id = required(
                answer, "id", Step("publishing the post", "đăng bài"), OutcomeUnknown
            )
        return Receipt(post_id, self._web_url(post_id), when or datetime.now(UTC), when)

    @staticmethod
    def message(pub: Publication) -> str:
        """The text people read: a lone link goes in `link` (Facebook shows a preview); with
        photos or a video the link stays in the text, where it is still clickable."""
        return plain_text(pub, with_link=bool(pub.media) or not pub.link)

    @classmethod
    def sent_message(cls, pub: Publication) -> str:
        """The message as sent: it ends with the invisible marker that `find` recognises."""
        text = cls.message(pub)
        return text + invisible(pub.marker) if pub.marker else text

    @staticmethod
    def link_card(pub: Publication) -> str | None:
        """The link sent apart, which Facebook shows as a preview card: only without media."""
        return pub.link if pub.link and not pub.media else None

    def _post_photo(
        self, graph: Graph, token: str, page_id: str, media: MediaFile, caption: str
    ) -> str:
        with media.path.open("rb") as image:
            answer = graph.sdk(
                token,
                Step("publishing the photo", "đăng ảnh"),
                lambda api: api.put_photo(image, f"{page_id}/photos", message=caption),
                publishes=True,
            )
        return required(answer, "post_id", Step("publishing the photo", "đăng ảnh"), OutcomeUnknown)

    def _stage_photo(
        self, graph: Graph, token: str, page_id: str, media: MediaFile, scheduled: bool
    ) -> str:
        """An unpublished photo to attach to a post; `temporary` lets a scheduled post use it."""
        extra = {"temporary": "true"} if scheduled else {}
        with media.path.open("rb") as image:
            answer = graph.sdk(
                token,
                Step(
                    f"uploading the photo {media.original_name or media.path.name}",
                    f"tải ảnh {media.original_name or media.path.name} lên",
                ),
                lambda api: api.put_photo(image, f"{page_id}/photos", published="false", **extra),
                publishes=False,
            )
        return required(answer, "id", Step("uploading a photo", "tải ảnh lên"), Retryable)

    def _publish_video(
        self,
        pub: Publication,
        media: MediaFile,
        token: str,
        page_id: str,
        fields: dict[str, str],
        progress: Progress | None,
    ) -> str:
        target = VideoTarget(
            f"{self.setup.base('video_base')}/{self.version}", self.app_id(), page_id, token
        )
        chunk = int(self.setup.settings.get("video_chunk_bytes") or DEFAULT_CHUNK)
        info = {"title": pub.title, "description": self.sent_message(pub), **fields}
        return upload_video(
            self._graph(), target, media, info, chunk_bytes=chunk, progress=progress
        )

    def _native_time(self, pub: Publication) -> datetime | None:
        """When Facebook should publish the post itself, or None to publish it now."""
        if pub.scheduled_at is None:
            return None
        ahead = pub.scheduled_at - datetime.now(UTC)
        if ahead < NATIVE_MIN:
            return None
        if ahead > NATIVE_MAX:
            due = vietnam_time(pub.scheduled_at)
            raise Rejected(
                f"Facebook chỉ giữ bài hẹn giờ tối đa 30 ngày; bài này hẹn lúc {due} giờ Việt Nam",
                f"Facebook holds scheduled posts for at most 30 days; this one is due {due}"
                " Vietnam time",
            )
        return pub.scheduled_at

    # -- correcting ------------------------------------------------------------------------

    def update(self, pub: Publication, sent: Receipt) -> Receipt:
        """The post's text (and hashtags) as `pub` has them now; link and media stay."""
        token, _ = self._token()
        return edit.update_text(
            self._graph(),
            token,
            sent,
            self.sent_message(pub),
            video=bool(pub.media_of("video")),
            url=sent.url or self._web_url(sent.remote_id),
        )

    def remove(self, sent: Receipt) -> None:
        token, _ = self._token()
        edit.remove(self._graph(), token, sent)
        log.info("channel %s: took down %s", self.setup.id, sent.remote_id)

    # -- reconciling -----------------------------------------------------------------------

    def find(self, pub: Publication, since: datetime) -> Receipt | None:
        """Only a post that carries this publication's marker is ours (see channels.markers)."""
        if not pub.marker:
            return None
        token, page_id = self._token()
        graph = self._graph()
        start = since - CLOCK_SKEW
        if pub.media_of("video"):
            sources = [("videos", "description")]
        else:
            sources = [("posts", "message")]
            if pub.scheduled_at is not None and pub.scheduled_at - start > NATIVE_MIN:
                sources.append(("scheduled_posts", "message"))
        for edge, field in sources:
            for item in self._recent(graph, token, page_id, edge, field, start):
                created = _parse_time(item.get("created_time"))
                if carries(str(item.get(field) or ""), pub.marker) and created >= start:
                    remote = str(item["id"])
                    scheduled = item.get("scheduled_publish_time")
                    held = datetime.fromtimestamp(int(scheduled), UTC) if scheduled else None
                    return Receipt(remote, self._web_url(remote), held or created, held)
        return None

    def _recent(
        self, graph: Graph, token: str, page_id: str, edge: str, field: str, start: datetime
    ) -> Iterator[Mapping[str, Any]]:
        args: dict[str, Any] = {
            "fields": f"id,{field},created_time"
            + (",scheduled_publish_time" if edge == "scheduled_posts" else ""),
            "since": int(start.timestamp()),
            "limit": 100,
        }
        for _ in range(SCAN_PAGES):
            page = graph.sdk(
                token,
                Step(
                    f"looking for the post among the page's {edge.replace('_', ' ')}",
                    "tìm bài trên Trang",
                ),
                lambda api: api.get_connections(page_id, edge, **args),
                publishes=False,
            )
            yield from page.get("data") or ()
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                return
            args["after"] = after

    # -- plumbing --------------------------------------------------------------------------

    def _graph(self) -> Graph:
        return Graph(
            api_base=self.setup.base("api_base"),
            version=self.version,
            session=self._session,
            timeout=self.setup.timeout,
            usage=self.usage,
            secrets=lambda: list(self.known_secrets),
        )

    def _token(self) -> tuple[str, str]:
        page_id = self.page_id()
        stored = self.credentials.load() or {}
        token = str(stored.get("page_token") or "")
        if not token:
            raise AuthRequired(
                f"kênh chưa được kết nối với Facebook: hãy chạy `loa channels connect"
                f" {self.setup.id}`",
                f"channel {self.setup.id} is not connected to Facebook: run"
                f" `loa channels connect {self.setup.id}`",
            )
        if str(stored.get("page_id")) != page_id:
            raise AuthRequired(
                f"kênh đã được kết nối với Trang {stored.get('page_id')} nhưng cấu hình là Trang"
                f" {page_id}: hãy kết nối lại",
                f"channel {self.setup.id} was connected to page {stored.get('page_id')}, but"
                f" is configured for page {page_id}: connect it again",
            )
        if token not in self.known_secrets:
            self.known_secrets.append(token)
        return token, page_id

    def page_id(self) -> str:
        page_id = str(self.setup.settings.get("page_id") or "")
        if not page_id:
            raise Rejected(
                "chưa cấu hình mã Trang (settings.page_id)",
                f"channel {self.setup.id}: settings.page_id is not configured",
            )
        return page_id

    def app_id(self) -> str:
        app_id = str(self.setup.settings.get("app_id") or "")
        if not app_id:
            raise Rejected(
                "chưa cấu hình mã ứng dụng Facebook (settings.app_id)",
                f"channel {self.setup.id}: settings.app_id is not configured",
            )
        return app_id

    def _web_url(self, remote_id: str) -> str:
        base = self.setup.bases.get("web_base") or WEB_BASE
        return f"{base.rstrip('/')}/{remote_id}"


def _web_address(link: str) -> bool:
    """Facebook reads a link card only from a web address (else 100/1609005)."""
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _parse_time(value: Any) -> datetime:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
