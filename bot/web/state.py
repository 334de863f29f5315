"""What every web request needs, in one object on `app.state.web`: the assistant (built and
warmed once at start), the settings, the OCR hook if there is one, and the worker pool that keeps
matching off the event loop."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import logging
from dataclasses import dataclass
from typing import Any, Callable

import anyio
import anyio.to_thread

from ..config import Settings
from ..core.assistant import Assistant
from ..core.matcher import NO_MATCH, MatchResult
from ..storage import Storage

log = logging.getLogger(__name__)

# Threads that run matching, checking and scanning. The work is CPU-bound Python, so more threads
# than this only queue behind the GIL; what matters is that the event loop never runs it.
WORKERS = 4

OcrReader = Callable[[bytes], str]
# Screenshots are read one at a time (OCR takes a second or more and hundreds of MB); this many
# more may wait, beyond that a new one is refused at once ("busy") instead of piling up.
OCR_WORKERS = 1
OCR_QUEUE = 4


class OcrFailed(Exception):
    """A screenshot was not read. `reason` is one of bot.core.ocr's reasons (unavailable, too_big,
    too_many_pixels, not_an_image, timeout, busy, nothing_read, or bad_image for an error of
    another kind); `message` is its sentence for people, when the OCR module gives one."""

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.message = message


def discover_ocr() -> OcrReader | None:
    """`bot.core.ocr.read_text(image_bytes) -> str` when that module imports and its engine is
    installed (`ocr_available()`); else None. A module that is missing, raises ImportError, or
    fails to import means no OCR: the page and the API still serve text."""
    try:
        module = importlib.import_module("bot.core.ocr")
    except ImportError:
        return None
    except Exception:  # a broken OCR install must not stop the page from serving text
        log.warning("bot.core.ocr failed to import; OCR is off", exc_info=True)
        return None
    read_text = getattr(module, "read_text", None)
    available = getattr(module, "ocr_available", None) or getattr(module, "available", None)
    if not callable(read_text):
        return None
    if callable(available):
        try:
            if not available():
                return None
        except Exception:
            log.warning("bot.core.ocr could not say whether OCR is installed; OCR is off", exc_info=True)
            return None
    return read_text


def warm(assistant: Assistant) -> None:
    """Build the matcher and pay every first-use cost (the encoder's first question, the scanner's
    indexes) before the first user does."""
    assistant.warm()
    assistant.respond("借呗被盗了怎么办")
    assistant.respond("【工商银行】您的账户异常，请点击 icbc-verify.top 登录并提供验证码，客服 95588")


@dataclass
class WebState:
    assistant: Assistant
    settings: Settings
    ocr: OcrReader | None
    storage: Storage | None = None
    limiter: anyio.CapacityLimiter | None = None       # matching, checking, scanning
    ocr_limiter: anyio.CapacityLimiter | None = None   # screenshots
    ocr_pending: int = 0

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a blocking core call in the worker pool."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=self.limiter)

    async def read_image(self, data: bytes) -> str:
        """OCR one image in its own worker (one at a time, a few waiting); OcrFailed when there is
        no OCR here, the queue is full, or the image cannot be read."""
        if self.ocr is None:
            raise OcrFailed("unavailable")
        if self.ocr_pending >= OCR_WORKERS + OCR_QUEUE:
            raise OcrFailed("busy")
        self.ocr_pending += 1
        try:
            return await anyio.to_thread.run_sync(self.ocr, data, limiter=self.ocr_limiter)
        except ImportError as exc:
            raise OcrFailed("unavailable") from exc
        except Exception as exc:
            reason = getattr(exc, "reason", None)
            if isinstance(reason, str):  # bot.core.ocr's OcrError: its reason and its sentence
                message = getattr(exc, "message", None)
                raise OcrFailed(reason, message if isinstance(message, str) else None) from exc
            if isinstance(exc, (ValueError, OSError)):  # an image the decoder rejects
                raise OcrFailed("bad_image") from exc
            raise
        finally:
            self.ocr_pending -= 1

    def note_unanswered(self, match: MatchResult | None, text: str) -> None:
        """Keep a question nobody could answer (its text and when, never who or from where) when
        the operator turned the log on; otherwise nothing is written anywhere. Runs on the event
        loop's thread, which owns the SQLite connection."""
        if self.storage is not None and match is not None and match.status == NO_MATCH and text.strip():
            self.storage.record_gap(text, NO_MATCH, dt.datetime.now(dt.timezone.utc))
