"""The adapter contract, run against every adapter registered under `loa.channels`.

A new adapter gets these tests for free, and fails the suite until it says how to build one
pointed at the sandbox: a `make_adapter(sandbox)` in `tests/channels/test_<type>.py` (Loa's own
adapters), or in the module that its package registers under the entry point group
`loa.contract` with the channel type as name (a package of its own: docs/adapters.md).
"""

from __future__ import annotations

import importlib
import logging
import socket
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from typing import Any

import pytest

from channels.base import Capabilities, Channel, MediaFile, Publication, Receipt
from channels.markers import marker_for
from channels.registry import adapter_class, known_types
from channels.sandbox import GROUP as SANDBOX_GROUP
from channels.sandbox.server import SandboxServer

TYPES = known_types()
CONTRACT_GROUP = "loa.contract"


def test_the_four_platforms_are_registered() -> None:
    assert {"zalo_oa", "facebook_page", "youtube", "wordpress"} <= set(TYPES)


def test_modules_of_the_sandbox_mount_every_platform(sandbox: SandboxServer) -> None:
    plugged = {entry.name for entry in entry_points(group=SANDBOX_GROUP)}
    assert {"zalo", "graph", "youtube", "wordpress"} | plugged <= set(sandbox.platforms)


def test_every_contract_entry_point_names_a_registered_adapter() -> None:
    named = {entry.name for entry in entry_points(group=CONTRACT_GROUP)}
    assert named <= set(TYPES), f"{CONTRACT_GROUP} names unknown types: {named - set(TYPES)}"


def test_an_adapter_without_a_make_adapter_fails_the_suite() -> None:
    with pytest.raises(pytest.fail.Exception, match="no tests/channels/test_no_such_platform"):
        _tests_of("no_such_platform")


def _tests_of(channel_type: str) -> Any:
    """The module with `make_adapter(sandbox)`: the package's own under `loa.contract`, else
    Loa's test module for the type."""
    plugged = {e.value: e for e in entry_points(group=CONTRACT_GROUP) if e.name == channel_type}
    if len(plugged) > 1:
        pytest.fail(f"{CONTRACT_GROUP} {channel_type!r} is registered twice: {sorted(plugged)}")
    if plugged:
        return next(iter(plugged.values())).load()
    name = f"tests.channels.test_{channel_type}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise  # the module exists and an import inside it failed: show that
        pytest.fail(
            f"adapter {channel_type!r} has no tests/channels/test_{channel_type}.py and no"
            f" `{CONTRACT_GROUP}` entry point naming a module with make_adapter(sandbox)"
        )


def publication_for(caps: Capabilities, jpeg: MediaFile, mp4: MediaFile, tag: str) -> Publication:
    media: tuple[MediaFile, ...] = (mp4,) if "video" in caps.requires else ()
    if caps.max_images and (not media or caps.mixes_images_and_video):
        media += (jpeg,)
    return Publication(
        post_id=4242,
        channel_id="contract",
        title=f"Huế - Thành phố Văn hóa ASEAN {tag}",
        text="Thừa Thiên Huế chào đón bạn bè ASEAN.\n\nXem thêm về lễ hội.",
        link="https://asean.thuathienhue.gov.vn/hue-thanh-pho-van-hoa-asean",
        hashtags=("ASEAN", "HueASEAN"),
        media=media,
        marker=marker_for(f"a{tag}", 4242, "contract"),
        topic="i",
        pillar="ASCC",
        settings={"author": "Sở Thông tin và Truyền thông"},  # Zalo refuses articles without one
    )


@pytest.mark.parametrize("channel_type", TYPES)
def test_the_class_declares_the_contract(channel_type: str) -> None:
    cls: Any = adapter_class(channel_type)
    assert cls.type == channel_type
    assert isinstance(cls.capabilities, Capabilities)
    assert cls.connect_kind in ("oauth", "token", "password", "none")
    needed = {"oauth": ("authorize", "complete"), "none": ()}.get(
        cls.connect_kind, ("complete_token",)
    )
    for name in ("check", "publish", "find", "verify", *needed):
        assert callable(getattr(cls, name, None)), f"{channel_type} lacks {name}"
    assert hasattr(_tests_of(channel_type), "make_adapter")


