"""A running worker picks up changes of config.yaml: on SIGHUP, or when the file changed.

Every `worker.config_check_seconds` (60 by default) the worker compares the file's modification
time, size and inode with what it last read; SIGHUP rereads it at once. A new file that does not
load (or that moves the database or the media folder, which needs a restart) is refused with one
log line and the worker goes on with the configuration it has. An accepted one is synchronised
into the database as `loa` commands do (a channel added is active, a channel removed is retired
and its posts held, a channel listed again is active again), then the worker takes the new
channels, limits, retry policies, blackouts and alert destinations; its threads, lease and job
intervals stay as they started.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from loa.app import App, sync_reference_data
from loa.config import ConfigError, LoaConfig, load_config
from scheduler.worker import Worker, WorkerSettings

log = logging.getLogger(__name__)

Stamp = tuple[int, int, int] | None


class Renewable(Protocol):
    def renew(self) -> None: ...


class ConfigReloader:
    def __init__(
        self,
        app: App,
        path: Path,
        worker: Worker,
        settings: Callable[[App], WorkerSettings],
        alerts: Renewable,
    ) -> None:
        self.app, self.path, self.worker = app, path, worker
        self.settings, self.alerts = settings, alerts
        self._seen = self._stamp()
        self._lock = threading.Lock()  # the minute's check and a SIGHUP may meet

    def check(self) -> bool:
        """Reload if the file changed since it was last read; True when a new one was taken."""
        if self._stamp() == self._seen:
            return False
        return self.reload()

    def reload(self) -> bool:
        """Reread config.yaml now; True when the new configuration was taken."""
        with self._lock:
            stamp = self._stamp()
            try:
                config = load_config(self.path)
                _refuse_restart_only_changes(self.app.config, config)
            except ConfigError as error:
                self._seen = stamp  # said once; the next change of the file is tried again
                problems = "; ".join(str(error).splitlines())
                log.error(
                    "Không nạp lại %s vì có lỗi, tiến trình vẫn chạy với cấu hình cũ"
                    " / %s was not reloaded, the worker keeps the old configuration: %s",
                    self.path, self.path, problems,
                )  # fmt: skip
                return False
            before = {channel.id for channel in self.app.config.channels}
            sync_reference_data(self.app.db, config)  # an error here: tried again next check
            self._seen = stamp
            self.app.config = config
            self.app.memos.clear()  # a channel's site may have changed with its settings
            self.worker.reconfigure(self.settings(self.app))
            self.alerts.renew()
            after = {channel.id for channel in config.channels}
            log.info(
                "Đã nạp lại %s / reloaded %s: channels added=%s removed=%s",
                self.path, self.path, ",".join(sorted(after - before)) or "-",
                ",".join(sorted(before - after)) or "-",
            )  # fmt: skip
            return True

    def _stamp(self) -> Stamp:
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return (found.st_mtime_ns, found.st_size, found.st_ino)


def _refuse_restart_only_changes(old: LoaConfig, new: LoaConfig) -> None:
    if new.database_url != old.database_url:
        raise ConfigError(
            "database: đổi cơ sở dữ liệu cần khởi động lại tiến trình"
            " / changing the database needs a restart of the worker"
        )
    if new.media_path != old.media_path:
        raise ConfigError(
            "media_dir: đổi thư mục media cần khởi động lại tiến trình"
            " / changing the media folder needs a restart of the worker"
        )
