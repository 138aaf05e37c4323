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

Every post of an import is the importer's own: `author` may only be empty or the importer, and
`state` may be draft or in_review; "approved" is refused, since nobody approves their own post.
The audit trail thus names the person who really created and submitted each post.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlmodel import Session

from content.errors import FieldProblem, InvalidInput, UserError
from content.import_files import OVERRIDE_COLUMN, REQUIRED, Row, known_key, read_rows, unknown_key
from content.inputs import MediaRef, PostInput
from content.media import MediaError, MediaStore
from content.models import EditorialState
from content.posts import PostService
from content.queries import WriteContext
from content.timeutil import parse_local
from content.workflow import Actor, state_label

log = logging.getLogger(__name__)

IMPORT_STATES = (EditorialState.draft, EditorialState.in_review, EditorialState.approved)
LIST_SPLIT = re.compile(r"[,\s]+")
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "có", "x"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "không"})


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

    def state_counts(self, lang: str) -> str:
        """ "Đã duyệt: 24, Nháp: 3" in the reader's language: the states as people say them."""
        return ", ".join(f"{state_label(s, lang)}: {n}" for s, n in sorted(self.by_state.items()))


class Importer:
    def __init__(
        self, service: PostService, media: MediaStore, *, media_within: Path | None = None
    ) -> None:
        """`media_within`: media paths must lie inside it (an upload from the web page may
        name files already in the media store, never any other file on the server)."""
        self.service = service
        self.media = media
        self.media_within = media_within.resolve() if media_within is not None else None

    def run(
        self, actor: Actor, path: Path, *, dry_run: bool = False, encoding: str | None = None
    ) -> ImportReport:
        """Import a CSV or YAML file; `encoding` names the file's encoding when not detected."""
        rows, problems = read_rows(path, encoding)
        return self.run_rows(
            actor, rows, path.parent, path.name, dry_run=dry_run, file_problems=problems
        )

    def run_rows(
        self,
        actor: Actor,
        rows: list[Row],
        base: Path,
        source: str,
        *,
        dry_run: bool = False,
        file_problems: list[FieldProblem] | None = None,
    ) -> ImportReport:
        """Import rows already read (from a file, or built by the demo); media paths from `base`."""
        if not rows and not file_problems:
            raise InvalidInput(
                [FieldProblem("posts", "Tệp không có bài nào.", "the file holds no posts", source)]
            )
        parsed, problems = self._parse_all(rows, base)
        problems = [*(file_problems or []), *problems]
        with self.service.db.write() as session:
            context = self.service.context(session)
            problems += self._validate_all(session, actor, parsed, context)
            if problems:
                raise InvalidInput(_in_row_order(problems, rows), f"{source}: nothing imported")
            report = self._write(session, actor, parsed, context, source=source)
            if dry_run:
                session.rollback()
                return ImportReport([], report.by_state)
        log.info("imported %d posts from %s", len(report.post_ids), source)
        return report

    def _parse_all(self, rows: list[Row], base: Path) -> tuple[list[ParsedRow], list[FieldProblem]]:
        """Every row read and its media inspected, whatever else is wrong with it."""
        parsed: list[ParsedRow] = []
        problems: list[FieldProblem] = []
        inspected: dict[Path, FieldProblem | None] = {}
        for row in rows:
            result = self._parse_row(row, base, problems)
            seen: set[Path] = set()
            for media_path, alt in result.media_paths:
                if media_path in seen:
                    problems.append(
                        FieldProblem(
                            "media",
                            f"{media_path.name}: tệp được đính kèm hai lần.",
                            f"{media_path.name}: attached twice",
                            row.where,
                        )
                    )
                seen.add(media_path)
                if len(alt) > self.media.limits.max_alt_text:
                    limit, name = self.media.limits.max_alt_text, media_path.name
                    problems.append(
                        FieldProblem(
                            "media_alt",
                            f"Mô tả ảnh {name} dài {len(alt)} ký tự, tối đa {limit}.",
                            f"alt text of {name} is {len(alt)} characters; at most {limit}",
                            row.where,
                        )
                    )
                if media_path not in inspected:
                    inspected[media_path] = self._inspect(media_path)
                refusal = inspected[media_path]
                if refusal:
                    problems.append(replace(refusal, where=row.where))
            parsed.append(result)
        return parsed, problems

    def _inspect(self, path: Path) -> FieldProblem | None:
        if not path.is_file():
            return FieldProblem("media", f"{path}: không tìm thấy tệp", f"{path}: file not found")
        try:
            self.media.inspect(path, path.name)
        except MediaError as error:
            return FieldProblem("media", error.vi, error.en)
        return None

    def _parse_row(self, row: Row, base: Path, problems: list[FieldProblem]) -> ParsedRow:
        values = row.values
        for key in values:
            if not known_key(str(key)):
                problems.append(unknown_key(str(key), row.where))
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
            path = path if path.is_absolute() else base / path
            if self.media_within is not None and not path.resolve().is_relative_to(
                self.media_within
            ):
                fail(
                    "media",
                    f"{path.name}: tệp nhập trên trang web chỉ dùng được ảnh, video đã có trong"
                    " kho của Loa (như cột media của tệp xuất); hãy tải tệp lên trong trang soạn"
                    " bài, hoặc nhập bằng lệnh loa import trên máy chủ.",
                    f"{path.name}: an import from the web page can only use media already in"
                    " Loa's store (as the media column of an export); upload the file in the"
                    " composer, or import with loa import on the server",
                )
                continue
            result.append((path, str(alt or "")))
        return result

    def _validate_all(
        self, session: Session, actor: Actor, parsed: list[ParsedRow], context: WriteContext
    ) -> list[FieldProblem]:
        problems: list[FieldProblem] = []
        for row in parsed:
            found = self.service.validate(actor, row.data, context)
            problems += [FieldProblem(p.field, p.vi, p.en, row.where) for p in found]
            problems += _speaks_for_itself(row, actor)
        return problems

    def _write(
        self,
        session: Session,
        actor: Actor,
        parsed: list[ParsedRow],
        context: WriteContext,
        source: str,
    ) -> ImportReport:
        """Store the media, write every post in one batch, then submit and approve as asked."""
        stored: dict[Path, str] = {}  # the same file on many rows is stored and hashed once
        items: list[tuple[PostInput, int | None]] = []
        for row in parsed:
            for path, alt in row.media_paths:
                if path not in stored:
                    stored[path] = self.media.add(
                        session, path, name=path.name, alt_text=alt
                    ).sha256
            row.data.media = [MediaRef(stored[path], alt or None) for path, alt in row.media_paths]
            items.append((row.data, actor.id))
        posts = self.service.insert_many(session, actor, items, context, source=source)
        problems: list[FieldProblem] = []
        by_state: dict[str, int] = {}
        for row, post in zip(parsed, posts, strict=True):
            assert post.id is not None
            try:
                if row.state == EditorialState.in_review:
                    self.service.submit_in(session, actor, post.id)
            except InvalidInput as error:
                problems += [
                    FieldProblem(p.field, p.vi, p.en, _join(row.where, p.where))
                    for p in error.problems
                ]
            except UserError as error:  # a refusal of the workflow, worded for people
                problems.append(FieldProblem("state", error.vi, error.en, row.where))
            by_state[row.state] = by_state.get(row.state, 0) + 1
        if problems:
            raise InvalidInput(problems, f"{source}: nothing imported")
        return ImportReport([post.id for post in posts if post.id is not None], by_state)


