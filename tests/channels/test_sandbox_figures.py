"""The sandbox's figures: deterministic by post and age, never shrinking, different per post."""

from __future__ import annotations

from channels.sandbox.figures import DAY, grow


def test_same_post_same_age_same_figure() -> None:
    assert grow("123_456", "views", 3 * DAY) == grow("123_456", "views", 3 * DAY)


def test_figures_never_shrink_with_age() -> None:
    ages = [0, 60, 3600, DAY, 7 * DAY, 30 * DAY, 365 * DAY]
    for metric in ("views", "reach", "reactions", "comments", "shares", "video_views"):
        values = [grow("post-9", metric, age) for age in ages]
        assert values == sorted(values), metric
        assert values[0] == 0
        assert values[-1] > 0


def test_posts_differ_and_the_seed_matters() -> None:
    week = [grow(f"post-{n}", "views", 7 * DAY) for n in range(20)]
    assert len(set(week)) > 15
    assert grow("post-1", "views", 7 * DAY, seed="a") != grow("post-1", "views", 7 * DAY, seed="b")


def test_half_the_audience_comes_in_the_first_day() -> None:
    day, month = grow("p", "views", DAY), grow("p", "views", 30 * DAY)
    assert 0.4 * month < day < 0.6 * month
