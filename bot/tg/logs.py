"""Logging set-up for the bot: one place, %-style, with secrets and phone numbers masked.

The httpx logger is turned down to WARNING: at INFO it logs every request URL, and the URL
contains the bot token. python-telegram-bot's own loggers stay at INFO or above: at DEBUG they
log whole updates, i.e. what users wrote. A filter on every handler also masks anything
token-shaped and any phone-number-like run of 7+ digits, with or without spaces or dashes
(possibly the user's own number), as a last line of defence: in the message and traceback only,
never in the record's own timestamp.
"""

from __future__ import annotations

import logging
import re

from ..core.privacy import mask_numbers

_TOKEN = re.compile(r"\d{3,15}:[A-Za-z0-9_-]{30,64}")


def mask(text: str) -> str:
    """Token-shaped strings and phone, ID-card and bank-card numbers masked (core/privacy.py, the
    same masking as for what storage keeps)."""
    text = _TOKEN.sub(lambda m: m.group(0).split(":")[0] + ":***", text)
    return mask_numbers(text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the traceback and stack too (exception messages can quote request data), but never
    the record's time: masking the whole line used to turn "2026-11-30 03:23:39" into
    "202****39", because a date and a time look like a run of digits."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's API
        return mask(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging's API
        return mask(super().formatStack(stack_info))


def setup_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in ("telegram", "telegram.ext"):
        logging.getLogger(name).setLevel(max(logging.getLevelName(level), logging.INFO))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
