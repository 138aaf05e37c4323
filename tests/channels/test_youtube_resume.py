"""A YouTube upload interrupted mid-way resumes from where the server says it stands.

After any interruption of a chunk (an error status, a timeout, the connection closed before the
answer) the adapter asks the session (`Content-Range: bytes */total`) before sending another
byte. The sandbox records every chunk that reaches it, so these tests check from the server's
own record that no byte arrived twice and that the stored video is the file.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
import requests

from channels.base import MediaFile, OutcomeUnknown, Retryable
from channels.sandbox.server import SandboxServer
from channels.youtube.client import build_service, load_credentials
from channels.youtube.upload import ChunkedFileUpload, upload, where_it_stands
from tests.channels.test_youtube import (
    CHUNK,
    make_adapter,
    platform_of,
    publication,
    set_faults,
    videos,
    when_next_chunk_is,
)


def assert_each_byte_arrived_once(video: dict[str, Any], media: MediaFile) -> None:
    """From the sandbox's record: the chunks that reached it tile the file exactly."""
    assert video["sha256"] == media.sha256 and video["bytes"] == media.size_bytes
    ranges = sorted(video["upload"]["received"])
    assert ranges[0][0] == 0 and ranges[-1][1] == media.size_bytes - 1
    for (_, last), (first, _) in pairwise(ranges):
        assert first == last + 1, f"bytes sent twice or skipped: {ranges}"
    assert video["upload"]["refused"] == 0


@pytest.mark.parametrize("which", ["middle", "final"])
def test_a_chunk_whose_answer_is_lost_is_not_sent_again(
    sandbox: SandboxServer, mp4: MediaFile, which: str
) -> None:
    """The server stores the chunk, then the connection closes without its answer."""
    adapter = make_adapter(sandbox)
    progress = when_next_chunk_is(sandbox, which, drop_next=1)
    receipt = adapter.publish(publication((mp4,)), progress=progress)
    [video] = videos(sandbox)
    assert video["id"] == receipt.remote_id
    assert_each_byte_arrived_once(video, mp4)
    assert video["upload"]["status_queries"] == 1


def test_a_lost_answer_to_the_question_itself_is_asked_again(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    progress = when_next_chunk_is(sandbox, "middle", drop_next=2)  # the chunk, then the question
    adapter.publish(publication((mp4,)), progress=progress)
    [video] = videos(sandbox)
    assert_each_byte_arrived_once(video, mp4)
    assert video["upload"]["status_queries"] == 2


@pytest.mark.parametrize(
    ("fault", "timeout"),
    [
        ({"fail_next": ["503"]}, 5.0),  # refused before it was stored
        ({"fail_next": ["502html"]}, 5.0),
        ({"hang_next": 1}, 1.0),  # stored, and the answer never comes: a timeout
        ({"drop_next": 1}, 5.0),  # stored, and the connection closes: a reset
    ],
)
def test_every_interruption_asks_first_and_sends_no_byte_twice(
    sandbox: SandboxServer, mp4: MediaFile, fault: dict[str, Any], timeout: float
) -> None:
    adapter = make_adapter(sandbox, timeout=timeout)
    adapter.publish(publication((mp4,)), progress=when_next_chunk_is(sandbox, "middle", **fault))
    [video] = videos(sandbox)
    assert_each_byte_arrived_once(video, mp4)
    assert video["upload"]["status_queries"] == 1


def test_an_upload_whose_answers_keep_getting_lost_gives_up_as_retryable(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, settings={"upload_resumes": 2})
    progress = when_next_chunk_is(sandbox, "middle", drop_next=10)
    with pytest.raises(Retryable, match="nothing was published") as caught:
        adapter.publish(publication((mp4,)), progress=progress)
    assert type(caught.value) is Retryable and videos(sandbox) == []


def test_a_final_chunk_whose_answers_keep_getting_lost_is_an_unknown_outcome(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, settings={"upload_resumes": 1})
    progress = when_next_chunk_is(sandbox, "final", drop_next=10)
    with pytest.raises(OutcomeUnknown, match="may exist"):
        adapter.publish(publication((mp4,)), progress=progress)
    [video] = videos(sandbox)  # it did land: the worker's reconcile finds it by its marker
    assert_each_byte_arrived_once(video, mp4)


def test_a_session_holding_nothing_answers_without_range_and_the_upload_starts_at_zero(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    """A session opened but given no byte yet: the 308 has no Range header, so 0 bytes."""
    adapter = make_adapter(sandbox)
    setup = adapter.setup
    saved = adapter.credentials.load() or {}
    opened = requests.post(
        f"{sandbox.url}/youtube/upload/youtube/v3/videos",
        params={"uploadType": "resumable", "part": "snippet,status"},
        headers={
            "Authorization": f"Bearer {saved['token']}",
            "X-Upload-Content-Length": str(mp4.size_bytes),
            "X-Upload-Content-Type": mp4.mime,
        },
        json={"snippet": {"title": "Huế", "categoryId": "25"}, "status": {}},
        timeout=5,
    )
    assert opened.status_code == 200 and opened.headers["Location"]
    media = ChunkedFileUpload(str(mp4.path), mimetype=mp4.mime, chunksize=CHUNK, resumable=True)
    with build_service(setup, load_credentials(setup, adapter.credentials)) as service:
        request = service.videos().insert(part="snippet,status", body={}, media_body=media)
        request.resumable_uri = opened.headers["Location"]
        request.resumable_progress = 3 * CHUNK  # what a client that lost track might believe
        assert where_it_stands(request, mp4.size_bytes) is None
        assert request.resumable_progress == 0
        resource = upload(request, size=mp4.size_bytes, chunksize=CHUNK, progress=None)
    media.close()
    [video] = videos(sandbox)
    assert resource["id"] == video["id"]
    assert_each_byte_arrived_once(video, mp4)
    assert platform_of(sandbox).snapshot()["uploads_open"] == 0


def test_the_sandbox_drop_fault_closes_the_connection_after_carrying_the_request_out(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    set_faults(sandbox, drop_next=1, paths=["/youtube/v3/channels"])
    with pytest.raises(requests.ConnectionError):
        requests.get(
            f"{sandbox.url}/youtube/youtube/v3/channels",
            params={"part": "snippet", "mine": "true"},
            headers={"Authorization": f"Bearer {(adapter.credentials.load() or {})['token']}"},
            timeout=5,
        )
    assert platform_of(sandbox).snapshot()["quota"]["used"] == 1  # it was carried out
