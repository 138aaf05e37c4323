"""What Loa sends to a webhook and what it takes back, as the package's JSON Schemas say.

schemas/post.schema.json      the event: {"type", "timestamp", "data"} (Standard Webhooks' shape)
schemas/answer.schema.json    the receiver's answer: {"id", "url"?} -> Receipt(id, url)
schemas/account.schema.json   the verify endpoint's answer: {"id", "name", "url"?} -> Account

The schemas are the contract (draft 2020-12, published with the package and in
docs/channels/webhook.md): Loa checks every event against post.schema.json before sending it and
every answer against its schema before keeping it, and the sandbox's receiver refuses any body
that does not match. Formats are backed by patterns, so a validator without format checks is
as strict.

Each event's `webhook-id` lets the receiver drop a delivery it has already carried out:

    loa.post.published   the post's marker: loa-<installation>-<post>-<channel>
    loa.post.updated     <marker>.updated.<digest of what changed>: the same correction sent
                         twice has the same id, a later correction another
    loa.post.removed     loa-removed-<digest of the receiver's id>: a removal knows only the
                         receipt (channels.base.Editable.remove), not the post
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from channels import render
from channels.base import Publication, Receipt

PUBLISHED = "loa.post.published"
UPDATED = "loa.post.updated"
REMOVED = "loa.post.removed"
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DIGEST_CHARS = 16  # 64 bits of a SHA-256: distinct corrections of one post never collide


@cache
def schema(name: str) -> dict[str, Any]:
    """One of the package's schemas: "post", "answer" or "account"."""
    text = files("channels.webhook").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name))


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(UTC_FORMAT)


def event(kind: str, data: Mapping[str, Any], now: datetime | None = None) -> dict[str, Any]:
    return {"type": kind, "timestamp": utc(now or datetime.now(UTC)), "data": dict(data)}


def encode(document: Mapping[str, Any]) -> bytes:
    """The body as signed and sent: UTF-8 JSON, Vietnamese letters as they are."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def marker_of(pub: Publication) -> str:
    return pub.marker or f"loa-{pub.post_id}-{pub.channel_id}".lower()


def post_data(
    pub: Publication, media: Sequence[Mapping[str, Any]], remote_id: str | None = None
) -> dict[str, Any]:
    """The post as the channel publishes it; `remote_id` (the receiver's id) in updates."""
    data: dict[str, Any] = {} if remote_id is None else {"id": remote_id}
    return data | {
        "post_id": pub.post_id,
        "marker": marker_of(pub),
        "title": pub.title,
        "text": pub.text,
        "html": render.paragraphs_html(pub.text) if pub.text.strip() else "",
        "link": pub.link or None,
        "hashtags": [tag.lstrip("#") for tag in pub.hashtags],
        "topic": pub.topic,
        "pillar": pub.pillar or None,
        "department": pub.department or None,
        "scheduled_at": utc(pub.scheduled_at) if pub.scheduled_at else None,
        "media": [dict(item) for item in media],
    }


def removal_data(sent: Receipt) -> dict[str, Any]:
    return {"id": sent.remote_id, "url": sent.url}


def event_id(kind: str, data: Mapping[str, Any]) -> str:
    if kind == PUBLISHED:
        return str(data["marker"])
    if kind == REMOVED:
        return f"loa-removed-{_digest(data['id'])}"
    # Media addresses are signed anew on every try: the files' digests stand for them.
    lasting = {key: value for key, value in data.items() if key != "media"}
    lasting["media"] = [(item["sha256"], item["alt"]) for item in data.get("media", ())]
    return f"{data['marker']}.updated.{_digest(lasting)}"


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True)
class Mismatch:
    """One way a document differs from its schema, in Vietnamese and English."""

    where: str  # "data.media[0].url", or "" for the whole document
    vi: str
    en: str
    detail: str  # the validator's own words


def mismatches(name: str, document: Any) -> list[Mismatch]:
    """Every way `document` fails schemas/<name>.schema.json, most specific first."""
    leaves = [leaf for error in validator(name).iter_errors(document) for leaf in _leaves(error)]
    leaves.sort(key=lambda e: (-len(e.absolute_path), [str(part) for part in e.absolute_path]))
    return [_worded(leaf) for leaf in leaves]


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors under an if/then or anyOf: what actually went wrong, not the combinator."""
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub)]


def _worded(error: ValidationError) -> Mismatch:
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    )
    where = where.lstrip(".")
    field_vi = f"trường `{where}`" if where else "nội dung JSON"
    field_en = f"field `{where}`" if where else "the JSON document"
    kind, instance = error.validator, error.instance
    expected: Any = error.validator_value
    if kind == "required" and isinstance(instance, dict):
        missing = next((name for name in expected if name not in instance), "?")
        inside = f"`{where}.{missing}`" if where else f"`{missing}`"
        return Mismatch(
            where, f"thiếu trường {inside}", f"field {inside} is missing", error.message
        )
    if kind == "type":
        wanted = " hoặc ".join(expected) if isinstance(expected, list) else str(expected)
        wanted_en = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return Mismatch(
            where, f"{field_vi} phải có kiểu {wanted}", f"{field_en} must be {wanted_en}",
            error.message,
        )  # fmt: skip
    if kind == "additionalProperties":
        return Mismatch(
            where, f"{field_vi} có trường không được khai báo", f"{field_en} has unknown fields",
            error.message,
        )  # fmt: skip
    return Mismatch(
        where, f"{field_vi} không hợp lệ ({kind})", f"{field_en} is not valid ({kind})",
        error.message,
    )  # fmt: skip
