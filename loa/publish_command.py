"""`loa publish ID --now`: one approved post, in the foreground, with a progress bar."""

from __future__ import annotations

import typer
from sqlmodel import select

from channels.base import Progress
from content.models import Delivery
from content.reasons import reason_text
from loa.app import App
from loa.views import delivery_label, words
from loa.worker_app import publish_now


def publish_in_foreground(app: App, post_id: int, lang: str) -> bool:
    def progress_for(channel_id: str) -> Progress:
        def progress(done: int, total: int) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            typer.echo(
                f"\r  {channel_id:<16} [{'#' * filled}{'.' * (width - filled)}]"
                f" {done / 1_048_576:6.1f}/{total / 1_048_576:.1f} MB",
                nl=done >= total,
                err=True,
            )

        return progress

    def say(channel_id: str) -> None:
        typer.echo(words(lang, f"Đang đăng lên {channel_id}…", f"Publishing to {channel_id}..."))

    outcomes = publish_now(app, post_id, progress_for, say)
    if not outcomes:
        typer.echo(words(lang, "Không còn kênh nào cần đăng.", "Nothing left to publish."))
        return True
    with app.db.read() as session:
        rows = {
            d.channel_id: d
            for d in session.exec(select(Delivery).where(Delivery.post_id == post_id)).all()
        }
    ok = True
    for channel_id in outcomes:
        row = rows[channel_id]
        detail = row.remote_url or reason_text(row.last_error, lang)
        typer.echo(f"  {channel_id:<16} {delivery_label(row.state, lang):<14} {detail}")
        ok = ok and row.state == "published"
    return ok
