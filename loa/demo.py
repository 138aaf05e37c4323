"""`loa demo`: a fresh workspace with the sample ASEAN posts, loaded and shown on the calendar.

The demo goes through the same paths as real use: a configuration file, Alembic migrations,
the media store and the importer (with its checks and the editorial workflow), so what it
shows is what Loa does.
"""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Iterator
from datetime import timedelta
from importlib.resources import files
from pathlib import Path

from content.calendar import day_window, entries
from content.errors import UserError
from content.importer import Importer, Row
from content.timeutil import utcnow
from loa.app import App, open_app
from loa.samples import build_import_records
from loa.views import calendar_lines, day_heading, local_date_range, words

log = logging.getLogger(__name__)

MARKER = ".loa-demo"
EDITOR = "bientap"
DEMO_DAYS = 28


def prepare_workspace(directory: Path) -> Path:
    """A clean folder holding the demo configuration; only an earlier demo is ever removed."""
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).exists():
            raise UserError(
                f"{directory} exists and is not a Loa demo folder; choose another with --dir",
                f"Thư mục {directory} đã có và không phải thư mục chạy thử; chọn thư mục khác"
                " bằng --dir.",
            )
        samples = directory / "samples"
        kept = directory.parent / f".{directory.name}-samples"
        if samples.exists():  # generated media are reused: the video takes a few seconds
            shutil.rmtree(kept, ignore_errors=True)
            samples.rename(kept)
        shutil.rmtree(directory)
        directory.mkdir(parents=True)
        if kept.exists():
            kept.rename(samples)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("made by `loa demo`; removed by the next one\n")
    config = directory / "config.yaml"
    config.write_text(
        files("loa").joinpath("templates/config.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return config


def _loa_command() -> str:
    """How to call `loa` from here: by name when it is on PATH, else by its path in the venv."""
    if shutil.which("loa"):
        return "loa"
    script = Path(sys.executable).parent / "loa"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def run_demo(directory: Path, lang: str = "vi") -> Iterator[str]:
    config_path = prepare_workspace(directory)
    yield words(lang, f"Không gian chạy thử: {directory}/", f"Demo workspace: {directory}/")
    loa = open_app(config_path, migrate=True)
    try:
        yield from _load_and_show(loa, directory, config_path, lang)
    finally:
        loa.close()


def _load_and_show(loa: App, directory: Path, config_path: Path, lang: str) -> Iterator[str]:
    tz = loa.config.zone
    start = (utcnow().astimezone(tz) + timedelta(days=1)).date()
    yield words(
        lang,
        "Đang tạo ảnh đồ họa và video mẫu…",
        "Generating the sample infographics and video...",
    )
    records = build_import_records(start, directory.resolve() / "samples")
    rows = [Row(f"sample {number}", record) for number, record in enumerate(records, start=1)]
    editor = loa.posts.actor(EDITOR)
    report = Importer(loa.posts, loa.media).run_rows(editor, rows, directory, "sample ASEAN posts")
    counts = ", ".join(f"{name}: {count}" for name, count in sorted(report.by_state.items()))
    yield words(
        lang,
        f"Đã nạp {len(report.post_ids)} bài mẫu ({counts}), duyệt bởi {EDITOR}.",
        f"Loaded {len(report.post_ids)} sample posts ({counts}), reviewed by {EDITOR}.",
    )
    yield ""
    first, last = day_window(start, tz, DEMO_DAYS)
    with loa.db.read() as session:
        found = entries(session, first, last)
    heading = words(
        lang,
        f"Lịch đăng bài từ {day_heading(start, 'vi')} ({loa.config.timezone})",
        f"Publishing calendar from {day_heading(start, 'en')} ({loa.config.timezone})",
    )
    yield from calendar_lines(found, tz, lang, heading, local_date_range(first, last, tz))
    yield ""
    prefix = f"{_loa_command()} --config {config_path} --as {EDITOR}"
    yield words(lang, "Thử tiếp:", "Try next:")
    yield f"  {prefix} calendar --week {start.isoformat()}"
    yield f"  {prefix} post list --state in_review"
    yield f"  {prefix} post show {report.post_ids[0]}"
