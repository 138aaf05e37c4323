"""The words of the reminders: the monthly digest, the report deadline, an observance's window.

Vietnamese first, then English, in one message: the alert goes to a shared mailbox whose readers
may read either. Figures are written as their reader writes numbers (1.234 / 1,234), dates as
dd/mm/yyyy in Vietnamese and "1 November 2026" in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from content.labels import figure, metric_label
from content.observances import MONTHS_EN, Reminder
from content.report_data import ReportData
from content.stats import metric_names

REPORT_SUBJECT_VI = "báo cáo kết quả tuyên truyền ASEAN"
REPORT_SUBJECT_EN = "ASEAN communication results report"


@dataclass(frozen=True)
class Words:
    subject: str
    body: str


def _day_en(day: date) -> str:
    return f"{day.day} {MONTHS_EN[day.month]} {day.year}"


def _reports_link(public_url: str) -> str:
    return f"{public_url.rstrip('/')}/reports"


def digest(
    data: ReportData, names: tuple[str, str], month: date, tz: tzinfo, public_url: str
) -> Words:
    """A department's month: what it published, what that achieved, where it stands against
    the plan's targets, and what is missing."""
    vi_name, en_name = names
    last_day = (data.end - timedelta(microseconds=1)).astimezone(tz).date()
    month_vi, month_en = f"{month:%m/%Y}", f"{MONTHS_EN[month.month]} {month.year}"
    total = data.total.total
    posts, deliveries = total.posts, total.deliveries
    subject = f"Loa: tổng kết tháng {month_vi} — {vi_name} / {month_en} digest — {en_name}"
    vi = [
        f"{vi_name} — tổng kết tháng {month_vi} ({month:%d/%m/%Y} – {last_day:%d/%m/%Y})",
        f"Đã đăng: {figure(posts)} bài, {figure(deliveries)} lượt đăng trên các kênh.",
        _figures_line(data, tz, "vi"),
        *_progress_lines(data, "vi"),
        *_gap_lines(data, "vi"),
        f"Xem báo cáo: {_reports_link(public_url)}",
    ]
    en = [
        f"{en_name} — {month_en} digest ({_day_en(month)} – {_day_en(last_day)})",
        f"Published: {figure(posts, 'en')} {_plural(posts, 'post')}, "
        f"{figure(deliveries, 'en')} {_plural(deliveries, 'delivery', 'deliveries')} on channels.",
        _figures_line(data, tz, "en"),
        *_progress_lines(data, "en"),
        *_gap_lines(data, "en"),
        f"See the report: {_reports_link(public_url)}",
    ]
    return Words(subject, "\n".join(vi) + "\n\n" + "\n".join(en))


def _plural(count: int, one: str, many: str | None = None) -> str:
    return one if count == 1 else many or f"{one}s"


def _figures_line(data: ReportData, tz: tzinfo, lang: str) -> str:
    total = data.total.total
    metrics = metric_names([total])
    if not metrics:
        if lang == "vi":
            return "Số liệu: chưa có số liệu nào được đọc cho các bài tháng này."
        return "Figures: none read yet for this month's posts."
    sums = "; ".join(f"{metric_label(m, lang)} {figure(total.totals[m], lang)}" for m in metrics)
    read_at = data.figures_read_at
    when = read_at.astimezone(tz) if read_at else None
    if lang == "vi":
        at = f", đọc lúc {when:%H:%M %d/%m/%Y}" if when else ""
        return (
            f"Số liệu ({total.with_figures}/{total.deliveries} lượt đăng có số liệu{at}): {sums}."
        )
    at = f", read {when:%H:%M} on {_day_en(when.date())}" if when else ""
    return (
        f"Figures ({total.with_figures} of {total.deliveries} deliveries have figures{at}): {sums}."
    )


