"""What the Graph sandbox does with what a page sends: posts, photos, videos, their resumable
uploads, and the corrections Facebook allows (`POST /{post-id}`, `DELETE /{post-id}`).

Each rule is Facebook's (CHANNELS.md, "Facebook Pages"), refused with its code: 100 for a bad
parameter, 324 for a missing or unreadable photo, 200 when the token is not the page's own.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from channels.sandbox.graph_model import (
    MESSAGE_MAX,
    PHOTO_MAX_BYTES,
    GraphError,
    Item,
    Token,
    Upload,
    attached_media,
    boolean,
    check_link,
    image_mime,
    missing,
    schedule,
)
from channels.sandbox.server import Request, Response

EDITABLE = {"post": {"message"}, "video": {"description", "name"}}


class GraphPosts:
    """Mixed into `GraphSandbox`, which owns the records and the token checks."""

    items: dict[str, Item]
    uploads: dict[str, Upload]
    _seq: int

    def _token(self, request: Request) -> Token:
        raise NotImplementedError

    def _page_token(self, request: Request, page_id: str) -> Token:
        raise NotImplementedError

    def _posts(self, page_id: str, *, scheduled: bool = False) -> list[Item]:
        raise NotImplementedError

    def _feed(self, request: Request, page_id: str) -> Response:
        self._page_token(request, page_id)
        form = request.form()
        message, link = form.get("message", ""), form.get("link", "")
        check_message(message)
        published = boolean(form.get("published", "true"), "published")
        scheduled = schedule(form, published)
        media = attached_media(form)
        if not (message or link or media):
            raise GraphError(100, "(#100) Missing message or attachment.")
        if link and media:
            raise GraphError(100, "(#100) param link cannot be combined with attached_media")
        if link:
            check_link(link)
        photos = [self._attachable(page_id, fbid, scheduled is not None) for fbid in media]
        if message and not (link or photos):
            last = self._posts(page_id)[:1]
            if last and last[0].message == message and not (last[0].link or last[0].photos):
                raise GraphError(506, "(#506) Duplicate status message")
        post = self._new_post(
            request, page_id, message, link=link, published=published, scheduled=scheduled
        )
        for photo in photos:
            photo.post_id = post.id
            post.photos.append(photo.id)
        return Response.json({"id": post.id})

    def _attachable(self, page_id: str, fbid: str, scheduled: bool) -> Item:
        photo = self.items.get(fbid)
        if photo is None or photo.kind != "photo" or photo.page_id != page_id:
            raise GraphError(100, f"(#100) param attached_media has an invalid media_fbid {fbid}")
        if photo.published or photo.post_id:
            raise GraphError(100, f"(#100) photo {fbid} is already published")
        if scheduled and not photo.temporary:
            raise GraphError(
                100, "(#100) photos of a scheduled post must be uploaded with temporary=true"
            )
        return photo

    def _photo(self, request: Request, page_id: str) -> Response:
        self._page_token(request, page_id)
        form, files = request.form(), request.files()
        source, url = files.get("source"), form.get("url", "")
        mime = image_mime(source.data) if source else None
        if source is None and not url:
            raise GraphError(324, "(#324) Requires upload file")
        if source is not None and mime is None:
            raise GraphError(324, "(#324) Missing or invalid image file")
        if source is not None and len(source.data) > PHOTO_MAX_BYTES:
            raise GraphError(
                100, f"(#100) The photo is larger than {PHOTO_MAX_BYTES // (1024 * 1024)} MB"
            )
        check_message(form.get("message", ""))
        if url:
            check_link(url)
        published = boolean(form.get("published", "true"), "published")
        photo = Item(
            self._next(),
            page_id,
            "photo",
            message=form.get("message", ""),
            data=source.data if source else b"",
            mime=mime or "",
            url=url,
            published=published,
            temporary=boolean(form.get("temporary", "false"), "temporary"),
            client=self._client(request),
        )
        self.items[photo.id] = photo
        if not published:
            return Response.json({"id": photo.id})
        post = self._new_post(request, page_id, photo.message)
        post.photos.append(photo.id)
        photo.post_id = post.id
        return Response.json({"id": photo.id, "post_id": post.id})

    def _video(self, request: Request, page_id: str) -> Response:
        self._page_token(request, page_id)
        form = request.form()
        handle = form.get("fbuploader_video_file_chunk", "")
        upload = next((u for u in self.uploads.values() if handle and u.handle == handle), None)
        if upload is None:
            raise GraphError(100, "(#100) Invalid upload handle in fbuploader_video_file_chunk")
        check_message(form.get("description", ""))
        published = boolean(form.get("published", "true"), "published")
        scheduled = schedule(form, published)
        video = Item(
            self._next(),
            page_id,
            "video",
            message=form.get("description", ""),
            title=form.get("title", ""),
            data=bytes(upload.data),
            mime=upload.file_type,
            published=published,
            scheduled=scheduled,
            client=self._client(request),
        )
        self.items[video.id] = video
        post = self._new_post(
            request, page_id, video.message, published=published, scheduled=scheduled
        )
        post.video, video.post_id = video.id, post.id
        return Response.json({"id": video.id})

    def _new_post(
        self,
        request: Request,
        page_id: str,
        message: str,
        *,
        link: str = "",
        published: bool = True,
        scheduled: int | None = None,
    ) -> Item:
        post = Item(
            f"{page_id}_{self._next()}",
            page_id,
            "post",
            message=message,
            link=link,
            published=published,
            scheduled=scheduled,
            client=self._client(request),
        )
        self.items[post.id] = post
        return post

    # -- resumable video upload ------------------------------------------------------------

    def _start_upload(self, request: Request, app_id: str) -> Response:
        token = self._token(request)
        if app_id != token.app_id:
            raise missing(f"post {app_id}")
        for name in ("file_name", "file_length", "file_type"):
            if not request.param(name):
                raise GraphError(100, f"(#100) The parameter {name} is required")
        length = request.param("file_length")
        if not length.isdigit() or int(length) <= 0:
            raise GraphError(100, "(#100) param file_length must be a positive integer")
        kind = request.param("file_type")
        if not kind.startswith("video/"):
            raise GraphError(100, f"(#100) file_type {kind!r} is not a video type")
        upload_id = "upload:" + base64.urlsafe_b64encode(secrets.token_bytes(24)).decode()
        self.uploads[upload_id] = Upload(app_id, request.param("file_name"), int(length), kind)
        return Response.json({"id": upload_id})

    def _chunk(self, request: Request, upload_id: str) -> Response:
        if not request.headers.get("Authorization", "").startswith("OAuth "):
            raise GraphError(
                190,
                "Invalid OAuth access token - the upload needs the header"
                " Authorization: OAuth <token>",
            )
        token = self._token(request)
        upload = self.uploads.get(upload_id)
        if upload is None or upload.app_id != token.app_id:
            raise missing(f"{request.method.lower()} {upload_id}")
        if request.method == "GET":
            return Response.json({"id": upload_id, "file_offset": len(upload.data)})
        offset = request.headers.get("file_offset", "")
        if offset != str(len(upload.data)):
            raise GraphError(
                100,
                f"(#100) file_offset {offset or 'missing'} does not match the"
                f" upload's offset {len(upload.data)}",
            )
        if len(upload.data) + len(request.body) > upload.file_length:
            raise GraphError(100, "(#100) more bytes than file_length")
        upload.data += request.body
        if len(upload.data) < upload.file_length:
            return Response.json({"file_offset": len(upload.data)})
        if upload.handle is None:
            digest = hashlib.sha1(upload.data).hexdigest()[:16]
            upload.handle = f"4::{base64.b64encode(upload.file_type.encode()).decode()}:{digest}"
        return Response.json({"h": upload.handle})

    # -- corrections -----------------------------------------------------------------------

    def _owned(self, request: Request, object_id: str, verb: str) -> Item:
        """A post or video of the page whose token this is; anything else does not exist for
        the caller (Facebook answers 100/33, "cannot be loaded due to missing permissions")."""
        token = self._token(request)
        item = self.items.get(object_id)
        if item is None or item.kind not in EDITABLE:
            raise missing(f"{verb} {object_id}")
        if token.kind != "page":
            raise GraphError(
                200, "(#200) The user hasn't authorized the application to perform this action"
            )
        if token.page_id != item.page_id:
            raise missing(f"{verb} {object_id}")
        return item

    def _edit(self, request: Request, object_id: str) -> Response:
        item = self._owned(request, object_id, "post")
        form = {k: v for k, v in request.form().items() if k != "access_token"}
        for name in form:
            if name not in EDITABLE[item.kind]:
                raise GraphError(100, f"(#100) The parameter {name} cannot be updated")
        if not form:
            raise GraphError(100, "(#100) Nothing to update: send message")
        text = form.get("message", form.get("description"))
        if text is not None:
            check_message(text)
            item.message = text
            if item.kind == "post" and item.video and item.video in self.items:
                self.items[item.video].message = text
            elif item.kind == "video" and item.post_id in self.items:
                self.items[item.post_id or ""].message = text
        if "name" in form:
            item.title = form["name"]
        return Response.json({"success": True})

    def _delete(self, request: Request, object_id: str) -> Response:
        item = self._owned(request, object_id, "delete")
        linked = [item.video, item.post_id, *item.photos]
        for gone in [object_id, *(i for i in linked if i)]:
            self.items.pop(gone, None)
        return Response.json({"success": True})

    def _next(self) -> str:
        self._seq += 1
        return str(self._seq)

    @staticmethod
    def _client(request: Request) -> dict[str, str]:
        return {
            "content_type": request.headers.get("Content-Type", "").split(";")[0],
            "user_agent": request.headers.get("User-Agent", ""),
        }


def check_message(message: str) -> None:
    if len(message) > MESSAGE_MAX:
        raise GraphError(
            100, f"(#100) The message is too long: at most {MESSAGE_MAX} characters are allowed"
        )
