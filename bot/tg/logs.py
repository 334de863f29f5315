"""Logging set-up for the bot: one place, %-style, with secrets and phone numbers masked.

The httpx logger is turned down to WARNING: at INFO it logs every request URL, and the URL
contains the bot token. A filter on every handler also masks anything token-shaped and any run
of 7+ digits (a phone number, possibly the user's own) as a last line of defence.
"""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\d{3,15}:[A-Za-z0-9_-]{30,64}")
_LONG_NUMBER = re.compile(r"(?<!\d)(\+?\d{3})\d{4,}(\d{2})(?!\d)")


def mask(text: str) -> str:
    text = _TOKEN.sub(lambda m: m.group(0).split(":")[0] + ":***", text)
    return _LONG_NUMBER.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the formatted traceback too (exception messages can quote request data)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


def setup_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
