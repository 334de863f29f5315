"""Everything the handlers need, in one object stored in `application.bot_data[SERVICES]`."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Callable

from telegram.ext import CallbackContext

from ..config import Settings
from ..core.assistant import Assistant
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

    def local_now(self) -> dt.datetime:
        """Now in the bot's time zone: usage counters and "today" follow BOT_TIMEZONE's days."""
        return self.now().astimezone(self.settings.tz)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    def allow(self, user_id: int) -> bool:
        """Sliding-window flood protection per user: `user_rate` updates per `user_window`."""
        now = self.monotonic()
        window = self.settings.user_window
        hits = [t for t in self.user_hits.get(user_id, []) if now - t < window]
        allowed = len(hits) < self.settings.user_rate
        if allowed:
            hits.append(now)
        self.user_hits[user_id] = hits
        if len(self.user_hits) > 100_000:  # drop users idle for a whole window
            self.user_hits = {u: h for u, h in self.user_hits.items() if h and now - h[-1] < window}
        return allowed


def services(context: CallbackContext) -> Services:
    return context.application.bot_data[SERVICES]
