"""The posts' files in the site's `media/` folder, named by their content (`<sha256>.<ext>`).

A file is copied in once, whichever post or channel asks first: its name is its digest, so two
writers copying it at the same time write the same bytes, and the copy lands by `os.replace`
like every page. The copy is checked against the digest Loa recorded when the file was
uploaded, so a file that changed on the disk since is refused rather than published.

Files stay when a post is removed: Zalo articles and other posts may show the same file by its
public address (the adapter is a `MediaHost`).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from channels.base import MediaFile
from channels.errors import Rejected
from channels.static_site.store import TEMP_MARK

CHUNK = 1024 * 1024
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/webm": "webm",
}


def media_name(media: MediaFile) -> str:
    """Where the file is in the site: media/<sha256>.<ext>."""
    extension = EXTENSIONS.get(media.mime) or media.path.suffix.lstrip(".").lower() or "bin"
    return f"media/{media.sha256.lower()}.{extension}"


def copy_in(root: Path, media: MediaFile, reading: Callable[[int], None] | None = None) -> str:
    """Copy the file into the site unless it is there already; its name in the site."""
    name = media_name(media)
    target = root / name
    if target.is_file() and target.stat().st_size == media.size_bytes:
        if reading is not None:
            reading(media.size_bytes)
        return name
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}{TEMP_MARK}{secrets.token_hex(6)}")
    total = hashlib.sha256()
    done = 0
    try:
        source = open(media.path, "rb")  # noqa: SIM115 - closed below, before the rename
    except FileNotFoundError:
        raise Rejected(
            f"tệp {media.original_name or media.path.name} không còn trong kho tệp của Loa",
            f"the file {media.original_name or media.path.name} is no longer in Loa's store",
        ) from None
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with source, os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                total.update(chunk)
                out.write(chunk)
                done += len(chunk)
                if reading is not None:
                    reading(done)
            out.flush()
            os.fsync(out.fileno())
        if total.hexdigest() != media.sha256.lower():
            raise Rejected(
                f"tệp {media.path.name} đã bị thay đổi trên đĩa sau khi tải lên (mã băm khác)",
                f"the file {media.path.name} changed on the disk after it was uploaded"
                " (its digest differs)",
            )
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return name
