"""Fixtures for adapter tests: media files (the sandbox fixtures live in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from PIL import Image

from channels.base import MediaFile


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


def _image(path: Path, size: tuple[int, int], fmt: str) -> MediaFile:
    import hashlib

    Image.new("RGB", size, (90, 40, 140)).save(path, fmt)
    data = path.read_bytes()
    mime = {"JPEG": "image/jpeg", "PNG": "image/png"}[fmt]
    return MediaFile(
        path, "image", mime, hashlib.sha256(data).hexdigest(), len(data), *size,
        alt_text="Ảnh minh họa: Đại Nội Huế",
    )  # fmt: skip


@pytest.fixture(scope="session")
def jpeg(media_dir: Path) -> MediaFile:
    return _image(media_dir / "dai-noi.jpg", (1200, 675), "JPEG")


@pytest.fixture(scope="session")
def jpegs(media_dir: Path) -> list[MediaFile]:
    return [_image(media_dir / f"anh-{n}.jpg", (800 + n, 600), "JPEG") for n in range(3)]


@pytest.fixture(scope="session")
def mp4(media_dir: Path) -> MediaFile:
    """A real H.264 clip of a few MB, so uploads take many 256 KiB chunks."""
    import hashlib

    path = media_dir / "clip.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        stream.options = {"crf": "0", "preset": "ultrafast"}  # lossless: big enough to chunk
        for number in range(12):
            noise = Image.effect_noise((640, 360), 60 + number).convert("RGB")
            frame = av.VideoFrame.from_image(noise)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = path.read_bytes()
    return MediaFile(path, "video", "video/mp4", hashlib.sha256(data).hexdigest(), len(data))
