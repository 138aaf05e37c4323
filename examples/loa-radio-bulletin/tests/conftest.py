"""The station's stand-in on a loopback server of its own, and the files a bulletin carries.

These tests need nothing of Loa's test suite: only Loa's sandbox framework, which a package
mounts its platform on exactly as Loa's own sandbox does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from channels.base import MediaFile
from channels.sandbox.server import Faults, SandboxServer
from loa_radio_bulletin.sandbox import RadioSandbox


@pytest.fixture(scope="session")
def station_server() -> Iterator[SandboxServer]:
    server = SandboxServer([RadioSandbox()], port=0).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(station_server: SandboxServer) -> SandboxServer:
    """The running stand-in, with every bulletin, key and fault forgotten."""
    station = station_server.platform("radio")
    with station.lock:
        station.faults = Faults()
        station.reset()
    return station_server


@pytest.fixture
def station(sandbox: SandboxServer) -> RadioSandbox:
    platform = sandbox.platform("radio")
    assert isinstance(platform, RadioSandbox)
    return platform


def _media(path: Path, kind: str, mime: str, **extra: object) -> MediaFile:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    return MediaFile(path, kind, mime, digest, len(data), **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bulletin-files")


@pytest.fixture(scope="session")
def jpeg(files: Path) -> MediaFile:
    path = files / "le-hoi-hue.jpg"
    Image.new("RGB", (1200, 675), (30, 90, 160)).save(path, "JPEG")
    return _media(path, "image", "image/jpeg", width=1200, height=675,
                  alt_text="Ảnh: sân khấu Festival Huế bên bờ sông Hương")  # fmt: skip


@pytest.fixture(scope="session")
def recording(files: Path) -> MediaFile:
    """A real MP4 with one AAC sound track (a second of a 440 Hz tone), as a station records."""
    path = files / "ban-tin.mp4"
    rate = 44100
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate)
        samples = np.sin(2 * np.pi * 440 * np.arange(rate) / rate).astype(np.float32)
        for start in range(0, rate, 1024):
            frame = av.AudioFrame.from_ndarray(
                samples[start : start + 1024].reshape(1, -1), format="flt", layout="mono"
            )
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return _media(path, "video", "video/mp4")
