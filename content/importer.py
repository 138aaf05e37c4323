"""Bulk import from CSV and YAML, and export to CSV.

An import is all-or-nothing: every row is read and checked first (fields, media files, the same
validation as a single post), every problem is reported with its row and field, and only a
file without any problem is written, in one transaction.

CSV columns (only title, topic, department and channels are required)::

    title, body, link, hashtags, topic, pillar, audience, department, author, channels, at,
    next_slot, missed, grace_minutes, media, media_alt, state, override.<channel>.<field>

Lists are separated by commas or spaces (channels, hashtags) or by "|" (media, media_alt).
YAML takes the same keys, either as a list or under `posts:`, with real lists and
`media: [{path, alt}]` and `overrides: {channel: {field: value}}`.
"""

from __future__ import annotations

import csv
import difflib
import io
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from content.errors import FieldProblem, InvalidInput
from content.inputs import OVERRIDABLE, MediaRef, PostInput
from content.media import MediaError, MediaStore
from content.models import Delivery, DeliveryState, EditorialState, Post, Role, User
from content.posts import PostService, WriteContext, actor_of, media_of
from content.timeutil import format_local, parse_local
from content.workflow import Actor

log = logging.getLogger(__name__)

COLUMNS = (
    "title", "body", "link", "hashtags", "topic", "pillar", "audience", "department", "author",
    "channels", "at", "next_slot", "missed", "grace_minutes", "media", "media_alt", "state",
)  # fmt: skip
REQUIRED = ("title", "topic", "department", "channels")
IMPORT_STATES = (EditorialState.draft, EditorialState.in_review, EditorialState.approved)
OVERRIDE_COLUMN = re.compile(r"^override\.(?P<channel>[a-z0-9-]+)\.(?P<field>[a-z_]+)$")
LIST_SPLIT = re.compile(r"[,\s]+")
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "có", "x"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "không"})


@dataclass(frozen=True)
class Row:
    where: str  # "row 7" (CSV, counting the header as row 1) or "posts[3] (line 42)"
    values: Mapping[str, Any]


@dataclass
class ParsedRow:
    where: str
    data: PostInput
    media_paths: list[tuple[Path, str]]
    author: str | None
    state: str


@dataclass(frozen=True)
class ImportReport:
    post_ids: list[int]
    by_state: dict[str, int]


def read_rows(path: Path) -> list[Row]:
    if not path.is_file():
        raise InvalidInput(
            [FieldProblem("file", "Không tìm thấy tệp.", "file not found", str(path))]
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path)
    raise InvalidInput(
        [
            FieldProblem(
                "file",
                "Chỉ nhận tệp .csv, .yaml hoặc .yml.",
                "use a .csv, .yaml or .yml file",
                path.name,
            )
        ]
    )


def _read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        problems = [_unknown_key(name, "header") for name in header if not _known_key(name)]
        problems += [
            FieldProblem(name, "Thiếu cột bắt buộc.", "required column missing", "header")
            for name in REQUIRED
            if name not in header
        ]
        if problems:
            raise InvalidInput(problems, f"{path.name} not imported")
        return [
            Row(f"row {number}", {key: value for key, value in record.items() if key is not None})
            for number, record in enumerate(reader, start=2)
        ]


def _read_yaml(path: Path) -> list[Row]:
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark else "file"
        raise InvalidInput(
            [
                FieldProblem(
                    "yaml", f"Lỗi cú pháp YAML: {error}", f"YAML syntax error: {error}", line
                )
            ]
        ) from error
    if isinstance(document, dict) and "posts" in document and root is not None:
        document = document["posts"]
        root = next(value for key, value in root.value if key.value == "posts")
    if not isinstance(document, list) or root is None:
        raise InvalidInput(
            [
                FieldProblem(
                    "posts",
                    "Tệp YAML cần một danh sách bài (hoặc khóa posts: chứa danh sách).",
                    "the YAML file must hold a list of posts (or a `posts:` list)",
                    path.name,
                )
            ]
        )
    rows = []
    for index, (item, node) in enumerate(zip(document, root.value, strict=True)):
        where = f"posts[{index}] (line {node.start_mark.line + 1})"
        if not isinstance(item, dict):
            raise InvalidInput(
                [
                    FieldProblem(
                        "post",
                        "Mỗi bài là một bảng khóa: giá trị.",
                        "each post must be a mapping",
                        where,
                    )
                ]
            )
        rows.append(Row(where, item))
    return rows