@pytest.mark.parametrize("channel_type", TYPES)
def test_publish_find_verify_against_the_sandbox(
    channel_type: str,
    sandbox: SandboxServer,
    jpeg: MediaFile,
    mp4: MediaFile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cls: Any = adapter_class(channel_type)
    adapter = _tests_of(channel_type).make_adapter(sandbox)
    assert isinstance(adapter, Channel)
    tag = uuid.uuid4().hex[:8]
    pub = publication_for(cls.capabilities, jpeg, mp4, tag)

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("check() must not touch the network")

    with monkeypatch.context() as offline:
        offline.setattr(socket.socket, "connect", no_network)
        assert cls.check(pub) == []

    since = datetime.now(UTC) - timedelta(minutes=1)
    receipt = adapter.publish(pub)
    assert isinstance(receipt, Receipt) and receipt.remote_id
    found = adapter.find(pub, since)
    assert found is not None and found.remote_id == receipt.remote_id
    never = replace(
        pub,
        title=f"Chưa từng đăng {tag}",
        text=f"Chưa từng đăng {tag}",
        marker=marker_for(f"a{tag}", 9999, "contract"),
    )
    assert adapter.find(never, since) is None
    account = adapter.verify()
    assert account.id and account.name


@pytest.mark.parametrize("channel_type", TYPES)
def test_find_never_takes_another_installations_post(
    channel_type: str, sandbox: SandboxServer, jpeg: MediaFile, mp4: MediaFile
) -> None:
    """Two Loa databases on one platform number their posts alike: same post id, channel id,
    title and text. Only the installation's marker tells them apart."""
    cls: Any = adapter_class(channel_type)
    adapter = _tests_of(channel_type).make_adapter(sandbox)
    tag = uuid.uuid4().hex[:8]
    ours = publication_for(cls.capabilities, jpeg, mp4, tag)
    theirs = replace(ours, marker=marker_for(f"b{tag}", ours.post_id, ours.channel_id))
    since = datetime.now(UTC) - timedelta(minutes=1)
    assert adapter.find(theirs, since) is None
    receipt = adapter.publish(theirs)
    assert adapter.find(ours, since) is None, "the other installation's post was taken as ours"
    found = adapter.find(theirs, since)
    assert found is not None and found.remote_id == receipt.remote_id


def _secret_values(adapter: Any) -> set[str]:
    stored = adapter.credentials.load() or {}
    secret_keys = ("token", "secret", "password", "key")
    values = {
        value
        for key, value in stored.items()
        if isinstance(value, str) and len(value) >= 8 and any(k in key for k in secret_keys)
    }
    setup = getattr(adapter, "setup", None)
    if setup is not None:
        values |= {v for v in setup.secrets.values() if len(v) >= 8}
    return values


@pytest.mark.parametrize("channel_type", TYPES)
def test_tokens_never_reach_the_logs(
    channel_type: str,
    sandbox: SandboxServer,
    jpeg: MediaFile,
    mp4: MediaFile,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cls: Any = adapter_class(channel_type)
    adapter = _tests_of(channel_type).make_adapter(sandbox)
    if cls.connect_kind == "none" and not getattr(getattr(adapter, "setup", None), "secrets", {}):
        pytest.skip(f"{channel_type} holds no credentials and sends nothing over a network")
    pub = publication_for(cls.capabilities, jpeg, mp4, uuid.uuid4().hex[:8])
    caplog.set_level(logging.DEBUG)  # urllib3 logs whole request lines at DEBUG
    adapter.publish(pub)
    adapter.find(pub, datetime.now(UTC) - timedelta(minutes=1))
    adapter.verify()
    secrets = _secret_values(adapter)
    assert secrets, "the adapter under test holds credentials"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "DEBUG logging captured the HTTP exchanges"
    leaked = sorted(secret[:6] + "..." for secret in secrets if secret in logged)
    assert leaked == [], f"tokens in the logs: {leaked}"
