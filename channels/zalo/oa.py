"""Zalo Official Account articles (CHANNELS.md, "Zalo Official Account").

A post becomes a "normal" article: cover, sanitized HTML body, further images and an optional
video. Zalo takes images only as public HTTPS addresses, so they are put on the media host first
(a need the adapter declares: the website's library, the static subpage, or Loa's own signed
addresses). Creating an article returns a process token,
not the article: the id comes from polling `article/verify` while Zalo answers -214. Zalo has no
idempotency key, so once `create` may have landed every doubt becomes `OutcomeUnknown`, and `find`
looks through `getslice` (newest first) and takes an article only if its body, read with
`getdetail`, carries the post's marker (channels.zalo.article). `update` sends the whole article
again (Zalo's update takes the create body plus `id`) with the new title and text, keeping its
cover and media; `remove` deletes it. Connecting: channels.zalo.connect; views and shares:
channels.zalo.metrics.

Settings (channel settings, overridden per post): app_id, author, default_cover_url, broadcast,
article_url_template, verify_poll_seconds, verify_poll_attempts; public_media (set by Loa: whether
images can be hosted publicly); per post: summary.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import requests

from channels.base import (
    NEED_MEDIA_HOST,
    Capabilities,
    ChannelError,
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
from channels.errors import Step
from channels.http import TimeoutSession, mask
from channels.zalo.api import ZaloAPI, after_create
from channels.zalo.article import (
    AUTHOR_MAX,
    DESCRIPTION_CUT,
    SUMMARY_MAX,
    article_problems,
    author_of,
    author_problems,
    body_text,
    carries_marker,
    description,
)
from channels.zalo.connect import ZaloConnecting
from channels.zalo.errors import StillProcessing
from channels.zalo.metrics import BATCH, ZaloMetrics

log = logging.getLogger(__name__)

IMAGE_MIMES = frozenset({"image/jpeg", "image/png"})
ARTICLE_URL = "https://zalo.me/oa/article/{id}"  # used when getdetail gives no address
NOT_FOUND = -201  # what getdetail answers for an id it does not know
__all__ = ["AUTHOR_MAX", "DESCRIPTION_CUT", "ZaloOA", "description", "zalo_time"]
SLICE_LIMIT = 10  # getslice refuses more than 10 per page ("maximum limit is 10")
SLICE_PAGES = 10
CLOCK_SKEW = timedelta(minutes=2)  # Zalo's clock against ours, when reconciling by time
VIDEO_READY = 1
VIDEO_PROCESSING = 3


class ZaloOA(ZaloConnecting, ZaloMetrics):
    type: ClassVar[str] = "zalo_oa"
    connect_kind: ClassVar[ConnectKind] = "oauth"
    needs: ClassVar[frozenset[str]] = frozenset({NEED_MEDIA_HOST})  # images go by public URL
    capabilities: ClassVar[Capabilities] = Capabilities(
        # Zalo refused titles of exactly 150 and descriptions of exactly 300: keep a margin.
        title_max=149,
        title_required=True,
        summary_max=SUMMARY_MAX,
        takes_html=True,
        image_mimes=IMAGE_MIMES,
        video_mimes=frozenset({"video/mp4"}),
        max_images=10,
        max_videos=1,
        # Article images are public URLs hosted by the media host (the website's library).
        max_image_bytes=5 * MiB,
        max_video_bytes=1024 * MiB,
        min_image_side=200,
        mixes_images_and_video=True,
        # Zalo's update takes the whole article again: the text (with its link and hashtags) and
        # the title are rebuilt from the post; cover and media stay as they are on Zalo.
        editable=frozenset({"title", "text", "link", "hashtags"}),
        can_remove=True,
        requests_per_minute=30,
        metrics=frozenset({"views", "shares"}),  # read by channels.zalo.metrics
        metrics_batch=BATCH,
    )

    def __init__(
        self,
        setup: ChannelSetup,
        credentials: CredentialStore,
        *,
        media_host: MediaHost | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.setup = setup
        self.credentials = credentials
        self.media_host = media_host
        self.api = ZaloAPI(setup, credentials, session or TimeoutSession(setup.timeout))
        self.last_warnings: list[str] = []  # what went wrong without failing the publication

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        return check_capabilities(pub, cls.capabilities) + article_problems(pub)

    # -- publishing ----------------------------------------------------------------------------

    def publish(self, pub: Publication, progress: Progress | None = None) -> Receipt:
        self.last_warnings = []
        self._author(pub)  # refused before any upload: Zalo would refuse the article
        images, videos = pub.media_of("image"), pub.media_of("video")
        urls = self._public_urls(images)
        cover = urls[0] if urls else str(self._setting(pub, "default_cover_url", ""))
        if not cover:
            raise Rejected(
                "Bài viết Zalo cần ảnh bìa: đính kèm một ảnh hoặc đặt default_cover_url",
                "a Zalo article needs a cover: attach an image or set default_cover_url",
            )
        body: list[dict[str, Any]] = [{"type": "text", "content": body_text(pub)}]
        body += [
            {"type": "image", "url": url, "caption": image.alt_text}
            for image, url in zip(images[1:], urls[1:], strict=True)
        ]
        for video in videos:
            video_id = self._upload_video(video, progress, pub)
            body.append({"type": "video", "video_id": video_id, "thumb": cover})
        article = {
            "type": "normal",
            "title": pub.title.strip(),
            "author": self._author(pub),
            "description": description(pub),
            "cover": {"cover_type": "photo", "photo_url": cover, "status": "show"},
            "body": body,
            "status": "show",
            "comment": "show",
        }
        what = Step(f"Zalo article {pub.title[:60]!r}", f"bài Zalo {pub.title[:60]!r}")
        data = self.api.call("POST", "/v2.0/article/create", what, json=article)
        token = str(data.get("token") or "")
        if not token:
            raise OutcomeUnknown(
                "Zalo đã nhận bài nhưng không trả mã xử lý",
                "Zalo accepted it but gave no process token",
                step=what,
            )  # fmt: skip
        log.info("zalo %s: article for post %s created, verifying", self.setup.id, pub.post_id)
        article_id = self._confirm(token, pub, what)
        receipt = self._receipt(article_id)
        if self._setting(pub, "broadcast", False):
            self._broadcast(article_id)
        return receipt

    def find(self, pub: Publication, since: datetime) -> Receipt | None:
        """The article carrying this post's marker, among those created since `since`."""
        if not pub.marker:
            return None
        title = pub.title.strip()
        recent = self._recent(since - CLOCK_SKEW)
        # The same title is the likeliest: read those first (a stable sort keeps Zalo's order).
        for item in sorted(recent, key=lambda item: str(item.get("title", "")).strip() != title):
            article_id = str(item["id"])
            detail = self._detail(article_id, Step("Zalo article", "bài Zalo"))
            if detail is not None and carries_marker(detail, pub.marker):
                log.info("zalo %s: post %s found as %s", self.setup.id, pub.post_id, article_id)
                return self._receipt(article_id, detail)
        return None

    # -- correcting ----------------------------------------------------------------------------

    def update(self, pub: Publication, sent: Receipt) -> Receipt:
        """Send the post's title and text to the article `sent` names; its media stay."""
        what = Step(f"Zalo article update {sent.remote_id}", f"sửa bài Zalo {sent.remote_id}")
        author = self._author(pub)
        current = self._detail(sent.remote_id, what)
        if current is None:
            raise Rejected("bài không còn trên Zalo", "the article is no longer on Zalo", step=what)
        found = current.get("body")
        blocks = found if isinstance(found, list) else []
        kept = [b for b in blocks if isinstance(b, dict) and b.get("type") != "text"]
        article = {
            "id": sent.remote_id,
            "type": "normal",
            "title": pub.title.strip(),
            "author": author,
            "description": description(pub),
            "cover": current.get("cover"),
            "body": [{"type": "text", "content": body_text(pub)}, *kept],
            "status": current.get("status", "show"),
            "comment": current.get("comment", "show"),
        }
        data = self.api.call("POST", "/v2.0/article/update", what, json=article)
        token = str(data.get("token") or "")
        if not token:
            raise OutcomeUnknown(
                "Zalo đã nhận bài nhưng không trả mã xử lý",
                "Zalo accepted it but gave no process token",
                step=what,
            )  # fmt: skip
        article_id = self._confirm(token, pub, what)
        log.info("zalo %s: article %s updated for post %s", self.setup.id, article_id, pub.post_id)
        return self._receipt(article_id)

    def remove(self, sent: Receipt) -> None:
        """Delete the article; one already gone is not an error."""
        what = Step(f"Zalo article removal {sent.remote_id}", f"gỡ bài Zalo {sent.remote_id}")
        code, body = self.api.ask("POST", "/v2.0/article/remove", what, json={"id": sent.remote_id})
        if code == 0:
            log.info("zalo %s: article %s removed", self.setup.id, sent.remote_id)
            return
        if code == NOT_FOUND and self._detail(sent.remote_id, what) is None:
            log.info("zalo %s: article %s was already gone", self.setup.id, sent.remote_id)
            return
        raise self.api.error(code, body, what)

    # -- steps ---------------------------------------------------------------------------------

    def _public_urls(self, images: tuple[MediaFile, ...]) -> list[str]:
        if images and self.media_host is None:
            raise Rejected(
                "Zalo chỉ nhận ảnh qua địa chỉ công khai: hãy cấu hình một nơi lưu ảnh (kênh"
                " trang web hoặc trang tĩnh, hoặc public_url https của Loa)",
                "Zalo needs public image URLs: configure a media host (a website or static site"
                " channel, or Loa's https public_url)",
            )
        return [self.media_host.public_url(image) for image in images] if self.media_host else []

    def _poll(
        self, pub: Publication, ask: Callable[[], dict[str, Any]]
    ) -> Iterator[dict[str, Any]]:
        """Zalo's answers while it processes something (-214 answers are skipped), paced."""
        attempts = max(1, int(self._setting(pub, "verify_poll_attempts", 10)))
        pause = float(self._setting(pub, "verify_poll_seconds", 2.0))
        for attempt in range(attempts):
            if attempt:
                time.sleep(pause)
            try:
                yield ask()
            except StillProcessing:
                continue

    def _confirm(self, token: str, pub: Publication, what: str) -> str:
        def verify() -> dict[str, Any]:
            try:
                return self.api.call("POST", "/v2.0/article/verify", what, json={"token": token})
            except StillProcessing:
                raise  # not an outcome: `_poll` asks again
            except ChannelError as error:
                raise after_create(error, what) from error

        for data in self._poll(pub, verify):
            article_id = data.get("id") or data.get("article_id")  # the latter: unconfirmed
            if article_id:
                return str(article_id)
        raise OutcomeUnknown(
            "Zalo vẫn đang xử lý bài sau nhiều lần kiểm tra; bài có thể sẽ xuất hiện",
            "Zalo was still processing the article after several checks: it may appear",
            step=what,
        )

    def _upload_video(self, video: MediaFile, progress: Progress | None, pub: Publication) -> str:
        what = Step(
            f"Zalo video {video.original_name or video.path.name}",
            f"tải video {video.original_name or video.path.name} lên Zalo",
        )
        if progress:
            progress(0, video.size_bytes)
        files = {"file": (video.path.name, video.path.read_bytes(), video.mime)}
        data = self.api.call("POST", "/v2.0/article/upload_video/preparevideo", what, files=files)
        if progress:
            progress(video.size_bytes, video.size_bytes)
        token = str(data.get("token") or "")

        def verify() -> dict[str, Any]:
            return self.api.call(
                "GET", "/v2.0/article/upload_video/verify", what, headers={"token": token}
            )

        for data in self._poll(pub, verify):
            status = int(data.get("status", VIDEO_READY))
            if status == VIDEO_READY and data.get("video_id"):
                return str(data["video_id"])
            if status != VIDEO_PROCESSING:
                reason = mask(str(data.get("status_message", "")))
                raise Rejected(
                    "Zalo không xử lý được video", "Zalo could not process the video",
                    f"status {status}: {reason}", step=what,
                )  # fmt: skip
        # Nothing is published yet: a later attempt uploads the video again.
        raise Retryable(
            "Zalo vẫn đang chuyển đổi video", "Zalo is still converting the video",
            step=what, retry_after=300,
        )  # fmt: skip

    def _recent(self, floor: datetime) -> list[dict[str, Any]]:
        """The articles `getslice` lists as created after `floor` (it lists the newest first)."""
        found: list[dict[str, Any]] = []
        for page in range(SLICE_PAGES):
            params = {"offset": page * SLICE_LIMIT, "limit": SLICE_LIMIT, "type": "normal"}
            data = self.api.call(
                "GET",
                "/v2.0/article/getslice",
                Step("Zalo articles", "danh sách bài Zalo"),
                params=params,
            )
            items = data.get("medias") or data.get("articles") or []
            for item in items:
                created = zalo_time(item.get("create_date") or item.get("created_date"))
                if created is not None and created < floor:
                    return found  # everything further is older still
                if item.get("id"):
                    found.append(item)
            if len(items) < SLICE_LIMIT:
                break
        return found

    def _detail(self, article_id: str, what: str) -> dict[str, Any] | None:
        """The article as `getdetail` answers it, or None when Zalo does not know the id."""
        code, body = self.api.ask("GET", "/v2.0/article/getdetail", what, params={"id": article_id})
        if code == NOT_FOUND:
            return None
        if code != 0:
            raise self.api.error(code, body, what)
        data = body.get("data")
        return dict(data) if isinstance(data, dict) else {}

    def _receipt(self, article_id: str, detail: dict[str, Any] | None = None) -> Receipt:
        if detail is None:
            try:
                detail = self._detail(article_id, Step("Zalo article", "bài Zalo")) or {}
            except ChannelError as error:  # the article exists: its address is a detail
                log.warning(
                    "zalo %s: no detail for article %s: %s", self.setup.id, article_id, error
                )
                detail = {}
        template = str(self.setup.settings.get("article_url_template") or ARTICLE_URL)
        url = detail.get("url") or detail.get("link") or template.format(id=article_id)
        published = zalo_time(detail.get("create_date")) or datetime.now(UTC)
        return Receipt(article_id, str(url), published)

    def _author(self, pub: Publication) -> str:
        """The article's author, or the refusal Zalo would answer (-201 author), said plainly."""
        author = author_of({"author": self._setting(pub, "author", "")})
        problems = author_problems(author)
        if problems:
            raise Rejected(problems[0].vi, problems[0].en)
        return author

    def _broadcast(self, article_id: str) -> None:
        element = {"media_type": "article", "attachment_id": article_id}
        payload = {"template_type": "media", "elements": [element]}
        message = {
            "recipient": {"target": {}},  # empty target: every follower
            "message": {"attachment": {"type": "template", "payload": payload}},
        }
        try:
            data = self.api.call(
                "POST", "/v2.0/oa/message", Step("Zalo broadcast", "gửi tin Zalo"), json=message
            )
        except ChannelError as error:
            warning = (
                f"Bài đã đăng nhưng chưa gửi được tới người quan tâm: {error.vi} / the article is"
                f" published but the broadcast to followers failed: {error}"
            )
            log.warning("zalo %s: %s", self.setup.id, warning)
            self.last_warnings.append(warning)
            return
        log.info(
            "zalo %s: article %s broadcast, message %s (Zalo reviews it before delivery)",
            self.setup.id, article_id, data.get("message_id"),
        )  # fmt: skip

    def _setting(self, pub: Publication, key: str, default: Any) -> Any:
        return pub.settings.get(key, self.setup.settings.get(key, default))


def zalo_time(value: Any) -> datetime | None:
    """Zalo's times are epoch milliseconds; seconds are accepted too."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, UTC)
