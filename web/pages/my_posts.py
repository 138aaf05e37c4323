"""“Bài của tôi” (/my-posts): a person's posts grouped by the stage they are in, what needs them
first at the top (sent back, failed), each with the editor's reason when sent back and the next
thing to do as a link or a button; and a search over the posts they may see (by text, hashtag,
topic and, for editors and administrators, department), shown the same way.

By default the page lists the posts the person wrote; "Mọi bài tôi được xem" widens it to their
department's (an officer) or every department's (an editor, an administrator).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import col, select
from starlette.responses import Response

from content.labels import platform_name
from content.models import Department, User
from content.post_search import STAGES, PostFilter, by_stage, find_posts
from content.workflow import Actor, in_language
from web.auth import current_actor
from web.render import NAV, NavItem, lang_of, render
from web.services import services_of

router = APIRouter()
Signed = Annotated[Actor, Depends(current_actor)]
Field = Annotated[str, Query(max_length=200)]

_after = next(i for i, item in enumerate(NAV) if item.path == "/compose") + 1
NAV.insert(_after, NavItem("/my-posts", "nav.my_posts"))


# The next thing to do, per stage: (label key, link suffix after /posts/{id}).
NEXT_ACTION: dict[str, tuple[str, str]] = {
    "rejected": ("mine.fix_resubmit", "/edit"),
    "draft": ("mine.continue", "/edit"),
    "failed": ("mine.see_failure", ""),
}
DEFAULT_ACTION = ("mine.view", "")


@router.get("/my-posts")
def my_posts_page(
    request: Request,
    actor: Signed,
    q: Field = "",
    hashtag: Field = "",
    topic: Field = "",
    department: Field = "",
    scope: Field = "mine",
    series: Field = "",
) -> Response:
    services = services_of(request)
    lang = lang_of(request)
    mine = scope != "all"
    with services.db.read() as session:
        me = session.exec(select(User.id).where(User.username == actor.username)).one()
        wanted = PostFilter(
            text=q,
            hashtag=hashtag,
            topic=topic,
            department=department if actor.reviews else "",
            author_id=me if mine else None,
            series_id=series,
        )
        found, more = find_posts(session, actor, wanted)
        departments = (
            list(session.exec(select(Department).order_by(col(Department.code))).all())
            if actor.reviews
            else []
        )
        authors = _author_names(session, {item.post.author_id for item in found})
    channels = {c.id: c for c in services.channels}
    context: dict[str, Any] = {
        "groups": by_stage(found),
        "more": more,
        "limit": wanted.limit,
        "stage_label": lambda stage: in_language(STAGES, stage, lang),
        "next_action": lambda stage: NEXT_ACTION.get(stage, DEFAULT_ACTION),
        "channel_label": lambda channel_id: _channel_label(channels, channel_id, lang),
        "authors": authors,
        "values": {
            "q": q,
            "hashtag": hashtag,
            "topic": topic,
            "department": department,
            "scope": "mine" if mine else "all",
            "series": series,
        },
        "filtered": bool(q.strip() or hashtag.strip() or topic or department or series or not mine),
        "topics": services.topics,
        "departments": departments,
    }
    return render(request, "my_posts/index.html", context)


def _author_names(session: Any, ids: set[int]) -> dict[int, str]:
    rows = session.exec(
        select(User.id, User.full_name, User.username).where(col(User.id).in_(ids))
    ).all()
    return {user_id: full_name or username for user_id, full_name, username in rows}


def _channel_label(channels: dict[str, Any], channel_id: str, lang: str) -> str:
    display = channels.get(channel_id)
    if display is None:
        return channel_id
    return f"{platform_name(display.type, lang)} · {display.name}"
