"""The resumable video upload: chunk by chunk, with progress, resumed where it was interrupted.

The protocol (CHANNELS.md): a POST opens an upload session and answers its address; each chunk
is a PUT with `Content-Range`, answered 308 until the last one, which answers the video. When a
chunk is interrupted (a 5xx, a timeout, a reset, an answer lost after the server stored it), the
adapter asks the session where it stands (`Content-Range: bytes */total`) before sending another
byte, and the next chunk starts at the offset the session reports: a chunk sent again from where
the client thinks it stood would carry bytes the server has, and YouTube refuses it. That is the
one retry the adapter does by itself: the session is the platform's own idempotency key, so no
video can come out of it twice. (google-api-python-client asks only after an error it saw
itself, and httplib2 below it re-sends a request whose answer was lost: the client module's
transport stops that for everything but reads.)

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
from channels.errors import Step
from channels.youtube.client import classify, describe

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
    what: str = Step("uploading the video to YouTube", "tải video lên YouTube"),
) -> dict[str, Any]:
    """Send every chunk of `request` (a videos.insert with a resumable body); the video resource."""
    resumes_left = resumes
    final_sent = False
    stalled_at = -1
    must_ask = False  # after an interruption: where the session stands comes before any byte
    while True:
        try:
            if must_ask:
                resource = where_it_stands(request, size)
                must_ask = False
                if resource is not None:  # the last chunk had landed: its answer was lost
                    status, response = None, resource
                else:
                    continue
            else:
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
            must_ask = True
            log.warning(
                "%s: interrupted after %d of %d bytes (%s); asking where the upload stands",
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


def where_it_stands(request: Any, size: int) -> dict[str, Any] | None:
    """Ask the upload session how many bytes it holds, and go on from exactly there.

    A PUT with `Content-Range: bytes */total` and no body, through the request's own transport:
    308 names the bytes stored in `Range` (none without it), and the next chunk starts after
    them; 200 or 201 means the upload was complete, and the body is the video.
    """
    headers = {"Content-Range": f"bytes */{size}", "Content-Length": "0"}
    resp, content = request.http.request(request.resumable_uri, "PUT", body=b"", headers=headers)
    if resp.status in (200, 201):
        _asked(request)
        return dict(request.postproc(resp, content))
    if resp.status != 308:
        raise HttpError(resp, content, uri=request.resumable_uri)
    request.resumable_progress = _stored(resp.get("range"))
    if "location" in resp:
        request.resumable_uri = resp["location"]
    _asked(request)
    return None


def _stored(header: str | None) -> int:
    """`bytes=0-N` -> N + 1 bytes stored; no header, nothing stored."""
    if not header:
        return 0
    return int(header.rsplit("-", 1)[1]) + 1


def _asked(request: Any) -> None:
    # The client library would ask again on its next call after an error of its own; the
    # question is answered, so the next call sends the next chunk.
    if hasattr(request, "_in_error_state"):
        request._in_error_state = False


def _interruption(error: BaseException) -> bool:
    """A failure that leaves the upload session usable: ask it where it stands and go on."""
    if isinstance(error, HttpError):
        return int(error.status_code) >= 500
    return isinstance(error, OSError | http.client.HTTPException | httplib2.HttpLib2Error)


def _gave_up(error: BaseException, what: str, final_sent: bool) -> Exception:
    cause = describe(error)
    if final_sent:
        return OutcomeUnknown(
            "phần cuối đã gửi nhưng YouTube không trả lời, nên video có thể đã có trên kênh",
            "the last part was sent but YouTube's answer never came, so the video may exist",
            cause, step=what,
        )  # fmt: skip
    return Retryable(
        "dừng trước khi tải xong, chưa có gì được đăng",
        "stopped before the end, nothing was published",
        cause, step=what, retry_after=60,
    )  # fmt: skip
