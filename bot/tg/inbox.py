"""The durable inbox and long polling: nothing Telegram delivered is lost to a crash or a stop.

- Every update is written to SQLite (`Storage.inbox_put`, raw JSON as Telegram sent it) before
  Telegram is told it was received: in polling mode the next `getUpdates` offset acknowledges a
  batch only after the batch was committed; in webhook mode (webhook.py) the 200 is sent after.
- An update is marked `done` when its handling finished (success, or an error the error
  handlers dealt with: then `failed`), and its stored text is cleared.
- At start, pending updates are handled first, oldest first (in update_id order), before
  anything new is fetched. An update found pending at a start may have been in the middle of a
  crash; after `MAX_ATTEMPTS` such tries it is marked `failed` and skipped, logged once with its
  update_id only (never what the user wrote).
- An update the library cannot read (`Update.de_json` raises: for example a self-hosted Bot API
  server older than the library) is logged once (update_id and exception type), marked `failed`,
  and polling goes on.
- At most `IN_FLIGHT_LIMIT` updates are being handled at once; polling waits for room, so a
  surge waits at Telegram's side or in the database, never only in memory.

Delivery is at least once: a kill between Telegram accepting a reply and the `done` mark (a
few milliseconds per update) repeats that one reply after the restart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from typing import Any, Callable

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from ..storage import Storage
from .flood import retry_seconds
from .pipeline import ChatOrderedProcessor
from .services import system_now

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3            # tries (the first included) before a crashing update is given up
IN_FLIGHT_LIMIT = 1000      # updates being handled at once (the rest wait at Telegram or on disk)
POLL_TIMEOUT = 25           # seconds a getUpdates long poll may wait for news
POLL_LIMIT = 100            # updates per getUpdates (Telegram's maximum)
POLL_MAX_BACKOFF = 30.0     # seconds between getUpdates attempts while they fail
KEEP_HANDLED = dt.timedelta(days=2)      # handled rows (their text already cleared) are then pruned
PRUNE_EVERY = dt.timedelta(hours=6)


class Inbox:
    """Stores updates, hands them to the application's processor, and records their outcome
    (it is the processor's listener)."""

    def __init__(self, storage: Storage, app: Application, *, now: Callable[[], dt.datetime] = system_now,
                 max_attempts: int = MAX_ATTEMPTS, limit: int = IN_FLIGHT_LIMIT):
        self.storage = storage
        self.app = app
        self.now = now
        self.max_attempts = max_attempts
        self.limit = limit
        self.accepting = True              # False once stopping: still stored, no longer handled
        self._flight: dict[int, bool] = {}  # update_id -> is a replay (its tries are counted)
        self._fresh: set[int] = set()      # stored by this process, not handed out yet: no try so far
        self._high = storage.inbox_max_update_id() or 0
        self._backlog = True               # pending rows may wait in the database
        self._changed = asyncio.Event()
        self.failed = 0                    # updates given up on since start (tests, logs)
        processor = app.update_processor
        if not isinstance(processor, ChatOrderedProcessor):
            raise TypeError("the inbox needs the application built by build_application (ChatOrderedProcessor)")
        processor.listener = self

    # -- receiving ----------------------------------------------------------------------------

    def start(self) -> None:
        """Prune old handled rows, hand pending updates to the application (oldest first) and
        keep pruning every PRUNE_EVERY."""
        self.prune()
        if self.app.job_queue is not None:
            self.app.job_queue.run_repeating(self._prune_job, interval=PRUNE_EVERY, first=PRUNE_EVERY,
                                             name="inbox-prune")
        self.fill()

    def accept(self, items: list[Any]) -> int | None:
        """Store updates as Telegram sent them (one transaction), then hand the new ones to the
        application. Returns the highest update_id among them (the next offset is that + 1)."""
        rows: list[tuple[int, str]] = []
        parsed: dict[int, Any] = {}
        for item in items:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                log.warning("Telegram sent an update without an update_id; skipped")
                continue
            if update_id not in parsed:
                parsed[update_id] = item
                rows.append((update_id, json.dumps(item, ensure_ascii=False, separators=(",", ":"))))
        if not rows:
            return None
        rows.sort()
        self.storage.inbox_put(rows, self.now())
        high, before = rows[-1][0], self._high
        again = rows[0][0] <= before              # some may have been stored before (a redelivery)
        self._high = max(before, high)
        if not self.accepting or again or self._backlog or len(self._flight) + len(rows) > self.limit:
            self._fresh.update(u for u, _ in rows if u > before)   # surely new: ids only grow
            self._backlog = True
            self.fill()                            # pending rows, in update_id order
        else:
            for update_id, _ in rows:
                self._dispatch(update_id, parsed[update_id], tries=0)
        return high

    def fill(self) -> None:
        """Hand pending rows that nobody is handling to the application, oldest first, while
        there is room."""
        while self.accepting and self._backlog and len(self._flight) < self.limit:
            asked = self.limit
            rows = self.storage.inbox_pending(limit=asked)
            handed, full = 0, False
            for update_id, payload, attempts in rows:
                if update_id in self._flight:
                    continue
                if len(self._flight) >= self.limit:
                    full = True
                    break
                # Pending from before this process: the earlier try may have crashed, so it counts.
                fresh = update_id in self._fresh
                self._fresh.discard(update_id)
                self._dispatch(update_id, payload, tries=0 if fresh else attempts + 1)
                handed += 1
            self._backlog = full or len(rows) >= asked
            if not handed:
                break

    def _dispatch(self, update_id: int, raw: Any, *, tries: int) -> None:
        if tries >= self.max_attempts:
            self._give_up(update_id, f"not handled after {tries} tries")
            return
        try:
            data = json.loads(raw) if isinstance(raw, str) else raw
            update = Update.de_json(data, self.app.bot)
            if update is None:
                raise ValueError("empty update")
        except Exception as exc:  # the library cannot read it: never retried
            self._give_up(update_id, f"unreadable ({type(exc).__name__})")
            return
        self._flight[update_id] = tries > 0
        self.app.update_queue.put_nowait(update)

    def _give_up(self, update_id: int, why: str) -> None:
        log.warning("Update %d skipped: %s", update_id, why)
        self.storage.inbox_finish(update_id, "failed")
        self.failed += 1

    # -- the processor's listener -----------------------------------------------------------

    def started(self, update: object) -> None:
        update_id = getattr(update, "update_id", None)
        if self._flight.get(update_id):           # a replay: count the try before running it
            self.storage.inbox_attempt(update_id)

    def finished(self, update: object, failed: bool) -> None:
        update_id = getattr(update, "update_id", None)
        if update_id not in self._flight:
            return
        self.storage.inbox_finish(update_id, "failed" if failed else "done")
        if failed:
            self.failed += 1
            log.info("Update %d marked failed (its handler raised)", update_id)
        self._release(update_id)

    def abandoned(self, update: object) -> None:
        """Interrupted by a stop: left pending for the next start."""
        self._release(getattr(update, "update_id", None))

    def _release(self, update_id: int | None) -> None:
        self._flight.pop(update_id, None)
        self._changed.set()
        if self._backlog and self.accepting and len(self._flight) <= self.limit // 2:
            self.fill()

    # -- waiting ----------------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        return len(self._flight)

    def pending(self) -> int:
        """Updates stored and not yet handled (for the stop's last log line)."""
        return len(self.storage.inbox_pending(limit=10_000_000))

    async def room(self) -> None:
        """Wait until new updates may be fetched: no backlog on disk and fewer than `limit` in
        flight."""
        while True:
            if self.accepting and self._backlog and len(self._flight) <= self.limit // 2:
                self.fill()
            if self.accepting and not self._backlog and len(self._flight) < self.limit:
                return
            self._changed.clear()
            await self._changed.wait()

    async def drain(self, timeout: float) -> bool:
        """Stop handing out updates and wait up to `timeout` seconds for those in flight. True if
        all finished; the others stay pending in the database."""
        self.accepting = False
        deadline = time.monotonic() + timeout
        while self._flight:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                return False
        return True

    # -- housekeeping -----------------------------------------------------------------------

    def prune(self) -> int:
        removed = self.storage.inbox_prune(self.now() - KEEP_HANDLED)
        if removed:
            log.info("Inbox: %d handled update(s) older than %s forgotten", removed, KEEP_HANDLED)
        return removed

    async def _prune_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.prune()


class Poller:
    """Long polling with the raw JSON kept: each batch is stored in the inbox before the next
    request's offset acknowledges it. Failures back off (1 s doubling up to 30 s), so neither a
    broken network nor an update the library cannot read makes a hot loop."""

    def __init__(self, app: Application, inbox: Inbox, *, timeout: int = POLL_TIMEOUT,
                 allowed_updates: list[str] | None = None, max_backoff: float = POLL_MAX_BACKOFF):
        self.app = app
        self.inbox = inbox
        self.timeout = timeout
        self.allowed_updates = allowed_updates if allowed_updates is not None else list(Update.ALL_TYPES)
        self.max_backoff = max_backoff
        self.offset: int | None = None   # None: from the earliest update Telegram still holds
        self.polls = 0

    async def fetch(self) -> list[Any]:
        """One getUpdates call, returning the raw JSON list (`Bot.get_updates` would parse it, and
        one unreadable update would fail the whole batch, again and again)."""
        data = {"timeout": self.timeout, "offset": self.offset, "limit": POLL_LIMIT,
                "allowed_updates": self.allowed_updates}
        self.polls += 1
        # Bot._post is the library's raw request path (what get_updates itself calls); it keeps
        # the bot's defaults, its dedicated getUpdates connection and the rate limiter.
        result = await self.app.bot._post("getUpdates", data, read_timeout=self.timeout + 10)
        if not isinstance(result, list):
            raise TelegramError("getUpdates did not return a list")
        return result

    async def run(self) -> None:
        failures = 0
        while True:
            await self.inbox.room()
            began = time.monotonic()
            try:
                items = await self.fetch()
            except InvalidToken:
                raise
            except TelegramError as exc:
                failures += 1
                wait = retry_seconds(exc) if isinstance(exc, RetryAfter) else \
                    min(2.0 ** (failures - 1), self.max_backoff)
                log.warning("getUpdates failed (%s); trying again in %.0fs", type(exc).__name__, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            high = self.inbox.accept(items)
            if high is not None:
                self.offset = high + 1
            elif not items and self.timeout and time.monotonic() - began < 0.5:
                await asyncio.sleep(1.0)  # a server that ignores the long-poll timeout
            elif items:
                await asyncio.sleep(1.0)  # nothing usable in the batch: do not spin on it
