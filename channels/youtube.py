"""YouTube videos through the Data API v3 (CHANNELS.md, "YouTube").

Publishing (google-api-python-client, resumable upload, publishAt, thumbnails, quota) arrives
with the adapters issue; this module already declares what YouTube accepts.
"""

from __future__ import annotations

from typing import ClassVar

from channels.base import Capabilities, MiB, Problem, Publication
from channels.checks import check_capabilities

TAGS_MAX_CHARACTERS = 500


class YouTube:
    type: ClassVar[str] = "youtube"
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
        daily_quota_units=10_000,
        quota_cost={"videos.insert": 1600, "thumbnails.set": 50, "playlistItems.insert": 50},
    )

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        problems = check_capabilities(pub, cls.capabilities)
        if "<" in pub.title or ">" in pub.title:
            problems.append(
                Problem(
                    "title",
                    "Tiêu đề YouTube không được chứa dấu < hoặc >.",
                    "A YouTube title may not contain < or >.",
                )
            )
        tag_characters = sum(len(tag) for tag in pub.hashtags)
        if tag_characters > TAGS_MAX_CHARACTERS:
            problems.append(
                Problem(
                    "hashtags",
                    f"Tổng độ dài thẻ là {tag_characters} ký tự, tối đa {TAGS_MAX_CHARACTERS}.",
                    f"The tags add up to {tag_characters} characters; at most"
                    f" {TAGS_MAX_CHARACTERS}.",
                )
            )
        return problems
