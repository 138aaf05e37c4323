"""The audit trail page: filters, paging, times in Vietnam's zone, and the filtered CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from content import audit
from content.db import Database
from web.pages.admin_audit import PER_PAGE


def _events(db: Database) -> None:
    """A trail of known events at known times (UTC; +7 in Vietnam)."""
    with db.write() as session:
        at = datetime(2026, 8, 7, 23, 30, tzinfo=UTC)  # 08/08/2026 06:30 in Vietnam
        audit.record(session, "bientap", "post.approved", post_id=12, at=at, comment="OK")
        audit.record(
            session, "admin", "channel.paused", channel_id="fb-asean-hue",
            at=datetime(2026, 8, 9, 2, 0, tzinfo=UTC),
        )  # fmt: skip
        audit.record(
            session, "=cmd|' /C calc'!A0", "publishing.paused",
            at=datetime(2026, 8, 10, 3, 15, tzinfo=UTC), reason="=HYPERLINK(\"http://x\")",
        )  # fmt: skip


def test_audit_page_lists_newest_first_in_local_time(
    admin_client: TestClient, db: Database
) -> None:
    _events(db)
    page = admin_client.get("/admin/audit?from=2026-08-01&to=31/08/2026")
    assert page.status_code == 200
    text = page.text
    assert "3 sự kiện" in text
    assert "08/08/2026 06:30" in text  # 23:30 UTC the day before
    assert (
        text.index("10/08/2026 10:15")
        < text.index("09/08/2026 09:00")
        < text.index("08/08/2026 06:30")
    )
    assert "duyệt bài" in text and "tạm dừng mọi việc đăng bài" in text
    assert 'href="/posts/12"' in text
    english = admin_client.get("/admin/audit?from=2026-08-01&to=2026-08-31&lang=en").text
    assert "approved it" in english and "3 events" in english


def test_audit_filters_combine(admin_client: TestClient, db: Database) -> None:
    _events(db)

    def shown(query: str) -> str:
        response = admin_client.get(f"/admin/audit?{query}")
        assert response.status_code == 200, response.text
        return response.text

    assert "1 sự kiện" in shown("who=bientap&to=2026-08-31")
    assert "1 sự kiện" in shown("action=channel.paused")
    assert "1 sự kiện" in shown("channel=fb-asean-hue")
    assert "1 sự kiện" in shown("post=%2312")
    # A local day: 08/08 in Vietnam holds the event of 23:30 UTC on 07/08, and only it.
    one_day = shown("from=08/08/2026&to=08/08/2026")
    assert "1 sự kiện" in one_day and "08/08/2026 06:30" in one_day
    assert "Không có sự kiện nào" in shown("who=bientap&action=channel.paused")


def test_bad_filters_name_what_to_fix(admin_client: TestClient, db: Database) -> None:
    response = admin_client.get("/admin/audit?from=31/02/2026&post=abc&to=2026-01-01")
    assert response.status_code == 400
    assert "Từ ngày: không đọc được ngày “31/02/2026”" in response.text
    assert "“abc” không phải số bài" in response.text
    backwards = admin_client.get("/admin/audit?from=2026-08-09&to=2026-08-01")
    assert (
        backwards.status_code == 400 and "Ngày kết thúc đứng trước ngày bắt đầu" in backwards.text
    )
    assert admin_client.get("/admin/audit.csv?from=hôm-qua").status_code == 400


def test_audit_pages_through_many_events(admin_client: TestClient, db: Database) -> None:
    with db.write() as session:
        for number in range(PER_PAGE + 5):
            at = datetime(2026, 9, 1, 0, number, tzinfo=UTC)
            audit.record(session, "admin", "post.edited", post_id=1000 + number, at=at)
    first = admin_client.get("/admin/audit?action=post.edited").text
    assert f"{PER_PAGE + 5} sự kiện · trang 1/2" in first
    assert "#1054" in first and "#1004" not in first
    assert 'href="/admin/audit?action=post.edited&amp;page=2"' in first
    second = admin_client.get("/admin/audit?action=post.edited&page=2").text
    assert "trang 2/2" in second and "#1004" in second and "#1005" not in second


def test_audit_csv_is_the_whole_filtered_list_with_bom_and_formula_guard(
    admin_client: TestClient, db: Database
) -> None:
    _events(db)
    response = admin_client.get("/admin/audit.csv?from=2026-08-01&to=2026-08-31")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Thời điểm / Time"
    assert len(rows) == 4
    assert rows[1][:4] == ["10/08/2026 10:15", "'=cmd|' /C calc'!A0", "tạm dừng mọi việc đăng bài",
                           "publishing.paused"]  # fmt: skip
    assert rows[1][6] == 'reason: =HYPERLINK("http://x")'  # not at the start: no formula
    assert rows[3][:6] == ["08/08/2026 06:30", "bientap", "duyệt bài", "post.approved", "12", ""]
    only = admin_client.get("/admin/audit.csv?who=bientap").content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(only)))) == 2


def test_audit_is_for_administrators(editor_client: TestClient) -> None:
    assert editor_client.get("/admin/audit").status_code == 403
    assert editor_client.get("/admin/audit.csv").status_code == 403
