"""Any system that takes posts over HTTP (the HueS app, a district radio's newsroom): webhooks.

Each post is one signed JSON POST to the channel's address (docs/channels/webhook.md):

    settings.url         where events go (default: api_base; a path is taken below api_base)
    settings.lookup_url  optional: GET ?marker=... answers whether the receiver has a post, so a
                         send whose answer was lost is settled instead of guessed
    settings.verify_url  optional: GET answers who receives (`loa channels check`)
    secrets.signing_secret   the whsec_... secret both sides share

The body is an event of schemas/post.schema.json (channels.webhook.payload), signed per the
Standard Webhooks specification (channels.webhook.client); files travel as signed, expiring
addresses from a media host (channels.webhook.media). A correction sends "loa.post.updated", a
removal "loa.post.removed", to the same address. Statuses map onto the error tree in
channels.webhook.errors.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests

from channels.base import (
    EDITABLE_FIELDS,
    Account,
    Capabilities,
    ChannelSetup,
    ConnectKind,
    CredentialStore,
    MediaHost,
    MiB,
    OutcomeUnknown,
    Problem,
    Progress,
    Publication,
    Receipt,
    Rejected,
    Step,
)
from channels.checks import check_capabilities
from channels.webhook import payload
from channels.webhook.client import (
    ADDRESS_KEYS,
    SECRET_NAME,
    WebhookClient,
    address_problem,
    decode_secret,
    host_of,
)
from channels.webhook.errors import answer_of, error_for
from channels.webhook.media import host_problems, media_entries

log = logging.getLogger(__name__)

GONE = frozenset({404, 410})  # a removal of a post the receiver no longer has is done already


class Webhook:
    type: ClassVar[str] = "webhook"
    connect_kind: ClassVar[ConnectKind] = "password"
    connect_prompt: ClassVar[tuple[str, str]] = (
        "Dán khoá ký webhook whsec_... mà máy nhận dùng (không hiện khi gõ)",
        "Paste the webhook signing secret whsec_... the receiver uses (hidden)",
    )
    needs: ClassVar[frozenset[str]] = frozenset({"media_host"})
    capabilities: ClassVar[Capabilities] = Capabilities(
        title_max=500,  # the schema's limit: a receiver's title column has to end somewhere
        title_required=True,
        takes_html=True,  # `html` beside `text`: the receiver chooses
        image_mimes=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
        video_mimes=frozenset({"video/mp4", "video/webm"}),
        max_images=20,
        max_videos=2,
        max_image_bytes=20 * MiB,  # the receiver downloads them: sizes are Loa's own limits
        max_video_bytes=1024 * MiB,
        mixes_images_and_video=True,
        editable=EDITABLE_FIELDS,  # "loa.post.updated" carries the whole post again
        can_remove=True,  # "loa.post.removed"
    )

    def __init__(
        self,
        setup: ChannelSetup,
        credentials: CredentialStore,
        *,
        media_host: MediaHost | None = None,
    ) -> None:
        self.setup = setup
        self.credentials = credentials
        self.media_host = media_host
        self.client = WebhookClient(setup, credentials)

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        problems = check_capabilities(pub, cls.capabilities) + host_problems(pub)
        if pub.link and not pub.link.startswith(("http://", "https://")):
            problems.append(
                Problem(
                    "link",
                    "Liên kết phải là địa chỉ web bắt đầu bằng http:// hoặc https://.",
                    "The link must be a web address starting with http:// or https://.",
                )
            )
        return problems

    @classmethod
    def setting_problems(cls, settings: Mapping[str, Any]) -> list[Problem]:
        """No I/O: the settings `loa config check` refuses, by key (loa.adapter_settings)."""
        found = []
        for key in ADDRESS_KEYS:
            wrong = address_problem(settings.get(key))
            if wrong is not None:
                found.append(Problem(key, *wrong))
        return found

    # -- sending --------------------------------------------------------------------------

    def publish(self, pub: Publication, progress: Progress | None = None) -> Receipt:
        data = payload.post_data(pub, media_entries(pub, self.media_host))
        receipt = self._deliver(payload.PUBLISHED, data, Step("sending the post", "gửi bài"))
        if progress is not None:
            progress(1, 1)
        log.info(
            "channel %s: post %s received as %s", self.setup.id, pub.post_id, receipt.remote_id
        )
        return receipt

    def update(self, pub: Publication, sent: Receipt) -> Receipt:
        data = payload.post_data(pub, media_entries(pub, self.media_host), sent.remote_id)
        receipt = self._deliver(
            payload.UPDATED, data, Step("sending the correction", "gửi bản sửa")
        )
        log.info("channel %s: post %s updated", self.setup.id, sent.remote_id)
        return Receipt(receipt.remote_id, receipt.url or sent.url, receipt.published_at)

    def remove(self, sent: Receipt) -> None:
        what = Step("asking the receiver to remove the post", "đề nghị máy nhận gỡ bài")
        data = payload.removal_data(sent)
        response = self._send(payload.REMOVED, data, what)
        if response.status_code in GONE:
            log.info("channel %s: post %s was gone already", self.setup.id, sent.remote_id)
        elif not 200 <= response.status_code < 300:
            raise error_for(response, what, self.setup.id)
        log.info("channel %s: post %s removed", self.setup.id, sent.remote_id)

    def _deliver(self, kind: str, data: dict[str, Any], what: Step) -> Receipt:
        response = self._send(kind, data, what)
        if not 200 <= response.status_code < 300:
            raise error_for(response, what, self.setup.id)
        answer = answer_of(response, "answer", what)
        return Receipt(str(answer["id"]), answer.get("url"), datetime.now(UTC))

    def _send(self, kind: str, data: dict[str, Any], what: Step) -> requests.Response:
        """The event checked against its schema first: a body the receiver must refuse is
        Loa's own fault and is never sent."""
        document = payload.event(kind, data)
        wrong = payload.mismatches("post", document)
        if wrong:
            raise Rejected(
                f"Loa không gửi vì bài không khớp lược đồ post.schema.json: {wrong[0].vi}",
                f"not sent: the post does not match post.schema.json: {wrong[0].en}",
                "; ".join(m.detail for m in wrong)[:300], step=what,
            )  # fmt: skip
        return self.client.send(
            "POST",
            self._url(),
            msg_id=payload.event_id(kind, data),
            body=payload.encode(document),
            what=what,
        )

    def _url(self) -> str:
        url = self.client.address("url")
        assert url is not None  # `url` defaults to api_base
        return url

    # -- reconciling ----------------------------------------------------------------------

    def find(self, pub: Publication, since: datetime) -> Receipt | None:
        """Asks the lookup endpoint by the post's marker. Without one Loa cannot know whether
        the receiver got the post, and says so: the reconciler asks again a few times and then
        puts the delivery before a person (needs_review); never "not found", which would send
        it again on a guess."""
        marker = payload.marker_of(pub)
        what = Step("looking the post up at the receiver", "tra cứu bài ở máy nhận")
        lookup = self.client.address("lookup_url")
        if lookup is None:
            raise OutcomeUnknown(
                f"kênh {self.setup.id} không có địa chỉ tra cứu (settings.lookup_url), nên Loa"
                " không thể biết máy nhận đã nhận bài hay chưa: cần người xem bên máy nhận rồi"
                " đánh dấu bài",
                f"channel {self.setup.id} has no lookup address (settings.lookup_url), so Loa"
                " cannot know whether the receiver got the post: a person must look there and"
                " mark the post",
                step=what,
            )
        response = self.client.send(
            "GET", lookup, msg_id=f"{marker}.lookup", query={"marker": marker}, what=what
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise error_for(response, what, self.setup.id)
        answer = answer_of(response, "answer", what)
        return Receipt(str(answer["id"]), answer.get("url"))

    # -- the account ----------------------------------------------------------------------

    def verify(self) -> Account:
        """Who receives, from settings.verify_url (a signed GET). Without it nothing is asked:
        the account is the address's host, and its name says it was not checked."""
        return self._account(None)

    def _account(self, secret: str | None) -> Account:
        url = self.client.address("verify_url")
        if url is None:
            host = host_of(self._url())
            self.client.key(secret)  # a missing or malformed secret still shows here
            log.info("channel %s: no verify_url; %s not checked", self.setup.id, host)
            return Account(id=host, name=f"{host} (chưa kiểm tra / not checked)", url=None)
        what = Step("asking the receiver who it is", "hỏi máy nhận là ai")
        msg_id = f"loa-verify-{uuid.uuid4().hex}"
        response = self.client.send("GET", url, msg_id=msg_id, what=what, secret=secret)
        if response.status_code != 200:
            raise error_for(response, what, self.setup.id)
        answer = answer_of(response, "account", what)
        return Account(str(answer["id"]), str(answer["name"]), answer.get("url"))

    def complete_token(self, secret: str) -> Account:
        """`loa channels connect`: a whsec_... secret, checked against verify_url when there
        is one, then stored (it then comes before the environment variable)."""
        secret = "".join(secret.split())
        if decode_secret(secret) is None:
            self.client.key(secret)  # raises, worded
        account = self._account(secret)
        self.credentials.save({SECRET_NAME: secret})
        log.info("channel %s connected to %s", self.setup.id, account.id)
        return account

    def connect_token(self, token: str) -> Account:
        return self.complete_token(token)
