"""Fixtures for the web tests, shared by every page's tests.

- `users`: the `UserService` on the seeded database (tests/factories.py), with a cheap Argon2id
  so tests stay fast, on the test `clock`; every seeded user has the password `PASSWORD`.
- `web_services` / `web_app`: a `WebServices` and the app built on it.
- `client`: an anonymous `TestClient`; `client_for("bientap")`: a signed-in one; and
  `officer_client` (cbtt.stttt, STTTT), `officer_sdl_client` (cbtt.sdl), `editor_client`
  (bientap), `admin_client` (admin).
- helpers (tests/web/helpers.py): `login`, `csrf_from(html)`, `csrf_of(client)`, `PASSWORD`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from content.db import Database
from content.media import MediaStore
from content.posts import PostService
from content.timeutil import zone
from content.users import UserService
from tests.factories import CHANNELS, USERS, Clock
from tests.web.helpers import PASSWORD, login
from web.app import create_app
from web.services import WebServices, channel_displays

# The smallest Argon2id cost: the tests check behaviour, not resistance to cracking.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

ClientFor = Callable[..., TestClient]

PUBLIC_URL = "https://loa.thuathienhue.gov.vn"  # config.yaml's public_url in these tests


@pytest.fixture
def users(db: Database, clock: Clock) -> UserService:
    service = UserService(db, hasher=FAST_HASHER, clock=clock)
    for username, _role, _department in USERS:
        service.set_password("test", username, PASSWORD)
    return service


@pytest.fixture
def web_services(
    db: Database, service: PostService, users: UserService, tmp_path: Path
) -> WebServices:
    return WebServices(
        db=db,
        posts=service,
        media=MediaStore(tmp_path / "media"),
        zone=zone("Asia/Ho_Chi_Minh"),
        users=users,
        channels=channel_displays([(c[0], c[1], c[0], c[2]) for c in CHANNELS]),
        public_url=PUBLIC_URL,
    )


@pytest.fixture
def web_app(web_services: WebServices) -> FastAPI:
    return create_app(web_services)


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app) as anonymous:
        yield anonymous


@pytest.fixture
def client_for(web_app: FastAPI) -> Iterator[ClientFor]:
    """`client_for("bientap")`: a TestClient signed in as that seeded user."""
    opened: list[TestClient] = []

    def make(username: str, **options: object) -> TestClient:
        signed = TestClient(web_app, **options)  # type: ignore[arg-type]
        opened.append(signed)
        response = login(signed, username)
        assert response.status_code == 303, response.text
        return signed

    yield make
    for signed in opened:
        signed.close()


@pytest.fixture
def officer_client(client_for: ClientFor) -> TestClient:
    return client_for("cbtt.stttt")


@pytest.fixture
def officer_sdl_client(client_for: ClientFor) -> TestClient:
    return client_for("cbtt.sdl")


@pytest.fixture
def editor_client(client_for: ClientFor) -> TestClient:
    return client_for("bientap")


@pytest.fixture
def admin_client(client_for: ClientFor) -> TestClient:
    return client_for("admin")
