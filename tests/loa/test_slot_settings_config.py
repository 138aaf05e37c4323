"""A channel's spacing in config.yaml (`settings.min_gap_minutes`, `settings.daily_cap`): read
into the settings the slot search uses, refused in Vietnamese first naming the channel and key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from content.slots import Spacing, spacing_of
from tests.loa.test_config import edit, load_text, problems


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_gap_and_the_daily_cap_are_read_per_channel(in_tmp: Path) -> None:
    text = edit(
        'settings: {app_id: "1234567890"}',
        'settings: {app_id: "1234567890", min_gap_minutes: 180, daily_cap: 3}',
    )
    config = load_text(text)
    zalo, web = config.channels
    assert spacing_of(zalo.settings) == Spacing(timedelta(minutes=180), 3)
    assert spacing_of(web.settings) == Spacing(timedelta(hours=2), None)  # the defaults


def test_a_bad_gap_or_cap_names_the_channel_and_key(in_tmp: Path) -> None:
    text = edit(
        'settings: {app_id: "1234567890"}',
        'settings: {app_id: "1234567890", min_gap_minutes: "2 giờ", daily_cap: 0}',
    )
    found = problems(text)
    assert len(found) == 2
    cap, gap = sorted(found)  # both on the line of the channel's settings
    assert cap.startswith("config.yaml:20: channels[0].settings.daily_cap: kênh zalo-asean-hue:")
    assert "số bài tối đa mỗi ngày" in cap and "/ channel zalo-asean-hue: the most posts" in cap
    assert gap.startswith("config.yaml:20: channels[0].settings.min_gap_minutes: kênh zalo-asean")
    assert "số phút nguyên từ 0 đến 10080" in gap and "'2 giờ'" in gap
    assert gap.index("kênh") < gap.index("channel zalo-asean-hue")  # Vietnamese first
