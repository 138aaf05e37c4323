"""The demo's last act: what the posts achieved, and the report that states it.

After publishing, the sandbox's posts are made a few days old (its figures grow with age, as a
real post's do), the figures are read through the same collector the worker runs, shown as a
table by channel, and the report of the demo's posts is written into the demo's folder.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from channels.sandbox.server import SandboxServer
from content.models import Delivery, DeliveryState
from content.stats import stats
from content.timeutil import utcnow
from loa.app import App
from loa.report_command import summary_lines, write_report
from loa.report_inputs import current_year, read_report
from loa.stats_show import names_of, table_lines
from loa.views import words
from loa.worker_app import build_collector

log = logging.getLogger(__name__)

# How old the demo's posts are made for their figures: long enough for every platform to
# report something, as a post would have after a few days.
AGE = timedelta(days=3)


def figures_lines(loa: App, sandbox: SandboxServer, lang: str) -> Iterator[str]:
    """Age the sandbox's posts, read every published post's figures, show them by channel."""
    for platform in sandbox.platforms.values():
        with platform.lock:
            try:
                platform.control("age_posts", {"seconds": AGE.total_seconds()})
            except KeyError:  # a platform without figures
                log.info("sandbox %s has no age_posts control", platform.name)
    known = {c.id for c in loa.config.channels}
    collector = build_collector(loa, "demo", lambda alert: None, lambda: known)
    with loa.db.read() as session:
        published = select(Delivery.post_id).where(Delivery.state == DeliveryState.published)
        post_ids = sorted(set(session.exec(published)))
    yield words(lang, "Số liệu từ các nền tảng (sandbox):", "Figures from the platforms (sandbox):")
    if not post_ids:
        yield words(lang, "  Chưa có bài nào được đăng.", "  Nothing was published.")
        return
    collector.collect(post_ids=post_ids, force=True)
    tz = loa.config.zone
    now = utcnow()
    with loa.db.read() as session:
        result = stats(session, now - timedelta(days=1), now + timedelta(minutes=1), "channel", tz)
    for line in table_lines(result, "channel", lang, names_of(loa, "channel", lang), tz):
        yield f"  {line}" if line else ""


def report_lines(loa: App, directory: Path, lang: str) -> Iterator[str]:
    """Write the report of the demo's year into the demo's folder (DOCX and XLSX)."""
    now = utcnow()
    tz = loa.config.zone
    year = current_year(now, tz)
    start = now - timedelta(days=1)
    data = read_report(loa, start, now + timedelta(minutes=1), department=None, year=year, now=now)
    written = []
    for kind in ("docx", "xlsx"):
        path = directory / f"bao-cao-asean-{year}.{kind}"
        write_report(loa, data, path, kind, year, None)
        written.append(path)
    lines = summary_lines(data, written[0], lang, tz)
    yield lines[0]
    yield words(lang, f"Bảng tính: {written[1]}", f"Spreadsheet: {written[1]}")
    yield from lines[1:]
