"""The composer: write a post (or change one), preview it on each platform, save or submit.

`GET /compose` and `GET /posts/{id}/edit` show the form; posting it with the button
`action=draft` saves, `action=submit` saves and sends it for review in one transaction (a new
post) or right after the edit (a post being changed, checked first so it is not left half done),
`action=preview` shows the server's preview without saving. Every problem comes back beside its
field in both languages with what was typed kept. The live preview (web/static/composer.js)
counts characters with the limits of `/compose/limits.json` and asks `POST /compose/preview` for
the platforms' own rendering, as JSON it inserts as text. Files dropped on the page go to
`POST /media` (web.pages_media); a plain file input in the form works without JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import JSONResponse, RedirectResponse, Response

from channels.base import MediaFile
from content.errors import FieldProblem, InvalidInput
from content.inputs import OVERRIDABLE, MediaRef, PostInput, normalise_hashtags, problem
from content.media import MediaError
from content.models import Channel, Department, EditorialState, Media, MissedPolicy, Role
from content.queries import load_channels
from content.timeutil import parse_local, to_local
from content.workflow import Action, Actor, require_permission, require_transition
from web.auth import current_actor
from web.i18n import add_messages
from web.path_ids import PathId
from web.preview import ChannelPreview, Draft, all_limits, preview_draft
from web.render import lang_of, render
from web.services import WebServices, services_of

router = APIRouter()
Signed = Annotated[Actor, Depends(current_actor)]

OVERRIDE_FIELDS = ("title", "body", "hashtags", "link", "summary")
assert set(OVERRIDE_FIELDS) == OVERRIDABLE
HASHTAG_SPLIT = re.compile(r"[\s,;]+")

add_messages(
    {
        "compose.title": ("Soạn bài", "Compose a post"),
        "compose.edit_title": ("Sửa bài #{id}", "Edit post #{id}"),
        "compose.field.title": ("Tiêu đề", "Title"),
        "compose.field.body": ("Nội dung", "Text"),
        "compose.field.link": ("Liên kết", "Link"),
        "compose.field.hashtags": ("Hashtag", "Hashtags"),
        "compose.hashtags_hint": (
            "Cách nhau bởi dấu cách hoặc dấu phẩy; không cần dấu #.",
            "Separated by spaces or commas; the # is optional.",
        ),
        "compose.field.topic": ("Chủ đề", "Topic"),
        "compose.field.pillar": ("Trụ cột", "Pillar"),
        "compose.no_pillar": ("(không chọn)", "(none)"),
        "compose.field.department": ("Đơn vị", "Department"),
        "compose.field.channels": ("Kênh đăng", "Channels"),
        "compose.retired": ("Đã gỡ khỏi cấu hình", "Removed from the configuration"),
        "compose.no_channels": (
            "Bạn chưa được dùng kênh nào.",
            "There are no channels you may post to.",
        ),
        "compose.field.when": ("Thời gian đăng", "When to publish"),
        "compose.when_at": ("Vào lúc (giờ {zone})", "At (time in {zone})"),
        "compose.when_next": ("Khung giờ trống tiếp theo", "Next free slot"),
        "compose.when_later": ("Chưa chọn (lưu nháp)", "Not yet (save as draft)"),
        "compose.field.missed": ("Nếu lỡ giờ", "If the time is missed"),
        "compose.missed.publish_late": ("Đăng muộn trong thời gian cho phép", "Publish late"),
        "compose.missed.skip": ("Bỏ qua", "Skip it"),
        "compose.field.media": ("Ảnh và video", "Photos and videos"),
        "compose.drop": (
            "Kéo thả ảnh/video vào đây, hoặc chọn tệp:",
            "Drop photos or videos here, or choose files:",
        ),
        "compose.alt": ("Mô tả ảnh (cho người khiếm thị)", "Alt text (for blind readers)"),
        "compose.remove": ("Bỏ", "Remove"),
        "compose.up": ("Lên", "Up"),
        "compose.down": ("Xuống", "Down"),
        "compose.uploading": ("Đang tải lên…", "Uploading…"),
        "compose.overrides": ("Tùy chỉnh theo kênh", "Per-channel changes"),
        "compose.overrides_hint": (
            "Để trống để dùng nội dung chung.",
            "Leave empty to use the common text.",
        ),
        "compose.field.summary": ("Mô tả ngắn", "Summary"),
        "compose.preview": ("Xem trước", "Preview"),
        "compose.preview_hint": (
            "Bài sẽ hiện thế nào trên từng nền tảng, với số ký tự còn lại.",
            "How the post will look on each platform, with the characters left.",
        ),
        "compose.save": ("Lưu nháp", "Save draft"),
        "compose.submit": ("Gửi duyệt", "Submit for review"),
        "compose.no_problems": ("Không có vấn đề.", "No problems."),
        "compose.problems": ("Cần sửa:", "To fix:"),
        "compose.auto": ("tự tạo từ nội dung", "made from the text"),
        "compose.link_card": ("Thẻ liên kết", "Link card"),
        "compose.tags": ("Thẻ", "Tags"),
        "compose.categories": ("Chuyên mục", "Categories"),
        "compose.no_preview": (
            "Chọn ít nhất một kênh để xem trước.",
            "Choose at least one channel to see a preview.",
        ),
        "compose.version_note": (
            "Sửa bài đã duyệt sẽ đưa bài về chờ duyệt lại.",
            "Changing an approved post sends it back to review.",
        ),
    }
)


# --- reading the form ---------------------------------------------------------------------


@dataclass
class ComposerForm:
    """What the form holds, as typed: shown again as it was when something is wrong."""

    title: str = ""
    body: str = ""
    link: str = ""
    hashtags: str = ""
    topic: str = ""
    pillar: str = ""
    department: str = ""
    channels: list[str] = field(default_factory=list)
    timing: str = "later"  # "at" | "next" | "later"
    at: str = ""  # datetime-local text, in the configured zone
    missed_policy: str = MissedPolicy.publish_late
    media: list[tuple[str, str]] = field(default_factory=list)  # (sha256, alt text) in order
    overrides: dict[str, dict[str, str]] = field(default_factory=dict)  # channel -> field -> text
    version: int | None = None

    def override(self, channel_id: str, name: str) -> str:
        return self.overrides.get(channel_id, {}).get(name, "")


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def read_form(form: FormData) -> ComposerForm:
    shas = [v for v in form.getlist("media_sha") if isinstance(v, str)]
    alts = [v for v in form.getlist("media_alt") if isinstance(v, str)]
    removed = {v for v in form.getlist("media_remove") if isinstance(v, str)}
    media: list[tuple[str, str]] = []
    for index, sha in enumerate(shas):
        if sha and sha not in removed and sha not in {s for s, _ in media}:
            media.append((sha.strip().lower(), alts[index] if index < len(alts) else ""))
    overrides: dict[str, dict[str, str]] = {}
    for key, value in form.multi_items():
        if key.startswith("ov.") and isinstance(value, str) and value.strip():
            channel_id, _, name = key[3:].rpartition(".")
            if name in OVERRIDE_FIELDS:
                overrides.setdefault(channel_id, {})[name] = value
    version = _text(form, "version")
    return ComposerForm(
        title=_text(form, "title"),
        body=_text(form, "body").replace("\r\n", "\n"),
        link=_text(form, "link").strip(),
        hashtags=_text(form, "hashtags"),
        topic=_text(form, "topic"),
        pillar=_text(form, "pillar"),
        department=_text(form, "department"),
        channels=[v for v in form.getlist("channels") if isinstance(v, str) and v],
        timing=_text(form, "timing") or "later",
        at=_text(form, "at").strip(),
        missed_policy=_text(form, "missed_policy") or MissedPolicy.publish_late,
        media=media,
        overrides=overrides,
        version=int(version) if version.isdigit() else None,
    )


def split_hashtags(text: str) -> list[str]:
    return normalise_hashtags([tag for tag in HASHTAG_SPLIT.split(text) if tag])


def to_input(values: ComposerForm, actor: Actor, zone: Any) -> tuple[PostInput, list[FieldProblem]]:
    """The service's input, and the problems only the form can have (an unreadable time)."""
    problems: list[FieldProblem] = []
    scheduled_at: datetime | None = None
    if values.timing == "at":
        if not values.at:
            problems.append(
                problem(
                    "at",
                    "Hãy nhập ngày giờ đăng, hoặc chọn khung giờ trống tiếp theo.",
                    "enter the date and time, or choose the next free slot",
                )
            )
        else:
            try:
                scheduled_at = parse_local(values.at.replace("T", " "), zone)
            except ValueError:
                problems.append(
                    problem(
                        "at",
                        f"Không đọc được thời gian “{values.at}”; hãy nhập dạng 2026-08-08 07:30.",
                        f"cannot read the time {values.at!r}; write it as 2026-08-08 07:30",
                    )
                )
    overrides: dict[str, dict[str, Any]] = {}
    for channel_id, fields in values.overrides.items():
        if channel_id not in values.channels:
            continue  # the boxes of a channel unticked after typing: not sent
        changes: dict[str, Any] = dict(fields)
        if "hashtags" in changes:
            changes["hashtags"] = split_hashtags(changes["hashtags"])
        overrides[channel_id] = changes
    department = values.department if actor.reviews and values.department else ""
    data = PostInput(
        title=values.title,
        topic=values.topic,
        department=department or actor.department_code or "",
        channels=list(dict.fromkeys(values.channels)),
        body=values.body,
        link=values.link or None,
        hashtags=split_hashtags(values.hashtags),
        pillar=values.pillar or None,
        scheduled_at=scheduled_at,
        next_slot=values.timing == "next",
        missed_policy=values.missed_policy,
        media=[MediaRef(sha, alt.strip() or None) for sha, alt in values.media],
        overrides=overrides,
    )
    return data, problems


