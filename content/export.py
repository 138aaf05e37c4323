"""Export posts to CSV in the import format, so an export imports back unchanged.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a
formula: `=HYPERLINK(...)` in a title would become a live link in whoever opens the export. As
OWASP recommends, such a cell is written with a leading apostrophe, which spreadsheets show as
text; the importer takes exactly one apostrophe off again (`content.import_files`), so an
export still imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Any

from sqlmodel import Session, col, select

from content.import_files import COLUMNS, neutralise_formula
from content.importer import IMPORT_STATES
from content.inputs import OVERRIDABLE
from content.media import MediaStore
from content.models import Delivery, DeliveryState, Post, User
from content.queries import media_of
from content.timeutil import format_local


def export_csv(
    session: Session, tz: tzinfo, media: MediaStore, post_ids: Iterable[int] | None = None
) -> str:
    """Every post (or those given) as CSV in the import format: an export imports back."""
    query = select(Post).order_by(col(Post.scheduled_at), col(Post.id))
    if post_ids is not None:
        query = query.where(col(Post.id).in_(list(post_ids)))
    posts = list(session.exec(query).all())
    ids = [post.id for post in posts]
    deliveries: dict[int, list[Delivery]] = {}
    for delivery in session.exec(
        select(Delivery).where(col(Delivery.post_id).in_(ids)).order_by(col(Delivery.channel_id))
    ).all():
        if delivery.state != DeliveryState.cancelled:
            deliveries.setdefault(delivery.post_id, []).append(delivery)
    usernames = dict(session.exec(select(User.id, User.username)).all())
    rows = [
        _export_row(session, post, deliveries.get(post.id or 0, []), usernames, tz, media)
        for post in posts
    ]
    override_columns = sorted({key for row in rows for key in row if key.startswith("override.")})
    buffer = io.StringIO()
    # CRLF, as RFC 4180 says: with "\n" alone, a cell holding a lone "\r" went out unquoted.
    writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, *override_columns], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(
        {
            key: neutralise_formula(value) if isinstance(value, str) else value
            for key, value in row.items()
        }
        for row in rows
    )
    return buffer.getvalue()


def _export_row(
    session: Session,
    post: Post,
    deliveries: list[Delivery],
    usernames: Mapping[int | None, str],
    tz: tzinfo,
    media: MediaStore,
) -> dict[str, Any]:
    attached = media_of(session, post.id or 0)
    row: dict[str, Any] = {
        "title": post.title,
        "body": post.body,
        "link": post.link or "",
        "hashtags": " ".join(post.hashtags),
        "topic": post.topic,
        "pillar": post.pillar or "",
        "audience": post.audience or "",
        "department": post.department_code,
        "author": usernames.get(post.author_id, ""),
        "channels": " ".join(d.channel_id for d in deliveries),
        "at": format_local(post.scheduled_at, tz),
        "next_slot": "",
        "missed": post.missed_policy,
        "grace_minutes": post.grace_minutes,
        "media": "|".join(str(media.path_of(item)) for item, _ in attached),
        "media_alt": "|".join(
            link.alt_text if link.alt_text is not None else item.alt_text for item, link in attached
        ),
        "state": post.state if post.state in IMPORT_STATES else "",
    }
    for delivery in deliveries:
        for field, value in delivery.overrides.items():
            if field in OVERRIDABLE:
                row[f"override.{delivery.channel_id}.{field}"] = (
                    " ".join(value) if isinstance(value, list) else value
                )
    return row
