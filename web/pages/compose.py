"""The composer: write a post (or change one), preview it on each platform, save or submit.

`GET /compose` and `GET /posts/{id}/edit` show the form; posting it with the button
`action=draft` saves, `action=submit` saves and sends it for review in one transaction (a new
post) or right after the edit (a post being changed, checked first so it is not left half done),
`action=preview` shows the server's preview without saving. Every problem comes back beside its
field in both languages with what was typed kept. The live preview (web/static/composer.js)
counts characters with the limits of `/compose/limits.json` and asks `POST /compose/preview` for
the platforms' previews (HTML drawn by compose/preview.html, every text escaped) and for the time
"next free slot" would take, explained (web.pages.compose_slot). Files dropped on the page go to
`POST /media` (web.pages.media); a plain file input in the form works without JavaScript.

The form's reading lives in web.pages.compose_form, the choices and previews in
web.pages.compose_preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, RedirectResponse, Response

from content.errors import FieldProblem, InvalidInput
from content.inputs import PostInput, problem
from content.media_library import attachable, suggested_alt_text
from content.models import Media, MissedPolicy, Role
from content.workflow import Action, Actor, require_permission, require_transition
from web.auth import current_actor
from web.pages.compose_form import (
    OVERRIDE_FIELDS,
    ComposerForm,
    form_of_post,
    form_text,
    read_form,
    store_uploads,
    to_input,
)
from web.pages.compose_preview import (
    channel_choices,
    departments,
    preview_json,
    previews_of,
)
from web.pages.compose_slot import SlotAdvice, slot_advice
from web.pages.preview import ChannelPreview, all_limits
from web.path_ids import PathId
from web.render import lang_of, render
from web.services import WebServices, services_of

__all__ = ["previews_of", "router"]  # previews_of: the post page's previews (web.pages.posts)

router = APIRouter()
Signed = Annotated[Actor, Depends(current_actor)]


# --- pages --------------------------------------------------------------------------------


@router.get("/compose/limits.json")
def limits(request: Request, actor: Signed) -> Response:
    types = sorted({c.type for c in channel_choices(services_of(request), actor)})
    return JSONResponse(all_limits(types))


@router.post("/compose/preview")
async def preview(request: Request, actor: Signed) -> Response:
    services = services_of(request)
    form = await request.form()
    try:
        values = read_form(form)
    finally:
        await form.close()
    data, _ = to_input(values, actor, services.zone)
    post_id = int(form_text(form, "post_id") or 0) if form_text(form, "post_id").isdigit() else 0
    previews, advice = await run_in_threadpool(_previews_and_slot, services, data, values, post_id)
    answer = preview_json(request, services, previews)
    answer["slot"] = advice.to_dict(lang_of(request))
    return JSONResponse(answer)


def _previews_and_slot(
    services: WebServices, data: PostInput, values: ComposerForm, post_id: int
) -> tuple[list[ChannelPreview], SlotAdvice]:
    advice = slot_advice(services, data.channels, post_id or None)
    when = advice.at if values.timing == "next" else None
    previews = previews_of(services, data, values.media, post_id=post_id, when=when)
    return previews, advice


@router.get("/compose")
def compose_page(
    request: Request,
    actor: Signed,
    media: Annotated[list[str] | None, Query()] = None,
) -> Response:
    services = services_of(request)
    values = ComposerForm(
        department=actor.department_code or "",
        topic=services.topics[0].code if services.topics else "",
    )
    # "Dùng trong bài mới" on /media: checked here too, since a link can be typed by hand.
    with services.db.read() as session:
        for sha in list(dict.fromkeys(media or []))[:20]:
            row = attachable(session, actor, sha)
            values.media.append((row.sha256, suggested_alt_text(session, row)))
    return composer_page(request, actor, values)


@router.post("/compose")
async def compose_submit(request: Request, actor: Signed) -> Response:
    return await _handle(request, actor, None)


@router.get("/posts/{post_id}/edit")
def edit_page(request: Request, actor: Signed, post_id: PathId) -> Response:
    services = services_of(request)
    _require_edit(services, actor, post_id)
    return composer_page(request, actor, form_of_post(services, post_id), post_id=post_id)


@router.post("/posts/{post_id}/edit")
async def edit_submit(request: Request, actor: Signed, post_id: PathId) -> Response:
    await run_in_threadpool(_require_edit, services_of(request), actor, post_id)
    return await _handle(request, actor, post_id)


def _require_edit(services: WebServices, actor: Actor, post_id: int) -> None:
    post = services.posts.detail(post_id).post
    require_permission(
        actor,
        Action.edit,
        post_department=post.department_code,
        author_id=post.author_id,
        post_id=post_id,
    )
    require_transition(Action.edit, post.state, post_id)


async def _handle(request: Request, actor: Actor, post_id: int | None) -> Response:
    services = services_of(request)
    form = await request.form()
    try:
        values = read_form(form)
        action = form_text(form, "action") or "draft"
        uploads = [u for u in form.getlist("upload") if isinstance(u, UploadFile)]
        return await run_in_threadpool(
            _save, request, services, actor, post_id, values, action, uploads
        )
    finally:
        await form.close()  # the uploaded files' temporary copies


def _save(
    request: Request,
    services: WebServices,
    actor: Actor,
    post_id: int | None,
    values: ComposerForm,
    action: str,
    uploads: list[UploadFile],
) -> Response:
    stored, problems = store_uploads(services, actor, uploads)
    known = {sha for sha, _ in values.media}
    values.media += [(sha, "") for sha in stored if sha not in known]
    data, form_problems = to_input(values, actor, services.zone)
    problems += form_problems
    if action == "preview":
        advice = slot_advice(services, data.channels, post_id)
        when = advice.at if values.timing == "next" else None
        previews = previews_of(services, data, values.media, post_id=post_id or 0, when=when)
        return composer_page(request, actor, values, post_id=post_id, previews=previews)
    settled = services.posts.settled_channels(post_id) if post_id is not None else frozenset()
    with services.db.read() as session:
        problems += services.posts.validate(actor, data, services.posts.context(session), settled)
    if action == "submit":
        problems += _readiness(data)
    try:
        if problems:
            raise InvalidInput(problems, "post not saved")
        if post_id is None:
            post_id = _create(services, actor, data, submit=action == "submit")
        else:
            _edit(services, actor, post_id, data, values.version, submit=action == "submit")
    except InvalidInput as error:
        return composer_page(
            request, actor, values, post_id=post_id, errors=_errors(error, lang_of(request)),
            status=422,
        )  # fmt: skip
    done = "submitted" if action == "submit" else "saved"
    return RedirectResponse(f"/posts/{post_id}?done={done}", status_code=303)


def _readiness(data: PostInput) -> list[FieldProblem]:
    """What submitting needs beyond a valid draft, found before anything is written."""
    problems = []
    if not data.channels:
        problems.append(
            problem("channels", "Hãy chọn ít nhất một kênh.", "choose at least one channel")
        )
    if data.scheduled_at is None and not data.next_slot:
        problems.append(
            problem(
                "at",
                "Hãy chọn giờ đăng hoặc khung giờ trống tiếp theo trước khi gửi duyệt.",
                "choose a time or the next free slot before submitting",
            )
        )
    return problems


def _create(services: WebServices, actor: Actor, data: PostInput, *, submit: bool) -> int:
    """Save, and submit, in one transaction: a refused submission leaves nothing behind."""
    posts = services.posts
    with services.db.write() as session:
        context = posts.context(session)
        post = posts.insert(session, actor, data, context)
        assert post.id is not None
        if submit:
            posts.submit_in(session, actor, post.id)
        return post.id


def _edit(
    services: WebServices,
    actor: Actor,
    post_id: int,
    data: PostInput,
    version: int | None,
    *,
    submit: bool,
) -> None:
    changes = {
        name: getattr(data, name)
        for name in (
            "title", "body", "link", "hashtags", "topic", "pillar", "department", "channels",
            "scheduled_at", "next_slot", "missed_policy", "media", "overrides",
        )
    }  # fmt: skip
    # One transaction: a refused submission leaves the post as it was, the edit not kept.
    services.posts.edit(actor, post_id, changes, expected_version=version, submit=submit)


def _errors(error: InvalidInput, lang: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in error.problems:
        name = item.field
        if name.startswith("overrides."):
            name = "overrides"
        found.setdefault(name, []).append(item.vi if lang == "vi" else item.en)
    return found


def composer_page(
    request: Request,
    actor: Actor,
    values: ComposerForm,
    *,
    post_id: int | None = None,
    errors: Mapping[str, list[str]] | None = None,
    previews: list[ChannelPreview] | None = None,
    status: int = 200,
) -> Response:
    services = services_of(request)
    media = {}
    with services.db.read() as session:
        for sha, _ in values.media:
            row = session.get(Media, sha)
            if row is not None:
                media[sha] = row
    context: dict[str, Any] = {
        "values": values,
        "slot_advice": slot_advice(services, values.channels, post_id),
        "post_id": post_id,
        "errors": dict(errors or {}),
        "channels": channel_choices(services, actor, values.channels),
        "departments": departments(services) if actor.reviews else [],
        "media_rows": media,
        "previews": previews,
        "override_fields": OVERRIDE_FIELDS,
        "missed_policies": list(MissedPolicy),
        "is_reviewer": actor.role in (Role.editor, Role.admin),
    }
    return render(request, "compose/index.html", context, status_code=status)
