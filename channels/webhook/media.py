"""A post's files as a webhook receives them: signed, expiring addresses from a media host.

A webhook carries no file: each image or video is an address the receiver downloads from,
given by the media host Loa provides to adapters that declare `needs = {"media_host"}` (Loa's
own public address, `public_url` in config.yaml, or a channel that hosts files). The entry says
when the address stops working, read from the address itself where the host writes it there:

    ...?expires=1796000000&signature=...            seconds since 1970 (Loa, CloudFront)
    ...?X-Amz-Date=20261201T010000Z&X-Amz-Expires=900  S3 and compatible stores

Elsewhere `expires_at` is null, and the receiver should download at once anyway.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.base import MediaHost, Problem, Publication, Rejected, Step
from channels.webhook.payload import utc

NO_HOST_VI = (
    "Bài có ảnh hoặc video nhưng kênh webhook chưa có nơi cấp địa chỉ công khai cho tệp: hãy đặt"
    " `public_url` trong config.yaml (địa chỉ công khai của Loa) hoặc chọn một kênh lưu tệp"
    " (settings.media_host)."
)
NO_HOST_EN = (
    "The post has images or video, but this webhook channel has no host to give its files a"
    " public address: set `public_url` in config.yaml (Loa's public address) or a media host"
    " channel (settings.media_host)."
)


def host_problems(pub: Publication) -> list[Problem]:
    """No I/O: Loa records in the channel's settings whether a media host is there
    (`public_media: false` when none is), so a post with files is refused at submit."""
    if pub.media and pub.settings.get("public_media") is False:
        return [Problem("media", NO_HOST_VI, NO_HOST_EN)]
    return []


def media_entries(pub: Publication, host: MediaHost | None) -> list[dict[str, Any]]:
    if pub.media and host is None:
        raise Rejected(NO_HOST_VI, NO_HOST_EN, step=Step("preparing the files", "chuẩn bị tệp"))
    entries = []
    for item in pub.media:
        url = host.public_url(item) if host is not None else ""
        expires = expiry(url)
        entries.append(
            {
                "kind": item.kind,
                "url": url,
                "alt": item.alt_text,
                "mime": item.mime,
                "bytes": item.size_bytes,
                "sha256": item.sha256,
                "expires_at": utc(expires) if expires else None,
            }
        )
    return entries


def expiry(url: str) -> datetime | None:
    """When a signed address stops working, if it says so."""
    query = {key.lower(): values[-1] for key, values in parse_qs(urlsplit(url).query).items()}
    seconds = query.get("expires", "")
    if seconds.isdigit():
        return datetime.fromtimestamp(int(seconds), UTC)
    signed, lasts = query.get("x-amz-date", ""), query.get("x-amz-expires", "")
    if lasts.isdigit():
        try:
            start = datetime.strptime(signed, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None
        return start + timedelta(seconds=int(lasts))
    return None
