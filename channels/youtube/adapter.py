"""YouTube videos through the Data API v3 (CHANNELS.md, "YouTube").

The requested google-api-python-client, built from its bundled discovery document and aimed at
the configured `api_base` (client). A post is one video: a resumable upload in chunks with
progress, resumed where an interruption left it (upload), then the first image as the
custom thumbnail and the video added to a playlist when configured. Those two come after the video
exists, so their failures are logged warnings: the post is published either way.

`publishAt` is used when the channel's settings ask for native scheduling: YouTube then holds
the video private and makes it public at the planned time (`Receipt.scheduled_for`).

The post's marker goes into the video's tags, which viewers never see. Reconciling finds the
video by that marker among the channel's latest uploads (find). Figures (views, likes,
comments) come from videos.list, 1 unit for 50 videos (metrics).

Editing (`update`) goes through videos.update (50 units): title, description and tags, and the
time of a video YouTube still holds for later (`status.publishAt`), so a rescheduled post moves.
`remove` is videos.delete (50 units); a video already gone is not an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests
from googleapiclient.errors import Error as ClientError
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload

from channels.base import (
    Account,
    Authorization,
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
)
from channels.checks import check_capabilities
from channels.errors import Step
from channels.http import TimeoutSession, mask
from channels.youtube import oauth
from channels.youtube.client import (
    build_service,
    classify,
    load_credentials,
    parse_time,
    rfc3339,
)
from channels.youtube.find import READ_COST, YouTubeReading
from channels.youtube.metadata import (
    DESCRIPTION_MAX_BYTES,
    TAGS_MAX_CHARACTERS,
    check_metadata,
    held_until,
    sent_snippet,
    status_for_update,
    video_snippet,
)
from channels.youtube.metrics import BATCH, YouTubeMetrics
from channels.youtube.upload import (
    CHUNK_UNIT,
    DEFAULT_CHUNK,
    DEFAULT_RESUMES,
    ChunkedFileUpload,
    upload,
)

log = logging.getLogger(__name__)

__all__ = ["DESCRIPTION_MAX_BYTES", "TAGS_MAX_CHARACTERS", "YouTube", "video_snippet"]

WATCH_URL = "https://www.youtube.com/watch?v={id}"
CHANNEL_URL = "https://www.youtube.com/channel/{id}"


class YouTube(YouTubeReading, YouTubeMetrics):
    type: ClassVar[str] = "youtube"
    connect_kind: ClassVar[ConnectKind] = "oauth"
    capabilities: ClassVar[Capabilities] = Capabilities(
        title_max=100,
        title_required=True,
        text_max=5000,  # the description
        image_mimes=frozenset({"image/jpeg", "image/png"}),  # the one image is the thumbnail
        video_mimes=frozenset({"video/mp4", "video/quicktime", "video/webm"}),
        max_images=1,
        max_videos=1,
        max_image_bytes=2 * MiB,
        max_video_bytes=1024 * MiB,
        requires=frozenset({"video"}),
        mixes_images_and_video=True,
        can_schedule_natively=True,  # status.publishAt with privacyStatus=private
        editable=frozenset({"title", "text", "hashtags", "scheduled_at"}),
        can_remove=True,
        daily_quota_units=10_000,
        quota_cost={
            "videos.insert": 1600,
            "videos.update": 50,
            "videos.delete": 50,
            "thumbnails.set": 50,
            "playlistItems.insert": 50,
            "videos.list": READ_COST,  # one read_metrics call of up to 50 videos
        },
        metrics=frozenset({"views", "reactions", "comments"}),  # read by channels.youtube.metrics
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
        self.session = session
        self.quota_used = 0  # units this adapter spent, for logs and benchmarks

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        return check_capabilities(pub, cls.capabilities) + check_metadata(pub)

    # -- publishing ---------------------------------------------------------------------------

    def publish(self, pub: Publication, progress: Progress | None = None) -> Receipt:
        videos = pub.media_of("video")
        if not videos:
            raise Rejected("bài đăng YouTube cần có video", "a YouTube post needs a video")
        settings = {**self.setup.settings, **pub.settings}
        chunk = self._chunk_size(settings)
        body, publish_at = self._metadata(pub, settings)
        # Resource.close() ends httplib2's connections, which it would otherwise leave open.
        with self._service() as service:
            resource = self._upload(service, videos[0], body, chunk, progress, settings)
            video_id = str(resource.get("id") or "")
            if not video_id:  # the upload went through, so the video most likely exists
                raise OutcomeUnknown(
                    "YouTube đã nhận video nhưng không trả mã video",
                    "YouTube took the upload but answered no video id",
                    mask(f"{resource!r:.300}"),
                )
            log.info(
                "channel %s: video %s uploaded (post %s)", self.setup.id, video_id, pub.post_id
            )
            images = pub.media_of("image")
            if images:
                self._set_thumbnail(service, video_id, images[0], settings)
            if settings.get("playlist_id"):
                self._add_to_playlist(service, video_id, str(settings["playlist_id"]), settings)
        published = publish_at or parse_time(resource.get("snippet", {}).get("publishedAt"))
        return Receipt(
            video_id,
            self._watch_url(video_id),
            published or datetime.now(UTC),
            scheduled_for=publish_at,
        )

    def _upload(
        self,
        service: Any,
        video: MediaFile,
        body: dict[str, Any],
        chunk: int,
        progress: Progress | None,
        settings: Mapping[str, Any],
    ) -> dict[str, Any]:
        media = _open(video, chunk)
        try:
            try:
                request = service.videos().insert(
                    part="snippet,status",
                    body=body,
                    media_body=media,
                    notifySubscribers=bool(settings.get("notify_subscribers", True)),
                )
            except ClientError as error:  # a type or size the client knows YouTube refuses
                raise Rejected(
                    "video này không đăng được lên YouTube",
                    "the video cannot go to YouTube",
                    repr(error),
                ) from None
            resource = upload(
                request,
                size=int(media.size()),
                chunksize=chunk,
                progress=progress,
                resumes=int(settings.get("upload_resumes", DEFAULT_RESUMES)),
            )
        finally:
            media.close()
        self._spend("videos.insert", settings)
        return resource

    def _metadata(
        self, pub: Publication, settings: Mapping[str, Any]
    ) -> tuple[dict[str, Any], datetime | None]:
        snippet = sent_snippet(pub, settings)
        status: dict[str, Any] = {
            "privacyStatus": str(settings.get("privacy_status", "public")),
            "selfDeclaredMadeForKids": False,
        }
        publish_at = pub.scheduled_at
        if publish_at is not None and publish_at.tzinfo is None:
            publish_at = publish_at.replace(tzinfo=UTC)
        if settings.get("native_schedule") and publish_at and publish_at > datetime.now(UTC):
            # YouTube only holds a video that is private; it turns public by itself at publishAt.
            status.update(privacyStatus="private", publishAt=rfc3339(publish_at))
            return {"snippet": snippet, "status": status}, publish_at
        return {"snippet": snippet, "status": status}, None

    def _set_thumbnail(
        self, service: Any, video_id: str, image: MediaFile, settings: Mapping[str, Any]
    ) -> None:
        what = Step(
            f"setting the thumbnail of video {video_id}", f"đặt ảnh thu nhỏ cho video {video_id}"
        )
        try:
            media = MediaFileUpload(str(image.path), mimetype=image.mime, resumable=False)
            try:
                service.thumbnails().set(videoId=video_id, media_body=media).execute(num_retries=0)
            finally:
                media.stream().close()
        except Exception as error:
            forbidden = isinstance(error, HttpError) and error.status_code == 403
            hint = " (custom thumbnails need a verified channel)" if forbidden else ""
            log.warning("channel %s: %s%s", self.setup.id, classify(error, what), hint)
            return
        self._spend("thumbnails.set", settings)

    def _add_to_playlist(
        self, service: Any, video_id: str, playlist_id: str, settings: Mapping[str, Any]
    ) -> None:
        what = Step(
            f"adding video {video_id} to playlist {playlist_id}",
            f"thêm video {video_id} vào danh sách phát {playlist_id}",
        )
        item = {
            "playlistId": playlist_id,
            "resourceId": {"kind": "youtube#video", "videoId": video_id},
        }
        try:
            service.playlistItems().insert(part="snippet", body={"snippet": item}).execute(
                num_retries=0
            )
        except Exception as error:
            log.warning("channel %s: %s", self.setup.id, classify(error, what))
            return
        self._spend("playlistItems.insert", settings)

    # -- editing ------------------------------------------------------------------------------

    def update(self, pub: Publication, sent: Receipt) -> Receipt:
        """Title, description and tags of the video `sent` names; its time too while YouTube
        still holds it for later (a private video with a publishAt to come)."""
        settings = {**self.setup.settings, **pub.settings}
        what = Step(
            f"updating video {sent.remote_id} on YouTube",
            f"sửa video {sent.remote_id} trên YouTube",
        )
        with self._service() as service:
            found = self._videos(service, [sent.remote_id], "status")
            if not found:
                raise Rejected(
                    "video không còn trên YouTube", "the video is no longer on YouTube", step=what
                )
            body = {
                "id": sent.remote_id,
                "snippet": sent_snippet(pub, settings),
                "status": status_for_update(found[0].get("status") or {}, pub, settings),
            }
            try:
                answer = (
                    service.videos().update(part="snippet,status", body=body).execute(num_retries=0)
                )
            except Exception as error:
                raise classify(error, what) from error
        self._spend("videos.update", settings)
        log.info(
            "channel %s: video %s updated (post %s)", self.setup.id, sent.remote_id, pub.post_id
        )
        return self._receipt(dict(answer or {}))

    def remove(self, sent: Receipt) -> None:
        what = Step(
            f"deleting video {sent.remote_id} from YouTube",
            f"xoá video {sent.remote_id} khỏi YouTube",
        )
        with self._service() as service:
            try:
                service.videos().delete(id=sent.remote_id).execute(num_retries=0)
            except HttpError as error:
                if error.status_code != 404:
                    raise classify(error, what) from error
                log.info("channel %s: video %s was already gone", self.setup.id, sent.remote_id)
            except Exception as error:
                raise classify(error, what) from error
        self._spend("videos.delete", self.setup.settings)

    def _receipt(self, video: Mapping[str, Any]) -> Receipt:
        video_id = str(video["id"])
        held = held_until(video.get("status") or {})
        published = held or parse_time((video.get("snippet") or {}).get("publishedAt"))
        return Receipt(video_id, self._watch_url(video_id), published, scheduled_for=held)

    def verify(self) -> Account:
        with self._service() as service:
            channel = self._channel(
                service, "snippet", Step("checking the YouTube channel", "kiểm tra kênh YouTube")
            )
        channel_id = str(channel["id"])
        name = str(channel.get("snippet", {}).get("title") or channel_id)
        return Account(channel_id, name, CHANNEL_URL.format(id=channel_id))

    # -- connecting ---------------------------------------------------------------------------

    def authorize(self, redirect_uri: str) -> Authorization:
        return oauth.authorize(self.setup, redirect_uri)

    def complete(self, authorization: Authorization, code: str) -> Account:
        return self._keep(lambda s: oauth.exchange(self.setup, s, authorization, code))

    def connect_token(self, token: str) -> Account:
        """A refresh token obtained elsewhere: one refresh proves it before it is stored."""
        return self._keep(lambda s: oauth.redeem(self.setup, s, token.strip()))

    def _keep(self, obtain: Callable[[requests.Session], dict[str, Any]]) -> Account:
        session = self.session or TimeoutSession(self.setup.timeout)
        try:
            fields = obtain(session)
        finally:
            if session is not self.session:
                session.close()
        with self.credentials.exclusive() as current:
            self.credentials.save({**(current or {}), **fields})
        log.info("channel %s: YouTube connected", self.setup.id)
        return self.verify()

    # -- helpers ------------------------------------------------------------------------------

    def _service(self) -> Any:
        return build_service(self.setup, load_credentials(self.setup, self.credentials))

    def _spend(self, operation: str, settings: Mapping[str, Any]) -> None:
        costs = {**self.capabilities.quota_cost, **(settings.get("quota_cost") or {})}
        units = int(costs.get(operation, READ_COST))
        self.quota_used += units
        log.info("channel %s: %s used %d quota units", self.setup.id, operation, units)

    def _chunk_size(self, settings: Mapping[str, Any]) -> int:
        chunk = int(settings.get("chunk_size_bytes", DEFAULT_CHUNK))
        if chunk <= 0 or chunk % CHUNK_UNIT:
            raise Rejected(
                f"`chunk_size_bytes` phải là bội số của 262144 (256 KiB), không phải {chunk}",
                f"channel {self.setup.id}: `chunk_size_bytes` must be a multiple of 262144"
                f" (256 KiB), not {chunk}",
            )
        return chunk

    def _watch_url(self, video_id: str) -> str:
        return str(self.setup.settings.get("watch_url_template", WATCH_URL)).format(id=video_id)


def _open(video: MediaFile, chunk: int) -> ChunkedFileUpload:
    try:
        return ChunkedFileUpload(
            str(video.path), mimetype=video.mime, chunksize=chunk, resumable=True
        )
    except OSError as error:
        name = video.original_name or video.path.name
        raise Rejected(
            f"không đọc được tệp video {name}", f"the video file cannot be read: {name}",
            str(error),
        ) from None  # fmt: skip
