"""The YouTube sandbox's resumable uploads: a session per video, filled chunk by chunk.

    POST /upload/youtube/v3/videos?uploadType=resumable   200 (exactly; 201 breaks the client)
                                                          with Location: the session's address
    PUT  <Location>  Content-Range: bytes a-b/total       308 + Range: bytes=0-N until the last,
                                                          then 200 with the video
    PUT  <Location>  Content-Range: bytes */total         where the upload stands (308 + Range,
                                                          no Range when nothing is stored yet)

Refused as Google refuses them (400 in its envelope): a chunk that does not start where the
upload stands (a client must ask after an interruption, not send the same range again), and a
chunk other than the last whose size is not a multiple of 256 KiB. Every chunk that arrives is
recorded, refused or not, so tests can tell whether a byte was ever sent twice.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from channels.sandbox.server import Request, Response
from channels.sandbox.youtube_google import fail, google_error
from channels.sandbox.youtube_rules import refused_metadata

CHUNK_UNIT = 256 * 1024


class ResumableUploads:
    """The upload half of YouTubeSandbox (a mixin: the sandbox supplies the hooks below)."""

    sessions: dict[str, dict[str, Any]]
    base_url: str

    def _charge(self, operation: str) -> Response | None:
        raise NotImplementedError

    def _create_video(self, session: Mapping[str, Any]) -> str:
        raise NotImplementedError

    def _video_answer(self, video_id: str, part: str) -> Response:
        raise NotImplementedError

    def _open_upload(self, request: Request) -> Response:
        kind = request.query.get("uploadType")
        if kind != "resumable":
            return fail(400, "badRequest", f"The sandbox takes uploadType=resumable, not {kind}")
        refused = self._charge("videos.insert")  # charged even when the metadata is refused
        if refused:
            return refused
        metadata = request.json() or {}
        refused = refused_metadata(metadata)
        if refused:
            return refused
        length = request.headers.get("X-Upload-Content-Length", "")
        if not length.isdigit() or int(length) == 0:
            return google_error("mediaBodyRequired")
        upload_id = "ADPycdv-sandbox-" + secrets.token_urlsafe(18)
        part = request.query.get("part", "snippet,status")
        self.sessions[upload_id] = {
            "total": int(length),
            "mime": request.headers.get("X-Upload-Content-Type", "application/octet-stream"),
            "data": bytearray(),
            "metadata": metadata,
            "part": part,
            "video_id": None,
            # How it arrived, for the tests: every chunk's byte range (refused ones too).
            "stats": {"chunks": 0, "status_queries": 0, "received": [], "refused": 0},
        }
        query = urlencode({"uploadType": "resumable", "part": part, "upload_id": upload_id})
        location = f"{self.base_url}{request.prefix}/upload/youtube/v3/videos?{query}"
        return Response.empty(200, {"Location": location, "X-GUploader-UploadID": upload_id})

    def _chunk(self, request: Request) -> Response:
        session = self.sessions.get(request.query.get("upload_id", ""))
        if session is None:
            return fail(404, "notFound", "The upload session does not exist or expired.", "global")
        content_range = request.headers.get("Content-Range", "")
        asking = re.fullmatch(r"bytes \*/(\d+|\*)", content_range) is not None
        stats = session["stats"]
        stats["status_queries"] += asking
        if session["video_id"]:
            return self._video_answer(session["video_id"], session["part"])  # as the last chunk's
        if asking:
            return self._standing(session)
        span = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", content_range)
        if span is None and content_range:
            return fail(400, "badRequest", "Failed to parse Content-Range header.", "global")
        first, last, total = (
            (int(span[1]), int(span[2]), span[3]) if span else (0, len(request.body) - 1, "*")
        )
        stats["received"].append([first, first + len(request.body) - 1])
        refused = self._refused_chunk(session, first, last, total, len(request.body))
        if refused is not None:
            stats["refused"] += 1
            return refused
        data: bytearray = session["data"]
        data += request.body
        stats["chunks"] += 1
        if len(data) < session["total"]:
            return self._standing(session)
        session["video_id"] = self._create_video(session)
        return self._video_answer(session["video_id"], session["part"])

    def _refused_chunk(
        self, session: Mapping[str, Any], first: int, last: int, total: str, size: int
    ) -> Response | None:
        whole = session["total"]
        if (total != "*" and int(total) != whole) or last - first + 1 != size or last >= whole:
            return fail(400, "badRequest", "Content-Range does not match the content.", "global")
        stored = len(session["data"])
        if first != stored:
            return fail(
                400,
                "badRequest",
                f"Invalid request. According to the Content-Range header, the upload offset is"
                f" {first} byte(s), but the upload stands at {stored} byte(s); ask where it"
                f" stands with Content-Range: bytes */{whole}.",
                "global",
            )
        if last + 1 < whole and size % CHUNK_UNIT:
            return fail(
                400,
                "badRequest",
                f"Invalid request. The number of bytes uploaded is required to be a multiple of"
                f" {CHUNK_UNIT}, except for the final request. The received request contained"
                f" {size} bytes, which does not meet this requirement.",
                "global",
            )
        return None

    def _standing(self, session: Mapping[str, Any]) -> Response:
        received = len(session["data"])
        return Response.empty(308, {"Range": f"bytes=0-{received - 1}"} if received else {})
