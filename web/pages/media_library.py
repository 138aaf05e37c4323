"""“Thư viện ảnh” (/media): the stored images and videos a person may reuse, as a grid of
thumbnails with the name each was uploaded under (never its sha256), kind, size, upload day and
alt texts; a search by name and alt text (Vietnamese, with or without diacritics), paged; and,
for each file, the posts that used it with their stage, and “Dùng trong bài mới”: the composer
opened with the file attached (`/compose?media=<sha256>`, checked again there: web.pages.compose).

What each person sees is content.media_library's rule: editors and administrators every file, an
officer their department's and the shared ones.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import select
from starlette.responses import Response

from content.media_library import find_media, size_label
from content.models import Department
from content.post_search import STAGES
from content.timeutil import to_local
from content.workflow import Actor, in_language
from web.auth import current_actor
from web.i18n import format_date
from web.render import lang_of, render
from web.services import services_of

router = APIRouter()
Signed = Annotated[Actor, Depends(current_actor)]


@router.get("/media")
def media_library_page(
    request: Request,
    actor: Signed,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    services = services_of(request)
    lang = lang_of(request)
    with services.db.read() as session:
        found = find_media(session, actor, q, page)
        departments = {
            d.code: d.name_vi if lang == "vi" else d.name_en
            for d in session.exec(select(Department)).all()
        }
    zone = services.zone
    context: dict[str, Any] = {
        "found": found,
        "q": q.strip(),
        "stage_label": lambda stage: in_language(STAGES, stage, lang),
        "size_label": lambda size: size_label(size, lang),
        "upload_day": lambda media: format_date(
            to_local(media.created_at, zone).date(), lang, with_weekday=False
        ),
        "page_url": lambda number: _page_url(q.strip(), number),
        "departments": departments,
    }
    return render(request, "media/library.html", context)


def _page_url(q: str, page: int) -> str:
    values = {"q": q} if q else {}
    if page > 1:
        values["page"] = str(page)
    return "/media" + (f"?{urlencode(values)}" if values else "")
