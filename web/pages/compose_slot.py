"""The composer's "next free slot": which time it would take and why, in the reader's language.

The time is the one the post services will store (content.slot_finder reads the same busy
times, content.slots chooses the same way); this module only words it:

"Giờ trống gần nhất cho cả 3 kênh: Thứ Tư, 02/12/2026 08:00 — Zalo OA trống đúng khung giờ
này; Facebook: khung 09:00, cách 60 phút; Trang web cách bài trước 4 giờ."
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from content.labels import platform_name
from content.queries import load_channels
from content.slot_finder import HORIZON_DAYS, find_slot_plan
from content.slots import ChannelFit, SlotPlan
from content.timeutil import to_local
from web.i18n import format_datetime
from web.services import WebServices


@dataclass(frozen=True)
class SlotAdvice:
    at: datetime | None  # aware UTC; None when no time was found (or no channel chosen)
    vi: str
    en: str

    def text(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en

    def to_dict(self, lang: str) -> dict[str, str | None]:
        return {"at": self.at.isoformat() if self.at else None, "text": self.text(lang)}


NO_CHANNEL = SlotAdvice(
    None,
    "Chọn kênh đăng để xem giờ trống gần nhất.",
    "Choose the channels to see the next free time.",
)


def slot_advice(
    services: WebServices, channel_ids: Sequence[str], post_id: int | None = None
) -> SlotAdvice:
    """The time "next free slot" would take for these channels now, explained."""
    chosen = list(dict.fromkeys(channel_ids))
    with services.db.read() as session:
        infos = load_channels(session)
        chosen = [cid for cid in chosen if cid in infos]
        if not chosen:
            return NO_CHANNEL
        slots = {cid: infos[cid].slots for cid in chosen}
        plan = find_slot_plan(session, slots, services.posts.clock(), services.zone, post_id)
    names = channel_names(services, {cid: infos[cid].type for cid in chosen})
    return explain(plan, names, services)


def channel_names(services: WebServices, types: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Platform names ("Facebook", "Trang web"), or the channels' own where two share one."""
    kinds = list(types.values())
    names = {}
    for cid, kind in types.items():
        if kinds.count(kind) == 1:
            names[cid] = (platform_name(kind, "vi"), platform_name(kind, "en"))
        else:
            display = services.channel(cid)
            own = (display.name if display else "") or cid
            names[cid] = (own, own)
    return names


def explain(
    plan: SlotPlan | None, names: Mapping[str, tuple[str, str]], services: WebServices
) -> SlotAdvice:
    count = len(names)
    if plan is None:
        return SlotAdvice(
            None,
            f"Không tìm được giờ trống cho {_join([n[0] for n in names.values()], 'vi')} trong"
            f" {HORIZON_DAYS} ngày tới; hãy chọn giờ cụ thể.",
            f"No free time for {_join([n[1] for n in names.values()], 'en')} in the next"
            f" {HORIZON_DAYS} days; choose a time instead.",
        )
    vi_when = format_datetime(plan.at, "vi", services.zone)
    en_when = format_datetime(plan.at, "en", services.zone)
    if count == 1:
        ((vi_name, en_name),) = names.values()
        vi_head = f"Giờ trống gần nhất của {vi_name}: {vi_when}"
        en_head = f"Next free time on {en_name}: {en_when}"
    else:
        vi_head = f"Giờ trống gần nhất cho cả {count} kênh: {vi_when}"
        en_head = f"Next free time for all {count} channels: {en_when}"
    vi_parts, en_parts = _reasons(plan, names, services)
    vi_why, en_why = _rule(plan)
    return SlotAdvice(
        plan.at,
        f"{vi_head} — {'; '.join(vi_parts)}.{vi_why}",
        f"{en_head} — {'; '.join(en_parts)}.{en_why}",
    )


def _reasons(
    plan: SlotPlan, names: Mapping[str, tuple[str, str]], services: WebServices
) -> tuple[list[str], list[str]]:
    on_slot = [fit for fit in plan.fits if fit.fit == "slot"]
    vi: list[str] = []
    en: list[str] = []
    if on_slot:
        vi_names = _join([names[f.channel_id][0] for f in on_slot], "vi")
        en_names = _join([names[f.channel_id][1] for f in on_slot], "en")
        vi.append(f"{vi_names} trống đúng khung giờ này")
        en.append(f"{en_names} {'has' if len(on_slot) == 1 else 'have'} a free slot then")
    for fit in plan.fits:
        vi_name, en_name = names[fit.channel_id]
        if fit.fit == "near" and fit.slot is not None:
            slot = f"{to_local(fit.slot, services.zone):%H:%M}"
            away = abs(plan.at - fit.slot)
            vi.append(f"{vi_name}: khung {slot}, cách {_duration(away, 'vi')}")
            en.append(f"{en_name}: its {slot} slot, {_duration(away, 'en')} away")
        elif fit.fit == "gap":
            vi_gap, en_gap = _gap_words(fit, plan)
            vi.append(f"{vi_name} {vi_gap}")
            en.append(f"{en_name}: {en_gap}")
    return vi, en


def _gap_words(fit: ChannelFit, plan: SlotPlan) -> tuple[str, str]:
    if fit.previous is None:  # the channel's own gap (settings.min_gap_minutes)
        return (
            f"không có bài nào trong vòng {_duration(fit.min_gap, 'vi')} quanh giờ này",
            f"no other post within {_duration(fit.min_gap, 'en')} of it",
        )
    since = plan.at - fit.previous
    return (
        f"cách bài trước {_duration(since, 'vi')}",
        f"{_duration(since, 'en')} after its previous post",
    )


def _rule(plan: SlotPlan) -> tuple[str, str]:
    if plan.rule == "near":
        within = _duration(plan.tolerance, "vi"), _duration(plan.tolerance, "en")
        return (
            f" Các kênh không có khung giờ chung, nên Loa chọn giờ sớm nhất mà kênh nào cũng có"
            f" khung trống cách không quá {within[0]}.",
            f" The channels share no slot, so Loa chose the earliest time with a free slot of"
            f" every channel within {within[1]}.",
        )
    if plan.rule == "gap":
        gap = _duration(plan.min_gap, "vi"), _duration(plan.min_gap, "en")
        return (
            f" Khung giờ của các kênh không gần nhau, nên Loa chọn giờ sớm nhất cách các bài"
            f" khác của mỗi kênh ít nhất {gap[0]}.",
            f" The channels' slots are far apart, so Loa chose the earliest time at least"
            f" {gap[1]} from each channel's other posts.",
        )
    return "", ""


def _duration(span: timedelta, lang: str) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if lang == "vi":
        units = [(days, "ngày"), (hours, "giờ"), (minutes, "phút")]
        return " ".join(f"{n} {word}" for n, word in units if n) or "0 phút"
    words = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {w}{'s' if n > 1 else ''}" for n, w in words if n) or "0 minutes"


def _join(items: Sequence[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    word = " và " if lang == "vi" else " and "
    return ", ".join(items[:-1]) + word + items[-1]
