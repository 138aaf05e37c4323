"""Markers: unique per installation, post and channel; the invisible form survives in a text."""

from __future__ import annotations

from channels.markers import carries, invisible, marker_for, strip_invisible


def test_a_marker_is_a_slug_naming_installation_post_and_channel() -> None:
    marker = marker_for("3f9a1c2b7d4e", 17, "Web-ASEAN")
    assert marker == "loa-3f9a1c2b7d4e-17-web-asean"
    assert marker != marker_for("0000aaaa1111", 17, "web-asean")


def test_the_invisible_form_is_read_back_and_only_for_its_marker() -> None:
    ours, theirs = marker_for("aaaa", 1, "fb"), marker_for("bbbb", 1, "fb")
    text = "Huế chào đón ASEAN 👩‍👩‍👧" + invisible(ours)
    assert len(invisible(ours)) == 33
    assert all(not ch.isprintable() or ch in "\u200b\u200c\u200d\u2060" for ch in invisible(ours))
    assert carries(text, ours)
    assert not carries(text, theirs)
    assert not carries("Huế chào đón ASEAN", ours)
    assert strip_invisible(text) == "Huế chào đón ASEAN 👩‍👩‍👧"


def test_a_visible_marker_counts_too() -> None:
    marker = marker_for("aaaa", 2, "web")
    assert carries(f"<p>…</p><!-- {marker} -->", marker)
