"""Page videos through Facebook's resumable upload, with `requests` (facebook-sdk has no video).

    POST {video_base}/{version}/{app-id}/uploads   file_name, file_length, file_type
         -> {"id": "upload:<id>"}
    POST {video_base}/{version}/upload:<id>        Authorization: OAuth <token>, file_offset: n,
         raw bytes, chunk by chunk                 -> {"file_offset": n} ... then {"h": handle}
    GET  {video_base}/{version}/upload:<id>        -> {"id", "file_offset"}: where to resume
    POST {video_base}/{version}/{page-id}/videos   fbuploader_video_file_chunk=<handle>, title,
         description                               -> {"id"}

A chunk that fails in transit (no answer, a 5xx, a proxy's error page) may or may not have
landed, so the upload asks Facebook how far it got and goes on from there: resuming is part of
the protocol, not a retry of the post. Only the last request publishes anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from channels.base import MediaFile, OutcomeUnknown, Progress, RateLimited, Retryable
from channels.errors import Step
from channels.facebook.graph import Graph, required

log = logging.getLogger(__name__)

DEFAULT_CHUNK = 4 * 1024 * 1024
MAX_RESUMES = 5  # failed chunks in a row before the attempt is given back to the worker


@dataclass(frozen=True)
class VideoTarget:
    video_base: str  # with the version: http://host/graph-video/v21.0
    app_id: str
    page_id: str
    token: str


def upload_video(
    graph: Graph,
    target: VideoTarget,
    media: MediaFile,
    fields: dict[str, str],
    *,
    chunk_bytes: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> str:
    """Upload `media` and publish it on the page with `fields` (title, description...)."""
    session = graph.raw(
        "POST",
        f"{target.video_base}/{target.app_id}/uploads",
        Step("starting the video upload", "bắt đầu tải video lên"),
        publishes=False,
        data={
            "file_name": media.path.name,
            "file_length": str(media.size_bytes),
            "file_type": media.mime,
            "access_token": target.token,
        },
    )
    upload_id = str(session.get("id") or "")
    if not upload_id.startswith("upload:"):
        raise Retryable(
            "Facebook trả lời không như mong đợi", "unexpected answer", f"{session!r:.200}",
            step=Step("starting the video upload", "bắt đầu tải video lên"),
        )  # fmt: skip
    handle = _transfer(graph, target, upload_id, media, chunk_bytes, progress)
    answer = graph.raw(
        "POST",
        f"{target.video_base}/{target.page_id}/videos",
        Step("publishing the video", "đăng video"),
        publishes=True,
        data={"access_token": target.token, "fbuploader_video_file_chunk": handle, **fields},
    )
    return required(answer, "id", Step("publishing the video", "đăng video"), OutcomeUnknown)


def _transfer(
    graph: Graph,
    target: VideoTarget,
    upload_id: str,
    media: MediaFile,
    chunk_bytes: int,
    progress: Progress | None,
) -> str:
    url = f"{target.video_base}/{upload_id}"
    auth = {"Authorization": f"OAuth {target.token}"}
    total, offset, failures = media.size_bytes, 0, 0
    with media.path.open("rb") as source:
        while True:
            source.seek(offset)
            chunk = source.read(chunk_bytes)  # empty at the end: asks for the handle again
            headers = {
                **auth,
                "file_offset": str(offset),
                "Content-Type": "application/octet-stream",
            }
            what = Step(
                f"uploading the video (bytes {offset}-{offset + len(chunk)} of {total})",
                f"tải video lên (byte {offset}-{offset + len(chunk)} trên {total})",
            )
            try:
                answer = graph.raw("POST", url, what, publishes=False, data=chunk, headers=headers)
            except RateLimited:
                raise
            except Retryable as error:
                failures += 1
                if failures > MAX_RESUMES:
                    raise
                offset = _offset(graph, url, auth)
                log.info("video chunk failed (%s); resuming from byte %d", error, offset)
                continue
            failures = 0
            if answer.get("h"):
                if progress is not None:
                    progress(total, total)
                return str(answer["h"])
            offset = _next_offset(answer, offset + len(chunk))
            if progress is not None:
                progress(min(offset, total), total)
            if not chunk and offset >= total:
                raise Retryable(
                    "Facebook đã nhận đủ dữ liệu nhưng không trả mã tệp tải lên",
                    "Facebook took every byte but gave no upload handle",
                    step=what,
                )


def _offset(graph: Graph, url: str, auth: dict[str, str]) -> int:
    answer = graph.raw(
        "GET",
        url,
        Step("asking how much of the video arrived", "hỏi Facebook đã nhận bao nhiêu phần video"),
        publishes=False,
        headers=auth,
    )
    return _next_offset(answer, 0)


def _next_offset(answer: Any, default: int) -> int:
    try:
        return int(answer["file_offset"])
    except (KeyError, TypeError, ValueError):
        return default
