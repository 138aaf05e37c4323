"""Importing posts from the page, for administrators: `/admin/import`.

The file (CSV, Excel .xlsx or YAML, in `loa import`'s columns) is uploaded and checked at once
as `loa import --dry-run` does (`content.importer`, nothing saved): the page shows every row
with its problems, Vietnamese first. Only a file without any problem offers "Nhập tất cả", which
imports it all or nothing, checking everything again (the calendar may have changed meanwhile).

Between the preview and the import the upload waits in a folder of its own under the system's
temporary directory, named by a random token and the administrator's name (another account
cannot use it), and is removed once imported; one left behind is removed after a day. Media
named in the file must already be in Loa's media store (the paths an export writes): a web
import reads no other file on the server.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from content.errors import FieldProblem, InvalidInput
from content.import_files import COLUMNS, REQUIRED, Row, read_rows
from content.importer import Importer, ImportReport
from content.workflow import Actor, state_label
from web.auth import require_admin
from web.i18n import t
from web.pages.admin import TABS
from web.path_ids import MAX_ID
from web.render import lang_of, render
from web.services import WebServices, services_of

router = APIRouter(prefix="/admin/import")
Admin = Annotated[Actor, Depends(require_admin)]

SUFFIXES = (".csv", ".xlsx", ".yaml", ".yml")
MAX_UPLOAD = 10 * 1024 * 1024
STASH_LIFETIME = 24 * 3600  # seconds
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
CSV_ROW = re.compile(r"^row (\d+)$")
YAML_ROW = re.compile(r"^posts\[(\d+)\] \(line (\d+)\)$")

# The columns as people call them (the file keeps the English names loa import reads).
COLUMN_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Tiêu đề", "Title"), "body": ("Nội dung", "Body"), "link": ("Liên kết", "Link"),
    "hashtags": ("Hashtag", "Hashtags"), "topic": ("Chủ đề", "Topic"),
    "pillar": ("Trụ cột", "Pillar"), "audience": ("Đối tượng", "Audience"),
    "department": ("Đơn vị", "Department"), "author": ("Người soạn", "Author"),
    "channels": ("Kênh", "Channels"), "at": ("Giờ đăng", "Time"),
    "next_slot": ("Khung giờ trống kế tiếp", "Next free slot"),
    "missed": ("Khi lỡ giờ", "When missed"), "grace_minutes": ("Phút ân hạn", "Grace minutes"),
    "media": ("Ảnh, video", "Media"), "media_alt": ("Mô tả ảnh", "Alt text"),
    "state": ("Trạng thái", "State"), "file": ("Tệp", "File"), "encoding": ("Bảng mã", "Encoding"),
    "posts": ("Bài", "Posts"), "csv": ("CSV", "CSV"), "yaml": ("YAML", "YAML"),
}  # fmt: skip


@dataclass
class PreviewRow:
    where: str  # the importer's: "row 7", "posts[3] (line 42)"
    values: dict[str, str]
    problems: list[FieldProblem] = field(default_factory=list)


@dataclass
class Preview:
    name: str
    token: str
    rows: list[PreviewRow]
    file_problems: list[FieldProblem]
    report: ImportReport | None  # the dry run's, when the file has no problem

    @property
    def bad_rows(self) -> int:
        return sum(1 for row in self.rows if row.problems)


def _stash_root() -> Path:
    return Path(tempfile.gettempdir()) / "loa-web-imports"


def _stash_dir(actor: Actor, token: str) -> Path:
    return _stash_root() / actor.username / token


def _sweep() -> None:
    """Uploads checked but never imported, older than a day, are removed."""
    cutoff = time.time() - STASH_LIFETIME
    for folder in _stash_root().glob("*/*"):
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _refusal(vi: str, en: str) -> InvalidInput:
    return InvalidInput([FieldProblem("file", vi, en)])


def stash_upload(actor: Actor, upload: UploadFile) -> tuple[str, str]:
    """The upload kept for the import: (token, its name as the administrator had it)."""
    name = Path(upload.filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise _refusal(
            f"“{name or '(không tên)'}”: chỉ nhận tệp .csv, .xlsx, .yaml hoặc .yml.",
            f"{name or '(no name)'!r}: use a .csv, .xlsx, .yaml or .yml file",
        )
    _sweep()
    token = secrets.token_urlsafe(32)
    folder = _stash_dir(actor, token)
    folder.mkdir(parents=True, mode=0o700)
    target = folder / f"upload{suffix}"
    upload.file.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1024 * 1024)
    if target.stat().st_size > MAX_UPLOAD:
        shutil.rmtree(folder, ignore_errors=True)
        raise _refusal(
            f"Tệp lớn quá {MAX_UPLOAD // (1024 * 1024)} MB; hãy chia thành nhiều tệp.",
            f"the file is over {MAX_UPLOAD // (1024 * 1024)} MB; split it into several",
        )
    (folder / "name.txt").write_text(name, encoding="utf-8")
    return token, name


def _stashed(actor: Actor, token: str) -> tuple[Path, str] | None:
    if not TOKEN.match(token):
        return None
    folder = _stash_dir(actor, token)
    found = [path for path in folder.glob("upload.*") if path.suffix in SUFFIXES]
    if not found:
        return None
    return found[0], (folder / "name.txt").read_text(encoding="utf-8")


def _importer(services: WebServices) -> Importer:
    return Importer(services.posts, services.media, media_within=services.media.root)


def check_or_import(
    services: WebServices, actor: Actor, path: Path, name: str, token: str, *, dry_run: bool
) -> Preview:
    """Every row and its problems; the import's report when none (saved unless `dry_run`)."""
    try:
        rows, problems = read_rows(path)
    except InvalidInput as error:
        return Preview(name, token, [], list(error.problems), None)
    preview = Preview(name, token, [_preview_row(row) for row in rows], [], None)
    try:
        preview.report = _importer(services).run_rows(
            actor, rows, path.parent, name, dry_run=dry_run, file_problems=problems
        )
    except InvalidInput as error:
        _place(preview, rows, error.problems)
    return preview


