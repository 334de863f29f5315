"""Outgoing request pacing for Telegram's flood limits, as a python-telegram-bot rate limiter, so
every Bot API call (replies, tips, broadcasts) goes through the same rules:

- about 30 messages per second overall, of which bulk sends (tips, broadcasts) may use only
  `bulk_rate`, so replies to people who are talking to the bot right now are never starved;
- at least one second between messages to one chat, and 20 per minute per group;
- `RetryAfter` (flood control) pauses *all* requests for the time Telegram asks, then retries;
- network errors are retried with exponential back-off instead of dropped; a timeout is
  retried too, except on sends: Telegram may have delivered the message before the reply was
  lost, and a second copy is worse than a late one.

Clock and sleep are injectable, so tests drive time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any, Awaitable, Callable, Coroutine

from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

SEND_ENDPOINTS = ("send", "copy", "forward")


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class _Spacing:
    """Hands out evenly spaced start times (first come, first served): `rate` per second."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.next_free = 0.0

    def reserve(self, now: float) -> float:
        start = max(now, self.next_free)
        self.next_free = start + self.interval
        return start - now


class FloodControl(BaseRateLimiter[dict]):
    def __init__(self, *, overall_rate: float = 30.0, bulk_rate: float = 25.0, chat_interval: float = 1.0,
                 group_interval: float = 3.0, max_retries: int = 5, backoff: float = 1.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.overall = _Spacing(overall_rate)
        self.bulk = _Spacing(bulk_rate)
        self.chat_interval = chat_interval
        self.group_interval = group_interval
        self.max_retries = max_retries
        self.backoff = backoff
        self.clock = clock
        self.sleep = sleep
        self._chat_next: dict[int | str, float] = {}
        self._paused_until = 0.0
        self.retries = 0  # flood-control and network retries so far (for logs and tests)

    async def initialize(self) -> None:
        """Nothing to set up: state is plain Python."""

    async def shutdown(self) -> None:
        self._chat_next.clear()

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            await self.sleep(seconds)

    async def _pace(self, chat_id: Any, bulk: bool) -> None:
        now = self.clock()
        await self._wait(self._paused_until - now)
        if chat_id is None:
            return
        now = self.clock()
        delay = self.bulk.reserve(now) if bulk else 0.0
        delay = max(delay, self.overall.reserve(now + delay))
        interval = self.group_interval if isinstance(chat_id, str) or int(chat_id) < 0 else self.chat_interval
        chat_free = self._chat_next.get(chat_id, 0.0)
        delay = max(delay, chat_free - now)
        self._chat_next[chat_id] = now + delay + interval
        if len(self._chat_next) > 50_000:  # forget chats whose spacing has long passed
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        await self._wait(delay)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict | list[dict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict | None,
    ) -> bool | dict | list[dict]:
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        chat_id = data.get("chat_id") if endpoint.startswith(SEND_ENDPOINTS) else None
        for attempt in range(self.max_retries + 1):
            await self._pace(chat_id, bulk)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self.max_retries:
                    raise
                wait = retry_seconds(exc) + 0.1
                self._paused_until = max(self._paused_until, self.clock() + wait)
                self.retries += 1
                log.warning("Flood control on %s: pausing all requests for %.1fs", endpoint, wait)
            except (TimedOut, NetworkError) as exc:
                # BadRequest is a NetworkError subclass but a final answer: never retried.
                if type(exc) not in (TimedOut, NetworkError) or attempt == self.max_retries:
                    raise
                if isinstance(exc, TimedOut) and endpoint.startswith(SEND_ENDPOINTS):
                    raise
                self.retries += 1
                wait = self.backoff * 2 ** attempt
                log.warning("Network error on %s (%s); retrying in %.1fs", endpoint, type(exc).__name__, wait)
                await self._wait(wait)
        raise AssertionError("unreachable")  # pragma: no cover
