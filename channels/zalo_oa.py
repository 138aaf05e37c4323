"""Zalo Official Account articles (CHANNELS.md, "Zalo Official Account").

Publishing (OAuth v4 with single-use refresh tokens, article create + verify) arrives with the
adapters issue; this module already declares what Zalo accepts so posts are checked when queued.
"""

from __future__ import annotations

from typing import ClassVar

from channels.base import Capabilities, MiB, Problem, Publication
from channels.checks import check_capabilities

IMAGE_MIMES = frozenset({"image/jpeg", "image/png"})


class ZaloOA:
    type: ClassVar[str] = "zalo_oa"
    capabilities: ClassVar[Capabilities] = Capabilities(
        # Zalo refused titles of exactly 150 and descriptions of exactly 300: keep a margin.
        title_max=149,
        title_required=True,
        summary_max=299,
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
        requests_per_minute=30,
    )

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        problems = check_capabilities(pub, cls.capabilities)
        summary = str(pub.settings.get("summary", ""))
        if len(summary) > (cls.capabilities.summary_max or 0):
            problems.append(
                Problem(
                    "summary",
                    f"Mô tả ngắn dài {len(summary)} ký tự, tối đa {cls.capabilities.summary_max}.",
                    f"The summary is {len(summary)} characters; at most"
                    f" {cls.capabilities.summary_max}.",
                )
            )
        if not pub.media_of("image") and not pub.settings.get("default_cover_url"):
            problems.append(
                Problem(
                    "media",
                    "Bài viết Zalo cần ảnh bìa: đính kèm một ảnh"
                    " (hoặc đặt default_cover_url cho kênh).",
                    "A Zalo article needs a cover: attach an image"
                    " (or set the channel's default_cover_url).",
                )
            )
        return problems
