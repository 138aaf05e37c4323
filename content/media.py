"""The content-addressed media store: images and videos named by the sha256 of their bytes.

Layout under the store's root::

    ab/cd/<sha256>.<ext>    the file exactly as uploaded (ab, cd: the first hex digits)
    thumbs/<sha256>.jpg     images only: JPEG, longest side 320 pixels, on white

The type is decided from the bytes, never from the name: platforms reject a file whose content
does not match what it claims to be, and they do it at publishing time, when nobody is watching.
A name whose extension says another type is refused for the same reason, so the officer fixes it
at upload time. Every file is written to a temporary file in its final directory, fsynced, then
renamed: a crash leaves the whole file or nothing. Rows go through the caller's session; a file
stored without a row is harmless, because the next add of the same bytes simply reuses it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, NamedTuple

import av
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session, func, select

from content.errors import UserError
from content.models import Media, MediaKind

log = logging.getLogger(__name__)

MB = 1024 * 1024
THUMBNAIL_SIDE = 320
_CHUNK = MB
_HEAD = 256
_SHA256 = re.compile(r"[0-9a-f]{64}")


class _Type(NamedTuple):
    extension: str
    short: str
    noun: str
    article: str
    vi: str


_TYPES: dict[str, _Type] = {
    "image/jpeg": _Type("jpg", "JPEG", "JPEG image", "a", "ảnh JPEG"),
    "image/png": _Type("png", "PNG", "PNG image", "a", "ảnh PNG"),
    "image/gif": _Type("gif", "GIF", "GIF image", "a", "ảnh GIF"),
    "image/webp": _Type("webp", "WebP", "WebP image", "a", "ảnh WebP"),
    "video/mp4": _Type("mp4", "MP4", "MP4 video", "an", "video MP4"),
    "video/quicktime": _Type("mov", "MOV", "QuickTime (MOV) video", "a", "video QuickTime (MOV)"),
    "video/webm": _Type("webm", "WebM", "WebM video", "a", "video WebM"),
}
ACCEPTED = "JPEG, PNG, GIF or WebP images and MP4, MOV or WebM videos"
ACCEPTED_VI = "ảnh JPEG, PNG, GIF hoặc WebP và video MP4, MOV hoặc WebM"
# Pillow calls the multi-picture JPEGs that many cameras and phones write "MPO": still JPEGs.
_PILLOW_MIME = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png"} | {
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
_EXTENSION_MIME = {t.extension: mime for mime, t in _TYPES.items()} | {
    **dict.fromkeys(("jpeg", "jpe", "jfif"), "image/jpeg"),
    **{"m4v": "video/mp4", "qt": "video/quicktime", "mkv": "video/webm"},
}
# MP4 and MOV are one container format and phones write either under either name.
_SAME_FAMILY = {"video/quicktime": "video/mp4"}
_MP4_BRANDS = frozenset(
    {b"mp41", b"mp42", b"isom", b"avc1", b"M4V "} | {b"iso%d" % n for n in range(2, 7)}
)
_QUICKTIME_BRAND = b"qt  "
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"


class MediaError(UserError, ValueError):
    """A file that cannot be accepted; the message names the file, the problem and the fix.

    `.en` (also `str(error)`) and `.vi` say the same thing; both start with the file's name.
    """


@dataclass(frozen=True)
class MediaLimits:
    max_image_bytes: int = 20 * MB
    max_video_bytes: int = 1024 * MB
    max_image_side: int = 10_000
    min_image_side: int = 16
    max_alt_text: int = 1000
    # The disk: all stored media together, and the space a new file must leave free (the
    # database and its write-ahead log live on the same disk and must never run out).
    max_total_bytes: int = 50 * 1024 * MB
    min_free_bytes: int = 1024 * MB


@dataclass(frozen=True)
class MediaInfo:
    sha256: str
    kind: MediaKind
    mime: str
    size_bytes: int
    width: int | None
    height: int | None
    duration_seconds: float | None
    extension: str


class MediaStore:
    def __init__(self, root: Path, limits: MediaLimits = MediaLimits()) -> None:
        self.root = Path(root)
        self.limits = limits
        self.thumbs_dir = self.root / "thumbs"

    def inspect(self, source: Path | bytes, name: str | None = None) -> MediaInfo:
        """Identify and check a file from its bytes alone; touches neither store nor database."""
        label = _label(source, name)
        size = source.stat().st_size if isinstance(source, Path) else len(source)
        if size == 0:
            raise _refuse(
                label, "the file is empty; choose the file again", "tệp rỗng; hãy chọn lại tệp"
            )
        width: int | None = None
        height: int | None = None
        duration: float | None = None
        with _open(source) as f:
            mime = _sniff_video(f.read(_HEAD))
            if mime is not None:
                self._check_name(label, mime)
                self._check_size(label, size, MediaKind.video)
                duration = _probe_video(source, label)
            else:
                f.seek(0)
                mime, width, height = self._inspect_image(f, label, size)
            # Hash last, so a refused gigabyte is never read through.
            f.seek(0)
            sha = hashlib.file_digest(f, "sha256").hexdigest()
        kind = MediaKind.video if mime.startswith("video/") else MediaKind.image
        ext = _TYPES[mime].extension
        return MediaInfo(sha, kind, mime, size, width, height, duration, ext)

    def add(
        self,
        session: Session,
        source: Path | bytes,
        *,
        name: str | None = None,
        alt_text: str = "",
        department_code: str | None = None,
    ) -> Media:
        """Store the file (once per content) and return its row, created in `session` if new.

        A new row belongs to `department_code` (None: shared); the same bytes added again keep
        the first row's department (content.media_library lets each department that used them
        find them)."""
        label = _label(source, name)
        alt_text = alt_text.strip()
        if len(alt_text) > self.limits.max_alt_text:
            length, limit = len(alt_text), self.limits.max_alt_text
            raise _refuse(
                label,
                f"the alt text is {length} characters, over the limit of {limit}; shorten it",
                f"mô tả ảnh dài {_vi(length)} ký tự, vượt giới hạn {_vi(limit)} ký tự; hãy rút gọn",
            )
        info = self.inspect(source, label)
        thumb_path = self.thumbs_dir / f"{info.sha256}.jpg"
        # Render before writing anything, so an image that cannot be decoded leaves no file.
        thumbnail = None
        if info.kind is MediaKind.image and not thumb_path.exists():
            thumbnail = _render_thumbnail(source, label)
        final = self._path(info.sha256, info.extension)
        if not final.exists():
            self._check_room(session, label, info.size_bytes)
            _atomic_write(final, lambda out: _copy(source, out, info.sha256, label))
        if thumbnail is not None:
            _atomic_write(thumb_path, lambda out: out.write(thumbnail))

        media = session.get(Media, info.sha256)
        if media is None:
            original = name if name is not None else source.name if isinstance(source, Path) else ""
            columns = {k: v for k, v in asdict(info).items() if k != "extension"}
            media = Media(
                **columns,
                original_name=original[:300],
                alt_text=alt_text,
                department_code=department_code,
            )
            session.add(media)
            session.flush()
            log.info("stored %r as %s (%s)", label, info.sha256, info.mime)
        elif alt_text and not media.alt_text:
            media.alt_text = alt_text
            session.add(media)
        return media

    def _check_room(self, session: Session, label: str, size: int) -> None:
        stored = int(session.exec(select(func.coalesce(func.sum(Media.size_bytes), 0))).one())
        total = self.limits.max_total_bytes
        if stored + size > total:
            raise _refuse(
                label,
                f"the media store would pass its total of {_human(total)} ({_human(stored)} in"
                " use); an administrator raises media_max_total_bytes or removes unused media",
                f"kho ảnh và video sẽ vượt tổng {_vi(_human(total))} (đang dùng"
                f" {_vi(_human(stored))}); quản trị viên hãy tăng media_max_total_bytes hoặc"
                " xóa tệp không dùng",
            )
        folder = self.root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        free = shutil.disk_usage(folder).free
        if free - size < self.limits.min_free_bytes:
            margin = _human(self.limits.min_free_bytes)
            raise _refuse(
                label,
                f"the disk would keep less than {margin} free ({_human(free)} left); an"
                " administrator frees space or lowers media_min_free_bytes",
                f"ổ đĩa sẽ còn trống ít hơn {_vi(margin)} (còn {_vi(_human(free))}); quản trị"
                " viên hãy giải phóng dung lượng hoặc giảm media_min_free_bytes",
            )

    def path_of(self, media_or_sha: Media | str) -> Path:
        """Where the file lives; for a bare sha256 the file must exist (FileNotFoundError)."""
        sha = _checked_sha(media_or_sha.sha256 if isinstance(media_or_sha, Media) else media_or_sha)
        if isinstance(media_or_sha, Media) and media_or_sha.mime in _TYPES:
            return self._path(sha, _TYPES[media_or_sha.mime].extension)
        for candidate in (self._path(sha, t.extension) for t in _TYPES.values()):
            if candidate.exists():
                return candidate
        raise FileNotFoundError(f"no stored file for media {sha} under {self.root}")

    def thumbnail_path(self, sha: str) -> Path | None:
        path = self.thumbs_dir / f"{_checked_sha(sha)}.jpg"
        return path if path.exists() else None

    def open_bytes(self, sha: str) -> bytes:
        return self.path_of(sha).read_bytes()

    def _path(self, sha: str, extension: str) -> Path:
        return self.root / sha[:2] / sha[2:4] / f"{sha}.{extension}"

    def _check_name(self, label: str, mime: str) -> None:
        claimed = _claimed_mime(label)
        if claimed is None or _SAME_FAMILY.get(claimed, claimed) == _SAME_FAMILY.get(mime, mime):
            return
        said, found = _TYPES[claimed], _TYPES[mime]
        raise _refuse(
            label,
            f"the name says {said.noun} but the content is {found.article} {found.noun}; "
            f"rename it or export it again as {said.short}",
            f"tên tệp là {said.vi} nhưng nội dung là {found.vi}; "
            f"hãy đổi tên hoặc xuất lại thành {said.short}",
        )

    def _check_size(self, label: str, size: int, kind: MediaKind) -> None:
        if kind is MediaKind.video:
            limit, fix = self.limits.max_video_bytes, "shorten it or export it at a lower bitrate"
            noun_vi, fix_vi = "video", "hãy cắt ngắn hoặc xuất lại với bitrate thấp hơn"
        else:
            limit, fix = self.limits.max_image_bytes, "resize it or export it with more compression"
            noun_vi, fix_vi = "ảnh", "hãy thu nhỏ hoặc xuất lại với mức nén cao hơn"
        if size > limit:
            shown, shown_limit = _human(size), _human(limit)
            if shown == shown_limit:
                shown, shown_limit = f"{size:,} bytes", f"{limit:,} bytes"
            raise _refuse(
                label,
                f"{shown} is over the {shown_limit} limit for {kind}s; {fix}",
                f"{_vi(shown)} vượt giới hạn {_vi(shown_limit)} cho {noun_vi}; {fix_vi}",
            )

    def _inspect_image(self, f: IO[bytes], label: str, size: int) -> tuple[str, int, int]:
        with _pillow(label):
            try:
                image = Image.open(f)
            except UnidentifiedImageError:
                raise _unknown_content(label) from None
            with image:
                mime = _PILLOW_MIME.get(image.format or "")
                if mime is None:
                    raise _refuse(
                        label,
                        f"{image.format} images are not accepted; use {ACCEPTED}",
                        f"Loa không nhận ảnh {image.format}; hãy dùng {ACCEPTED_VI}",
                    )
                self._check_name(label, mime)
                self._check_size(label, size, MediaKind.image)
                # The header gives the size; verify() then leaves the image unusable.
                width, height = image.size
                self._check_sides(label, width, height)
                image.verify()
        return mime, width, height

    def _check_sides(self, label: str, width: int, height: int) -> None:
        most, least = self.limits.max_image_side, self.limits.min_image_side
        if max(width, height) > most:
            en = f"too large; the longest side may be at most {most} pixels; resize it"
            vi = f"quá lớn; cạnh dài nhất chỉ được tối đa {_vi(most)} pixel; hãy thu nhỏ ảnh"
        elif min(width, height) < least:
            en = f"too small; each side must be at least {least} pixels; use a larger image"
            vi = f"quá nhỏ; mỗi cạnh phải có ít nhất {_vi(least)} pixel; hãy dùng ảnh lớn hơn"
        else:
            return
        raise _refuse(
            label, f"{width}×{height} pixels is {en}", f"ảnh {_vi(width)}×{_vi(height)} pixel {vi}"
        )


def _label(source: Path | bytes, name: str | None) -> str:
    if name:
        return name
    return source.name if isinstance(source, Path) else "upload"


def _claimed_mime(label: str) -> str | None:
    return _EXTENSION_MIME.get(Path(label).suffix.lower().lstrip("."))


def _unknown_content(label: str) -> MediaError:
    said = _TYPES.get(_claimed_mime(label) or "")
    if said is None:
        return _refuse(
            label,
            f"not an image or video Loa accepts; use {ACCEPTED}",
            f"đây không phải ảnh hay video mà Loa nhận; hãy dùng {ACCEPTED_VI}",
        )
    return _refuse(
        label,
        f"the name says {said.noun} but the content is not an image or video Loa can "
        f"read; export it again as {said.short}",
        f"tên tệp là {said.vi} nhưng nội dung không phải ảnh hay video mà Loa đọc được; "
        f"hãy xuất lại thành {said.short}",
    )


def _refuse(label: str, en: str, vi: str) -> MediaError:
    """The same refusal in both languages, each after the file's name."""
    return MediaError(f"{label}: {en}", f"{label}: {vi}")


