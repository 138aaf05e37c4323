"""The evidence list's cells as people read them: names instead of codes, local dates, figures
left empty where a platform gave none. The XLSX and the CSV take their rows from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from content.labels import platform_name
from content.stats import NO_PILLAR, PublishedRow
from content.targets import Names
from reports.wording import EVIDENCE_METRICS

NO_PILLAR_NAME = ("Chưa phân loại", "Not classified")


@dataclass(frozen=True)
class EvidenceRow:
    published: date  # the local day of publication
    department: str
    channel: str
    platform: str
    title: str
    topic: str
    pillar: str
    url: str
    figures: tuple[int | None, ...]  # in EVIDENCE_METRICS order; None: no figure


def name_of(by: str, code: str, names: Names, lang: str = "vi") -> str:
    """A group's name in a breakdown (`by` one of content.stats.GROUPINGS)."""
    pick = 0 if lang == "vi" else 1
    if by == "month":
        year, month = code.split("-")
        return f"{month}/{year}"
    if by == "platform":
        return platform_name(code, lang)
    if by == "pillar" and code == NO_PILLAR:
        return NO_PILLAR_NAME[pick]
    name = names.of(by, code)[pick]
    if by in ("topic", "pillar") and name != code:
        # Plan 275 numbers its topics a-i; people look them up by letter as well as by name.
        return f"{code}. {name}"
    return name


class Evidence:
    """Turns PublishedRows into EvidenceRows, naming each code once (250,000 rows repeat them)."""

    def __init__(self, tz: tzinfo, names: Names, lang: str = "vi") -> None:
        self.tz, self.names, self.lang = tz, names, lang
        self._names: dict[tuple[str, str], str] = {}

    def _name(self, by: str, code: str) -> str:
        key = (by, code)
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = name_of(by, code, self.names, self.lang)
        return found

    def row(self, row: PublishedRow) -> EvidenceRow:
        figures = row.figures
        return EvidenceRow(
            published=row.published_at.astimezone(self.tz).date(),
            department=self._name("department", row.department),
            channel=self._name("channel", row.channel_id),
            platform=self._name("platform", row.platform),
            title=row.title,
            topic=self._name("topic", row.topic),
            pillar=self._name("pillar", row.pillar) if row.pillar else "",
            url=row.url or "",
            figures=tuple(figures.get(metric) for metric in EVIDENCE_METRICS),
        )
