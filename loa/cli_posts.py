"""`loa post ...` and `loa media ...`: writing, reviewing and scheduling posts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loa.cli_state import State, state_of

if TYPE_CHECKING:
    from content.inputs import MediaRef
    from loa.app import App
    from loa.views import Names

post_app = typer.Typer(help="Bài viết / Posts.", no_args_is_help=True)
media_app = typer.Typer(help="Ảnh và video / Media files.", no_args_is_help=True)

PostId = Annotated[int, typer.Argument(help="Số bài / Post number.")]
Title = Annotated[str | None, typer.Option("--title", "-t", help="Tiêu đề / Title.")]
Body = Annotated[str | None, typer.Option("--body", "-b", help="Nội dung / Text.")]
BodyFile = Annotated[
    Path | None,
    typer.Option("--body-file", help="Đọc nội dung từ tệp / Read the text from a file."),
]
Topic = Annotated[str | None, typer.Option(help="Chủ đề a-i / Topic (a-i).")]
Pillar = Annotated[str | None, typer.Option(help="Trụ cột APSC, AEC, ASCC / Pillar.")]
Department = Annotated[
    str | None, typer.Option(help="Đơn vị (mặc định: của bạn) / Department (default: yours).")
]
Channels = Annotated[
    list[str] | None, typer.Option("--channel", "-c", help="Kênh, lặp lại được / Channel (repeat).")
]
At = Annotated[
    str | None,
    typer.Option(help="Giờ đăng 'YYYY-MM-DD HH:MM' theo giờ địa phương / Local time to publish."),
]
NextSlot = Annotated[
    bool, typer.Option("--next-slot", help="Khung giờ trống kế tiếp / Next free posting slot.")
]
Link = Annotated[str | None, typer.Option(help="Liên kết / Link.")]
Hashtags = Annotated[
    list[str] | None, typer.Option("--hashtag", help="Hashtag, lặp lại được / Hashtag (repeat).")
]
Audience = Annotated[str | None, typer.Option(help="Đối tượng / Audience.")]
Missed = Annotated[
    str | None,
    typer.Option(help="Nếu lỡ giờ: publish_late hoặc skip / If missed: publish_late or skip."),
]
Grace = Annotated[
    int | None, typer.Option(help="Được đăng muộn tối đa (phút) / Grace for late publishing.")
]
MediaFiles = Annotated[
    list[Path] | None, typer.Option("--media", help="Ảnh/video đính kèm / Attach a file (repeat).")
]
Alts = Annotated[
    list[str] | None,
    typer.Option("--alt", help="Mô tả ảnh, theo thứ tự --media / Alt text, in --media order."),
]
Overrides = Annotated[
    list[str] | None,
    typer.Option(
        "--override",
        help="Tùy chỉnh theo kênh: kênh.trường=giá_trị / Per channel: channel.field=value.",
    ),
]


def _attach(loa: App, files: list[Path], alts: list[str]) -> list[MediaRef]:
    from content.inputs import MediaRef

    refs = []
    with loa.db.write() as session:
        for index, path in enumerate(files):
            alt = alts[index] if index < len(alts) else ""
            item = loa.media.add(session, path, name=path.name, alt_text=alt)
            refs.append(MediaRef(item.sha256, alt or None))
    return refs


def _overrides(pairs: list[str]) -> dict[str, dict[str, Any]]:
    from content.errors import InvalidInput
    from content.inputs import problem

    result: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        target, sep, value = pair.partition("=")
        channel, dot, field = target.partition(".")
        if not (sep and dot and channel and field):
            raise InvalidInput(
                [
                    problem(
                        "override",
                        f"“{pair}”: viết dạng kênh.trường=giá_trị, ví dụ zalo-asean-hue.title=…",
                        f"{pair!r}: write channel.field=value, e.g. zalo-asean-hue.title=...",
                    )
                ]
            )
        result.setdefault(channel, {})[field] = value.split() if field == "hashtags" else value
    return result


def _read_body(body: str | None, body_file: Path | None) -> str | None:
    if body_file is not None:
        return body_file.read_text(encoding="utf-8")
    return body


def _changes(state: State, loa: App, given: dict[str, Any]) -> dict[str, Any]:
    """Only what was typed, converted: an option left out is a field left alone."""
    from content.errors import UserError
    from content.inputs import time_problem
    from content.timeutil import parse_local

    changes = {key: value for key, value in given.items() if value is not None}
    if "scheduled_at" in changes:
        typed = changes["scheduled_at"]
        try:
            changes["scheduled_at"] = parse_local(typed, loa.config.zone)
        except ValueError as error:
            raise UserError(str(error), f"Giờ đăng không đọc được: {error}") from None
        out_of_range = time_problem("at", changes["scheduled_at"], typed)
        if out_of_range is not None:  # told as typed, in local time, on one line
            raise UserError(f"--at: {out_of_range.en}", f"Giờ đăng (--at): {out_of_range.vi}")
    if "missed_policy" in changes and changes["missed_policy"] is None:
        del changes["missed_policy"]
    return changes


@post_app.command("add")
def post_add(
    ctx: typer.Context,
    title: Title = None,
    body: Body = None,
    body_file: BodyFile = None,
    topic: Topic = None,
    pillar: Pillar = None,
    department: Department = None,
    channel: Channels = None,
    at: At = None,
    next_slot: NextSlot = False,
    link: Link = None,
    hashtag: Hashtags = None,
    audience: Audience = None,
    missed: Missed = None,
    grace: Grace = None,
    media: MediaFiles = None,
    alt: Alts = None,
    override: Overrides = None,
    submit: Annotated[
        bool, typer.Option("--submit", help="Gửi duyệt ngay / Submit for review at once.")
    ] = False,
) -> None:
    """Viết bài mới (bản nháp). / Write a new post (a draft)."""
    from content.inputs import PostInput

    state = state_of(ctx)
    loa = state.app()
    actor = state.actor()
    values = _changes(
        state,
        loa,
        {
            "title": title or "",
            "body": _read_body(body, body_file) or "",
            "topic": topic or "",
            "pillar": pillar,
            "department": department or actor.department_code or "",
            "channels": list(channel or []),
            "scheduled_at": at,
            "next_slot": next_slot,
            "link": link,
            "hashtags": list(hashtag or []),
            "audience": audience,
            "missed_policy": missed,
            "grace_minutes": grace,
            "overrides": _overrides(override or []),
        },
    )
    values["media"] = _attach(loa, list(media or []), list(alt or []))
    post = loa.posts.create(actor, PostInput(**values))
    assert post.id is not None
    typer.echo(state.say(f"Đã lưu bài #{post.id} (nháp).", f"Saved post #{post.id} (draft)."))
    if submit:
        loa.posts.submit(actor, post.id)
        typer.echo(state.say(f"Đã gửi duyệt bài #{post.id}.", f"Submitted post #{post.id}."))


@post_app.command("edit")
def post_edit(
    ctx: typer.Context,
    post_id: PostId,
    title: Title = None,
    body: Body = None,
    body_file: BodyFile = None,
    topic: Topic = None,
    pillar: Pillar = None,
    department: Department = None,
    channel: Channels = None,
    at: At = None,
    next_slot: NextSlot = False,
    link: Link = None,
    hashtag: Hashtags = None,
    audience: Audience = None,
    missed: Missed = None,
    grace: Grace = None,
    media: MediaFiles = None,
    alt: Alts = None,
    override: Overrides = None,
    version: Annotated[
        int | None,
        typer.Option(help="Chỉ sửa nếu bài vẫn ở phiên bản này / Only if still this version."),
    ] = None,
) -> None:
    """Sửa bài (bài đã duyệt quay lại chờ duyệt). / Edit a post (approved: back to review)."""
    state = state_of(ctx)
    loa = state.app()
    actor = state.actor()
    changes = _changes(
        state,
        loa,
        {
            "title": title,
            "body": _read_body(body, body_file),
            "topic": topic,
            "pillar": pillar,
            "department": department,
            "channels": list(channel) if channel else None,
            "scheduled_at": at,
            "next_slot": next_slot or None,
            "link": link,
            "hashtags": list(hashtag) if hashtag else None,
            "audience": audience,
            "missed_policy": missed,
            "grace_minutes": grace,
            "overrides": _overrides(override) if override else None,
        },
    )
    if media:
        changes["media"] = _attach(loa, list(media), list(alt or []))
    post = loa.posts.edit(actor, post_id, changes, expected_version=version)
    _print_state(state, post.id, post.state)


@post_app.command("show")
def post_show(ctx: typer.Context, post_id: PostId) -> None:
    """Xem bài, các kênh và lịch sử. / Show a post, its channels and its history."""
    from sqlmodel import select

    from content.models import User
    from loa.views import channel_names, post_lines

    state = state_of(ctx)
    loa = state.app()
    detail = loa.posts.detail(post_id)
    with loa.db.read() as session:
        rows = session.exec(select(User.id, User.username)).all()
    usernames = {uid: name for uid, name in rows if uid is not None}
    channels = channel_names(loa.config.channels, state.lang)
    for line in post_lines(detail, loa.config.zone, state.lang, usernames, _names(loa), channels):
        typer.echo(line)


def _names(loa: App) -> Names:
    """What config.yaml calls the departments, topics and pillars, for the lines shown."""
    from loa.views import Names

    config = loa.config
    return Names(
        departments={d.code: (d.name_vi, d.name_en) for d in config.departments},
        topics={t.code: (t.vi, t.en) for t in config.topics},
        pillars={p.code: (p.vi, p.en) for p in config.pillars},
    )


@post_app.command("list")
def post_list(
    ctx: typer.Context,
    post_state: Annotated[str | None, typer.Option("--state", help="Trạng thái / State.")] = None,
    department: Department = None,
    topic: Topic = None,
    channel: Annotated[str | None, typer.Option(help="Kênh / Channel.")] = None,
    limit: Annotated[int, typer.Option(help="Số bài tối đa / At most this many.")] = 200,
) -> None:
    """Liệt kê bài theo giờ đăng. / List posts by publishing time."""
    from loa.views import channel_names, post_list_lines

    state = state_of(ctx)
    loa = state.app()
    rows = loa.posts.list_posts(
        department=department, state=post_state, topic=topic, channel=channel, limit=limit
    )
    channels = channel_names(loa.config.channels, state.lang)
    for line in post_list_lines(rows, loa.config.zone, state.lang, _names(loa), channels):
        typer.echo(line)


@post_app.command("submit")
def post_submit(ctx: typer.Context, post_id: PostId) -> None:
    """Gửi bài để biên tập viên duyệt. / Submit a post for review."""
    state = state_of(ctx)
    post = state.app().posts.submit(state.actor(), post_id)
    _print_state(state, post.id, post.state)


@post_app.command("approve")
def post_approve(
    ctx: typer.Context,
    post_id: PostId,
    comment: Annotated[str | None, typer.Option(help="Ghi chú / Comment.")] = None,
) -> None:
    """Duyệt bài: bài sẽ được đăng đúng giờ. / Approve a post: it will go out at its time."""
    from scheduler.quota import quota_warnings

    state = state_of(ctx)
    loa = state.app()
    post = loa.posts.approve(state.actor(), post_id, comment)
    _print_state(state, post.id, post.state)
    with loa.db.read() as session:
        for warning in quota_warnings(session, post_id):
            typer.echo(state.say("Cảnh báo: ", "Warning: ") + state.say(warning.vi, warning.en))


@post_app.command("reject")
def post_reject(
    ctx: typer.Context,
    post_id: PostId,
    comment: Annotated[str, typer.Option(help="Lý do (bắt buộc) / Why (required).")],
) -> None:
    """Trả lại bài kèm góp ý. / Reject a post with a comment."""
    state = state_of(ctx)
    post = state.app().posts.reject(state.actor(), post_id, comment)
    _print_state(state, post.id, post.state)


@post_app.command("cancel")
def post_cancel(
    ctx: typer.Context,
    post_id: PostId,
    reason: Annotated[str | None, typer.Option(help="Lý do / Reason.")] = None,
) -> None:
    """Hủy bài (các kênh chưa đăng sẽ không đăng). / Cancel a post."""
    state = state_of(ctx)
    post = state.app().posts.cancel(state.actor(), post_id, reason)
    _print_state(state, post.id, post.state)


@post_app.command("reschedule")
def post_reschedule(
    ctx: typer.Context, post_id: PostId, at: At = None, next_slot: NextSlot = False
) -> None:
    """Đổi giờ đăng. / Move a post to another time."""
    from content.timeutil import format_local

    state = state_of(ctx)
    loa = state.app()
    when = _changes(state, loa, {"scheduled_at": at}).get("scheduled_at")
    post = loa.posts.reschedule(state.actor(), post_id, when, next_slot=next_slot)
    shown = format_local(post.scheduled_at, loa.config.zone)
    typer.echo(state.say(f"Bài #{post.id}: {shown}.", f"Post #{post.id}: {shown}."))
    _print_state(state, post.id, post.state)


def _print_state(state: State, post_id: int | None, post_state: str) -> None:
    from content.workflow import state_label

    typer.echo(
        state.say(
            f"Bài #{post_id}: {state_label(post_state, 'vi')}.",
            f"Post #{post_id}: {state_label(post_state, 'en').lower()}.",
        )
    )


@media_app.command("add")
def media_add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Ảnh hoặc video / An image or a video.")],
    alt: Annotated[str, typer.Option(help="Mô tả ảnh / Alt text.")] = "",
) -> None:
    """Đưa ảnh/video vào kho (kiểm tra theo nội dung). / Add a file to the media store."""
    state = state_of(ctx)
    loa = state.app()
    with loa.db.write() as session:
        item = loa.media.add(session, file, name=file.name, alt_text=alt)
        size = f" {item.width}×{item.height}" if item.width else ""
        typer.echo(f"{item.sha256}  {item.kind} {item.mime}{size} {item.size_bytes} B")
