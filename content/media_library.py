"""The media library: which stored files a person may browse and reuse, found by the name they
were uploaded under or by their alt texts, each with the posts that used it.

Who sees what: editors and administrators every file; an officer the shared files (no
department: uploaded by an editor or administrator, or before departments were kept), their
department's uploads, and any file a post of their department used (the store keeps one row per
content, so the same photo uploaded by two departments belongs to the first: the second finds it
through its own post).

The search folds text in Python rather than in SQL: SQLite's LIKE and lower() fold ASCII only
("lễ" would not find "Lễ"), and names uploaded from a Mac arrive decomposed (NFD). A query typed
without diacritics ("le hoi") also finds "Lễ hội", as people type on a phone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, exists, func, or_
from sqlmodel import Session, col, select

from content.errors import PermissionDenied, UserError
from content.models import Delivery, Department, Media, Post, PostMedia
from content.post_search import stage_of
from content.workflow import Actor

PER_PAGE = 24
_SHA256 = re.compile(r"[0-9a-f]{64}")
_WORDS = re.compile(r"\S+")


@dataclass(frozen=True)
class Use:
    """A post that carries the file, with the stage a person thinks of it in."""

    post_id: int
    title: str
    stage: str
    department_code: str


@dataclass(frozen=True)
class LibraryItem:
    media: Media
    alt_texts: list[str] = field(default_factory=list)  # the file's own, then the posts' ones
    uses: list[Use] = field(default_factory=list)  # the posts the reader may open, newest first
    hidden_uses: int = 0  # posts of other departments, counted only


@dataclass(frozen=True)
class LibraryPage:
    items: list[LibraryItem]
    total: int
    page: int
    pages: int


def owning_department(actor: Actor) -> str | None:
    """The department a new upload belongs to: an officer's, or none (shared) for the others."""
    return None if actor.reviews else actor.department_code


def visible_to(actor: Actor) -> ColumnElement[bool] | None:
    """The condition on Media an officer's files meet; None when every file is visible."""
    if actor.reviews:
        return None
    department = actor.department_code
    used_by_department = exists().where(
        col(PostMedia.media_sha256) == col(Media.sha256),
        col(PostMedia.post_id) == col(Post.id),
        col(Post.department_code) == department,
    )
    return or_(
        col(Media.department_code).is_(None),
        col(Media.department_code) == department,
        used_by_department,
    )


def attachable(session: Session, actor: Actor, sha: str) -> Media:
    """The file `actor` asked to put in a new post, or why not: 400 for a name that is no stored
    file, 403 for another department's file (saying whose, never showing it)."""
    sha = sha.strip().lower()
    if not _SHA256.fullmatch(sha) or (media := session.get(Media, sha)) is None:
        raise UserError(
            f"there is no file {sha[:12]!r} in the media library; choose one on /media",
            f"Không có tệp “{sha[:12]}” trong thư viện ảnh; hãy chọn tệp ở trang Thư viện ảnh.",
        )
    condition = visible_to(actor)
    if condition is not None:
        allowed = session.exec(select(Media.sha256).where(Media.sha256 == sha, condition)).first()
        if allowed is None:
            owner = session.get(Department, media.department_code or "")
            vi, en = (owner.name_vi, owner.name_en) if owner else (media.department_code,) * 2
            raise PermissionDenied(
                f"this file belongs to {en} and is not shared with your department; ask them"
                " or an editor to share it",
                f"Tệp này thuộc {vi} và không được dùng chung với đơn vị của bạn; hãy nhờ đơn vị"
                " đó hoặc biên tập viên chia sẻ.",
            )
    return media


def suggested_alt_text(session: Session, media: Media) -> str:
    """What a reused file's alt text starts as: its own, else the one its latest post gave."""
    if media.alt_text.strip():
        return media.alt_text
    latest = session.exec(
        select(PostMedia.alt_text)
        .where(PostMedia.media_sha256 == media.sha256, col(PostMedia.alt_text).is_not(None))
        .order_by(col(PostMedia.post_id).desc())
    ).first()
    return latest or ""


def fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def strip_marks(text: str) -> str:
    """“Lễ hội Đà Nẵng” -> “le hoi da nang”: what people type without a Vietnamese keyboard."""
    decomposed = unicodedata.normalize("NFD", fold(text)).replace("đ", "d")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(query: str, texts: Iterable[str]) -> bool:
    """Every word of `query` is somewhere in `texts`; marks matter only if the query has some."""
    words = _WORDS.findall(fold(query))
    if not words:
        return True
    plain = all(strip_marks(word) == word for word in words)
    haystack = " \n".join(strip_marks(t) if plain else fold(t) for t in texts)
    return all(word in haystack for word in words)


