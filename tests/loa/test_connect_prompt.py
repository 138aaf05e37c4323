"""`loa channels connect` asks for a secret in the adapter's own words, whatever its type."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from channels.registry import adapter_class
from loa.channel_commands import PROMPTS, prompt_for


class Plain:
    connect_kind: ClassVar[str] = "password"


class Worded(Plain):
    connect_prompt: ClassVar[tuple[str, str]] = ("Nhập mã trạm", "Enter the station code")


class Garbled(Plain):
    connect_prompt: ClassVar[Any] = "Enter it"


def test_an_adapter_words_its_own_prompt() -> None:
    assert prompt_for(Worded()) == ("Nhập mã trạm", "Enter the station code")
    facebook = prompt_for(adapter_class("facebook_page"))
    assert facebook[1] == "Paste a Facebook user access token (hidden)"
    assert "WordPress" in prompt_for(adapter_class("wordpress"))[1]


@pytest.mark.parametrize("adapter", [Plain(), Garbled()])
def test_without_words_of_its_own_the_prompt_names_no_platform(adapter: object) -> None:
    vi, en = prompt_for(adapter)
    assert (vi, en) == PROMPTS["password"]
    assert "WordPress" not in en and "Facebook" not in en
