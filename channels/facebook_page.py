"""Facebook Pages through the Graph API (CHANNELS.md, "Facebook Pages").

Publishing (facebook-sdk for feed and photos, resumable video upload) arrives with the adapters
issue; this module already declares what a Page accepts so posts are checked when queued.
"""

from __future__ import annotations

from typing import ClassVar

from channels.base import Capabilities, MiB, Problem, Publication
from channels.checks import check_capabilities


class FacebookPage:
    type: ClassVar[str] = "facebook_page"
    capabilities: ClassVar[Capabilities] = Capabilities(
        text_max=63_206,  # the Graph API's limit for a Page post message
        image_mimes=frozenset({"image/jpeg", "image/png", "image/gif"}),
        video_mimes=frozenset({"video/mp4", "video/quicktime"}),
        max_images=10,  # a multi-photo post through attached_media
        max_videos=1,
        max_image_bytes=4 * MiB,  # larger photos are accepted but recompressed badly
        max_video_bytes=1024 * MiB,
        mixes_images_and_video=False,
        can_schedule_natively=True,  # scheduled_publish_time: 10 minutes to 30 days ahead
        requests_per_minute=60,
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
        return problems
