"""The post page: the post as it will be published, its deliveries with their evidence, its
history, and the actions this person may take (submit, approve, reject, cancel, edit; retry
or cancel one delivery).

Officers see their own department's posts (another department's is refused with a clear page);
editors and administrators see every post. The rules themselves are `content`'s: a refusal the
form can fix (a reject without a comment, a retry time in the past) comes back beside its field;
any other refusal is the clear error page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from sqlmodel import col, select
from starlette.responses import RedirectResponse, Response

from content import metrics
from content.corrections import change_words, needs_hand
from content.deliveries import DeliveryService, delivery_state_label
from content.errors import InvalidInput, NotFound, UserError
from content.inputs import problem
from content.labels import channel_label
from content.models import Department, Post, User
from content.posts import PostDetail
from content.queries import input_from
from content.timeutil import parse_local
from content.workflow import (
    Action,
    Actor,
    post_not_found,
    require_permission,
    require_transition,
    state_label,
)
from web.auth import current_actor
from web.pages.compose import previews_of
from web.pages.figures_chart import chart_svg
from web.pages.figures_view import delivery_figures
from web.pages.preview import ChannelPreview
from web.path_ids import PathId
from web.render import field_errors, lang_of, render
from web.services import WebServices, services_of

router = APIRouter(prefix="/posts")
Signed = Annotated[Actor, Depends(current_actor)]
Text = Annotated[str, Form(max_length=5000)]

# What kind of trouble an adapter's error class stands for, in plain words.
ERROR_KINDS: dict[str, tuple[str, str]] = {
    "Rejected": ("Nền tảng từ chối bài", "The platform refused the post"),
    "Retryable": ("Lỗi tạm thời, Loa tự thử lại", "A temporary fault; Loa tries again"),
    "RateLimited": ("Nền tảng yêu cầu đăng chậm lại", "The platform asked to slow down"),
    "QuotaExceeded": ("Hết hạn mức trong ngày", "The day's quota is spent"),
    "OutcomeUnknown": (
        "Chưa rõ bài đã lên hay chưa (hết thời gian chờ)",
        "Unknown whether the post went out (timed out)",
    ),
    "AuthRequired": ("Kênh cần kết nối lại", "The channel needs reconnecting"),
}
OUTCOMES: dict[str, tuple[str, str]] = {
    "published": ("đã đăng", "published"),
    "scheduled": ("sẽ thử lại", "will retry"),
    "failed": ("thất bại", "failed"),
    "reconciling": ("đối soát", "checking the platform"),
    "needs_review": ("cần kiểm tra", "needs a look"),
    "sending": ("đang gửi", "sending"),
    "late": ("đã có tiến trình khác xử lý", "taken over meanwhile"),
    "missed": ("lỡ giờ", "missed"),
    "updated": ("đã sửa trên nền tảng", "updated on the platform"),
    "removed": ("đã gỡ khỏi nền tảng", "removed from the platform"),
    "by hand": ("nền tảng không cho sửa tự động", "the platform cannot take it automatically"),
    "update failed": ("sửa không thành công", "the change did not go through"),
    "remove failed": ("gỡ không thành công", "the removal did not go through"),
    # What a try led to, as the retry policy decided (scheduler.retry.Next) and reconciling found.
    "retry": ("lỗi tạm thời, sẽ thử lại", "a temporary fault, will try again"),
    "fail": ("thất bại, không thử lại", "failed, not tried again"),
    "reconcile": ("chưa rõ kết quả, đang kiểm tra trên nền tảng", "outcome unknown, checking"),
    "hold": ("kênh cần kết nối lại, bài chờ", "the channel needs reconnecting, the post waits"),
    "not sent": ("chưa gửi: máy này không dùng được kênh", "not sent: channel unusable here"),
    "reconciled: found": ("kiểm tra: bài đã có trên nền tảng", "checked: the post is there"),
    "reconciled: not found": ("kiểm tra: không thấy bài trên nền tảng", "checked: not there"),
    "reconcile failed": ("không hỏi được nền tảng", "the platform could not be asked"),
    "released": ("chưa gửi, trả lại khi tiến trình dừng", "not sent, given back at shutdown"),
}
HISTORY_ACTIONS: dict[str, tuple[str, str]] = {
    "post.created": ("tạo bài", "created the post"),
    "post.edited": ("sửa bài", "edited the post"),
    "post.rescheduled": ("đổi lịch", "rescheduled"),
    "post.submitted": ("gửi duyệt", "submitted it for review"),
    "post.approved": ("duyệt bài", "approved it"),
    "post.rejected": ("trả lại", "sent it back"),
    "post.cancelled": ("hủy bài", "cancelled it"),
    "delivery.retried": ("cho thử lại lượt đăng", "retried a delivery"),
    "delivery.cancelled": ("hủy lượt đăng", "cancelled a delivery"),
    "delivery.published": ("đăng thành công", "published"),
    "delivery.missed": ("lỡ giờ đăng", "missed its time"),
    "delivery.change_queued": ("chờ gửi chỉnh sửa lên nền tảng", "queued a platform change"),
    "delivery.updated": ("sửa trên nền tảng", "updated it on the platform"),
    "delivery.removed": ("gỡ khỏi nền tảng", "removed it from the platform"),
    "delivery.change_by_hand": ("cần sửa tay trên nền tảng", "left a change to do by hand"),
    "delivery.change_failed": ("sửa trên nền tảng không thành công", "failed to change it"),
}

DONE = frozenset(
    {"saved", "submitted", "approved", "rejected", "cancelled", "retried", "delivery_cancelled"}
)


def deliveries_of(services: WebServices) -> DeliveryService:
    return DeliveryService(services.db, services.zone, clock=services.posts.clock)


def may_see(actor: Actor, post: Post) -> bool:
    return actor.reviews or actor.department_code == post.department_code


def allowed(actor: Actor, post: Post, action: Action) -> bool:
    try:
        require_permission(
            actor, action, post_department=post.department_code, author_id=post.author_id
        )
        require_transition(action, post.state, post.id)
    except UserError:
        return False
    return True


def load_visible(services: WebServices, actor: Actor, post_id: int) -> PostDetail:
    detail = services.posts.detail(post_id)
    if not may_see(actor, detail.post):
        raise post_not_found(post_id)  # as if it did not exist: no owner named
    return detail


def safe_next(target: str, fallback: str) -> str:
    """Only a path on this site: never `//host` or `https://...`."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