def _known_key(name: str) -> bool:
    return name in COLUMNS or name == "overrides" or bool(OVERRIDE_COLUMN.match(name))


def _unknown_key(name: str, where: str) -> FieldProblem:
    close = difflib.get_close_matches(name, COLUMNS, n=1)
    hint_en = f"; did you mean {close[0]!r}?" if close else ""
    hint_vi = f"; có phải “{close[0]}”?" if close else ""
    return FieldProblem(name, f"Cột/khóa không có{hint_vi}", f"unknown column{hint_en}", where)


class Importer:
    def __init__(self, service: PostService, media: MediaStore) -> None:
        self.service = service
        self.media = media

    def run(self, actor: Actor, path: Path, *, dry_run: bool = False) -> ImportReport:
        return self.run_rows(actor, read_rows(path), path.parent, path.name, dry_run=dry_run)

    def run_rows(
        self, actor: Actor, rows: list[Row], base: Path, source: str, *, dry_run: bool = False
    ) -> ImportReport:
        """Import rows already read (from a file, or built by the demo); media paths from `base`."""
        if not rows:
            raise InvalidInput(
                [FieldProblem("posts", "Tệp không có bài nào.", "the file holds no posts", source)]
            )
        parsed, problems = self._parse_all(rows, base)
        with self.service.db.write() as session:
            context = self.service.context(session)
            problems += self._validate_all(session, actor, parsed, context)
            if problems:
                raise InvalidInput(problems, f"{source}: nothing imported")
            report = self._write(session, actor, parsed, context, source=source)
            if dry_run:
                session.rollback()
                return ImportReport([], report.by_state)
        log.info("imported %d posts from %s", len(report.post_ids), source)
        return report

    def _parse_all(self, rows: list[Row], base: Path) -> tuple[list[ParsedRow], list[FieldProblem]]:
        parsed: list[ParsedRow] = []
        problems: list[FieldProblem] = []
        inspected: dict[Path, str | None] = {}
        for row in rows:
            row_problems: list[FieldProblem] = []
            result = self._parse_row(row, base, row_problems)
            for media_path, _ in result.media_paths if result else []:
                if media_path not in inspected:
                    inspected[media_path] = self._inspect(media_path)
                if inspected[media_path]:
                    row_problems.append(
                        FieldProblem(
                            "media",
                            str(inspected[media_path]),
                            str(inspected[media_path]),
                            row.where,
                        )
                    )
            problems += row_problems
            if result is not None and not row_problems:
                parsed.append(result)
        return parsed, problems

    def _inspect(self, path: Path) -> str | None:
        if not path.is_file():
            return f"{path}: file not found"
        try:
            self.media.inspect(path, path.name)
        except MediaError as error:
            return str(error)
        return None

    def _parse_row(self, row: Row, base: Path, problems: list[FieldProblem]) -> ParsedRow | None:
        values = row.values
        for key in values:
            if not _known_key(str(key)):
                problems.append(_unknown_key(str(key), row.where))
        for key in REQUIRED:
            if not values.get(key):
                problems.append(
                    FieldProblem(key, "Bắt buộc, đang để trống.", "required, but empty", row.where)
                )

        def fail(name: str, vi: str, en: str) -> None:
            problems.append(FieldProblem(name, vi, en, row.where))

        scheduled_at = None
        if values.get("at"):
            try:
                scheduled_at = parse_local(str(values["at"]), self.service.tz)
            except ValueError as error:
                fail("at", f"Giờ không đọc được: {error}", str(error))
        grace = None
        if str(values.get("grace_minutes") or "").strip():
            try:
                grace = int(str(values["grace_minutes"]))
            except ValueError:
                fail(
                    "grace_minutes", "Cần một số phút nguyên.", "must be a whole number of minutes"
                )
        next_slot = _boolean(values.get("next_slot"))
        if next_slot is None:
            fail("next_slot", "Ghi true hoặc false.", "write true or false")
        state = str(values.get("state") or EditorialState.draft)
        if state not in IMPORT_STATES:
            fail(
                "state",
                "Trạng thái nhập: draft, in_review hoặc approved.",
                "state must be draft, in_review or approved",
            )
        media_paths = self._media_paths(values, base, fail)
        if problems:
            return None
        data = PostInput(
            title=str(values.get("title") or ""),
            topic=str(values.get("topic") or "").strip().lower(),
            department=str(values.get("department") or "").strip(),
            channels=_as_list(values.get("channels")),
            body=str(values.get("body") or ""),
            link=str(values.get("link") or "").strip() or None,
            hashtags=_as_list(values.get("hashtags")),
            pillar=str(values.get("pillar") or "").strip().upper() or None,
            audience=str(values.get("audience") or "").strip() or None,
            scheduled_at=scheduled_at,
            next_slot=bool(next_slot),
            missed_policy=str(values.get("missed") or "publish_late"),
            grace_minutes=grace,
            overrides=_overrides(values),
        )
        author = str(values.get("author") or "").strip() or None
        return ParsedRow(row.where, data, media_paths, author, state)

    def _media_paths(
        self, values: Mapping[str, Any], base: Path, fail: Any
    ) -> list[tuple[Path, str]]:
        raw = values.get("media")
        if not raw:
            return []
        if isinstance(raw, list):
            items = [
                (item.get("path"), item.get("alt", "")) if isinstance(item, dict) else (item, "")
                for item in raw
            ]
        else:
            paths = [part.strip() for part in str(raw).split("|") if part.strip()]
            alts = [part.strip() for part in str(values.get("media_alt") or "").split("|")]
            items = [(p, alts[i] if i < len(alts) else "") for i, p in enumerate(paths)]
        result = []
        for path_text, alt in items:
            if not path_text:
                fail("media", "Thiếu đường dẫn tệp.", "a media entry has no path")
                continue
            path = Path(str(path_text)).expanduser()
            result.append((path if path.is_absolute() else base / path, str(alt or "")))
        return result

    def _validate_all(
        self, session: Session, actor: Actor, parsed: list[ParsedRow], context: WriteContext
    ) -> list[FieldProblem]:
        problems: list[FieldProblem] = []
        names = {row.author for row in parsed if row.author}
        authors = {
            user.username: user
            for user in session.exec(select(User).where(col(User.username).in_(names))).all()
        }
        for row in parsed:
            found = self.service.validate(actor, row.data, context)
            problems += [FieldProblem(p.field, p.vi, p.en, row.where) for p in found]
            if row.author:
                problems += _author_problems(row, authors.get(row.author), actor)
        return problems

    def _write(
        self,
        session: Session,
        actor: Actor,
        parsed: list[ParsedRow],
        context: WriteContext,
        source: str,
    ) -> ImportReport:
        authors: dict[str, Actor] = {}
        problems: list[FieldProblem] = []
        post_ids: list[int] = []
        by_state: dict[str, int] = {}
        for row in parsed:
            row.data.media = [
                MediaRef(
                    self.media.add(session, path, name=path.name, alt_text=alt).sha256, alt or None
                )
                for path, alt in row.media_paths
            ]
            author = actor
            if row.author and row.author != actor.username:
                author = authors.get(row.author) or actor_of(session, row.author)
                authors[row.author] = author
            post = self.service.insert(
                session, actor, row.data, context, author_id=author.id, source=source
            )
            assert post.id is not None
            try:
                if row.state in (EditorialState.in_review, EditorialState.approved):
                    self.service.submit_in(session, author, post.id)
                if row.state == EditorialState.approved:
                    self.service.approve_in(session, actor, post.id)
            except InvalidInput as error:
                problems += [
                    FieldProblem(p.field, p.vi, p.en, f"{row.where}: {p.where}".rstrip(": "))
                    for p in error.problems
                ]
            except Exception as error:  # a refusal from the workflow, worded for people
                text = getattr(error, "en", str(error))
                problems.append(FieldProblem("state", getattr(error, "vi", text), text, row.where))
            post_ids.append(post.id)
            by_state[row.state] = by_state.get(row.state, 0) + 1
        if problems:
            raise InvalidInput(problems, f"{source}: nothing imported")
        return ImportReport(post_ids, by_state)


