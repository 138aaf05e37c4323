"""The resumable video upload: chunk by chunk, with progress, resumed where it was interrupted.

The protocol (CHANNELS.md): a POST opens an upload session and answers its address; each chunk
is a PUT with `Content-Range`, answered 308 until the last one, which answers the video. When a
chunk fails (a 5xx, a timeout, a reset), the client library asks the session where it stands
(`Content-Range: bytes */total`) on its next call and carries on from there, so resuming is
simply calling `next_chunk` again. That is the one retry the adapter does by itself: the session
is the platform's own idempotency key, so no video can come out of it twice.

The video exists only once the final chunk is in. Giving up before it was sent is Retryable;
giving up after it was sent without an answer is OutcomeUnknown (the worker reconciles).
"""

from __future__ import annotations

import http.client
import logging
from typing import Any

import httplib2
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload

from channels.base import OutcomeUnknown, Progress, Retryable
from channels.youtube_client import classify, describe

log = logging.getLogger(__name__)

CHUNK_UNIT = 256 * 1024  # the protocol's chunk granularity
DEFAULT_CHUNK = 4 * CHUNK_UNIT
DEFAULT_RESUMES = 3  # in a row without progress


class ChunkedFileUpload(MediaFileUpload):  # type: ignore[misc]
    """Chunks read as bytes rather than sent as a slice of the open file.

    google-auth replays a request after refreshing on a 401; a file slice already read once would
    go out empty the second time, and the server would wait for bytes that never come.
    """

    def has_stream(self) -> bool:
        return False

    def close(self) -> None:
        if self._fd:
            self._fd.close()


def upload(
    request: Any,
    *,
    size: int,
    chunksize: int,
    progress: Progress | None,
    resumes: int = DEFAULT_RESUMES,
    what: str = "uploading the video to YouTube",
) -> dict[str, Any]:
    """Send every chunk of `request` (a videos.insert with a resumable body); the video resource."""
    resumes_left = resumes
    final_sent = False
    stalled_at = -1
    while True:
        try:
            status, response = request.next_chunk(num_retries=0)
        except Exception as error:
            opened = request.resumable_uri is not None
            final_sent = final_sent or (opened and request.resumable_progress + chunksize >= size)
            if not opened:  # the session was never opened: nothing can exist
                raise classify(error, what) from error
            if not _interruption(error):
                if isinstance(error, HttpError) and error.status_code in (404, 410):
                    raise _gave_up(error, what, final_sent) from error  # the session expired
                raise classify(error, what, may_have_landed=final_sent) from error
            if request.resumable_progress > stalled_at:
                resumes_left, stalled_at = resumes, request.resumable_progress
            if resumes_left <= 0:
                raise _gave_up(error, what, final_sent) from error
            resumes_left -= 1
            log.warning(
                "%s: interrupted at %d of %d bytes (%s); resuming",
                what,
                request.resumable_progress,
                size,
                type(error).__name__,
            )
            continue
        if response is not None:
            if progress is not None:
                progress(size, size)
            return dict(response)
        if progress is not None and status is not None:
            progress(int(status.resumable_progress), size)


def _interruption(error: BaseException) -> bool:
    """A failure that leaves the upload session usable: ask it where it stands and go on."""
    if isinstance(error, HttpError):
        return int(error.status_code) >= 500
    return isinstance(error, OSError | http.client.HTTPException | httplib2.HttpLib2Error)


def _gave_up(error: BaseException, what: str, final_sent: bool) -> Exception:
    cause = describe(error)
    if final_sent:
        return OutcomeUnknown(
            f"{what}: the last part was sent but YouTube's answer never came, so the video may"
            f" exist ({cause})"
        )
    return Retryable(f"{what}: stopped before the end, nothing was published ({cause})", 60)