def form_of_post(services: WebServices, post_id: int) -> ComposerForm:
    detail = services.posts.detail(post_id)
    post = detail.post
    live = [d for d in detail.deliveries if d.state != "cancelled"]
    overrides: dict[str, dict[str, str]] = {}
    for delivery in live:
        for name, value in delivery.overrides.items():
            text = " ".join(f"#{t}" for t in value) if isinstance(value, list) else str(value)
            overrides.setdefault(delivery.channel_id, {})[name] = text
    local = to_local(post.scheduled_at, services.zone) if post.scheduled_at else None
    return ComposerForm(
        title=post.title,
        body=post.body,
        link=post.link or "",
        hashtags=" ".join(f"#{tag}" for tag in post.hashtags),
        topic=post.topic,
        pillar=post.pillar or "",
        department=post.department_code,
        channels=[d.channel_id for d in live],
        timing="at" if local else "later",
        at=f"{local:%Y-%m-%dT%H:%M}" if local else "",
        missed_policy=post.missed_policy,
        media=[(m.sha256, pm.alt_text or m.alt_text or "") for m, pm in detail.media],
        overrides=overrides,
        version=post.version,
    )


# --- media sent with the form (no JavaScript) -----------------------------------------------


def store_uploads(
    services: WebServices, uploads: list[UploadFile]
) -> tuple[list[str], list[FieldProblem]]:
    from web.pages_media import store_upload

    stored, problems = [], []
    for upload in uploads:
        if not upload.filename:
            continue
        try:
            stored.append(store_upload(services, upload).sha256)
        except MediaError as error:
            problems.append(problem("media", error.vi, error.en))
    return stored, problems