@router.get("/{post_id}")
def post_page(request: Request, actor: Signed, post_id: PathId, done: str = "") -> Response:
    return _page(request, actor, post_id, done=done if done in DONE else "")


def _page(
    request: Request,
    actor: Actor,
    post_id: int,
    *,
    done: str = "",
    errors: dict[str, list[str]] | None = None,
    failed_form: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    services = services_of(request)
    detail = load_visible(services, actor, post_id)
    post = detail.post
    lang = lang_of(request)
    with services.db.read() as session:
        author = session.get(User, post.author_id)
        department = session.get(Department, post.department_code)
        channel_names = {c.id: c.name for c in services.channels}
        figures = delivery_figures(session, detail.deliveries, lang, services.zone, channel_names)
        names = {
            u: n
            for u, n in session.exec(
                select(User.username, User.full_name).where(
                    col(User.username).in_({e.actor for e in detail.events})
                )
            ).all()
        }
    previews: list[ChannelPreview] = []
    try:
        previews = _saved_previews(services, detail)
    except (OSError, UserError):  # a preview never stops the page from showing
        previews = []
    context: dict[str, Any] = {
        "post": post,
        "detail": detail,
        "author": author,
        "names": names,
        "evidence": deliveries_of(services).evidence(post_id),
        "figures": figures,
        "previews": previews,
        "can": {action.value: allowed(actor, post, action) for action in Action},
        "done": done,
        "errors": errors or {},
        "failed_form": failed_form,
        "values": values or {},
        "topic_name": next((c.label(lang) for c in services.topics if c.code == post.topic), ""),
        "pillar_name": next((c.label(lang) for c in services.pillars if c.code == post.pillar), ""),
        "state_label": state_label,
        "delivery_state_label": delivery_state_label,
        "error_kinds": ERROR_KINDS,
        "outcomes": OUTCOMES,
        "history_actions": HISTORY_ACTIONS,
        "change_words": change_words,
        "needs_hand": needs_hand,
        "department_name": (
            (department.name_vi if lang == "vi" else department.name_en) if department else ""
        )
        or post.department_code,
        "channel_label": lambda display, channel_id: (
            channel_label(display.type, display.name or display.id, lang) if display else channel_id
        ),
    }
    return render(request, "posts/post.html", context, status_code=status)


def _saved_previews(services: WebServices, detail: PostDetail) -> list[ChannelPreview]:
    data = input_from(detail.post, detail.deliveries, detail.media)
    media = [(m.sha256, pm.alt_text or m.alt_text or "") for m, pm in detail.media]
    return previews_of(services, data, media, post_id=detail.post.id or 0)


# --- the post's workflow ------------------------------------------------------------------


def _done(post_id: int, key: str, next_url: str) -> Response:
    fallback = f"/posts/{post_id}?done={key}"
    return RedirectResponse(safe_next(next_url, fallback), status_code=303)


def _refused(
    request: Request, actor: Actor, post_id: int, error: InvalidInput, form: str, **values: str
) -> Response:
    errors = field_errors(error, lang_of(request))
    return _page(
        request, actor, post_id, errors=errors, failed_form=form, values=values, status=422
    )


@router.post("/{post_id}/submit")
def submit(request: Request, actor: Signed, post_id: PathId, next: Text = "") -> Response:
    services = services_of(request)
    load_visible(services, actor, post_id)
    try:
        services.posts.submit(actor, post_id)
    except InvalidInput as error:
        return _refused(request, actor, post_id, error, "submit")
    return _done(post_id, "submitted", next)


@router.post("/{post_id}/approve")
def approve(
    request: Request, actor: Signed, post_id: PathId, comment: Text = "", next: Text = ""
) -> Response:
    services = services_of(request)
    load_visible(services, actor, post_id)
    try:
        services.posts.approve(actor, post_id, comment.strip() or None)
    except InvalidInput as error:
        return _refused(request, actor, post_id, error, "approve", comment=comment)
    return _done(post_id, "approved", next)


@router.post("/{post_id}/reject")
def reject(
    request: Request, actor: Signed, post_id: PathId, comment: Text = "", next: Text = ""
) -> Response:
    services = services_of(request)
    load_visible(services, actor, post_id)
    try:
        services.posts.reject(actor, post_id, comment)
    except InvalidInput as error:
        return _refused(request, actor, post_id, error, "reject", comment=comment)
    return _done(post_id, "rejected", next)


@router.post("/{post_id}/cancel")
def cancel(request: Request, actor: Signed, post_id: PathId, reason: Text = "") -> Response:
    services = services_of(request)
    load_visible(services, actor, post_id)
    services.posts.cancel(actor, post_id, reason.strip() or None)
    return _done(post_id, "cancelled", "")


# --- one delivery -------------------------------------------------------------------------


def _delivery_of(services: WebServices, actor: Actor, post_id: int, delivery_id: int) -> None:
    detail = load_visible(services, actor, post_id)
    if all(d.id != delivery_id for d in detail.deliveries):
        raise NotFound(
            f"post #{post_id} has no delivery #{delivery_id}",
            f"Bài #{post_id} không có lượt đăng #{delivery_id}.",
        )


# The chart is an image of its own: drawn from numbers only (no officer's text), so its answer
# may allow the inline styles matplotlib writes, and nothing else (no script, no fetch).
CHART_HEADERS = {"content-security-policy": "default-src 'none'; style-src 'unsafe-inline'"}


@router.get("/{post_id}/deliveries/{delivery_id}/figures.svg")
def figures_chart(
    request: Request, actor: Signed, post_id: PathId, delivery_id: PathId
) -> Response:
    services = services_of(request)
    _delivery_of(services, actor, post_id, delivery_id)
    with services.db.read() as session:
        series = metrics.history(session, delivery_id)
    if all(value is None for points in series.values() for _, value in points):
        raise NotFound(
            f"delivery #{delivery_id} has no figures yet",
            f"Lượt đăng #{delivery_id} chưa có số liệu.",
        )
    svg = chart_svg(series, lang_of(request), services.zone)
    return Response(svg, media_type="image/svg+xml", headers=CHART_HEADERS)


@router.post("/{post_id}/deliveries/{delivery_id}/retry")
def retry_delivery(
    request: Request, actor: Signed, post_id: PathId, delivery_id: PathId, at: Text = ""
) -> Response:
    services = services_of(request)
    _delivery_of(services, actor, post_id, delivery_id)
    try:
        when = None
        if at.strip():
            try:
                when = parse_local(at.replace("T", " "), services.zone)
            except ValueError:
                raise InvalidInput(
                    [
                        problem(
                            "at",
                            f"Không đọc được thời gian “{at}”; hãy nhập dạng 2026-08-08 07:30.",
                            f"cannot read the time {at!r}; write it as 2026-08-08 07:30",
                        )
                    ]
                ) from None
        deliveries_of(services).retry(actor, delivery_id, when)
    except InvalidInput as error:
        return _refused(request, actor, post_id, error, f"retry-{delivery_id}", at=at)
    return _done(post_id, "retried", "")


@router.post("/{post_id}/deliveries/{delivery_id}/cancel")
def cancel_delivery(
    request: Request, actor: Signed, post_id: PathId, delivery_id: PathId, reason: Text = ""
) -> Response:
    services = services_of(request)
    _delivery_of(services, actor, post_id, delivery_id)
    deliveries_of(services).cancel(actor, delivery_id, reason)
    return _done(post_id, "delivery_cancelled", "")