def _preview_row(row: Row) -> PreviewRow:
    shown = ("title", "department", "channels", "at", "state")
    return PreviewRow(row.where, {key: _shown(row.values.get(key)) for key in shown})


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def _place(preview: Preview, rows: list[Row], problems: list[FieldProblem]) -> None:
    """Each problem beside its row; the header's and the file's above the table."""
    by_where = {row.where: index for index, row in enumerate(rows)}
    for problem in problems:
        where, _, detail = problem.where.partition(": ")
        index = by_where.get(where)
        if index is None:
            preview.file_problems.append(problem)
        else:  # beside its row, the row need not be named again; a channel named stays
            preview.rows[index].problems.append(replace(problem, where=detail))


def _problem_text(problem: FieldProblem, lang: str) -> str:
    words = COLUMN_WORDS.get(problem.field)
    label = (words[0] if lang == "vi" else words[1]) if words else problem.field
    where = where_label(problem.where, lang) if problem.where else ""
    text = problem.vi if lang == "vi" else problem.en
    return f"{where} — {label}: {text}" if where else f"{label}: {text}"


def where_label(where: str, lang: str) -> str:
    """ "row 7" as "Dòng 7"; "posts[3] (line 42)" as "Bài 4 (dòng 42)"; the header by name."""
    if where == "header":
        return "Dòng tiêu đề" if lang == "vi" else "Header row"
    if match := CSV_ROW.match(where):
        return f"{'Dòng' if lang == 'vi' else 'Row'} {match[1]}"
    if match := YAML_ROW.match(where):
        number, line = int(match[1]) + 1, match[2]
        return f"Bài {number} (dòng {line})" if lang == "vi" else f"Post {number} (line {line})"
    return where


def _render(request: Request, preview: Preview | None, *, status_code: int = 200,
            done: str = "", gone: bool = False) -> Response:  # fmt: skip
    lang = lang_of(request)
    context = {
        "tabs": TABS,
        "preview": preview,
        "columns": [(c, COLUMN_WORDS[c], c in REQUIRED) for c in COLUMNS],
        "columns_words": COLUMN_WORDS,
        "problem_text": lambda problem: _problem_text(problem, lang),
        "where_label": lambda where: where_label(where, lang),
        # What the file says, in words; empty is the importer's default, a draft.
        "state_words": lambda state: state_label(state or "draft", lang),
        "done": done,
        "gone": gone,
    }
    return render(request, "admin/import.html", context, status_code=status_code)


@router.get("")
def import_page(
    request: Request,
    actor: Admin,
    done: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    states: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The upload form; after an import, how many posts in which states (`draft:3,...`)."""
    shown = ""
    if done is not None:
        lang = lang_of(request)
        counts = [part.partition(":") for part in states.split(",")]
        words = ", ".join(
            f"{state_label(state, lang)}: {n}" for state, _, n in counts if n.isdigit()
        )
        shown = t("import.done", lang, n=done, states=words)
    return _render(request, None, done=shown)


@router.post("")
def check_upload(request: Request, actor: Admin, file: Annotated[UploadFile, File()]) -> Response:
    services = services_of(request)
    try:
        token, name = stash_upload(actor, file)
    except InvalidInput as error:
        preview = Preview(Path(file.filename or "").name, "", [], list(error.problems), None)
        return _render(request, preview, status_code=422)
    found = _stashed(actor, token)
    assert found is not None  # just written
    preview = check_or_import(services, actor, found[0], name, token, dry_run=True)
    return _render(request, preview, status_code=200 if preview.report else 422)


@router.post("/confirm")
def import_all(
    request: Request, actor: Admin, token: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    services = services_of(request)
    found = _stashed(actor, token)
    if found is None:
        return _render(request, None, status_code=409, gone=True)
    path, name = found
    preview = check_or_import(services, actor, path, name, token, dry_run=False)
    if preview.report is None:
        return _render(request, preview, status_code=422)
    shutil.rmtree(path.parent, ignore_errors=True)
    report = preview.report
    states = ",".join(f"{state}:{n}" for state, n in sorted(report.by_state.items()))
    return RedirectResponse(
        f"/admin/import?done={len(report.post_ids)}&states={states}", status_code=303
    )
