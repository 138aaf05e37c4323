"""The gettext catalogue: read from its .po at start-up, Jinja's `_()` in the page's language,
and the conversion of the hand-made word tables (web/i18n_migrate.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from web import i18n, i18n_catalog
from web.i18n_catalog import Loaded, compiled, keyed_words, new_catalogue
from web.i18n_migrate import convert_source, merge_into_catalogue
from web.render import make_environment

PAGE_MODULE = '''"""A page."""

from web.i18n import add_messages, t

# The page's words.
add_messages(
    {
        "demo.title": ("Tiêu đề", "Title"),
        "demo.long": (
            "Một câu dài"
            " hai dòng",
            "A long sentence"
            " on two lines",
        ),
        "demo.count": (f"{LIMIT} mục", f"{LIMIT} items"),
    }
)


def page() -> str:
    return t("demo.title", "vi")
'''


def test_the_conversion_moves_literal_words_and_keeps_computed_ones() -> None:
    converted, words, kept = convert_source(PAGE_MODULE)
    assert words == {
        "demo.title": ("Tiêu đề", "Title"),
        "demo.long": ("Một câu dài hai dòng", "A long sentence on two lines"),
    }
    assert kept == 1
    assert '"demo.count": (f"{LIMIT} mục", f"{LIMIT} items"),' in converted
    assert "from web.i18n import add_messages, t" in converted and "demo.title" in converted
    compile(converted, "page.py", "exec")
    again, more, _ = convert_source(converted)
    assert again == converted and not more


def test_a_table_moved_whole_takes_its_call_comment_and_import_with_it() -> None:
    source = PAGE_MODULE.replace('        "demo.count": (f"{LIMIT} mục", f"{LIMIT} items"),\n', "")
    converted, words, kept = convert_source(source)
    assert len(words) == 2 and kept == 0
    assert "add_messages" not in converted and "The page's words" not in converted
    assert "from web.i18n import t\n" in converted
    compile(converted, "page.py", "exec")


def test_moved_words_are_read_back_from_the_po_file(tmp_path: Path) -> None:
    path = tmp_path / "vi" / "LC_MESSAGES" / "loa.po"
    words = {"demo.b": ("Chào {name}", "Hello {name}"), "demo.a": ("Lịch", "Calendar")}
    assert merge_into_catalogue(words, path) == 2
    assert merge_into_catalogue(words, path) == 0  # idempotent
    text = path.read_text(encoding="utf-8")
    assert text.index('msgctxt "demo.a"') < text.index('msgctxt "demo.b"')
    assert "#, python-brace-format" in text
    catalogue = i18n_catalog.read_catalogue(path)
    assert keyed_words(catalogue) == words


def test_an_untranslated_or_fuzzy_word_shows_its_english() -> None:
    catalogue = new_catalogue()
    catalogue.add("Calendar", "", context="nav.x")
    catalogue.add("Review", "Duyệt bài", context="nav.y", flags=["fuzzy"])
    catalogue.add("Log out", "Đăng xuất", context="nav.z")
    assert keyed_words(catalogue) == {
        "nav.x": ("Calendar", "Calendar"),
        "nav.y": ("Review", "Review"),
        "nav.z": ("Đăng xuất", "Log out"),
    }


def test_templates_say_plain_words_in_the_pages_language(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = new_catalogue()
    catalogue.add("Save", "Lưu")
    catalogue.add(("%(count)s post", "%(count)s posts"), ("%(count)s bài",))
    catalogue.add("Hello %(name)s", "Chào %(name)s")
    monkeypatch.setattr(i18n, "CATALOGUE", Loaded({}, compiled(catalogue)))
    page = make_environment().from_string(
        '{{ _("Save") }}|{{ _("Hello %(name)s", name=who) }}|'
        "{% trans count=3 %}{{ count }} post{% pluralize %}{{ count }} posts{% endtrans %}"
    )
    assert page.render(lang="vi", who="<b>") == "Lưu|Chào &lt;b&gt;|3 bài"
    assert page.render(lang="en", who="Lan") == "Save|Hello Lan|3 posts"


def test_the_catalogue_and_its_template_hold_the_same_keys() -> None:
    words = keyed_words(i18n_catalog.read_catalogue(i18n_catalog.po_path("vi")))
    template = i18n_catalog.read_catalogue(i18n_catalog.TEMPLATE_PATH, "vi")
    assert {m.context for m in template if m.context} == set(words)
    assert all(
        i18n.t(key, "vi") == vi and i18n.t(key, "en") == en for key, (vi, en) in words.items()
    )
