"""How updates are processed: concurrently, each chat's updates in order.

`ChatOrderedProcessor` is the application's `BaseUpdateProcessor`. Updates of one chat (or, for
updates without a chat such as inline queries, of one user) run strictly one after another, in
the order they arrived; updates of different chats run concurrently, at most `concurrency` at a
time. So one user's pacing (the rate limiter's one second between messages to a chat, awaited
inside the handler) never delays anybody else.

It also reports each update's outcome to a listener (the durable inbox, inbox.py):
- `started(update)` when its handler begins;
- `finished(update, failed)` once its handling is over: the blocking handlers returned, and the
  tasks they started with `block=False` (screenshots, the group guard) finished too. `failed` is
  True when a handler raised (the error handlers already ran). The chat's next update does not
  wait for those non-blocking tasks, only the inbox does.
- nothing when the handling was interrupted by a stop (`StopRequested` from the rate limiter, or
  cancellation when the stop budget ran out): the update stays pending and is replayed.

`PipelineApplication` is the `Application` subclass that makes this possible: it tells the
processor which tasks and errors belong to which update.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Protocol

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from .flood import MaybeDelivered, StopRequested

log = logging.getLogger(__name__)

CONCURRENCY = 256          # handlers running at once (each mostly waits on Telegram)
BACKLOG = 100_000          # updates admitted to the processor, running or waiting their chat's turn


class Listener(Protocol):
    def started(self, update: object) -> None: ...

    def finished(self, update: object, failed: bool) -> None: ...

    def abandoned(self, update: object) -> None: ...


@dataclass(eq=False)
class Handling:
    """One update's handling: the non-blocking tasks its handlers started and how it ended."""
    update: object
    spawned: list[asyncio.Task] = field(default_factory=list)
    error: BaseException | None = None
    interrupted: bool = False


_CURRENT: contextvars.ContextVar[Handling | None] = contextvars.ContextVar("fanzha_handling", default=None)


def chat_key(update: object) -> int | None:
    """What orders an update: its chat, else its user (inline queries), else nothing."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


@dataclass(eq=False)
class _Line:
    """The queue of one chat: a FIFO lock and how many updates hold or wait for it."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, concurrency: int = CONCURRENCY, backlog: int = BACKLOG):
        # The base class's semaphore bounds admitted updates (those waiting for their chat's turn
        # included); `concurrency` bounds handlers actually running.
        super().__init__(max_concurrent_updates=backlog)
        self.concurrency = concurrency
        self._running: asyncio.Semaphore | None = None
        self._lines: dict[int, _Line] = {}
        self._tasks: set[asyncio.Task] = set()      # processing tasks and followers, for stop
        self.listener: Listener | None = None

    async def initialize(self) -> None:
        self._running = asyncio.Semaphore(self.concurrency)

    async def shutdown(self) -> None:
        self._lines.clear()

    @property
    def busy(self) -> int:
        """Updates admitted and not finished (waiting, running, or waiting for their tasks)."""
        return len(self._tasks)

    def track(self, task: asyncio.Task) -> None:
        """A task started for an update (block=False): cancelled too if the stop budget runs out."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel_all(self) -> list[asyncio.Task]:
        """The stop budget ran out: cancel every handling still going (those updates stay
        pending in the inbox). Returns the cancelled tasks, to be awaited."""
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        return tasks

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._running is None:
            await self.initialize()
        task = asyncio.current_task()
        self._tasks.add(task)
        handling = Handling(update)
        key = chat_key(update)
        line = None
        if key is not None:
            line = self._lines.get(key)
            if line is None:
                line = self._lines[key] = _Line()
            line.users += 1
        started = False
        try:
            if line is not None:
                await line.lock.acquire()
            try:
                async with self._running:
                    self._notify("started", update)
                    token = _CURRENT.set(handling)
                    try:
                        started = True
                        await coroutine
                    finally:
                        _CURRENT.reset(token)
            finally:
                if line is not None:
                    line.lock.release()
        except asyncio.CancelledError:
            if not started:
                coroutine.close()  # type: ignore[attr-defined]  # never awaited: say so quietly
            self._notify("abandoned", update)
            raise
        finally:
            if line is not None:
                line.users -= 1
                if line.users == 0 and self._lines.get(key) is line:
                    del self._lines[key]
            self._tasks.discard(task)
        self._settle(handling)

    def _settle(self, handling: Handling) -> None:
        """Report the outcome once the update's non-blocking tasks are done too."""
        pending = [t for t in handling.spawned if not t.done()]
        if not pending:
            self._report(handling)
            return

        async def follow() -> None:
            while True:
                waiting = [t for t in handling.spawned if not t.done()]
                if not waiting:
                    break
                await asyncio.wait(waiting)
            self._report(handling)

        async def follow_or_abandon() -> None:
            try:
                await follow()
            except asyncio.CancelledError:
                self._notify("abandoned", handling.update)
                raise

        follower = asyncio.create_task(follow_or_abandon(), name="fanzha:settle-update")
        self._tasks.add(follower)
        follower.add_done_callback(self._tasks.discard)

    def _report(self, handling: Handling) -> None:
        if handling.interrupted or any(t.cancelled() for t in handling.spawned):
            self._notify("abandoned", handling.update)
        else:
            self._notify("finished", handling.update, handling.error is not None)

    def _notify(self, event: str, update: object, *args: Any) -> None:
        """Tell the listener; its own failure (the database) is logged, never blamed on the
        update (the error handlers would apologise for a reply that was sent)."""
        if self.listener is None:
            return
        try:
            getattr(self.listener, event)(update, *args)
        except Exception:
            log.exception("Inbox bookkeeping failed (%s)", event)


class PipelineApplication(Application):
    """An Application that attributes the tasks handlers start (`block=False`) and the errors they
    raise to the update being processed (see ChatOrderedProcessor), and that does not run the
    error handlers for `StopRequested`: a stop is not a failure, the update will be replayed."""

    def create_task(self, coroutine, update: object | None = None, *, name: str | None = None) -> asyncio.Task:
        task = super().create_task(coroutine, update=update, name=name)
        handling = _CURRENT.get()
        if handling is not None and update is handling.update:
            handling.spawned.append(task)
            if isinstance(self.update_processor, ChatOrderedProcessor):
                self.update_processor.track(task)
        return task

    async def process_error(self, update: object | None, error: Exception, job=None, coroutine=None) -> bool:
        handling = _CURRENT.get()
        mine = handling is not None and update is handling.update
        if isinstance(error, StopRequested):
            if mine:
                handling.interrupted = True
            log.debug("Stopping: an update's handling was interrupted; it stays in the inbox")
            return True  # no further handlers, no error handlers
        if mine and not isinstance(error, MaybeDelivered):
            handling.error = error
        return await super().process_error(update, error, job=job, coroutine=coroutine)
