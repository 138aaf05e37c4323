"""Writing the site's files so that no reader ever sees half of one, and the posts' index.

A web server serving the folder opens a page by its name. Every page is written to a temporary
file in the same folder, flushed to the disk (`fsync`), then renamed over the old one
(`os.replace`, atomic on POSIX: the name points at the old file or at the new one, never at a
partial one, and a reader that already opened the old file reads it to its end). The folder is
then synced too, so the rename itself survives a power cut.

A publication changes several pages (the post's page, the home pages, its topic's and pillar's
pages, the feeds, the sitemap). `Batch` renders nothing itself: it first writes every new page
to its temporary file, and only when all of them are on the disk renames them into place, in
the order given (the post's own page before the lists that link to it; on removal, the lists
before the page is deleted), so a link never leads to a missing page. A crash or an error
before the renames leaves every old page as it was; a crash during them leaves each page whole
(old or new), and the next publication, which rebuilds the lists from the index, completes them.

The index (`.loa/manifest.json`) lists the published posts, what their pages show and a digest
of every page written. It is written last, atomically too: it is the record that a publication
took place, so `find` never reports a post whose pages were not all written. `SiteLock`, an
exclusive `flock` on `.loa/lock`, keeps two workers (threads or processes of one machine) from
interleaving their read-modify-write of the index and losing each other's posts.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from channels.errors import AuthRequired, ChannelError, Rejected, Retryable, Step

log = logging.getLogger(__name__)

STATE_DIR = ".loa"  # not part of the site: rsync --exclude .loa/ (docs/channels/static_site.md)
MANIFEST = f"{STATE_DIR}/manifest.json"
LOCK = f"{STATE_DIR}/lock"
TEMP_MARK = ".loa-tmp-"  # in every temporary file's name, so leftovers of a crash are known
VERSION = 1
FULL_DISK_WAIT = 600.0  # seconds before trying again on a full disk


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stage(path: Path, data: bytes) -> Path:
    """Write `data` to a new temporary file beside `path`, on the disk; its name is returned.
    Its mode is 0666 less the umask, like any new file, so the web server's user can read it
    (`mkstemp` would make it 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}{TEMP_MARK}{secrets.token_hex(6)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def write_atomic(path: Path, data: bytes) -> None:
    """One file, replaced whole (see the module's docstring)."""
    temp = stage(path, data)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)


class Batch:
    """Pages staged first, then moved into place in order; `remove` deletes after the moves.

    Use as a context manager: leaving it by an exception deletes the staged files and keeps
    every old page; `commit` does the renames and deletions.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._staged: list[tuple[Path, Path]] = []
        self._removed: list[Path] = []

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        for temp, _ in self._staged:
            temp.unlink(missing_ok=True)
        self._staged.clear()

    def write(self, relative: str, data: bytes) -> None:
        target = self.root / relative
        self._staged.append((stage(target, data), target))

    def remove(self, relative: str) -> None:
        self._removed.append(self.root / relative)

    def commit(self) -> None:
        folders: set[Path] = set()
        while self._staged:
            temp, target = self._staged.pop(0)
            try:
                os.replace(temp, target)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
            folders.add(target.parent)
        for target in self._removed:
            target.unlink(missing_ok=True)
            folders.add(target.parent)
        for folder in folders:
            _sync_dir(folder)


def sweep(root: Path) -> int:
    """Delete the temporary files a crashed writer left (called under the lock, when nobody
    else is writing); returns how many."""
    count = 0
    for folder in [root, *(p for p in root.iterdir() if p.is_dir())] if root.is_dir() else []:
        for leftover in folder.glob(f".*{TEMP_MARK}*"):
            leftover.unlink(missing_ok=True)
            count += 1
    if count:
        log.warning("static site %s: removed %d temporary files left by a crash", root, count)
    return count


@contextmanager
def site_lock(root: Path) -> Iterator[None]:
    """Exclusive use of the site's index by one writer on this machine (threads included:
    each `open` is its own lock holder for `flock`)."""
    lock_path = root / LOCK
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def empty_manifest() -> dict[str, Any]:
    return {"version": VERSION, "fingerprint": "", "posts": {}, "pages": {}}


def load_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty_manifest()
    except (OSError, ValueError) as error:
        raise Rejected(
            f"không đọc được mục lục của trang tĩnh {path}",
            f"the static site's index {path} cannot be read",
            str(error),
        ) from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise Rejected(
            f"mục lục {path} không phải của phiên bản Loa này",
            f"the index {path} is not of this version of Loa",
        )
    return data


def save_manifest(root: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    write_atomic(root / MANIFEST, text.encode("utf-8"))


def disk_error(error: OSError, root: Path, step: Step) -> ChannelError:
    """A failed write as the worker should treat it: a folder Loa may not write needs a person
    (the channel waits, like a channel whose token stopped working, until `loa channels check`
    finds it writable); a full disk or any other failure is tried again later. Nothing was
    recorded as published (the index is written last), so trying again is always safe."""
    reason = error.strerror or type(error).__name__
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return AuthRequired(
            f"Loa không được ghi vào thư mục {root}: người quản trị cần cấp quyền ghi,"
            " rồi chạy `loa channels check`",
            f"Loa may not write to the folder {root}: an administrator must allow it, then run"
            " `loa channels check`",
            reason,
            step=step,
        )
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return Retryable(
            f"ổ đĩa chứa {root} đã đầy; sẽ thử lại sau",
            f"the disk holding {root} is full; will try again later",
            reason,
            step=step,
            retry_after=FULL_DISK_WAIT,
        )
    return Retryable(
        f"không ghi được trang vào {root}; sẽ thử lại",
        f"the pages could not be written to {root}; will try again",
        reason,
        step=step,
    )
