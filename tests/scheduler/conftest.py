"""Fixtures for the worker's tests: a workspace connected to the sandbox (see harness.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from channels.sandbox.server import SandboxServer
from tests.scheduler.harness import Harness, harness_factory, tiny_mp4


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_mp4(tmp_path_factory.mktemp("clip") / "clip.mp4")


@pytest.fixture
def bench(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, clip: Path
) -> Iterator[Callable[..., Harness]]:
    """Makes harnesses: apps on a config pointed at this test's sandbox, all channels connected."""
    with harness_factory(tmp_path, sandbox, monkeypatch, clip) as make:
        yield make


@pytest.fixture
def h(bench: Callable[..., Harness]) -> Harness:
    return bench()
