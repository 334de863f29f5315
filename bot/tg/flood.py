"""Outgoing request pacing for Telegram's flood limits, as a python-telegram-bot rate limiter, so
every Bot API call (replies, tips, broadcasts) goes through the same rules:

- about 30 messages per second overall, of which bulk sends (tips, broadcasts) may use only
  `bulk_rate`, so replies to people who are talking to the bot right now are never starved;
- at least one second between messages to one chat, and 20 per minute per group;
- `RetryAfter` (flood control) pauses *all* requests for the time Telegram asks, then retries;
- network errors are retried with exponential back-off (at most `max_backoff` per wait)
  instead of dropped, except on sends whose request may have reached Telegram: a send that
  timed out or lost its connection after the request went out may have been delivered, and a
  second copy is worse than a late one, so it raises `MaybeDelivered` (a `TimedOut`) at once.
  Only failures before anything was sent (no connection, a full pool, a failed write) or an
  error status from Telegram are retried;
- `getUpdates` is never retried here: the polling loop (inbox.py) has its own back-off;
- once `request_stop()` was called (the bot is stopping), nothing is retried and no long pause
  is waited out: the request raises `StopRequested`, and the update it served stays in the
  inbox for the next start. So a stop finishes within its budget even with the Bot API down.

Clock and sleep are injectable, so tests drive time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any, Awaitable, Callable, Coroutine

import httpx
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

SEND_ENDPOINTS = ("send", "copy", "forward")
# Requests whose effect the user sees: after a network failure on one of them the user may already
# have the reply, so no apology follows (edits are retried like any request: a second edit with
# the same text changes nothing).
VISIBLE_ENDPOINTS = SEND_ENDPOINTS + ("edit",)
HARMLESS_TWICE = ("sendChatAction",)  # a second "typing…" hurts nobody: retried like any request
NO_RETRY_ENDPOINTS = ("getUpdates",)
# httpx failures that happen before a request could have reached Telegram.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout,
            httpx.UnsupportedProtocol, httpx.LocalProtocolError)
# While stopping, a pacing wait longer than this gives up (the update stays in the inbox).
STOPPING_MAX_WAIT = 3.0


class MaybeDelivered(TimedOut):
    """A send failed after its request went out (a read timeout, a dropped connection): Telegram
    may have delivered it. Never retried, never followed by an apology; counted as "maybe"."""

    def __init__(self, endpoint: str, cause: BaseException):
        super().__init__(f"{endpoint} may have been delivered ({type(cause).__name__})")


class StopRequested(Exception):
    """The bot is stopping: a failed request is not retried and a long pause is not waited out.
    The update being handled is left in the inbox, so the next start handles it again."""


def failed_endpoint(error: BaseException) -> str | None:
    """The Bot API method of the request that raised `error`, as the rate limiter marked it on
    the way out (every request goes through it). None when the error did not come from a request."""
    endpoint = getattr(error, "bot_api_endpoint", None)
    return endpoint if isinstance(endpoint, str) else None


def may_have_arrived(error: BaseException) -> bool:
    """Whether a failed request may still have shown the user something: a network error on a
    visible request (send, copy, forward, edit; "typing…" does not count) or on an unknown one."""
    endpoint = failed_endpoint(error)
    if endpoint is None:
        return True
    return endpoint.startswith(VISIBLE_ENDPOINTS) and endpoint not in HARMLESS_TWICE


def never_sent(exc: NetworkError) -> bool:
    """Whether a failed request certainly did not reach Telegram (then resending is safe): the
    connection failed before the request was written, or Telegram answered with an error status
    (no httpx exception behind it). A timeout without a known cause is not certain."""
    cause = exc.__cause__
    if isinstance(cause, httpx.HTTPError):
        return isinstance(cause, NOT_SENT)
    return not isinstance(exc, TimedOut)


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
                 max_backoff: float = 8.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.overall = _Spacing(overall_rate)
        self.bulk = _Spacing(bulk_rate)
        self.chat_interval = chat_interval
        self.group_interval = group_interval
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.clock = clock
        self.sleep = sleep
        self._chat_next: dict[int | str, float] = {}
        self._paused_until = 0.0
        self.retries = 0  # flood-control and network retries so far (for logs and tests)
        self._stopping = asyncio.Event()

    def request_stop(self) -> None:
        """From now on nothing is retried and no long pause is waited out (see StopRequested)."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def initialize(self) -> None:
        """Nothing to set up: state is plain Python."""

    async def shutdown(self) -> None:
        self._chat_next.clear()

    async def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self.stopping and seconds > STOPPING_MAX_WAIT:
            raise StopRequested(f"stopping: not waiting {seconds:.1f}s")
        await self.sleep(seconds)

    async def _retry_wait(self, seconds: float) -> None:
        """A back-off or flood-control pause before a retry, cut short by request_stop()."""
        if self.stopping:
            raise StopRequested("stopping: not retrying")
        sleeper = asyncio.ensure_future(self.sleep(seconds))
        stopper = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            stopper.cancel()
        if self.stopping:
            raise StopRequested("stopping: not retrying")

    async def _pace(self, chat_id: Any, bulk: bool) -> None:
        now = self.clock()
        if self._paused_until > now:  # flood control: cut short by a stop
            await self._retry_wait(self._paused_until - now)
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
        try:
            return await self._process(callback, args, kwargs, endpoint, data, rate_limit_args)
        except Exception as exc:
            exc.bot_api_endpoint = endpoint  # read by failed_endpoint(): one rule for "may have arrived"
            raise

    async def _process(self, callback, args, kwargs, endpoint, data, rate_limit_args) -> bool | dict | list[dict]:
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        chat_id = data.get("chat_id") if endpoint.startswith(SEND_ENDPOINTS) else None
        no_retry = endpoint in NO_RETRY_ENDPOINTS
        for attempt in range(self.max_retries + 1):
            await self._pace(chat_id, bulk)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self.max_retries or no_retry:
                    raise
                wait = retry_seconds(exc) + 0.1
                self._paused_until = max(self._paused_until, self.clock() + wait)
                self.retries += 1
                log.warning("Flood control on %s: pausing all requests for %.1fs", endpoint, wait)
                if self.stopping:
                    raise StopRequested("stopping: not waiting out flood control") from exc
            except (TimedOut, NetworkError) as exc:
                # BadRequest is a NetworkError subclass but a final answer: never retried.
                if type(exc) not in (TimedOut, NetworkError):
                    raise
                if endpoint.startswith(SEND_ENDPOINTS) and endpoint not in HARMLESS_TWICE and not never_sent(exc):
                    raise MaybeDelivered(endpoint, exc.__cause__ or exc) from exc
                if attempt == self.max_retries or no_retry:
                    raise
                if self.stopping:
                    raise StopRequested("stopping: not retrying") from exc
                self.retries += 1
                wait = min(self.backoff * 2 ** attempt, self.max_backoff)
                log.warning("Network error on %s (%s); retrying in %.1fs", endpoint, type(exc).__name__, wait)
                try:
                    await self._retry_wait(wait)
                except StopRequested as stop:
                    raise stop from exc
        raise AssertionError("unreachable")  # pragma: no cover
