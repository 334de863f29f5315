"""Everything the handlers need, in one object stored in `application.bot_data[SERVICES]`."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Callable

from telegram.ext import CallbackContext

from ..config import Settings
from ..core.assistant import Assistant
from ..core.ocr import OcrPool
from ..storage import Storage
from .constants import SERVICES


def system_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Services:
    settings: Settings
    storage: Storage
    assistant: Assistant                 # replaced whole by /reload, never mutated
    now: Callable[[], dt.datetime] = system_now       # aware "now"; tests drive it
    monotonic: Callable[[], float] = time.monotonic   # for per-user rate limiting
    user_hits: dict[int, list[float]] = field(default_factory=dict)
    # Screenshots: one bounded OCR worker for the whole bot, and how many images each user (and,
    # for the group guard, each group) may have read per `user_window`.
    ocr: OcrPool = field(default_factory=OcrPool)
    images_per_user: int = 4
    images_per_group: int = 6
    image_hits: dict[int, list[float]] = field(default_factory=dict)
    # Admin notes about errors: at most one per kind of error per `error_note_interval` seconds
    # (monotonic), each with how many of that kind happened since the previous note.
    error_note_interval: float = 600.0
    error_notes: dict[str, tuple[float, int]] = field(default_factory=dict)  # kind -> (last note, count since)

    def local_now(self) -> dt.datetime:
        """Now in the bot's time zone: usage counters and "today" follow BOT_TIMEZONE's days."""
        return self.now().astimezone(self.settings.tz)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    def error_note_due(self, kind: str) -> int | None:
        """Count one error of `kind`; when an admin note about it is due (none yet, or the last
        one is `error_note_interval` old), how many happened since the last note (this one
        included), else None."""
        now = self.monotonic()
        last, count = self.error_notes.get(kind, (None, 0))
        count += 1
        if last is None or now - last >= self.error_note_interval:
            self.error_notes[kind] = (now, 0)
            return count
        self.error_notes[kind] = (last, count)
        return None

    def error_note_left(self, kind: str) -> tuple[float, int]:
        """(seconds until a note about `kind` may be sent again, errors of that kind not yet told)."""
        last, count = self.error_notes.get(kind, (None, 0))
        if last is None:
            return 0.0, count
        return max(0.0, last + self.error_note_interval - self.monotonic()), count

    def error_note_flush(self, kind: str) -> int | None:
        """At the end of an interval: the errors of `kind` kept quiet since the last note, if any
        (then the note counts as sent now), else None."""
        wait, count = self.error_note_left(kind)
        if count == 0 or wait > 0:
            return None
        self.error_notes[kind] = (self.monotonic(), 0)
        return count

    def allow(self, user_id: int) -> bool:
        """Sliding-window flood protection per user: `user_rate` updates per `user_window`."""
        return self._window(self.user_hits, user_id, self.settings.user_rate)

    def allow_image(self, chat_or_user_id: int, rate: int) -> bool:
        """Images read per user (or per group, for the guard): `rate` per `user_window`."""
        return self._window(self.image_hits, chat_or_user_id, rate)

    def _window(self, table: dict[int, list[float]], key: int, rate: int) -> bool:
        now = self.monotonic()
        window = self.settings.user_window
        hits = [t for t in table.get(key, []) if now - t < window]
        allowed = len(hits) < rate
        if allowed:
            hits.append(now)
        table[key] = hits
        if len(table) > 100_000:  # drop keys idle for a whole window
            fresh = {k: h for k, h in table.items() if h and now - h[-1] < window}
            table.clear()
            table.update(fresh)
        return allowed


def services(context: CallbackContext) -> Services:
    return context.application.bot_data[SERVICES]