def _author_problems(row: ParsedRow, author: User | None, actor: Actor) -> list[FieldProblem]:
    def refuse(vi: str, en: str) -> list[FieldProblem]:
        return [FieldProblem("author", vi, en, row.where)]

    if author is None or not author.active:
        return refuse(f"Không có người dùng “{row.author}”.", f"no active user {row.author!r}")
    if author.username != actor.username and not actor.reviews:
        return refuse(
            "Chỉ biên tập viên mới nhập bài thay người khác.",
            "only editors may import posts on behalf of others",
        )
    if author.role == Role.officer and author.department_code != row.data.department:
        return refuse(
            f"{author.username} thuộc {author.department_code}, không viết bài cho"
            f" {row.data.department}.",
            f"{author.username} belongs to {author.department_code}, not {row.data.department}",
        )
    return []


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part for part in LIST_SPLIT.split(str(value).strip()) if part]


def _overrides(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    nested = values.get("overrides")
    if isinstance(nested, dict):
        for channel, fields in nested.items():
            result[str(channel)] = dict(fields) if isinstance(fields, dict) else {"?": fields}
    for key, value in values.items():
        match = OVERRIDE_COLUMN.match(str(key))
        if match and value not in (None, ""):
            field = match["field"]
            result.setdefault(match["channel"], {})[field] = (
                _as_list(value) if field == "hashtags" else value
            )
    return result


# -- export ----------------------------------------------------------------------------------


def export_csv(
    session: Session, tz: tzinfo, media: MediaStore, post_ids: Iterable[int] | None = None
) -> str:
    """Every post (or those given) as CSV in the import format: an export imports back."""
    query = select(Post).order_by(col(Post.scheduled_at), col(Post.id))
    if post_ids is not None:
        query = query.where(col(Post.id).in_(list(post_ids)))
    posts = list(session.exec(query).all())
    ids = [post.id for post in posts]
    deliveries: dict[int, list[Delivery]] = {}
    for delivery in session.exec(
        select(Delivery).where(col(Delivery.post_id).in_(ids)).order_by(col(Delivery.channel_id))
    ).all():
        if delivery.state != DeliveryState.cancelled:
            deliveries.setdefault(delivery.post_id, []).append(delivery)
    usernames = dict(session.exec(select(User.id, User.username)).all())
    rows = [
        _export_row(session, post, deliveries.get(post.id or 0, []), usernames, tz, media)
        for post in posts
    ]
    override_columns = sorted({key for row in rows for key in row if key.startswith("override.")})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, *override_columns], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _export_row(
    session: Session,
    post: Post,
    deliveries: list[Delivery],
    usernames: Mapping[int | None, str],
    tz: tzinfo,
    media: MediaStore,
) -> dict[str, Any]:
    attached = media_of(session, post.id or 0)
    row: dict[str, Any] = {
        "title": post.title,
        "body": post.body,
        "link": post.link or "",
        "hashtags": " ".join(post.hashtags),
        "topic": post.topic,
        "pillar": post.pillar or "",
        "audience": post.audience or "",
        "department": post.department_code,
        "author": usernames.get(post.author_id, ""),
        "channels": " ".join(d.channel_id for d in deliveries),
        "at": format_local(post.scheduled_at, tz),
        "next_slot": "",
        "missed": post.missed_policy,
        "grace_minutes": post.grace_minutes,
        "media": "|".join(str(media.path_of(item)) for item, _ in attached),
        "media_alt": "|".join(
            link.alt_text if link.alt_text is not None else item.alt_text for item, link in attached
        ),
        "state": post.state if post.state in IMPORT_STATES else "",
    }
    for delivery in deliveries:
        for field, value in delivery.overrides.items():
            if field in OVERRIDABLE:
                row[f"override.{delivery.channel_id}.{field}"] = (
                    " ".join(value) if isinstance(value, list) else value
                )
    return row


def iter_chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
