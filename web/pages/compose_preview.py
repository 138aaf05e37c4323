"""What the composer offers (channels, departments) and its previews of a post on each channel.

`previews_of` builds the platforms' previews (web.pages.preview) from the form's input; the live
preview gets them as HTML drawn by the same template as the page (compose/preview.html), so the
page, the post's own page and the live preview cannot differ, plus the plain data as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from starlette.requests import Request

from channels.base import MediaFile
from content.inputs import PostInput
from content.models import Channel, Department, Media
from content.queries import load_channels
from content.workflow import Actor
from web.pages.preview import ChannelPreview, Draft, preview_draft
from web.render import base_context
from web.services import WebServices


@dataclass(frozen=True)
class ChannelChoice:
    id: str
    type: str
    name: str
    department: str
    colour: str
    retired: bool = False
    department_names: tuple[str, str] = ("", "")  # (vi, en): what people call the department

    def department_name(self, lang: str) -> str:
        return self.department_names[0 if lang == "vi" else 1] or self.department


def channel_choices(
    services: WebServices, actor: Actor, chosen: Sequence[str] = ()
) -> list[ChannelChoice]:
    """The channels this person may post to: all for reviewers; officers their own and shared.

    A retired channel (removed from config.yaml) is offered only where the post already has
    it (`chosen`), marked as retired, so an edit shows it rather than dropping it unseen."""
    with services.db.read() as session:
        infos = load_channels(session)
        names = {c.id: c.name for c in session.exec(select(Channel)).all()}
        units = {d.code: (d.name_vi, d.name_en) for d in session.exec(select(Department)).all()}
    choices = []
    for channel_id in sorted(infos):
        info = infos[channel_id]
        if not actor.reviews and not info.shared and info.department_code != actor.department_code:
            continue
        if info.retired and channel_id not in chosen:
            continue
        display = services.channel(channel_id)
        choices.append(
            ChannelChoice(
                channel_id,
                info.type,
                (display.name if display else "") or names.get(channel_id) or channel_id,
                info.department_code,
                display.colour if display else "#37474f",
                info.retired,
                units.get(info.department_code, ("", "")),
            )
        )
    return choices


def departments(services: WebServices) -> list[Department]:
    with services.db.read() as session:
        return list(session.exec(select(Department).order_by(col(Department.code))).all())


def media_files(services: WebServices, refs: list[tuple[str, str]]) -> list[MediaFile]:
    shas = [sha for sha, _ in refs]
    with services.db.read() as session:
        rows = {m.sha256: m for m in (session.get(Media, sha) for sha in shas) if m is not None}
    files = []
    for sha, alt in refs:
        media = rows.get(sha)
        if media is None:
            continue
        files.append(
            MediaFile(
                path=services.media.path_of(media),
                kind=media.kind,
                mime=media.mime,
                sha256=media.sha256,
                size_bytes=media.size_bytes,
                width=media.width,
                height=media.height,
                alt_text=alt or media.alt_text,
            )
        )
    return files


def previews_of(
    services: WebServices,
    data: PostInput,
    media: list[tuple[str, str]],
    *,
    post_id: int = 0,
    when: datetime | None = None,
) -> list[ChannelPreview]:
    """`when`: the time to show where the post has none yet (the next free slot's)."""
    with services.db.read() as session:
        rows = {c.id: c for c in (session.get(Channel, cid) for cid in data.channels) if c}
    chosen = [
        (cid, rows[cid].type, dict(rows[cid].settings)) for cid in data.channels if cid in rows
    ]
    draft = Draft(
        title=data.title,
        body=data.body,
        link=data.link,
        hashtags=tuple(data.hashtags),
        topic=data.topic,
        pillar=data.pillar,
        media=tuple(media_files(services, media)),
        scheduled_at=data.scheduled_at or when,
        post_id=post_id,
        overrides=data.overrides,
    )
    return [
        replace(item, channel_name=_channel_name(services, rows[item.channel_id]))
        for item in preview_draft(draft, chosen)
    ]


def _channel_name(services: WebServices, row: Channel) -> str:
    display = services.channel(row.id)
    return (display.name if display else "") or row.name or row.id


def preview_html(request: Request, previews: list[ChannelPreview]) -> str:
    """The previews as the page draws them (compose/preview.html), for the live preview."""
    values = base_context(request)
    module = request.app.state.templates.get_template("compose/preview.html").make_module(values)
    return str(module.channel_previews(previews, with_css=False))


def preview_json(
    request: Request, services: WebServices, previews: list[ChannelPreview]
) -> dict[str, Any]:
    items = []
    for item in previews:
        items.append({**item.to_dict(), "name": item.channel_name or item.channel_id})
    return {"channels": items, "html": preview_html(request, previews)}
