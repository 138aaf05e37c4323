"""Uploading and serving media for signed-in users.

`POST /media` (multipart, field `file`, optional `alt_text`) stores the file through
`MediaStore`, which decides the type from the bytes, never from the name: a text file renamed
`.png` is refused with a message that names the file and the fix. The answer is JSON
`{sha256, kind, mime, thumbnail_url, url, width, height}`, or `{"error": {...}}` with 422.
`GET /media/{sha}` and `GET /media/{sha}/thumb` serve the stored file and its JPEG thumbnail
with the stored type and `X-Content-Type-Options: nosniff`.

`GET /media/public/{sha}?expires=&signature=` serves a file without signing in, to a platform
that takes images only by address (Zalo) or a webhook's receiver, when the address is one Loa
signed (loa.media_links) and has not expired: a forged, altered or expired one is refused
with 403, so nobody can list or guess the store.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.responses import FileResponse, JSONResponse, Response

from content.errors import NotFound, PermissionDenied
from content.media import MediaError
from content.models import Media
from content.workflow import Actor
from web.auth import current_actor
from web.errors import Refusal, json_error
from web.render import lang_of
from web.services import WebServices, services_of

router = APIRouter(prefix="/media")
Signed = Annotated[Actor, Depends(current_actor)]

SERVED_HEADERS = {
    "x-content-type-options": "nosniff",
    "cache-control": "private, max-age=31536000, immutable",  # named by their content
    "content-disposition": "inline",
}


def store_upload(
    services: WebServices, actor: Actor, upload: StarletteUpload, alt_text: str = ""
) -> Media:
    """Copy the upload to a temporary file (never all in memory), then into the store.

    An officer's upload is their department's; an editor's or administrator's is shared."""
    name = Path(upload.filename or "upload").name
    with tempfile.TemporaryDirectory(prefix="loa-upload-") as folder:
        temp = Path(folder) / "upload"
        with temp.open("wb") as out:
            upload.file.seek(0)
            shutil.copyfileobj(upload.file, out)
        with services.db.write() as session:
            department = None if actor.reviews else actor.department_code
            return services.media.add(
                session, temp, name=name, alt_text=alt_text, department_code=department
            )


def media_json(media: Media) -> dict[str, object]:
    return {
        "sha256": media.sha256,
        "kind": media.kind,
        "mime": media.mime,
        "width": media.width,
        "height": media.height,
        "url": f"/media/{media.sha256}",
        "thumbnail_url": f"/media/{media.sha256}/thumb" if media.kind == "image" else None,
        "alt_text": media.alt_text,
    }


@router.post("")
def upload_media(
    request: Request,
    actor: Signed,
    file: Annotated[UploadFile, File()],
    alt_text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    services = services_of(request)
    try:
        media = store_upload(services, actor, file, alt_text)
    except MediaError as error:
        refusal = Refusal(422, "invalid_media", error.vi, error.en, "file")
        return json_error(refusal, lang_of(request))
    return JSONResponse(media_json(media), status_code=201)


# Two routes rather than one with both methods: the API description names an operation per
# route and method, and one route would give GET and HEAD the same operation id.
@router.get("/public/{sha}")
@router.head("/public/{sha}")
def serve_public_media(
    request: Request, sha: str, expires: str = "", signature: str = ""
) -> Response:
    services = services_of(request)
    sha = sha.lower()
    checker = services.public_media
    if checker is None:
        raise _missing(sha)
    if not checker.verify(sha, expires, signature):
        raise PermissionDenied(
            "this file address is not one Loa signed, or it has expired: ask for a new one",
            "Địa chỉ tệp này không phải do Loa ký hoặc đã hết hạn: hãy xin địa chỉ mới.",
        )
    with services.db.read() as session:
        media = session.get(Media, sha)
    path = services.media.path_of(media) if media is not None else None
    if media is None or path is None or not path.exists():
        raise _missing(sha)
    # Cached by whoever fetches it until the address expires, never longer; anyone holding the
    # address may read the file, hence public.
    left = max(0, int(expires) - int(time.time()))
    headers = {
        **SERVED_HEADERS,
        "cache-control": f"public, max-age={left}",
        "content-disposition": _inline_named(media.original_name),
    }
    return FileResponse(path, media_type=media.mime, headers=headers)


@router.get("/{sha}")
def serve_media(request: Request, actor: Signed, sha: str) -> Response:
    services = services_of(request)
    with services.db.read() as session:
        media = session.get(Media, sha.lower())
    if media is None:
        raise _missing(sha)
    path = services.media.path_of(media)
    if not path.exists():
        raise _missing(sha)
    headers = {**SERVED_HEADERS, "content-disposition": _inline_named(media.original_name)}
    return FileResponse(path, media_type=media.mime, headers=headers)


@router.get("/{sha}/thumb")
def serve_thumbnail(request: Request, actor: Signed, sha: str) -> Response:
    try:
        path = services_of(request).media.thumbnail_path(sha.lower())
    except ValueError:
        path = None  # not a sha256 at all
    if path is None:
        raise _missing(sha)
    return FileResponse(path, media_type="image/jpeg", headers=SERVED_HEADERS)


def _inline_named(name: str) -> str:
    """Shown in the browser, but saved under the name the officer uploaded ("Lễ hội Huế.mp4"),
    not the sha256 it is stored by (RFC 6266, `filename*` for the Vietnamese letters)."""
    if not name:
        return "inline"
    plain = unicodedata.normalize(
        "NFKD", name.replace("đ", "d").replace("Đ", "D").replace(" ", "-")
    )
    fallback = "".join(c for c in plain if c.isascii() and (c.isalnum() or c in "-_.")) or "tep"
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _missing(sha: str) -> NotFound:
    short = sha[:12]
    return NotFound(f"no media {short}...", f"Không có tệp {short}… trong kho.")
