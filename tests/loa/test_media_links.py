"""Loa's own signed media addresses: only the address signed for a file, unaltered and in time,
is accepted, and the key that signs them is not the workspace key."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.fernet import Fernet

from channels.base import MediaFile
from loa.media_links import MediaLinks, is_public_base, media_link_key

SHA = hashlib.sha256(b"anh-ngo-mon").hexdigest()
OTHER = hashlib.sha256(b"anh-khac").hexdigest()
NOW = 1_800_000_000.0  # 2027-01-15


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def links(clock: Clock | None = None, key: bytes | None = None) -> MediaLinks:
    workspace_key = key or Fernet.generate_key()
    return MediaLinks(
        media_link_key(workspace_key), "https://loa.thuathienhue.gov.vn/", clock=clock or Clock()
    )


def parts(url: str) -> tuple[str, str, str]:
    split = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(split.query).items()}
    return split.path.rsplit("/", 1)[1], query["expires"], query["signature"]


def test_an_address_names_the_file_and_verifies() -> None:
    signer = links()
    url = signer.url(SHA)
    assert url.startswith(f"https://loa.thuathienhue.gov.vn/media/public/{SHA}?expires=")
    sha, expires, signature = parts(url)
    assert signer.verify(sha, expires, signature)


def test_a_media_host_for_any_adapter(tmp_path: Path) -> None:
    media = MediaFile(tmp_path / "a.jpg", "image", "image/jpeg", SHA, 10)
    signer = links()
    assert signer.verify(*parts(signer.public_url(media)))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda sha, expires, sig: (OTHER, expires, sig),  # another file
        lambda sha, expires, sig: (sha, str(int(expires) + 3600), sig),  # a later expiry
        lambda sha, expires, sig: (sha, expires, sig[:-1] + ("0" if sig[-1] != "0" else "1")),
        lambda sha, expires, sig: (sha, expires, sig.upper()),
        lambda sha, expires, sig: (sha, expires, ""),
        lambda sha, expires, sig: (sha, f" {expires}", sig),
        lambda sha, expires, sig: (sha, f"{expires}.0", sig),
        lambda sha, expires, sig: (sha, "9" * 5000, sig),
        lambda sha, expires, sig: (f"../{sha[3:]}", expires, sig),
        lambda sha, expires, sig: (sha.upper(), expires, sig),
    ],
    ids=[
        "other-sha", "later-expiry", "one-digit", "upper-hex", "no-signature", "spaced",
        "decimal", "huge", "traversal", "upper-sha",
    ],
)  # fmt: skip
def test_a_tampered_address_is_refused(tamper: object) -> None:
    signer = links()
    sha, expires, signature = parts(signer.url(SHA))
    assert signer.verify(sha, expires, signature)
    assert not signer.verify(*tamper(sha, expires, signature))  # type: ignore[operator]


def test_an_address_expires() -> None:
    clock = Clock()
    signer = links(clock)
    sha, expires, signature = parts(signer.url(SHA))
    assert int(expires) >= NOW + timedelta(days=7).total_seconds()
    assert int(expires) % 3600 == 0  # the same address for an hour: a retry sends the same
    clock.now = int(expires) - 1
    assert signer.verify(sha, expires, signature)
    clock.now = int(expires)
    assert not signer.verify(sha, expires, signature)


def test_the_same_address_within_the_hour() -> None:
    clock = Clock(NOW - NOW % 3600 + 10)
    signer = links(clock)
    first = signer.url(SHA)
    clock.now += 3000
    assert signer.url(SHA) == first


def test_another_workspace_key_does_not_verify() -> None:
    clock = Clock()
    ours, theirs = links(clock), links(clock)
    assert not theirs.verify(*parts(ours.url(SHA)))


def test_the_signing_key_is_derived_never_the_workspace_key() -> None:
    workspace_key = Fernet.generate_key()
    derived = media_link_key(workspace_key)
    assert derived == media_link_key(workspace_key) and len(derived) == 32
    assert derived not in (workspace_key, workspace_key[:32])
    signer = MediaLinks(derived, "https://loa.example.vn", clock=Clock())
    sha, expires, signature = parts(signer.url(SHA))
    # Signed with the raw workspace key instead, the same address would not verify.
    raw = hmac.new(workspace_key, f"{SHA}\n{expires}".encode(), hashlib.sha256).hexdigest()
    assert raw != signature
    assert not signer.verify(sha, expires, raw)
    assert urlencode({"expires": expires, "signature": signature}) in signer.url(SHA)


def test_only_an_https_address_is_public() -> None:
    assert is_public_base("https://loa.thuathienhue.gov.vn")
    assert not is_public_base("http://127.0.0.1:8000")
    assert not is_public_base("https://")
    assert not is_public_base("ftp://loa.example.vn")
