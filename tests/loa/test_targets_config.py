"""`targets:` in config.yaml: defaults, a year's own figures, and names that must exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.targets import Targets
from loa.config import load_config
from tests.loa.test_config import BASE, BUILTIN, ROOT, load_text, problems


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


TARGETS = """\
targets:
  posts_per_month: 5
  departments: {SDL: 8}
  pillar_min_share: 0.2
  years:
    2027: {posts_per_month: 6, departments: {STTTT: 10}, channels: [web-asean]}
"""


@pytest.mark.usefixtures("in_tmp")
def test_without_the_section_the_defaults_apply() -> None:
    assert load_text(BASE).targets.for_year(2026) == Targets()


@pytest.mark.usefixtures("in_tmp")
def test_a_years_figures_override_the_sections_and_the_rest_is_kept() -> None:
    targets = load_text(BASE + TARGETS).targets
    year_2026, year_2027 = targets.for_year(2026), targets.for_year(2027)
    assert year_2026.monthly_posts("SDL") == 8 and year_2026.monthly_posts("STTTT") == 5
    assert year_2026.pillar_min_share == 0.2 and year_2026.channels is None
    assert year_2027.monthly_posts("STTTT") == 10 and year_2027.monthly_posts("SDL") == 8
    assert year_2027.monthly_posts("XYZ") == 6 and year_2027.channels == ("web-asean",)


@pytest.mark.usefixtures("in_tmp")
def test_unknown_departments_and_channels_are_named_with_their_place() -> None:
    found = problems(
        BASE + "targets:\n  departments: {SXD: 3}\n  years:\n    2027: {channels: [fb-nowhere]}\n"
    )
    assert any("targets.departments.SXD: unknown department 'SXD'" in line for line in found)
    assert any(
        "targets.years.2027.channels: unknown channel 'fb-nowhere'" in line for line in found
    )


@pytest.mark.usefixtures("in_tmp")
@pytest.mark.parametrize(
    ("section", "where"),
    [
        ("targets:\n  pillar_min_share: 1.5\n", "targets.pillar_min_share"),
        ("targets:\n  posts_per_month: -1\n", "targets.posts_per_month"),
        ("targets:\n  years:\n    1999: {posts_per_month: 1}\n", "targets.years"),
        ("targets:\n  post_per_month: 4\n", "targets.post_per_month: khóa không có; có phải là"),
    ],
)
def test_bad_figures_are_refused_naming_the_key(section: str, where: str) -> None:
    assert any(where in line for line in problems(BASE + section))


def test_the_shipped_config_sets_the_plans_targets() -> None:
    config = load_config(ROOT / "config.yaml", channel_types=BUILTIN)
    targets = config.targets.for_year(2026)
    assert targets.monthly_posts("STTTT") == 8 and targets.monthly_posts("SDL") == 4
    assert targets.topic_min_per_quarter == 1 and targets.pillar_min_share == 0.15
