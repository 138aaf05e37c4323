"""The composer's form as typed, and what the post services make of it.

`ComposerForm` keeps every field as text so a refused form comes back exactly as it was typed;
`to_input` turns it into the services' `PostInput` with the problems only a form can have (an
unreadable time). Files sent with the form (no JavaScript) are stored by `store_uploads`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData, UploadFile

from content.errors import FieldProblem
from content.inputs import OVERRIDABLE, MediaRef, PostInput, normalise_hashtags, problem
from content.media import MediaError
from content.models import MissedPolicy
from content.timeutil import parse_local, to_local
from content.workflow import Actor
from web.services import WebServices

OVERRIDE_FIELDS = ("title", "body", "hashtags", "link", "summary")
assert set(OVERRIDE_FIELDS) == OVERRIDABLE
HASHTAG_SPLIT = re.compile(r"[\s,;]+")


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


def form_text(form: FormData, name: str) -> str:
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
    version = form_text(form, "version")
    return ComposerForm(
        title=form_text(form, "title"),
        body=form_text(form, "body").replace("\r\n", "\n"),
        link=form_text(form, "link").strip(),
        hashtags=form_text(form, "hashtags"),
        topic=form_text(form, "topic"),
        pillar=form_text(form, "pillar"),
        department=form_text(form, "department"),
        channels=[v for v in form.getlist("channels") if isinstance(v, str) and v],
        timing=form_text(form, "timing") or "later",
        at=form_text(form, "at").strip(),
        missed_policy=form_text(form, "missed_policy") or MissedPolicy.publish_late,
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


def store_uploads(
    services: WebServices, actor: Actor, uploads: list[UploadFile]
) -> tuple[list[str], list[FieldProblem]]:
    from web.pages.media import store_upload

    stored, problems = [], []
    for upload in uploads:
        if not upload.filename:
            continue
        try:
            stored.append(store_upload(services, actor, upload).sha256)
        except MediaError as error:
            problems.append(problem("media", error.vi, error.en))
    return stored, problems
