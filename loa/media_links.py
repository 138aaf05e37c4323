"""Loa's own public addresses for stored media: signed, expiring, served by `loa serve`.

A platform that takes images only by address (Zalo) or a receiver of webhooks must be able to
fetch a file without signing in, but nobody else should be able to list or guess Loa's files.
An address names one file by its SHA-256 and carries an expiry and an HMAC-SHA256 over both:

    {public_url}/media/public/{sha256}?expires=<unix seconds>&signature=<hex>

The HMAC key is derived from the workspace key (loa.keys) with HKDF under a label of its own,
so the key that encrypts credentials is never used for anything else, and a leaked address says
nothing about it. The expiry is rounded up to the hour, so the same file gets the same address
for an hour (a retried publication sends what the first try sent).

Used only when `public_url` in config.yaml is https (a platform fetches only from the internet,
and the default 127.0.0.1 is nobody's public address).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from channels.base import MediaFile

PATH = "/media/public/{sha256}"
DEFAULT_TTL = timedelta(days=7)  # long enough for a post scheduled a week ahead to be fetched
ROUND_TO = 3600
_LABEL = b"loa media links v1"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
_UNIX = re.compile(r"[0-9]{1,12}")


def media_link_key(workspace_key: bytes) -> bytes:
    """The links' own key: HKDF-SHA256 of the workspace key, never the workspace key itself."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(workspace_key)


def is_public_base(url: str) -> bool:
    """Whether `public_url` can be handed to a platform: an https address with a host."""
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


class MediaLinks:
    """Signs and verifies the addresses; a `MediaHost` for the channels that need one."""

    def __init__(
        self,
        key: bytes,
        public_url: str,
        *,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(key) < 32:
            raise ValueError("the media links' key must be at least 32 bytes")
        self._key = key
        self.base = public_url.rstrip("/")
        self.ttl = ttl
        self.clock = clock

    def signature(self, sha256: str, expires: int) -> str:
        message = f"{sha256}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def url(self, sha256: str) -> str:
        sha256 = sha256.lower()
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        soon = int(self.clock() + self.ttl.total_seconds())
        expires = -(-soon // ROUND_TO) * ROUND_TO
        query = urlencode({"expires": expires, "signature": self.signature(sha256, expires)})
        return f"{self.base}{PATH.format(sha256=sha256)}?{query}"

    def public_url(self, media: MediaFile) -> str:
        return self.url(media.sha256)

    def verify(self, sha256: str, expires: str | int, signature: str) -> bool:
        """True only for an address this key signed, for this file, not yet expired."""
        text = str(expires)
        if not (_SHA256.fullmatch(sha256) and _SIGNATURE.fullmatch(signature)):
            return False
        if not _UNIX.fullmatch(text):
            return False
        when = int(text)
        # Compared before the expiry, so a forged address and an old one take the same time.
        genuine = hmac.compare_digest(self.signature(sha256, when), signature)
        return genuine and when > self.clock()
