"""The signed public media addresses (`/media/public/{sha}?expires=&signature=`), as a platform
fetches them: no session, only an address Loa signed and that has not expired."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from content.db import Database
from loa.media_links import MediaLinks, media_link_key
from web.app import create_app
from web.services import WebServices

PUBLIC = "https://loa.thuathienhue.gov.vn"


class WallClock:
    """The signer's clock, moved by hand; the route itself never trusts the caller's time."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def jpeg(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (shade, 120, 60)).save(out, "JPEG")
    return out.getvalue()


KEY = media_link_key(os.urandom(32))


@pytest.fixture
def signer() -> MediaLinks:
    return MediaLinks(KEY, PUBLIC, clock=WallClock(time.time()))


@pytest.fixture
def stored(web_services: WebServices, db: Database) -> tuple[str, bytes]:
    content = jpeg(30)
    with db.write() as session:
        media = web_services.media.add(session, content, name="Lễ hội Huế.jpg")
        return media.sha256, content


@pytest.fixture
def anonymous(web_services: WebServices, signer: MediaLinks) -> Iterator[TestClient]:
    with TestClient(create_app(replace(web_services, public_media=signer))) as client:
        yield client


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_a_signed_address_serves_the_file_to_anyone_until_it_expires(
    anonymous: TestClient, signer: MediaLinks, stored: tuple[str, bytes]
) -> None:
    sha, content = stored
    address = signer.url(sha)
    assert address.startswith(f"{PUBLIC}/media/public/{sha}?")

    answer = anonymous.get(local(address))
    assert answer.status_code == 200
    assert answer.content == content
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["x-content-type-options"] == "nosniff"
    cache = answer.headers["cache-control"]
    assert cache.startswith("public, max-age=")
    expires = int(parse_qs(urlsplit(address).query)["expires"][0])
    assert 0 < int(cache.split("=")[1]) <= expires  # never cached past the address's expiry
    assert (
        "filename*=UTF-8''L%E1%BB%85%20h%E1%BB%99i%20Hu%E1%BA%BF.jpg"
        in (answer.headers["content-disposition"])
    )
    head = anonymous.head(local(address))  # platforms check a file's type and size first
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(content))


def test_altered_foreign_and_expired_addresses_are_refused_in_both_languages(
    anonymous: TestClient, signer: MediaLinks, stored: tuple[str, bytes], db: Database
) -> None:
    sha, _content = stored
    query = parse_qs(urlsplit(signer.url(sha)).query)
    expires, signature = query["expires"][0], query["signature"][0]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    later = str(int(expires) + 3600)
    other = "a" * 64
    refused = [
        f"/media/public/{sha}?expires={expires}&signature={flipped}",  # altered signature
        f"/media/public/{sha}?expires={later}&signature={signature}",  # stretched expiry
        f"/media/public/{other}?expires={expires}&signature={signature}",  # another file
        f"/media/public/{sha}?expires={expires}",  # unsigned
        f"/media/public/{sha}",
    ]
    for path in refused:
        answer = anonymous.get(path, headers={"Accept-Language": "vi"})
        assert answer.status_code == 403, path
        assert "không phải do Loa ký hoặc đã hết hạn" in answer.text
        assert _content not in answer.content

    foreign = MediaLinks(media_link_key(os.urandom(32)), PUBLIC)  # another workspace's key
    assert anonymous.get(local(foreign.url(sha))).status_code == 403

    # Signed with the same key eight days ago: past the seven-day lifetime.
    old = MediaLinks(KEY, PUBLIC, clock=WallClock(time.time() - 8 * 24 * 3600)).url(sha)
    answer = anonymous.get(local(old), headers={"Accept-Language": "en"})
    assert answer.status_code == 403
    assert "has expired" in answer.text


def test_a_signed_address_of_a_file_not_in_the_store_is_not_found(
    anonymous: TestClient, signer: MediaLinks
) -> None:
    missing = "b" * 64
    answer = anonymous.get(local(signer.url(missing)), headers={"Accept-Language": "vi"})
    assert answer.status_code == 404
    assert "Không có tệp" in answer.text


def test_without_public_links_nothing_is_served_even_a_well_formed_address(
    client: TestClient, signer: MediaLinks, stored: tuple[str, bytes]
) -> None:
    sha, content = stored
    answer = client.get(local(signer.url(sha)))
    assert answer.status_code == 404
    assert content not in answer.content
