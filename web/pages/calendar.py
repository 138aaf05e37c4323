"""The calendar: month, week, day and list views, and moving a post (drag and drop or a form).

    GET  /calendar?view=month|week|day|list&date=YYYY-MM-DD
                   &department=&channel=&topic=&pillar=&state=   (filters, repeatable)
    POST /calendar/reschedule      post_id, date (YYYY-MM-DD), time (HH:MM, optional: kept)
    GET  /calendar/channels.css    one colour class per channel (the CSP forbids inline styles)

The move goes through `PostService.reschedule`, the same checks as `loa posts reschedule`. Sent
as JSON (web/static/calendar.js, with the `X-CSRF-Token` header) it answers JSON: `{"ok": true,
"when": ..., "undo": {post_id, date, time}}` or `{"ok": false, "error": {code, message, field}}`;
sent by the plain form it answers with the calendar again (a redirect), or a clear refusal page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from content.errors import FieldProblem, InvalidInput, NotFound, UserError
from content.models import EditorialState, Post
from content.timeutil import to_local
from content.workflow import Actor
from web.access_errors import Forbidden
from web.auth import current_actor
from web.errors import refusal_of
from web.i18n import format_datetime, t
from web.pages.calendar_query import (
    FILTERS,
    heading,
    invalid,
    neighbours,
    parse_date,
    parse_query,
    weeks_of,
)
from web.pages.calendar_view import load_page
from web.render import lang_of, render
from web.services import Choice, WebServices, services_of

router = APIRouter()
Signed = Annotated[Actor, Depends(current_actor)]

WEEKDAYS_SHORT = {
    "vi": ("T2", "T3", "T4", "T5", "T6", "T7", "CN"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
HOURS = tuple(range(24))
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")
MOVE_PARAMS = ("moved", "undo_date", "undo_time", "undone")


def today_of(services: WebServices) -> date:
    return to_local(services.posts.clock(), services.zone).date()


@router.get("/calendar")
def calendar_page(request: Request, actor: Signed) -> Response:
    services = services_of(request)
    lang = lang_of(request)
    params = request.query_params
    today = today_of(services)
    query = parse_query(params, {name: params.getlist(name) for name in FILTERS}, today)
    vocabulary = services.posts.vocabulary
    with services.db.read() as session:
        page = load_page(
            session,
            actor=actor,
            query=query,
            tz=services.zone,
            lang=lang,
            today=today,
            channels=services.channels,
            observances=services.observances,
            topics=_named(services.topics, vocabulary.topics, lang),
            pillars=_named(services.pillars, vocabulary.pillars, lang),
        )
    previous, following = neighbours(query)
    here = _here(request)
    context: dict[str, Any] = {
        "page": page,
        "query": query,
        "heading": heading(query, lang),
        "prev_url": query.url(day=previous),
        "next_url": query.url(day=following),
        "today_url": query.url(day=today),
        "clear_url": "/calendar?" + urlencode({"view": query.view, "date": query.day.isoformat()}),
        "weeks": weeks_of(page.start, page.end) if query.view == "month" else [],
        "week_days": weeks_of(page.start, page.end)[0] if query.view == "week" else [],
        "weekdays": WEEKDAYS_SHORT[lang],
        "hours": HOURS,
        "return_to": here,
        "moved": _moved_notice(request, here),
    }
    return render(request, f"calendar/{query.view}.html", context)


def _named(choices: Sequence[Choice], codes: Iterable[str], lang: str) -> list[tuple[str, str]]:
    """The codes posts may carry, with their configured names where there are some."""
    names = {choice.code: f"{choice.code} – {choice.label(lang)}" for choice in choices}
    return [(code, names.get(code, code)) for code in sorted(codes)]


@router.get("/calendar/channels.css")
def channel_colours(request: Request) -> Response:
    """`.ch-N { --ch: colour }` for each channel, in the order of `WebServices.channels`."""
    lines = [
        f".ch-{index} {{ --ch: {item.colour}; }}"
        for index, item in enumerate(services_of(request).channels)
        if COLOUR.fullmatch(item.colour)
    ]
    return Response("\n".join(lines) + "\n", media_type="text/css")


# --- moving a post ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Moved:
    post_id: int
    when: datetime  # aware, the new time
    before: datetime | None  # the old one, for the undo


@router.post("/calendar/reschedule")
async def reschedule(request: Request, actor: Signed) -> Response:
    services = services_of(request)
    lang = lang_of(request)
    content_type = request.headers.get("content-type", "")
    as_json = content_type.startswith("application/json") or (
        "application/json" in request.headers.get("accept", "")
    )
    fields: dict[str, str]
    try:
        if content_type.startswith("application/json"):
            fields = _json_fields(await request.body())
        else:
            form = await request.form()
            fields = {name: value for name, value in form.items() if isinstance(value, str)}
        moved = await run_in_threadpool(_move, services, actor, fields)
    except UserError as error:
        if not as_json:
            raise  # the app's handler shows a clear page with the reason
        refusal = refusal_of(error)
        body = {
            "ok": False,
            "error": {
                "code": refusal.code,
                "message": refusal.message(lang),
                "field": refusal.field,
            },
        }
        return JSONResponse(body, status_code=refusal.status)
    undo = fields.get("undo", "") in ("1", "true", "yes")
    if as_json:
        return JSONResponse(_answer(services, moved, lang, undo))
    return RedirectResponse(_back(fields.get("return_to", ""), services, moved, undo), 303)


def _json_fields(raw: bytes) -> dict[str, str]:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InvalidInput(
            [
                FieldProblem(
                    "request", "Dữ liệu gửi lên không đọc được.", "the request body is not JSON"
                )
            ]
        )
    return {str(k): str(v) for k, v in data.items() if v is not None and not isinstance(v, dict)}


def _move(services: WebServices, actor: Actor, fields: dict[str, str]) -> Moved:
    """Check what the page can say better than the service, then let the service decide."""
    raw_id = fields.get("post_id", "").strip()
    if not raw_id.isdigit():
        raise invalid("post_id", "cal.bad_post", raw_id)
    post_id = int(raw_id)
    day = parse_date(fields.get("date", ""))
    with services.db.read() as session:
        row = session.get(Post, post_id)
        found = None if row is None else (row.state, row.department_code, row.scheduled_at)
    if found is None:
        raise NotFound(f"no post #{post_id}", f"Không có bài #{post_id}.")
    state, department, before = found
    if (
        not actor.reviews
        and state == EditorialState.approved
        and (department == actor.department_code)
    ):
        raise Forbidden(
            t("cal.officer_approved", "en", post_id=post_id),
            t("cal.officer_approved", "vi", post_id=post_id),
        )
    raw_time = fields.get("time", "").strip()
    if raw_time:
        at = _parse_time(raw_time)
    elif before is not None:
        at = to_local(before, services.zone).time().replace(second=0, microsecond=0)
    else:
        raise invalid("time", "cal.bad_time", raw_time)
    when = datetime.combine(day, at).replace(tzinfo=services.zone)
    services.posts.reschedule(actor, post_id, when)
    return Moved(post_id, when, before)


def _parse_time(text: str) -> time:
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        raise invalid("time", "cal.bad_time", text) from None
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


def _answer(services: WebServices, moved: Moved, lang: str, undo: bool) -> dict[str, Any]:
    local = to_local(moved.when, services.zone)
    shown = format_datetime(moved.when, lang, services.zone)
    key = "cal.undone" if undo else "cal.moved"
    answer: dict[str, Any] = {
        "ok": True,
        "post_id": moved.post_id,
        "date": local.date().isoformat(),
        "time": f"{local:%H:%M}",
        "at": local.isoformat(),
        "when": shown,
        "message": t(key, lang, post_id=moved.post_id, when=shown),
        "undo": None,
    }
    if moved.before is not None and not undo:
        old = to_local(moved.before, services.zone)
        answer["undo"] = {
            "post_id": moved.post_id,
            "date": old.date().isoformat(),
            "time": f"{old:%H:%M}",
            "label": t("cal.undo", lang),
        }
    return answer


def _here(request: Request) -> str:
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in MOVE_PARAMS]
    return "/calendar" + ("?" + urlencode(pairs) if pairs else "")


def _back(return_to: str, services: WebServices, moved: Moved, undo: bool) -> str:
    """Where the plain form returns: the calendar page it came from, with a notice."""
    path, _, query = return_to.partition("?")
    if path != "/calendar":
        path, query = "/calendar", ""
    pairs = [(k, v) for k, v in parse_qsl(query) if k not in MOVE_PARAMS]
    pairs.append(("moved", str(moved.post_id)))
    if undo:
        pairs.append(("undone", "1"))
    elif moved.before is not None:
        old = to_local(moved.before, services.zone)
        pairs += [("undo_date", old.date().isoformat()), ("undo_time", f"{old:%H:%M}")]
    return f"{path}?{urlencode(pairs)}"


def _moved_notice(request: Request, here: str) -> dict[str, Any] | None:
    params = request.query_params
    raw = params.get("moved", "")
    if not raw.isdigit():
        return None
    return {
        "post_id": int(raw),
        "undone": params.get("undone") == "1",
        "undo_date": params.get("undo_date", ""),
        "undo_time": params.get("undo_time", ""),
        "return_to": here,
    }
