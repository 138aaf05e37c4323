"""Fixtures of the importer tests: a media store, the post service that checks channels."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.db import Database
from content.importer import Importer
from content.media import MediaStore
from content.posts import PostService
from content.timeutil import zone
from scheduler.publication import channel_checker
from tests.factories import VOCABULARY, Clock

TZ = zone("Asia/Ho_Chi_Minh")


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


@pytest.fixture
def posts(db: Database, clock: Clock, store: MediaStore) -> PostService:
    return PostService(db, VOCABULARY, TZ, checker=channel_checker(store.path_of), clock=clock)


@pytest.fixture
def importer(posts: PostService, store: MediaStore) -> Importer:
    return Importer(posts, store)