def _join(row: str, where: str) -> str:
    return f"{row}: {where}" if where else row


def _in_row_order(problems: list[FieldProblem], rows: list[Row]) -> list[FieldProblem]:
    """One problem per row and field (the first, most specific one), the header first."""
    order = {row.where: index for index, row in enumerate(rows)}
    unique: dict[tuple[str, str], FieldProblem] = {}
    for found in problems:
        unique.setdefault((found.where, found.field), found)

    def position(found: FieldProblem) -> int:
        row = found.where.split(": ")[0]
        return -1 if row == "header" else order.get(row, len(order))

    return sorted(unique.values(), key=position)


def _speaks_for_itself(row: ParsedRow, actor: Actor) -> list[FieldProblem]:
    """An import is its importer's own work: it names no other author and approves nothing.

    Writing another user's name would submit a post in their name that they never wrote or
    sent; approving in the same import would be approving one's own post (an editor importing
    "approved" rows published alone what needs two people).
    """
    problems = []
    if row.author and row.author != actor.username:
        problems.append(
            FieldProblem(
                "author",
                f"Tệp nhập chỉ ghi bài của chính bạn: để trống cột author hoặc ghi"
                f" {actor.username}; bài của “{row.author}” do {row.author} tự nhập.",
                f"an import holds only your own posts: leave author empty or write"
                f" {actor.username}; {row.author!r} imports their own",
                row.where,
            )
        )
    if row.state == EditorialState.approved:
        problems.append(
            FieldProblem(
                "state",
                "Không ai tự duyệt bài của mình: bài nhập là bài của người nhập; hãy nhập với"
                " trạng thái in_review để một biên tập viên khác duyệt.",
                "nobody approves their own post, and an imported post is the importer's:"
                " import it as in_review and another editor approves it",
                row.where,
            )
        )
    return problems


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
