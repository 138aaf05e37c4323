"""`observances:` in config.yaml: the shipped list, and every mistake reported by line and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from content.observances import Observance, reminders_due
from loa.config import ConfigError, LoaConfig, load_config, write_starter_config

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = frozenset({"zalo_oa", "facebook_page", "youtube", "wordpress"})

# Line numbers matter: the tests below point at them.
BASE = """\
timezone: Asia/Ho_Chi_Minh
topics:
  - {code: a, vi: "Các sự kiện thường niên của ASEAN", en: "ASEAN's regular events"}
  - {code: g, vi: "Vai trò và dấu ấn của Việt Nam trong ASEAN", en: "Vietnam's role"}
observances:
  - {name_vi: "Ngày ASEAN", name_en: "ASEAN Day", month: 8, day: 8, year: 1967, topic: a}
  - name_vi: "Ngày Việt Nam gia nhập ASEAN"
    name_en: "Vietnam joins ASEAN"
    month: 7
    day: 28
    remind_days_before: 21
"""


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load_text(text: str) -> LoaConfig:
    Path("config.yaml").write_text(text, encoding="utf-8")
    return load_config(Path("config.yaml"), channel_types=BUILTIN)


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_text(text)
    return str(info.value).splitlines()


def edit(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def test_observances_load_with_defaults(in_tmp: Path) -> None:
    config = load_text(BASE)
    assert config.observance_rules == (
        Observance("Ngày ASEAN", "ASEAN Day", 8, 8, 14, "a", 1967),
        Observance("Ngày Việt Nam gia nhập ASEAN", "Vietnam joins ASEAN", 7, 28, 21, None, None),
    )
    due = reminders_due(config.observance_rules, date(2026, 7, 10))
    assert [r.occurrence.observance.name_en for r in due] == ["Vietnam joins ASEAN"]


def test_no_observances_is_fine(in_tmp: Path) -> None:
    config = load_text(BASE.split("observances:", maxsplit=1)[0])
    assert config.observances == ()
    assert config.observance_rules == ()


def test_shipped_configs_carry_the_asean_days() -> None:
    demo = load_config(ROOT / "config.yaml", channel_types=BUILTIN)
    days = {(o.month, o.day): o for o in demo.observance_rules}
    assert set(days) == {(8, 8), (7, 28), (12, 15), (12, 31)}
    assert (days[8, 8].name_vi, days[8, 8].name_en, days[8, 8].year) == (
        "Ngày ASEAN", "ASEAN Day", 1967,
    )  # fmt: skip
    assert days[7, 28].name_vi == "Ngày Việt Nam gia nhập ASEAN"
    assert (days[7, 28].year, days[12, 15].year, days[12, 31].year) == (1995, 2008, 2015)
    assert all(o.remind_days_before == 14 for o in demo.observance_rules)
    assert all(o.topic in demo.topic_codes for o in demo.observance_rules)


def test_starter_template_has_the_same_observances(in_tmp: Path) -> None:
    write_starter_config(in_tmp / "config.yaml")
    starter = load_config(in_tmp / "config.yaml", channel_types=BUILTIN | {"static_site"})
    demo = load_config(ROOT / "config.yaml", channel_types=BUILTIN)
    assert starter.observance_rules == demo.observance_rules
    text = (in_tmp / "config.yaml").read_text(encoding="utf-8")
    assert "Festival Huế" in text  # says why the festival is not listed


def test_29_february_and_days_outside_the_month(in_tmp: Path) -> None:
    text = edit("month: 8, day: 8,", "month: 2, day: 29,").replace("day: 28", "day: 31")
    text = text.replace("month: 7", "month: 6")
    assert problems(text) == [
        "config.yaml:6: observances[0].day: 29 February is not in every year; choose 28 February"
        " or 1 March",
        "config.yaml:10: observances[1].day: June has 30 days; day 31 does not exist",
    ]


def test_ranges_and_types(in_tmp: Path) -> None:
    text = edit("month: 8,", "month: 13,").replace(
        "remind_days_before: 21", "remind_days_before: -1"
    )
    text = text.replace("day: 28", "day: 'ngày 28'")
    assert problems(text) == [
        "config.yaml:6: observances[0].month: tối đa là 12 / should be 12 or less",
        "config.yaml:10: observances[1].day: phải là một số nguyên / should be a whole number",
        "config.yaml:11: observances[1].remind_days_before: phải từ 0 trở lên / should be 0 or"
        " more",
    ]


def test_missing_names_point_at_the_item_and_unknown_keys_get_a_suggestion(in_tmp: Path) -> None:
    text = edit('    name_en: "Vietnam joins ASEAN"\n', "").replace(
        "remind_days_before", "remind_days"
    )
    assert problems(text) == [
        "config.yaml:7: observances[1].name_en: thiếu khóa bắt buộc / required key missing",
        "config.yaml:10: observances[1].remind_days: khóa không có; có phải là"
        " 'remind_days_before'? / unknown key; did you mean 'remind_days_before'?",
    ]


def test_unknown_topic(in_tmp: Path) -> None:
    assert problems(edit("topic: a}", "topic: z}")) == [
        "config.yaml:6: observances[0].topic: unknown topic 'z'; known: a, g"
    ]


def test_observances_must_be_a_list_of_mappings(in_tmp: Path) -> None:
    text = BASE.split("observances:", maxsplit=1)[0] + "observances: ASEAN Day\n"
    assert problems(text) == [
        "config.yaml:5: observances: phải là một danh sách (các dòng bắt đầu bằng '- ') /"
        " should be a list (lines starting with '- ')"
    ]