def find_media(
    session: Session, actor: Actor, query: str = "", page: int = 1, per_page: int = PER_PAGE
) -> LibraryPage:
    """The page `page` (from 1) of the files `actor` may see that match `query`, newest first."""
    condition = visible_to(actor)
    newest = (col(Media.created_at).desc(), col(Media.sha256))
    if query.strip():
        listed = select(Media.sha256, Media.original_name, Media.alt_text).order_by(*newest)
        if condition is not None:
            listed = listed.where(condition)
        rows = session.exec(listed).all()
        post_alts = _post_alt_texts(session, [sha for sha, _, _ in rows])
        found = [
            sha for sha, name, alt in rows if matches(query, [name, alt, *post_alts.get(sha, [])])
        ]
        total = len(found)
        page = _clamped(page, total, per_page)
        shas = found[(page - 1) * per_page : page * per_page]
    else:
        counted = select(func.count()).select_from(Media)
        listed_shas = select(Media.sha256).order_by(*newest)
        if condition is not None:
            counted, listed_shas = counted.where(condition), listed_shas.where(condition)
        total = int(session.exec(counted).one())
        page = _clamped(page, total, per_page)
        shas = list(session.exec(listed_shas.offset((page - 1) * per_page).limit(per_page)))
    items = _items(session, actor, shas)
    return LibraryPage(items, total, page, max(1, -(-total // per_page)))


def _clamped(page: int, total: int, per_page: int) -> int:
    return min(max(page, 1), max(1, -(-total // per_page)))


def _post_alt_texts(session: Session, shas: list[str]) -> dict[str, list[str]]:
    """The alt texts posts gave each file, in the order they were first given, no repeats."""
    found: dict[str, list[str]] = {}
    if not shas:
        return found
    rows = session.exec(
        select(PostMedia.media_sha256, PostMedia.alt_text)
        .where(col(PostMedia.media_sha256).in_(shas), col(PostMedia.alt_text).is_not(None))
        .order_by(col(PostMedia.post_id))
    ).all()
    for sha, alt in rows:
        texts = found.setdefault(sha, [])
        if alt and alt.strip() and alt not in texts:
            texts.append(alt)
    return found


def _items(session: Session, actor: Actor, shas: list[str]) -> list[LibraryItem]:
    if not shas:
        return []
    media = {m.sha256: m for m in session.exec(select(Media).where(col(Media.sha256).in_(shas)))}
    post_alts = _post_alt_texts(session, shas)
    uses = _uses(session, shas)
    items = []
    for sha in shas:
        row = media[sha]
        alts = [row.alt_text] if row.alt_text.strip() else []
        alts += [a for a in post_alts.get(sha, []) if a != row.alt_text]
        mine = [u for u in uses.get(sha, []) if actor.reviews or _sees(actor, u)]
        hidden = len(uses.get(sha, [])) - len(mine)
        items.append(LibraryItem(row, alts, mine, hidden))
    return items


def _sees(actor: Actor, use: Use) -> bool:
    return use.department_code == actor.department_code


def _uses(session: Session, shas: list[str]) -> dict[str, list[Use]]:
    """Each file's posts, newest first, with their stage: two queries for the whole page."""
    rows = session.exec(
        select(PostMedia.media_sha256, Post)
        .join(Post, col(Post.id) == col(PostMedia.post_id))
        .where(col(PostMedia.media_sha256).in_(shas))
        .order_by(col(Post.id).desc())
    ).all()
    post_ids = sorted({post.id for _, post in rows if post.id is not None})
    states: dict[int, list[str]] = {}
    if post_ids:
        for post_id, state in session.exec(
            select(Delivery.post_id, Delivery.state).where(col(Delivery.post_id).in_(post_ids))
        ).all():
            states.setdefault(post_id, []).append(state)
    found: dict[str, list[Use]] = {}
    for sha, post in rows:
        assert post.id is not None
        stage = stage_of(post.state, states.get(post.id, []))
        found.setdefault(sha, []).append(Use(post.id, post.title, stage, post.department_code))
    return found


def size_label(size: int, lang: str) -> str:
    """“1,2 MB” in Vietnamese, “1.2 MB” in English."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            text = f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
            return text.replace(".", ",") if lang == "vi" else text
    return f"{size} byte" if lang == "vi" else f"{size} bytes"
