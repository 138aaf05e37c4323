"""The checks every adapter shares, driven by its declared `Capabilities`.

Checks are pure functions of a `Publication`: no I/O, so they run when a post is queued, when it
is approved, and in live previews. An adapter adds platform-specific rules on top.
"""

from __future__ import annotations

from channels.base import Capabilities, MediaFile, Problem, Publication

MB = 1024 * 1024


def check_capabilities(pub: Publication, caps: Capabilities) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_text(pub, caps)
    problems += _check_media(pub, caps)
    return problems


def _check_text(pub: Publication, caps: Capabilities) -> list[Problem]:
    problems: list[Problem] = []
    title_length = len(pub.title.strip())
    if caps.title_required and title_length == 0:
        problems.append(Problem("title", "Cần có tiêu đề.", "A title is required."))
    if caps.title_max is not None and title_length > caps.title_max:
        problems.append(
            Problem(
                "title",
                f"Tiêu đề dài {title_length} ký tự, tối đa {caps.title_max}.",
                f"The title is {title_length} characters long; at most {caps.title_max}.",
            )
        )
    text = pub.text_with_hashtags
    if caps.text_max is not None and len(text) > caps.text_max:
        problems.append(
            Problem(
                "body",
                f"Nội dung (kể cả hashtag) dài {len(text)} ký tự, tối đa {caps.text_max}.",
                f"The text (hashtags included) is {len(text)} characters long;"
                f" at most {caps.text_max}.",
            )
        )
    return problems


def _check_media(pub: Publication, caps: Capabilities) -> list[Problem]:
    problems: list[Problem] = []
    images, videos = pub.media_of("image"), pub.media_of("video")
    for kind, items, most, vi_name in (
        ("image", images, caps.max_images, "ảnh"),
        ("video", videos, caps.max_videos, "video"),
    ):
        if kind in caps.requires and not items:
            problems.append(
                Problem(
                    "media",
                    f"Kênh này cần một {vi_name}; hãy đính kèm.",
                    f"This channel needs a {kind}; attach one.",
                )
            )
        if len(items) > most:
            problems.append(_too_many(kind, vi_name, len(items), most))
    if images and videos and not caps.mixes_images_and_video:
        problems.append(
            Problem(
                "media",
                "Kênh này không nhận ảnh và video trong cùng một bài.",
                "This channel does not take images and a video in the same post.",
            )
        )
    for item in images:
        problems += _check_file(item, caps.image_mimes, caps.max_image_bytes, caps)
    for item in videos:
        problems += _check_file(item, caps.video_mimes, caps.max_video_bytes, caps)
    return problems


def _too_many(kind: str, vi_name: str, count: int, most: int) -> Problem:
    if most == 0:
        return Problem(
            "media", f"Kênh này không nhận {vi_name}.", f"This channel does not take {kind}s."
        )
    return Problem(
        "media",
        f"Có {count} {vi_name}; kênh này nhận tối đa {most}.",
        f"{count} {kind}s attached; this channel takes at most {most}.",
    )


def _check_file(
    item: MediaFile, mimes: frozenset[str], max_bytes: int, caps: Capabilities
) -> list[Problem]:
    name = item.path.name
    if mimes and item.mime not in mimes:
        accepted = ", ".join(sorted(mimes))
        return [
            Problem(
                "media",
                f"{name}: định dạng {item.mime} không được nhận (nhận: {accepted}).",
                f"{name}: {item.mime} is not accepted here (accepted: {accepted}).",
            )
        ]
    problems: list[Problem] = []
    if max_bytes and item.size_bytes > max_bytes:
        size, limit = item.size_bytes / MB, max_bytes / MB
        problems.append(
            Problem(
                "media",
                f"{name}: {size:.1f} MB, vượt giới hạn {limit:.0f} MB của kênh.",
                f"{name}: {size:.1f} MB is over this channel's {limit:.0f} MB limit.",
            )
        )
    if item.kind == "image" and item.width and item.height:
        smallest = min(item.width, item.height)
        if smallest < caps.min_image_side:
            problems.append(
                Problem(
                    "media",
                    f"{name}: ảnh {item.width}×{item.height} quá nhỏ"
                    f" (cạnh ngắn tối thiểu {caps.min_image_side} px).",
                    f"{name}: the {item.width}x{item.height} image is too small"
                    f" (shortest side at least {caps.min_image_side} px).",
                )
            )
    if item.kind == "image" and not item.alt_text.strip():
        problems.append(
            Problem(
                "media",
                f"{name}: thiếu mô tả ảnh (alt text) cho người khiếm thị.",
                f"{name}: alt text is missing (needed for screen readers).",
            )
        )
    return problems