def _vi(figure: int | str) -> str:
    """A number, or a figure written in English, the Vietnamese way: 1.234.567 byte, 312,4 MB."""
    text = f"{figure:,}" if isinstance(figure, int) else figure
    return text.translate(str.maketrans(",.", ".,")).replace(" bytes", " byte")


def _open(source: Path | bytes) -> io.BufferedReader | io.BytesIO:
    return source.open("rb") if isinstance(source, Path) else io.BytesIO(source)


def _checked_sha(sha: str) -> str:
    # The sha becomes a path: anything but 64 lowercase hex digits could escape the root.
    if not _SHA256.fullmatch(sha):
        raise ValueError(f"{sha!r} is not a sha256 (64 lowercase hex digits)")
    return sha


def _human(n: int) -> str:
    for unit, factor in (("GB", 1024 * MB), ("MB", MB), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


@contextmanager
def _pillow(label: str) -> Iterator[None]:
    """Turn what Pillow raises on a hostile or damaged image into a MediaError."""
    # catch_warnings changes process-wide state: tolerable for a parse that lasts milliseconds.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except MediaError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _refuse(
                label,
                "the image has too many pixels to open safely (it could be a "
                "decompression bomb); resize it and try again",
                "ảnh có quá nhiều pixel để mở an toàn (có thể là một “bom giải nén”); "
                "hãy thu nhỏ ảnh rồi thử lại",
            ) from exc
        except Exception as exc:  # Pillow's decoders raise many kinds of error on damaged files
            raise _refuse(
                label,
                "not a readable image (truncated or damaged file); export it again",
                "không đọc được ảnh (tệp bị cắt cụt hoặc hỏng); hãy xuất lại",
            ) from exc


