"""A district radio's bulletin upload (bản tin phát thanh huyện) as a Loa channel.

The station reads a bulletin's title and text on air and lists it on its web page with a listen
link; a post may carry one picture (for that page) or one recording (an MP4 whose sound the
station airs). The API and its limits: loa_radio_bulletin.sandbox, the station's stand-in.

Loa's marker goes into the bulletin's `reference`, a field the station keeps for us and never
reads out: `find` asks for it, and the station refuses a second bulletin with the same reference
(409 `duplicate_reference`), so a publish repeated after a lost answer returns the bulletin that
is already there instead of airing the news twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from datetime import datetime
from typing import Any, ClassVar

import requests

from channels.base import (
    Account,
    AuthRequired,
    Capabilities,
    ChannelSetup,
    ConnectKind,
    CredentialStore,
    Figures,
    MiB,
    OutcomeUnknown,
    Problem,
    Progress,
    Publication,
    Receipt,
    Rejected,
    as_count,
)
from channels.checks import check_capabilities
from channels.errors import Step
from channels.http import TimeoutSession
from loa_radio_bulletin.api import StationAPI

log = logging.getLogger(__name__)

PUBLISHING = Step("sending the bulletin", "gửi bản tin")
FINDING = Step("looking for a bulletin", "tìm bản tin")
CHECKING = Step("checking the station's key", "kiểm tra khoá API của đài")
IDS_MAX = 50  # the station's `?ids=` takes at most 50


class RadioBulletin:
    type: ClassVar[str] = "radio_bulletin"
    connect_kind: ClassVar[ConnectKind] = "token"  # the station hands out an API key
    connect_prompt: ClassVar[tuple[str, str]] = (
        "Dán khoá API do đài cấp (không hiện khi gõ)",
        "Paste the API key the station gave you (hidden)",
    )
    needs: ClassVar[frozenset[str]] = frozenset()  # nothing from Loa beyond setup and store
    capabilities: ClassVar[Capabilities] = Capabilities(
        title_max=120,  # the station's limit: a title is read on air
        title_required=True,
        text_max=5000,  # about five minutes read aloud
        image_mimes=frozenset({"image/jpeg", "image/png"}),
        video_mimes=frozenset({"video/mp4"}),  # a recording: the station airs its sound
        max_images=1,
        max_videos=1,
        max_image_bytes=10 * MiB,
        max_video_bytes=50 * MiB,
        mixes_images_and_video=False,  # one attachment per bulletin
        editable=frozenset({"title", "text", "link"}),  # until the station airs it
        can_remove=True,
        requests_per_minute=20,  # our own pacing; the station answers 429 past 30
        metrics=frozenset({"views"}),  # plays of the listen page
        metrics_batch=IDS_MAX,
    )

    def __init__(
        self,
        setup: ChannelSetup,
        credentials: CredentialStore,
        *,
        session: requests.Session | None = None,
    ) -> None:
        self.setup = setup
        self.credentials = credentials
        self.api = StationAPI(setup, credentials, session or TimeoutSession(setup.timeout))

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        problems = check_capabilities(pub, cls.capabilities)
        if not pub.text.strip():
            problems.append(
                Problem("body", "Bản tin cần có nội dung để đọc.", "A bulletin needs text to read.")
            )
        return problems

    def publish(self, pub: Publication, progress: Progress | None = None) -> Receipt:
        fields = {"title": pub.title, "content": pub.text}  # hashtags are not read on air
        if pub.marker:
            fields["reference"] = pub.marker
        if pub.link:
            fields["source_url"] = pub.link
        media = pub.media[0] if pub.media else None
        if media is not None and media.kind == "image":
            fields["attachment_alt"] = media.alt_text
        with ExitStack() as opened:
            files = None
            if media is not None:
                try:
                    file = opened.enter_context(media.path.open("rb"))
                except OSError as error:  # nothing was sent
                    raise Rejected(
                        "không đọc được tệp đính kèm", "the attachment cannot be read",
                        str(error.strerror), step=PUBLISHING,
                    ) from error  # fmt: skip
                files = {"attachment": (media.path.name, file, media.mime)}
            answer = self.api.call(
                "POST",
                "/bulletins",
                data=fields,
                files=files,
                what=PUBLISHING,
                tolerate=frozenset({"duplicate_reference"}),
            )
        if "error" in answer:  # sent before, its answer lost: that bulletin is this one
            log.info("channel %s: %s is already at the station", self.setup.id, pub.marker)
            number = answer.get("bulletin_id")
            if not number:
                raise unexpected()
            answer = self.api.call("GET", f"/bulletins/{number}", what=PUBLISHING)
        if media is not None and progress is not None:
            progress(media.size_bytes, media.size_bytes)  # one request: the file is all there
        receipt = to_receipt(answer.get("bulletin"))
        log.info("channel %s: bulletin %s at %s", self.setup.id, receipt.remote_id, receipt.url)
        return receipt

    def find(self, pub: Publication, since: datetime) -> Receipt | None:
        """Ours only by the marker in `reference`; without a marker, by title and time."""
        if pub.marker:
            params = {"reference": pub.marker}
        else:
            params = {"q": pub.title, "since": since.isoformat(), "limit": "100"}
        answer = self.api.call("GET", "/bulletins", params=params, what=FINDING)
        for bulletin in answer.get("bulletins") or []:
            if not isinstance(bulletin, dict):
                continue
            if pub.marker:
                mine = bulletin.get("reference") == pub.marker
            else:
                mine = bulletin.get("title") == pub.title
            if mine:
                return to_receipt(bulletin)
        return None

    def verify(self) -> Account:
        return self._station(self.api.call("GET", "/station", what=CHECKING))

    def complete_token(self, token: str) -> Account:
        """`loa channels connect`: the key the station gave, checked, then stored."""
        key = token.strip()
        if not key:
            raise AuthRequired("chưa nhập khoá API của đài", "no API key was given", step=CHECKING)
        account = self._station(self.api.call("GET", "/station", key=key, what=CHECKING))
        self.credentials.save({"api_key": key})
        log.info("channel %s connected to station %s", self.setup.id, account.id)
        return account

    def connect_token(self, token: str) -> Account:
        """`loa channels connect ID --token-stdin`: the same key, from standard input."""
        return self.complete_token(token)

    # -- optional: Editable --------------------------------------------------------------

    def update(self, pub: Publication, sent: Receipt) -> Receipt:
        """Title, text and link, sent again; a bulletin already aired is refused (Rejected)."""
        body = {"title": pub.title, "content": pub.text, "source_url": pub.link}
        what = Step(f"correcting bulletin {sent.remote_id}", f"sửa bản tin {sent.remote_id}")
        answer = self.api.call("PATCH", f"/bulletins/{sent.remote_id}", json=body, what=what)
        return to_receipt(answer.get("bulletin"))

    def remove(self, sent: Receipt) -> None:
        """Off the station's list and page; a bulletin already gone is fine."""
        what = Step(f"removing bulletin {sent.remote_id}", f"gỡ bản tin {sent.remote_id}")
        self.api.call(
            "DELETE",
            f"/bulletins/{sent.remote_id}",
            what=what,
            tolerate=frozenset({"bulletin_not_found"}),
        )

    # -- optional: Measurable ------------------------------------------------------------

    def read_metrics(self, remote_ids: Sequence[str]) -> list[Figures]:
        """Plays of each listen page, in one call; an id the station no longer lists is gone."""
        what = Step("reading plays", "đọc lượt nghe")
        answer = self.api.call("GET", "/bulletins", params={"ids": ",".join(remote_ids)}, what=what)
        listed = {str(b.get("id")): b for b in answer.get("bulletins") or [] if isinstance(b, dict)}
        return [
            Figures(number, {"views": as_count(listed[number].get("plays"))})
            if number in listed
            else Figures(number, gone=True)
            for number in remote_ids
        ]

    def _station(self, answer: Mapping[str, Any]) -> Account:
        station = answer.get("station")
        if not isinstance(station, dict) or not station.get("id"):
            raise AuthRequired(
                "đài trả lời không có thông tin trạm", "the station did not say who it is"
            )
        url = station.get("url")
        name = str(station.get("name") or station["id"])
        return Account(str(station["id"]), name, str(url) if url else None)


def to_receipt(bulletin: Any) -> Receipt:
    if not isinstance(bulletin, dict) or not bulletin.get("id"):
        raise unexpected()
    created = bulletin.get("created_at")
    try:
        when = datetime.fromisoformat(str(created)) if created else None
    except ValueError:
        when = None
    return Receipt(str(bulletin["id"]), bulletin.get("listen_url"), when)


def unexpected() -> OutcomeUnknown:
    return OutcomeUnknown(
        "đài trả lời thiếu mã bản tin", "the station's answer has no bulletin id", step=PUBLISHING
    )
