"""A real Application wired to the fake Bot API server, a real SQLite file and a fake clock."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.core.assistant import Assistant
from bot.storage import Storage
from bot.tg.app import build_application, post_init
from bot.tg.constants import SERVICES
from bot.tg.flood import FloodControl

from .fake_telegram import TOKEN, FakeTelegram

SHANGHAI = ZoneInfo("Asia/Shanghai")
_update_ids = itertools.count(1)
ADMIN = 9001


@dataclass
class FakeClock:
    """Wall time (`now`), monotonic time and an instant `sleep` that advances both: tests drive
    time instead of waiting for it. `slept` records every requested pause."""

    current: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 11, 21, 7, 0, tzinfo=SHANGHAI))
    mono: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def now(self) -> dt.datetime:
        return self.current

    def monotonic(self) -> float:
        return self.mono

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.current += dt.timedelta(seconds=seconds)

    def set(self, moment: dt.datetime) -> None:
        delta = (moment - self.current).total_seconds()
        self.current = moment
        self.mono += max(delta, 0)


@dataclass
class BotEnv:
    app: Application
    fake: FakeTelegram
    clock: FakeClock
    storage: Storage
    flood: FloodControl

    @property
    def services(self):
        return self.app.bot_data[SERVICES]

    async def send(self, update: dict) -> None:
        """Process one update through the real handlers (the bot's requests go over HTTP to the
        fake server)."""
        update = {"update_id": next(_update_ids), **update}
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def settle(self, timeout: float = 60.0) -> None:
        """Wait until the handlers that run as tasks (block=False: screenshots, the group guard)
        have finished: awaited, never slept for."""
        while True:
            tasks = [t for t in asyncio.all_tasks() if "process_update_non_blocking" in t.get_name() and not t.done()]
            if not tasks:
                return
            done, pending = await asyncio.wait(tasks, timeout=timeout)
            assert not pending, "a non-blocking handler did not finish"

    def replies(self, chat_id: int | None = None) -> list[dict]:
        return self.fake.sent("sendMessage", chat_id)

    def last_reply(self, chat_id: int | None = None) -> dict:
        replies = self.replies(chat_id)
        assert replies, "the bot sent nothing"
        return replies[-1]


def make_settings(fake: FakeTelegram, db_path: Path, **overrides) -> Settings:
    values = dict(token=TOKEN, api_base_url=fake.base_url, db_path=db_path, admin_ids=frozenset({ADMIN}),
                  timezone="Asia/Shanghai")
    values.update(overrides)
    return Settings(**values)


@contextlib.asynccontextmanager
async def running_bot(fake: FakeTelegram, db_path: Path, *, assistant: Assistant | None = None,
                      clock: FakeClock | None = None, run_post_init: bool = False, **settings_overrides):
    """Build, initialize and start the Application (no updater: updates are fed directly).
    With run_post_init, post_init runs between initialize and start, as bot/tg/runner.serve does."""
    clock = clock or FakeClock()
    settings = make_settings(fake, db_path, **settings_overrides)
    storage = Storage(db_path)
    flood = FloodControl(clock=clock.monotonic, sleep=clock.sleep)
    app = build_application(settings, assistant or Assistant.load(settings.knowledge_dir), storage,
                            now=clock.now, monotonic=clock.monotonic, flood=flood)
    try:
        async with app:
            if run_post_init:
                await post_init(app)
            await app.start()
            try:
                yield BotEnv(app, fake, clock, storage, flood)
            finally:
                await app.stop()
    finally:
        storage.close()


def buttons(sent: dict) -> list[tuple[str, str]]:
    """(text, callback_data) of every inline button in a sent message."""
    markup = sent.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


def failing(*errors):
    """A Bot API request callback for the rate limiter that raises `errors` one per call, then
    answers ok; and the list that counts its calls."""
    calls = []

    async def callback():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return {"ok": True}
    return callback, calls