def _sniff_video(head: bytes) -> str | None:
    if head.startswith(_EBML_MAGIC):
        return "video/webm"
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    end = min(int.from_bytes(head[:4], "big"), len(head))
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, end - 3, 4)}
    if major == _QUICKTIME_BRAND:
        return "video/quicktime"
    if major in _MP4_BRANDS or compatible & _MP4_BRANDS:
        return "video/mp4"
    return "video/quicktime" if _QUICKTIME_BRAND in compatible else None


def _probe_video(source: Path | bytes, label: str) -> float:
    """The duration of a video FFmpeg can open and decode a first frame of, or a refusal.

    The first bytes only say what a file claims to be: a valid header before 300 MB of zeros
    would otherwise be stored, and refused by the platform at publishing time.
    """
    unplayable = _refuse(
        label,
        "not a playable video (no video stream FFmpeg can decode, or no duration); export it"
        " again from the editing software",
        "không phải video phát được (không có luồng hình giải mã được, hoặc không có thời"
        " lượng); hãy xuất lại từ phần mềm dựng phim",
    )
    try:
        opened = str(source) if isinstance(source, Path) else io.BytesIO(source)
        with av.open(opened, mode="r") as container:
            if not container.streams.video:
                raise unplayable
            stream = container.streams.video[0]
            duration = container.duration / av.time_base if container.duration else None
            if not duration and stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            if not duration or duration <= 0 or next(container.decode(stream), None) is None:
                raise unplayable
    except MediaError:
        raise
    except Exception as exc:  # FFmpeg raises many kinds of error on damaged or fake files
        raise unplayable from exc
    return round(float(duration), 3)


