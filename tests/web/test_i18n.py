"""Vietnamese first, English by a switch; dates in each language's conventions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from content.timeutil import zone
from web.i18n import add_messages, all_words, format_date, format_datetime, t

HCM = zone("Asia/Ho_Chi_Minh")


def test_dates_follow_vietnamese_and_english_conventions() -> None:
    at = datetime(2026, 8, 3, 0, 30, tzinfo=UTC)  # 07:30 in Huế
    assert format_datetime(at, "vi", HCM) == "Thứ Hai, 03/08/2026 07:30"
    assert format_datetime(at, "en", HCM) == "Mon 3 Aug 2026, 07:30"
    assert format_datetime(at, "vi", HCM, with_weekday=False) == "03/08/2026 07:30"
    assert format_date(date(2026, 8, 9), "vi") == "Chủ Nhật, 09/08/2026"
    assert format_datetime(None, "vi", HCM) == ""


def test_every_message_has_both_languages_and_vietnamese_marks_where_words_differ() -> None:
    for key, (vi, en) in all_words().items():  # the catalogue's and add_messages' ones
        assert vi.strip() and en.strip(), key
    assert t("nav.review", "vi") == "Duyệt bài" and t("nav.review", "en") == "Review"
    assert t("no.such.key", "vi") == "no.such.key"
    with pytest.raises(ValueError, match="defined twice"):
        add_messages({"nav.review": ("x", "y")})


def test_the_language_switch_is_remembered(editor_client: TestClient) -> None:
    vietnamese = editor_client.get("/calendar")
    assert '<html lang="vi">' in vietnamese.text and ">Duyệt bài<" in vietnamese.text
    assert 'href="/calendar?lang=en"' in vietnamese.text
    english = editor_client.get("/calendar?lang=en")
    assert '<html lang="en">' in english.text and ">Review<" in english.text
    assert any(h.startswith("lang=en;") for h in english.headers.get_list("set-cookie"))
    later = editor_client.get("/account/tokens")
    assert '<html lang="en">' in later.text and "My API tokens" in later.text
    back = editor_client.get("/account/tokens?lang=vi")
    assert "Mã API của tôi" in back.text


def test_the_login_language_becomes_the_sessions(client: TestClient) -> None:
    page = client.get("/login?lang=en")
    assert "Log in" in page.text and 'hreflang="vi"' in page.text
