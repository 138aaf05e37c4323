"""Media in the REST API: upload a file (its type decided by its content), read what is known.

The file goes to a temporary file first (a video may be a gigabyte), then into the
content-addressed store; the same bytes uploaded twice are one medium.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import File, Form, Path, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from content.errors import FieldProblem, InvalidInput, NotFound
from content.media import MediaError
from content.media_library import owning_department
from content.models import Media
from web.api.common import Caller, Services, api_router, thumbnail_url
from web.api.models import MediaOut, errors

router = api_router("media")

Sha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 of the file, hex")]


def media_out(media: Media) -> MediaOut:
    return MediaOut(
        sha256=media.sha256,
        kind=media.kind,
        mime=media.mime,
        size_bytes=media.size_bytes,
        width=media.width,
        height=media.height,
        duration_seconds=media.duration_seconds,
        original_name=media.original_name,
        alt_text=media.alt_text,
        thumbnail_url=thumbnail_url(media.sha256, media.kind),
        created_at=media.created_at,
    )


def not_found(sha: str) -> NotFound:
    return NotFound(f"no media {sha[:12]}...", f"Không có tệp {sha[:12]}… trong kho.")


@router.post("/media", status_code=201, response_model=MediaOut, responses=errors())
async def upload_media(
    actor: Caller,
    services: Services,
    file: Annotated[UploadFile, File(description="JPEG, PNG, GIF, WebP; MP4, MOV, WebM.")],
    alt_text: Annotated[str, Form(max_length=1000, description="For screen readers.")] = "",
) -> MediaOut:
    """Store an image or a video. Its type is read from its bytes, never from its name: a file
    whose name says another type is refused (422, field `file`)."""
    name = FilePath(file.filename or "").name or "upload"
    with tempfile.TemporaryDirectory(prefix="loa-upload-") as folder:
        spooled = FilePath(folder) / "upload"
        with spooled.open("wb") as out:
            await run_in_threadpool(shutil.copyfileobj, file.file, out)

        def store() -> Media:
            with services.db.write() as session:
                return services.media.add(
                    session,
                    spooled,
                    name=name,
                    alt_text=alt_text,
                    department_code=owning_department(actor),
                )

        try:
            media = await run_in_threadpool(store)
        except MediaError as error:
            raise InvalidInput([FieldProblem("file", error.vi, error.en)]) from None
    return media_out(media)


@router.get("/media/{sha256}", response_model=MediaOut, responses=errors(404))
def read_media(sha256: Sha, services: Services) -> MediaOut:
    with services.db.read() as session:
        media = session.get(Media, sha256)
    if media is None:
        raise not_found(sha256)
    return media_out(media)


@router.get(
    "/media/{sha256}/thumbnail",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}},
        **errors(404),
    },
)
def media_thumbnail(sha256: Sha, services: Services) -> Response:
    """A JPEG of at most 320 pixels a side (images only)."""
    path = services.media.thumbnail_path(sha256)
    if path is None:
        raise not_found(sha256)
    return FileResponse(path, media_type="image/jpeg")
