"""Figures in the reader's number form, and "—" (never 0) for no figure."""

from __future__ import annotations

from content.labels import figure, metric_label, platform_name


def test_figures_use_the_readers_thousands_separator() -> None:
    assert figure(1234567) == "1.234.567"
    assert figure(1234567, "en") == "1,234,567"
    assert figure(0) == "0"


def test_no_figure_is_a_dash_not_a_zero() -> None:
    assert figure(None) == "—" and figure(None, "en") == "—"


def test_metric_and_platform_names_in_both_languages() -> None:
    assert metric_label("views") == "Lượt xem" and metric_label("views", "en") == "Views"
    assert (
        platform_name("wordpress") == "Trang web" and platform_name("wordpress", "en") == "Website"
    )
    assert platform_name("pigeon") == "pigeon"  # an adapter Loa has no name for keeps its own