def _render_thumbnail(source: Path | bytes, label: str) -> bytes:
    out = io.BytesIO()
    # A truncated JPEG passes verify(): decoding it here is what finds it.
    with _open(source) as f, _pillow(label), Image.open(f) as opened:
        # JPEG decodes at a reduced scale: a 40-megapixel photo never sits whole in memory.
        opened.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        image: Image.Image = opened
        if image.mode == "P":  # resizing a palette image would use nearest-neighbour
            image = image.convert("RGBA")
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        image = ImageOps.exif_transpose(_on_white(image))
        image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        background.info = image.info  # keeps the EXIF orientation for exif_transpose
        return background
    return image.convert("RGB")


def _copy(source: Path | bytes, out: IO[bytes], sha: str, label: str) -> None:
    if isinstance(source, bytes):
        out.write(source)
        return
    digest = hashlib.sha256()
    with source.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != sha:
        raise _refuse(
            label,
            "the file changed while it was being added; try again",
            "tệp đã thay đổi trong lúc đang được thêm; hãy thử lại",
        )


def _atomic_write(final: Path, write: Callable[[IO[bytes]], object]) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes 0600 files; media are public and may be served by another user.
        temp.chmod(0o644)
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_directory(final.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a directory, and need not.
    if os.name == "posix":
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
