"""The media store, with real files, real Pillow and PyAV output, and a real SQLite database."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import pytest
from PIL import Image
from sqlmodel import select

from content import media as media_module
from content.db import Database
from content.errors import UserError
from content.media import MB, MediaError, MediaLimits, MediaStore
from content.models import Media, MediaKind


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/t.db")
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    color: tuple[int, ...] | int = (200, 30, 30, 0) if mode == "RGBA" else (200, 30, 30)
    if mode in ("L", "P"):
        color = 100
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def make_video(path: Path, fmt: str | None = None, frames: int = 10, rate: int = 10) -> Path:
    with av.open(str(path), mode="w", format=fmt) as container:
        stream = container.add_stream("mpeg4", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(frames):
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 64), (i * 20, 0, 0)))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- inspect: the bytes decide -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "mime", "ext"),
    [
        ("PNG", "a.png", "image/png", "png"),
        ("JPEG", "a.jpeg", "image/jpeg", "jpg"),
        ("GIF", "a.gif", "image/gif", "gif"),
        ("WEBP", "a.webp", "image/webp", "webp"),
    ],
)
def test_inspect_accepts_each_image_format(
    store: MediaStore, fmt: str, name: str, mime: str, ext: str
) -> None:
    data = image_bytes(fmt)
    info = store.inspect(data, name)
    assert (info.kind, info.mime, info.extension) == (MediaKind.image, mime, ext)
    assert (info.width, info.height, info.duration_seconds) == (64, 48, None)
    assert info.size_bytes == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()


def test_inspect_reads_a_path_and_takes_the_name_from_it(store: MediaStore, tmp_path: Path) -> None:
    path = tmp_path / "poster.png"
    path.write_bytes(image_bytes("PNG"))
    assert store.inspect(path).mime == "image/png"
    assert not (tmp_path / "media").exists()  # inspect writes nothing


def test_camera_multi_picture_jpeg_counts_as_jpeg(store: MediaStore) -> None:
    out = io.BytesIO()
    first, second = Image.new("RGB", (64, 64), "red"), Image.new("RGB", (64, 64), "blue")
    first.save(out, "MPO", save_all=True, append_images=[second])
    with Image.open(out) as opened:
        assert opened.format == "MPO"
    info = store.inspect(out.getvalue(), "photo.jpg")
    assert (info.mime, info.extension) == ("image/jpeg", "jpg")


def test_content_decides_when_the_extension_is_unknown_or_missing(store: MediaStore) -> None:
    data = image_bytes("PNG")
    assert store.inspect(data, "scan.dat").mime == "image/png"
    assert store.inspect(data, "scan").mime == "image/png"
    assert store.inspect(data).mime == "image/png"


def test_bmp_is_refused_with_the_accepted_kinds(store: MediaStore) -> None:
    with pytest.raises(MediaError) as caught:
        store.inspect(image_bytes("BMP"), "map.bmp")
    assert str(caught.value).startswith("map.bmp: BMP images are not accepted")
    assert "JPEG, PNG, GIF or WebP images and MP4, MOV or WebM videos" in str(caught.value)


def test_png_named_jpg_is_refused(store: MediaStore) -> None:
    with pytest.raises(MediaError) as caught:
        store.inspect(image_bytes("PNG"), "poster.jpg")
    assert str(caught.value) == (
        "poster.jpg: the name says JPEG image but the content is a PNG image; "
        "rename it or export it again as JPEG"
    )


def test_jpeg_named_mp4_is_refused(store: MediaStore) -> None:
    with pytest.raises(MediaError, match=r"clip\.mp4: the name says MP4 video .* a JPEG image"):
        store.inspect(image_bytes("JPEG"), "clip.mp4")


def test_mp4_named_png_is_refused(store: MediaStore, tmp_path: Path) -> None:
    data = make_video(tmp_path / "v.mp4").read_bytes()
    with pytest.raises(MediaError, match=r"still\.png: the name says PNG image .* an MP4 video"):
        store.inspect(data, "still.png")


def test_text_named_png_is_refused(store: MediaStore, tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("Kế hoạch tuyên truyền ASEAN năm 2025\n", encoding="utf-8")
    with pytest.raises(
        MediaError, match=r"^notes\.png: the name says PNG image but the content is"
    ):
        store.inspect(path)


def test_unknown_content_without_a_known_extension(store: MediaStore) -> None:
    with pytest.raises(MediaError, match=r"^report\.docx: not an image or video Loa accepts; use "):
        store.inspect(b"PK\x03\x04 not really a document", "report.docx")


def test_empty_file_is_refused(store: MediaStore, tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(MediaError, match=r"^empty\.jpg: the file is empty"):
        store.inspect(path)


def test_too_small_image(store: MediaStore) -> None:
    with pytest.raises(MediaError, match=r"^icon\.png: 10×10 pixels is too small; .* at least 16"):
        store.inspect(image_bytes("PNG", (10, 10)), "icon.png")


def test_image_side_over_the_limit(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media", MediaLimits(max_image_side=50))
    with pytest.raises(MediaError, match=r"^wide\.png: 64×48 pixels is too large; .* at most 50"):
        store.inspect(image_bytes("PNG"), "wide.png")


def test_truncated_png_is_refused(store: MediaStore) -> None:
    noisy = Image.frombytes("RGB", (200, 200), hashlib.sha256(b"x").digest() * 3750)
    out = io.BytesIO()
    noisy.save(out, "PNG")
    data = out.getvalue()
    with pytest.raises(MediaError) as caught:
        store.inspect(data[: len(data) // 2], "x.png")
    assert str(caught.value) == (
        "x.png: not a readable image (truncated or damaged file); export it again"
    )


def test_decompression_bomb_header_is_refused(store: MediaStore) -> None:
    # A few dozen bytes that claim 100000×100000 pixels: Pillow refuses it from the header alone.
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b"")
    with pytest.raises(MediaError, match=r"^bomb\.png: the image has too many pixels"):
        store.inspect(data, "bomb.png")


def test_decompression_bomb_warning_is_refused_too(
    store: MediaStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Between Pillow's limit and twice it, Pillow only warns: that must still refuse the image.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2000)
    with pytest.raises(MediaError, match="too many pixels") as caught:
        store.inspect(image_bytes("PNG", (50, 50)), "big.png")
    assert isinstance(caught.value.__cause__, Image.DecompressionBombWarning)


def test_image_over_the_byte_limit(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media", MediaLimits(max_image_bytes=100))
    data = image_bytes("PNG", (64, 64), "RGBA")
    with pytest.raises(
        MediaError, match=r"^a\.png: \d+ bytes is over the 100 bytes limit for images"
    ):
        store.inspect(data, "a.png")


def test_video_over_the_byte_limit_reports_megabytes(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media", MediaLimits(max_video_bytes=256 * MB))
    path = tmp_path / "clip.webm"
    with path.open("wb") as f:  # sparse: the size is real, the disk use is not
        f.write(b"\x1a\x45\xdf\xa3" + b"\x00" * 60)
        f.truncate(round(312.4 * MB))
    with pytest.raises(MediaError) as caught:
        store.inspect(path)
    assert str(caught.value).startswith("clip.webm: 312.4 MB is over the 256 MB limit for videos")


# --- videos ---------------------------------------------------------------------------------


def test_mp4_from_pyav(store: MediaStore, tmp_path: Path) -> None:
    path = make_video(tmp_path / "clip.mp4", frames=10, rate=10)
    info = store.inspect(path)
    assert (info.kind, info.mime, info.extension) == (MediaKind.video, "video/mp4", "mp4")
    assert info.duration_seconds == pytest.approx(1.0, abs=0.15)
    assert info.size_bytes == path.stat().st_size
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_mov_from_pyav_and_mp4_mov_names_are_interchangeable(
    store: MediaStore, tmp_path: Path
) -> None:
    path = make_video(tmp_path / "clip.mov", fmt="mov", frames=20, rate=10)
    info = store.inspect(path)
    assert (info.mime, info.extension) == ("video/quicktime", "mov")
    assert info.duration_seconds == pytest.approx(2.0, abs=0.15)
    assert store.inspect(path.read_bytes(), "clip.mp4").mime == "video/quicktime"


def test_a_video_header_before_zeros_is_not_a_video(store: MediaStore, tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    with path.open("wb") as f:  # sparse: 300 MB of zeros after a 24-byte MP4 header
        f.write(box(b"ftyp", b"isom\0\0\0\0isommp42"))
        f.truncate(300 * MB)
    assert path.read_bytes()[:24].endswith(b"mp42")
    with pytest.raises(MediaError) as caught:
        store.inspect(path)
    assert str(caught.value).startswith("clip.mp4: not a playable video")
    assert caught.value.vi.startswith("clip.mp4: không phải video phát được")


def mvhd(version: int, timescale: int, duration: int) -> bytes:
    if version == 1:
        return box(b"mvhd", struct.pack(">B3xQQIQ", 1, 0, 0, timescale, duration) + b"\0" * 80)
    return box(b"mvhd", struct.pack(">B3xIIII", 0, 0, 0, timescale, duration) + b"\0" * 80)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 32, "clip.webm"),
        (box(b"ftyp", b"isom\0\0\0\0isom") + box(b"moov", mvhd(0, 600, 900)), "clip.mp4"),
        (box(b"ftyp", b"qt  \0\0\0\0qt  ") + box(b"moov", mvhd(1, 1000, 2500)), "clip.mov"),
    ],
)
def test_a_container_without_a_decodable_video_stream_is_refused(
    store: MediaStore, data: bytes, name: str
) -> None:
    with pytest.raises(MediaError, match="not a playable video"):
        store.inspect(data, name)


def test_a_video_with_its_moov_cut_off_is_refused(store: MediaStore, tmp_path: Path) -> None:
    whole = make_video(tmp_path / "clip.mp4", frames=10).read_bytes()
    with pytest.raises(MediaError, match="not a playable video"):
        store.inspect(whole[: len(whole) // 2], "clip.mp4")


def test_mp4_brand_only_among_the_compatible_brands() -> None:
    assert media_module._sniff_video(box(b"ftyp", b"XAVC\0\0\0\0XAVCmp42")) == "video/mp4"


def test_other_iso_media_is_not_a_video(store: MediaStore) -> None:
    # HEIC photos are ISO media files too, with their own brands; Loa does not accept them.
    with pytest.raises(MediaError, match="not an image or video Loa accepts"):
        store.inspect(box(b"ftyp", b"heic\0\0\0\0mif1heic") + box(b"meta", b""), "photo.heic")


# --- the disk ------------------------------------------------------------------------------


def test_the_media_store_keeps_to_its_total(db: Database, tmp_path: Path) -> None:
    first, second = image_bytes("PNG", (64, 48)), image_bytes("PNG", (80, 60))
    store = MediaStore(tmp_path / "media", MediaLimits(max_total_bytes=len(first) + 10))
    with db.write() as session:
        store.add(session, first, name="mot.png")
    with pytest.raises(MediaError) as caught, db.write() as session:
        store.add(session, second, name="hai.png")
    assert "hai.png: the media store would pass its total" in str(caught.value)
    assert "media_max_total_bytes" in caught.value.vi and caught.value.vi.startswith("hai.png: kho")
    assert len([p for p in store.root.rglob("*.png")]) == 1
    with db.write() as session:  # the same bytes again take no more room
        assert store.add(session, first, name="mot-lai.png").sha256


def test_a_file_that_would_leave_the_disk_too_full_is_refused(db: Database, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media", MediaLimits(min_free_bytes=2**62))
    with pytest.raises(MediaError) as caught, db.write() as session:
        store.add(session, image_bytes("PNG"), name="anh.png")
    assert "the disk would keep less than" in str(caught.value)
    assert "ổ đĩa sẽ còn trống ít hơn" in caught.value.vi
    assert not store.root.exists() or not list(store.root.rglob("*.png"))


# --- add: files, thumbnails, rows -----------------------------------------------------------


def test_add_stores_the_file_at_its_sharded_path(
    db: Database, store: MediaStore, tmp_path: Path
) -> None:
    data = image_bytes("PNG")
    sha = hashlib.sha256(data).hexdigest()
    with db.write() as session:
        media = store.add(session, data, name="poster.png", alt_text="  Huế citadel  ")
    expected = tmp_path / "media" / sha[:2] / sha[2:4] / f"{sha}.png"
    assert store.path_of(media) == expected == store.path_of(sha)
    assert expected.read_bytes() == data == store.open_bytes(sha)
    with db.read() as session:
        row = session.get(Media, sha)
        assert row is not None
        assert (row.kind, row.mime, row.size_bytes) == ("image", "image/png", len(data))
        assert (row.width, row.height, row.original_name) == (64, 48, "poster.png")
        assert row.alt_text == "Huế citadel"


def test_add_from_a_path_copies_a_video(db: Database, store: MediaStore, tmp_path: Path) -> None:
    path = make_video(tmp_path / "clip.mp4")
    with db.write() as session:
        media = store.add(session, path)
        assert (media.kind, media.mime, media.original_name) == ("video", "video/mp4", "clip.mp4")
        assert media.duration_seconds == pytest.approx(1.0, abs=0.15)
    assert store.path_of(media).read_bytes() == path.read_bytes()
    assert store.path_of(media).stat().st_mode & 0o777 == 0o644
    assert store.thumbnail_path(media.sha256) is None


def test_same_bytes_twice_make_one_row_and_one_file(
    db: Database, store: MediaStore, tmp_path: Path
) -> None:
    data = image_bytes("JPEG")
    path = tmp_path / "copy.jpg"
    path.write_bytes(data)
    with db.write() as session:
        first = store.add(session, data, name="a.jpg")
    with db.write() as session:
        second = store.add(session, path, alt_text="Lễ hội Huế")
        assert second.alt_text == "Lễ hội Huế"  # filled in, because it was empty
    with db.write() as session:
        third = store.add(session, data, alt_text="another description")
        assert third.alt_text == "Lễ hội Huế"  # never overwritten
    assert first.sha256 == second.sha256 == third.sha256
    with db.read() as session:
        assert len(session.exec(select(Media)).all()) == 1
    root = tmp_path / "media"
    assert [p.name for p in files_under(root) if "thumbs" not in p.parts] == [f"{first.sha256}.jpg"]
    assert len(files_under(root / "thumbs")) == 1


def test_thumbnail_is_a_small_jpeg(db: Database, store: MediaStore) -> None:
    with db.write() as session:
        media = store.add(session, image_bytes("PNG", (1000, 500)), name="wide.png")
    thumb = store.thumbnail_path(media.sha256)
    assert thumb is not None
    with Image.open(thumb) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (320, 160))


def test_thumbnail_of_a_transparent_png_is_on_white(db: Database, store: MediaStore) -> None:
    with db.write() as session:
        media = store.add(session, image_bytes("PNG", (400, 400), "RGBA"), name="logo.png")
    thumb = store.thumbnail_path(media.sha256)
    assert thumb is not None
    with Image.open(thumb) as image:
        assert max(image.size) <= 320
        corner = image.convert("RGB").getpixel((10, 10))
        assert isinstance(corner, tuple) and min(corner) > 240


def test_thumbnail_of_a_palette_gif(db: Database, store: MediaStore) -> None:
    with db.write() as session:
        media = store.add(session, image_bytes("GIF", (640, 640), "P"), name="anim.gif")
    thumb = store.thumbnail_path(media.sha256)
    assert thumb is not None
    with Image.open(thumb) as image:
        assert image.size == (320, 320)


def test_alt_text_too_long_stores_nothing(db: Database, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media", MediaLimits(max_alt_text=20))
    message = r"^a\.png: the alt text is 21 characters, over .* 20"
    with pytest.raises(MediaError, match=message), db.write() as session:
        store.add(session, image_bytes("PNG"), name="a.png", alt_text="x" * 21)
    assert files_under(tmp_path / "media") == []


def test_default_alt_text_limit_matches_the_column(db: Database, store: MediaStore) -> None:
    with db.write() as session:
        assert store.add(session, image_bytes("PNG"), alt_text="x" * 1000).alt_text == "x" * 1000
    with pytest.raises(MediaError, match="1001 characters"), db.write() as session:
        store.add(session, image_bytes("GIF"), alt_text="x" * 1001)


def test_truncated_jpeg_fails_at_add_and_leaves_no_file(
    db: Database, store: MediaStore, tmp_path: Path
) -> None:
    noisy = Image.frombytes("RGB", (200, 200), hashlib.sha256(b"y").digest() * 3750)
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=95)
    data = out.getvalue()[:2000]
    store.inspect(data, "cut.jpg")  # a JPEG's structure check cannot see the missing end
    with pytest.raises(MediaError, match=r"^cut\.jpg: not a readable image"), db.write() as s:
        store.add(s, data, name="cut.jpg")
    assert files_under(tmp_path / "media") == []


def test_a_failed_write_leaves_no_temporary_file(
    db: Database, store: MediaStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(media_module.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"), db.write() as session:
        store.add(session, image_bytes("PNG"), name="a.png")
    assert files_under(tmp_path / "media") == []
    with db.read() as session:
        assert session.exec(select(Media)).all() == []


def test_a_source_that_changes_while_copied_is_refused(
    db: Database, store: MediaStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_video(tmp_path / "live.mp4")
    inspect = store.inspect

    def inspect_then_change(source: Path | bytes, name: str | None = None) -> object:
        info = inspect(source, name)
        path.write_bytes(path.read_bytes() + b"\0")
        return info

    monkeypatch.setattr(store, "inspect", inspect_then_change)
    with pytest.raises(MediaError, match="changed while it was being added"), db.write() as s:
        store.add(s, path)
    assert files_under(tmp_path / "media") == []


def test_lookups_refuse_what_is_not_a_sha256(store: MediaStore) -> None:
    with pytest.raises(ValueError, match="not a sha256"):
        store.path_of("../../etc/passwd")
    with pytest.raises(ValueError, match="not a sha256"):
        store.thumbnail_path("AB" * 32)
    with pytest.raises(FileNotFoundError):
        store.open_bytes("0" * 64)
    assert store.thumbnail_path("0" * 64) is None


# --- every refusal in Vietnamese too ----------------------------------------------------------

VIETNAMESE_LETTER = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]"
)
Trigger = Callable[[Path, Database, pytest.MonkeyPatch], object]


def noisy(fmt: str, seed: bytes) -> bytes:
    image = Image.frombytes("RGB", (200, 200), hashlib.sha256(seed).digest() * 3750)
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return out.getvalue()


def inspect_with(data: bytes, name: str, **limits: int) -> Trigger:
    return lambda tmp, db, mp: MediaStore(tmp / "media", MediaLimits(**limits)).inspect(data, name)


def oversized_video(tmp: Path, db: Database, mp: pytest.MonkeyPatch) -> object:
    path = tmp / "clip.webm"
    with path.open("wb") as f:
        f.write(b"\x1a\x45\xdf\xa3" + b"\x00" * 60)
        f.truncate(round(312.4 * MB))
    return MediaStore(tmp / "media", MediaLimits(max_video_bytes=256 * MB)).inspect(path)


def mp4_named_png(tmp: Path, db: Database, mp: pytest.MonkeyPatch) -> object:
    return MediaStore(tmp / "media").inspect(make_video(tmp / "v.mp4").read_bytes(), "still.png")


def text_named_png(tmp: Path, db: Database, mp: pytest.MonkeyPatch) -> object:
    path = tmp / "notes.png"
    path.write_text("Kế hoạch tuyên truyền ASEAN năm 2025\n", encoding="utf-8")
    return MediaStore(tmp / "media").inspect(path)


def empty_file(tmp: Path, db: Database, mp: pytest.MonkeyPatch) -> object:
    (tmp / "empty.jpg").write_bytes(b"")
    return MediaStore(tmp / "media").inspect(tmp / "empty.jpg")


def bomb_warning(tmp: Path, db: Database, mp: pytest.MonkeyPatch) -> object:
    mp.setattr(Image, "MAX_IMAGE_PIXELS", 2000)
    return MediaStore(tmp / "media").inspect(image_bytes("PNG", (50, 50)), "big.png")


def add_with(data: bytes, name: str, alt_text: str = "", **limits: int) -> Trigger:
    def add(tmp: Path, db: Database, mp: pytest.MonkeyPatch) -> object:
        store = MediaStore(tmp / "media", MediaLimits(**limits))
        with db.write() as session:
            return store.add(session, data, name=name, alt_text=alt_text)

    return add


def changed_while_added(tmp: Path, db: Database, mp: pytest.MonkeyPatch) -> object:
    path = make_video(tmp / "live.mp4")
    store = MediaStore(tmp / "media")
    inspect = store.inspect

    def inspect_then_change(source: Path | bytes, name: str | None = None) -> object:
        info = inspect(source, name)
        path.write_bytes(path.read_bytes() + b"\0")
        return info

    mp.setattr(store, "inspect", inspect_then_change)
    with db.write() as session:
        return store.add(session, path)


BOMB_PNG = b"\x89PNG\r\n\x1a\n" + png_chunk(
    b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
)
NOISY_PNG = noisy("PNG", b"x")
TRUNCATED_PNG = NOISY_PNG[: len(NOISY_PNG) // 2]
HEIC = box(b"ftyp", b"heic\0\0\0\0mif1heic") + box(b"meta", b"")
REFUSALS: list[tuple[str, Trigger, str, str]] = [
    # (file name, how to get refused, English start, Vietnamese start)
    ("map.bmp", inspect_with(image_bytes("BMP"), "map.bmp"),
     "BMP images are not accepted; use JPEG, PNG, GIF or WebP images and MP4, MOV or WebM videos",
     "Loa không nhận ảnh BMP; hãy dùng ảnh JPEG, PNG, GIF hoặc WebP và video MP4, MOV hoặc WebM"),
    ("poster.jpg", inspect_with(image_bytes("PNG"), "poster.jpg"),
     "the name says JPEG image but the content is a PNG image; "
     "rename it or export it again as JPEG",
     "tên tệp là ảnh JPEG nhưng nội dung là ảnh PNG; hãy đổi tên hoặc xuất lại thành JPEG"),
    ("clip.mp4", inspect_with(image_bytes("JPEG"), "clip.mp4"),
     "the name says MP4 video but the content is a JPEG image",
     "tên tệp là video MP4 nhưng nội dung là ảnh JPEG"),
    ("still.png", mp4_named_png,
     "the name says PNG image but the content is an MP4 video",
     "tên tệp là ảnh PNG nhưng nội dung là video MP4"),
    ("notes.png", text_named_png,
     "the name says PNG image but the content is not an image or video Loa can read",
     "tên tệp là ảnh PNG nhưng nội dung không phải ảnh hay video mà Loa đọc được"),
    ("report.docx", inspect_with(b"PK\x03\x04 not really a document", "report.docx"),
     "not an image or video Loa accepts; use ",
     "đây không phải ảnh hay video mà Loa nhận; hãy dùng "),
    ("photo.heic", inspect_with(HEIC, "photo.heic"),
     "not an image or video Loa accepts", "đây không phải ảnh hay video mà Loa nhận"),
    ("empty.jpg", empty_file, "the file is empty", "tệp rỗng; hãy chọn lại tệp"),
    ("icon.png", inspect_with(image_bytes("PNG", (10, 10)), "icon.png"),
     "10×10 pixels is too small; each side must be at least 16 pixels",
     "ảnh 10×10 pixel quá nhỏ; mỗi cạnh phải có ít nhất 16 pixel"),
    ("wide.png", inspect_with(image_bytes("PNG"), "wide.png", max_image_side=50),
     "64×48 pixels is too large; the longest side may be at most 50 pixels",
     "ảnh 64×48 pixel quá lớn; cạnh dài nhất chỉ được tối đa 50 pixel"),
    ("x.png", inspect_with(TRUNCATED_PNG, "x.png"),
     "not a readable image (truncated or damaged file); export it again",
     "không đọc được ảnh (tệp bị cắt cụt hoặc hỏng); hãy xuất lại"),
    ("bomb.png", inspect_with(BOMB_PNG + png_chunk(b"IEND", b""), "bomb.png"),
     "the image has too many pixels", "ảnh có quá nhiều pixel để mở an toàn"),
    ("big.png", bomb_warning, "the image has too many pixels", "ảnh có quá nhiều pixel"),
    ("a.png", inspect_with(image_bytes("PNG", (64, 64), "RGBA"), "a.png", max_image_bytes=100),
     "is over the 100 bytes limit for images", "vượt giới hạn 100 byte cho ảnh"),
    ("clip.webm", oversized_video,
     "312.4 MB is over the 256 MB limit for videos; shorten it or export it at a lower bitrate",
     "312,4 MB vượt giới hạn 256 MB cho video; hãy cắt ngắn hoặc xuất lại với bitrate thấp hơn"),
    ("a.png", add_with(image_bytes("PNG"), "a.png", "x" * 1001),
     "the alt text is 1001 characters, over the limit of 1000; shorten it",
     "mô tả ảnh dài 1.001 ký tự, vượt giới hạn 1.000 ký tự; hãy rút gọn"),
    ("cut.jpg", add_with(noisy("JPEG", b"y")[:2000], "cut.jpg"),
     "not a readable image", "không đọc được ảnh"),
    ("live.mp4", changed_while_added,
     "the file changed while it was being added; try again",
     "tệp đã thay đổi trong lúc đang được thêm; hãy thử lại"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "trigger", "en", "vi"),
    REFUSALS,
    ids=[f"{name}-{en[:30]}" for name, _, en, _ in REFUSALS],
)
def test_every_refusal_is_worded_in_vietnamese_too(
    tmp_path: Path,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    trigger: Trigger,
    en: str,
    vi: str,
) -> None:
    with pytest.raises(MediaError) as caught:
        trigger(tmp_path, db, monkeypatch)
    error = caught.value
    assert isinstance(error, UserError) and isinstance(error, ValueError)
    assert str(error) == error.en == error.text("en")
    assert error.vi == error.text("vi") == error.text()
    assert error.en.startswith(f"{name}: ") and en in error.en
    assert error.vi.startswith(f"{name}: ") and vi in error.vi
    assert VIETNAMESE_LETTER.search(error.vi.lower()) and error.vi != error.en
    assert not re.search(r"\d\.\d [KMG]B", error.vi)  # 312,4 MB, never 312.4 MB
