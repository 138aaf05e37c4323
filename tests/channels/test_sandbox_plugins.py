"""Platforms that installed packages bring to the sandbox (entry point group `loa.sandbox`)."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

import channels.sandbox
from channels.sandbox import GROUP, all_platforms, plugged_in
from channels.sandbox.server import Platform, Request, Response


class Bulletins(Platform):
    name = "bulletins"
    title = "Bản tin"
    prefixes = ("/bulletins",)

    def handle(self, request: Request) -> Response:
        return Response.json({"ok": True})


class Misnamed(Bulletins):
    name = "radio-2"


class OnWordPressPath(Bulletins):
    name = "clash"
    prefixes = ("/wordpress",)


NOT_A_PLATFORM = object()


def plugging(monkeypatch: pytest.MonkeyPatch, *entries: tuple[str, str]) -> None:
    points = [EntryPoint(name, f"{__name__}:{value}", GROUP) for name, value in entries]
    monkeypatch.setattr(channels.sandbox, "entry_points", lambda group: points)


def test_a_registered_platform_is_mounted_beside_the_built_in_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plugging(monkeypatch, ("bulletins", "Bulletins"))
    names = {platform.name for platform in all_platforms()}
    assert {"bulletins", "zalo", "graph", "youtube", "wordpress"} <= names


def test_the_entry_point_s_name_is_the_platform_s(monkeypatch: pytest.MonkeyPatch) -> None:
    plugging(monkeypatch, ("radio", "Misnamed"))
    with pytest.raises(ValueError, match="whose name is 'radio-2'"):
        plugged_in()


def test_only_a_platform_can_be_plugged_in(monkeypatch: pytest.MonkeyPatch) -> None:
    plugging(monkeypatch, ("thing", "NOT_A_PLATFORM"))
    with pytest.raises(TypeError, match="is not a Platform"):
        plugged_in()


def test_a_platform_cannot_take_another_s_name_or_path(monkeypatch: pytest.MonkeyPatch) -> None:
    plugging(monkeypatch, ("clash", "OnWordPressPath"))
    with pytest.raises(ValueError, match="share /wordpress"):
        all_platforms()
    plugging(monkeypatch, ("bulletins", "Bulletins"), ("bulletins", "Bulletins"))
    with pytest.raises(ValueError, match="two sandbox platforms are named 'bulletins'"):
        all_platforms()
