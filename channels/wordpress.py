"""The ASEAN subpage of the provincial website, through the WordPress REST API.

Publishing (application passwords, media library, terms, date_gmt, slug) arrives with the
adapters issue; this module already declares what the site accepts.
"""

from __future__ import annotations

from typing import ClassVar

from channels.base import Capabilities, MiB, Problem, Publication
from channels.checks import check_capabilities


class WordPress:
    type: ClassVar[str] = "wordpress"
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
    )

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
