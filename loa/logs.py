"""Structured logs: one line per event, `key=value` pairs (logfmt) or JSON, secrets masked."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from channels.http import mask


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = mask(record.getMessage())
        if record.exc_info:
            message += " | " + self.formatException(record.exc_info).replace("\n", " | ")
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        quoted = json.dumps(message, ensure_ascii=False)
        return f"ts={stamp} level={record.levelname.lower()} logger={record.name} msg={quoted}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask(record.getMessage()),
        }
        for pair in event["msg"].split():
            key, sep, value = pair.partition("=")
            if sep and key in ("post", "channel", "delivery", "attempt", "remote"):
                event[key] = value
        if record.exc_info:
            event["error"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False)


def configure(level: str = "info", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else LogfmtFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("apscheduler", "urllib3", "googleapiclient.discovery_cache", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