# --- choices offered ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelChoice:
    id: str
    type: str
    name: str
    department: str
    colour: str
    retired: bool = False


def channel_choices(
    services: WebServices, actor: Actor, chosen: Sequence[str] = ()
) -> list[ChannelChoice]:
    """The channels this person may post to: all for reviewers; officers their own and shared.

    A retired channel (removed from config.yaml) is offered only where the post already has
    it (`chosen`), marked as retired, so an edit shows it rather than dropping it unseen."""
    with services.db.read() as session:
        infos = load_channels(session)
        names = {c.id: c.name for c in session.exec(select(Channel)).all()}
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
            )
        )
    return choices


def departments(services: WebServices) -> list[Department]:
    with services.db.read() as session:
        return list(session.exec(select(Department).order_by(col(Department.code))).all())


# --- previews -----------------------------------------------------------------------------


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
) -> list[ChannelPreview]:
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
        scheduled_at=data.scheduled_at,
        post_id=post_id,
        overrides=data.overrides,
    )
    return preview_draft(draft, chosen)


def preview_json(services: WebServices, previews: list[ChannelPreview]) -> dict[str, Any]:
    items = []
    for item in previews:
        display = services.channel(item.channel_id)
        items.append({**item.to_dict(), "name": display.name if display else item.channel_id})
    return {"channels": items}


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
    previews = await run_in_threadpool(previews_of, services, data, values.media)
    return JSONResponse(preview_json(services, previews))


@router.get("/compose")
def compose_page(request: Request, actor: Signed) -> Response:
    services = services_of(request)
    values = ComposerForm(
        department=actor.department_code or "",
        topic=services.topics[0].code if services.topics else "",
    )
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
        action = _text(form, "action") or "draft"
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
    stored, problems = store_uploads(services, uploads)
    known = {sha for sha, _ in values.media}
    values.media += [(sha, "") for sha in stored if sha not in known]
    data, form_problems = to_input(values, actor, services.zone)
    problems += form_problems
    if action == "preview":
        return composer_page(
            request, actor, values, post_id=post_id,
            previews=previews_of(services, data, values.media, post_id=post_id or 0),
        )  # fmt: skip
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
    post = services.posts.edit(actor, post_id, changes, expected_version=version)
    if submit and post.state in (EditorialState.draft, EditorialState.rejected):
        services.posts.submit(actor, post_id)


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
    return render(request, "compose.html", context, status_code=status)
