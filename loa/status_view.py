"""`loa worker status`: workers alive, last dispatch, queue depth, cooldowns, pause."""

from __future__ import annotations

from content.labels import channel_label
from content.timeutil import format_local, utcnow
from content.workflow import channel_state_words
from loa.app import App
from loa.views import delivery_label, words
from loa.worker_app import worker_settings
from scheduler.control import status


def status_lines(app: App, lang: str) -> list[str]:
    tz = app.config.zone
    now = utcnow()
    found = status(app.db, now, worker_settings(app).blackouts)
    lines = []
    if found.paused:
        lines.append(
            words(lang, "ĐANG TẠM DỪNG ĐĂNG BÀI", "PUBLISHING IS PAUSED")
            + f": {found.pause_reason or ''} ({found.paused_by})"
        )
    elif found.blackout is not None:
        ends = format_local(found.blackout.end, tz)
        lines.append(
            words(lang, f"Khung giờ không đăng đến {ends}", f"Blackout until {ends}")
            + f": {found.blackout.reason}"
        )
    else:
        lines.append(words(lang, "Đăng bài: đang hoạt động", "Publishing: running"))
    alive = [w for w in found.workers if w.alive]
    lines.append(words(lang, f"Tiến trình đang chạy: {len(alive)}", f"Workers alive: {len(alive)}"))
    for worker in found.workers:
        mark = words(lang, "sống", "alive") if worker.alive else words(lang, "dừng", "gone")
        last = format_local(worker.last_dispatch_at, tz, "%H:%M:%S") or "-"
        sent, done, failed = worker.in_flight, worker.published, worker.failed
        lines.append(
            f"  {worker.worker_id:<40} {mark:<5} "
            + words(
                lang,
                f"điều phối lúc {last}  đang gửi {sent}  đã đăng {done}  thất bại {failed}",
                f"dispatch {last}  in-flight {sent}  published {done}  failed {failed}",
            )
        )
    lines.append(words(lang, "Hàng đợi:", "Queue:"))
    for state_name, count in sorted(found.queue.items()):
        lines.append(f"  {delivery_label(state_name, lang):<16} {count}")
    names = {c.id: channel_label(c.type, c.name or c.id, lang) for c in app.config.channels}
    for channel_id, until in sorted(found.cooldowns.items()):
        name = names.get(channel_id, channel_id)
        lines.append(
            words(lang, f"  {name}: chờ đến", f"  {name}: cooling down until")
            + f" {format_local(until, tz, '%Y-%m-%d %H:%M:%S')}"
        )
    for channel_id, channel_state in sorted(found.channel_states.items()):
        if channel_state != "active":
            name = names.get(channel_id, channel_id)
            hint = f" (loa channels connect {channel_id})" if channel_state == "needs_auth" else ""
            lines.append(f"  {name}: {channel_state_words(channel_state, lang)}{hint}")
    return lines