def _progress_lines(data: ReportData, lang: str) -> list[str]:
    # The department's own posts target in full; the others (nine topics, three pillars, every
    # channel) counted by kind with the codes missed, so the message stays short enough to act
    # on: the gaps below say in words what is missing. A target whose unit (a quarter) is longer
    # than the month is "not due yet", neither met nor missed.
    if not data.progress:
        return []
    vi = lang == "vi"
    met = sum(1 for p in data.progress if p.met)
    not_due = sum(1 for p in data.progress if p.not_due)
    marks = {"met": ("đạt", "met"), "missed": ("chưa đạt", "not met"),
             "not_due": ("chưa đến kỳ đánh giá", "not due yet")}  # fmt: skip
    mark = {state: words[0 if vi else 1] for state, words in marks.items()}
    if vi:
        later = f", {not_due} chưa đến kỳ đánh giá" if not_due else ""
        lines = [f"Tiến độ so với chỉ tiêu: đạt {met}/{len(data.progress)} chỉ tiêu{later}."]
    else:
        later = f", {not_due} not due yet" if not_due else ""
        lines = [f"Progress against the targets: {met} of {len(data.progress)} met{later}."]
    for item in data.progress:
        if item.kind == "department":
            lines.append(f"  - {item.vi if vi else item.en} ({mark[item.state]})")
    kinds = {"topic": ("Chủ đề", "Topics"), "pillar": ("Trụ cột", "Pillars"),
             "channel": ("Kênh", "Channels")}  # fmt: skip
    for kind, (kind_vi, kind_en) in kinds.items():
        items = [p for p in data.progress if p.kind == kind]
        if not items:
            continue
        done = sum(1 for p in items if p.met)
        line = (
            f"  - {kind_vi}: đạt {done}/{len(items)}"
            if vi
            else f"  - {kind_en}: {done} of {len(items)} met"
        )
        for state in ("missed", "not_due"):
            codes = ", ".join(p.subject for p in items if p.state == state)
            line += f" ({mark[state]}: {codes})" if codes else ""
        lines.append(line)
    return lines


def _gap_lines(data: ReportData, lang: str) -> list[str]:
    if not data.gaps:
        return ["Không có việc nào còn thiếu." if lang == "vi" else "Nothing is missing."]
    lines = ["Việc còn thiếu:" if lang == "vi" else "What is missing:"]
    lines += [f"  - {gap.vi if lang == 'vi' else gap.en}" for gap in data.gaps]
    return lines


def deadline(year: int, due: date, days_left: int, public_url: str) -> Words:
    """The report of `year` is due on `due` (1 November), `days_left` days from today."""
    unit = "day" if days_left == 1 else "days"
    subject = (
        f"Loa: hạn gửi báo cáo năm {year} còn {days_left} ngày"
        f" / the {year} report is due in {days_left} {unit}"
    )
    vi = (
        f"Hạn gửi {REPORT_SUBJECT_VI} năm {year}: {due:%d/%m/%Y}, còn {days_left} ngày.\n"
        "Các sở, ban, ngành, địa phương và cơ quan báo chí gửi báo cáo về Sở Thông tin và Truyền"
        " thông trước ngày này (Kế hoạch 275/KH-UBND).\n"
        f"Lập báo cáo: {_reports_link(public_url)}"
    )
    en = (
        f"The {year} {REPORT_SUBJECT_EN} is due on {_day_en(due)}, {days_left} {unit} left.\n"
        "Departments, districts and press agencies send their report to the Department of"
        " Information and Communications before that day (Plan 275/KH-UBND).\n"
        f"Make the report: {_reports_link(public_url)}"
    )
    return Words(subject, f"{vi}\n\n{en}")


def observance(reminder: Reminder, public_url: str) -> Words:
    """An observance's planning window is open: time to plan what to publish for it."""
    occurrence = reminder.occurrence
    subject = (
        f"Loa: {occurrence.label('vi')} ({occurrence.date:%d/%m/%Y})"
        f" / {occurrence.label('en')} ({_day_en(occurrence.date)})"
    )
    calendar = f"{public_url.rstrip('/')}/calendar"
    vi = f"{reminder.message('vi')}\nLịch đăng bài: {calendar}"
    en = f"{reminder.message('en')}\nPublishing calendar: {calendar}"
    topic = occurrence.observance.topic
    if topic:
        vi += f"\nChủ đề thường dùng: {topic}"
        en += f"\nUsual topic: {topic}"
    return Words(subject, f"{vi}\n\n{en}")


def month_start(moment: datetime, tz: tzinfo) -> datetime:
    """The first instant of `moment`'s month, local."""
    local = moment.astimezone(tz)
    return datetime(local.year, local.month, 1, tzinfo=tz)
