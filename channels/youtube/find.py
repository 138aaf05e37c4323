"""Reading the YouTube channel: the video an earlier attempt uploaded (reconciling), and the
channel itself.

Reconciling reads the channel's uploads playlist since the attempt (1 quota unit a page;
search.list costs 100), then the snippets of those videos (videos.list, 1 unit for 50), and
takes only a video that carries the post's marker in its tags: a title alone may be another
installation's post.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from channels.base import AuthRequired, ChannelSetup, Publication, Receipt
from channels.errors import Step
from channels.youtube.client import classify, parse_time
from channels.youtube.metadata import uploaded_at

FIND_PAGES = 4  # 200 most recent uploads: far more than a reconcile window holds
READ_COST = 1


class YouTubeReading:
    """Mixed into `YouTube`, which supplies the hooks below."""

    setup: ChannelSetup
    quota_used: int

    def _service(self) -> Any:
        raise NotImplementedError

    def _receipt(self, video: Mapping[str, Any]) -> Receipt:
        raise NotImplementedError

    def find(self, pub: Publication, since: datetime) -> Receipt | None:
        """The video this post became, if an earlier attempt uploaded it after `since`."""
        with self._service() as service:
            return self._find(service, pub, since)

    def _find(self, service: Any, pub: Publication, since: datetime) -> Receipt | None:
        if not pub.marker:  # without a marker nothing on YouTube can be told to be ours
            return None
        uploaded = self._videos(service, self._uploaded_since(service, since), "snippet,status")
        found = [v for v in uploaded if pub.marker in (v.get("snippet", {}).get("tags") or [])]
        if not found:
            return None
        return self._receipt(min(found, key=uploaded_at))

    def _uploaded_since(self, service: Any, since: datetime) -> list[str]:
        """The ids of the channel's uploads since `since`, newest first."""
        channel = self._channel(
            service,
            "contentDetails",
            Step("looking for the video on YouTube", "tìm video trên YouTube"),
        )
        uploads = channel.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
        if not uploads:
            return []
        # YouTube gives whole seconds: an upload in the same second as `since` still counts.
        floor = (since if since.tzinfo else since.replace(tzinfo=UTC)).replace(microsecond=0)
        ids: list[str] = []
        token: str | None = None
        for _ in range(FIND_PAGES):
            page = self._read(
                service.playlistItems().list(
                    part="snippet", playlistId=uploads, maxResults=50, pageToken=token
                ),
                Step("reading the channel's uploads", "đọc danh sách video đã tải lên của kênh"),
            )
            older = False
            for item in page.get("items") or []:
                snippet = item.get("snippet") or {}
                added = parse_time(snippet.get("publishedAt"))
                if added is None or added < floor:
                    older = True
                else:
                    ids.append(str(snippet.get("resourceId", {}).get("videoId")))
            token = page.get("nextPageToken")
            if older or not token:
                break
        return ids

    def _videos(self, service: Any, ids: list[str], part: str) -> list[dict[str, Any]]:
        """videos.list for these ids, 50 at a time (1 unit each); gone videos are left out."""
        videos: list[dict[str, Any]] = []
        for start in range(0, len(ids), 50):
            batch = ",".join(ids[start : start + 50])
            answer = self._read(
                service.videos().list(part=part, id=batch, maxResults=50),
                Step("reading the videos' tags", "đọc thẻ của các video"),
            )
            videos += [dict(item) for item in answer.get("items") or []]
        return videos

    def _channel(self, service: Any, part: str, what: str) -> dict[str, Any]:
        answer = self._read(service.channels().list(part=part, mine=True), what)
        items = answer.get("items") or []
        if not items:
            raise AuthRequired(
                "tài khoản Google đã kết nối không có kênh YouTube; hãy kết nối tài khoản sở"
                " hữu kênh",
                "the connected Google account has no YouTube channel; connect the"
                " account that owns the channel",
                step=what,
            )
        return dict(items[0])

    def _read(self, request: Any, what: str) -> dict[str, Any]:
        try:
            answer = request.execute(num_retries=0)
        except Exception as error:
            raise classify(error, what) from error
        self.quota_used += READ_COST
        return dict(answer or {})
