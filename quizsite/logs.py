"""Log records as one JSON object per line, which log collectors read without parsing rules."""

import json
import logging
from datetime import UTC, datetime

from gunicorn import glogging

# Attributes every LogRecord has; anything else was passed through `extra=` and is kept.
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class GunicornLogger(glogging.Logger):
    """gunicorn's logger, writing each access line from the request's fields through
    JsonFormatter (gunicorn_conf.py's logconfig_dict): ISO time like the app's lines, and a
    real JSON encoder. gunicorn's access_log_format is a %-template, so a path holding a
    backslash, a tab or a quote (%5C, %09, %22 decoded) made lines that were not JSON."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        method, path = environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", "")
        # PATH_INFO holds the request's bytes as latin-1 characters; json.dumps escapes any
        # that are not ASCII, so bytes that aren't UTF-8 still make a valid line.
        self.access_log.info(
            "%s %s %s",
            method,
            path,
            status,
            extra={
                "method": method,
                "path": path,
                "status": int(status),
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000),
                "remote": environ.get("REMOTE_ADDR", "-"),
            },
        )
