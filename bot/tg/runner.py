"""`python -m bot run`: long polling, or `--webhook URL --listen HOST --port N`.

Every update goes through the durable inbox (inbox.py): stored in SQLite before Telegram is
told it arrived, marked done once handled, replayed at the next start if it never was. Updates
are handled concurrently, each chat's in order (pipeline.py).

Stopping (SIGTERM or SIGINT) takes at most STOP_BUDGET_S = 20 s, well inside the 30 s that
deploy/docker-compose.yml (`stop_grace_period`) and deploy/fanzha-bot.service
(`TimeoutStopSec`) allow before they kill the process:
1. fetching stops (the long poll is cancelled; the webhook server stops accepting);
2. the rate limiter stops retrying and waiting out long pauses (flood.py, `request_stop`), so a
   failing Bot API cannot hold the stop;
3. updates being handled get what is left of the budget minus SHUTDOWN_RESERVE_S to finish;
   whatever is still running then is cancelled and stays pending in the inbox;
4. the application stops (bulk loops stop after their current message), the HTTP client closes,
   and the database is closed last.
A second signal skips the wait of step 3.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import signal
import socket
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from ..config import mask_token, settings_for_command
from ..core.assistant import Assistant
from ..storage import Storage
from .app import build_application
from .flood import FloodControl, StopRequested
from .inbox import Inbox, Poller
from .logs import setup_logging
from .pipeline import ChatOrderedProcessor
from .webhook import webhook_app, webhook_paths, webhook_server

log = logging.getLogger(__name__)

STOP_BUDGET_S = 20.0        # from the signal to exit; the deploy files give 30 s before SIGKILL
SHUTDOWN_RESERVE_S = 5.0    # of the budget, kept for stopping jobs and closing connections


def webhook_secret(token: str) -> str:
    """A stable secret derived from the token (never the token itself): it is both the URL path
    and the X-Telegram-Bot-Api-Secret-Token header, so only Telegram can reach the handler."""
    return "tg" + hashlib.sha256(f"webhook:{token}".encode()).hexdigest()[:40]


@dataclasses.dataclass
class Webhook:
    url: str            # the public base URL; the secret path is appended
    listen: str
    port: int
    secret: str


class ListenError(Exception):
    """The webhook port could not be opened."""


def _listening_socket(host: str, port: int) -> socket.socket:
    """Bound and listening before setWebhook is called: Telegram's first POST waits in the
    backlog instead of being refused."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(256)
    except OSError as exc:
        sock.close()
        raise ListenError(f"{host}:{port}: {exc.strerror or exc}") from exc
    sock.setblocking(False)
    return sock


async def serve(app: Application, storage: Storage, webhook: Webhook | None = None, *,
                stop: asyncio.Event | None = None, budget: float = STOP_BUDGET_S) -> None:
    """Run the bot until SIGTERM/SIGINT (or `stop` is set), then stop within `budget` seconds."""
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    processor = app.update_processor

    def on_signal(signum: int) -> None:
        if stop.is_set():
            log.warning("Second %s: not waiting for updates in flight", signal.Signals(signum).name)
            if isinstance(processor, ChatOrderedProcessor):
                processor.cancel_all()
            return
        log.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()
        if isinstance(app.bot.rate_limiter, FloodControl):
            app.bot.rate_limiter.request_stop()   # also cuts short retries while still starting

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    source: asyncio.Task | None = None
    server = sock = None
    try:
        await app.initialize()
        try:
            if stop.is_set():
                return
            if app.post_init:
                await app.post_init(app)
            inbox = Inbox(storage, app)
            await app.start()
            inbox.start()   # pending updates first, oldest first
            if webhook is not None:
                sock = _listening_socket(webhook.listen, webhook.port)
                paths = webhook_paths(webhook.url, webhook.secret)
                server = webhook_server(webhook_app(inbox, paths, webhook.secret), webhook.listen, webhook.port)
                source = asyncio.create_task(server.serve(sockets=[sock]), name="fanzha:webhook")
                await app.bot.set_webhook(url=f"{webhook.url.rstrip('/')}/{webhook.secret}",
                                          secret_token=webhook.secret, allowed_updates=Update.ALL_TYPES)
                log.info("Webhook set; serving on %s:%d", webhook.listen, webhook.port)
            else:
                await app.bot.delete_webhook()
                source = asyncio.create_task(Poller(app, inbox).run(), name="fanzha:polling")
                log.info("Long polling started")
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({source, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            if source.done() and not source.cancelled() and source.exception() is not None:
                raise source.exception()
            await _stop(app, inbox, source, server, loop.time() + budget)
        finally:
            if source is not None and not source.done():
                source.cancel()
            if app.running:
                await app.stop()
            await app.shutdown()
            if sock is not None:
                sock.close()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


async def _stop(app: Application, inbox: Inbox, source: asyncio.Task, server, deadline: float) -> None:
    loop = asyncio.get_running_loop()
    began = loop.time()
    flood = app.bot.rate_limiter
    if isinstance(flood, FloodControl):
        flood.request_stop()
    inbox.accepting = False
    if server is not None:
        server.should_exit = True   # stops accepting; requests under way still store and answer
    else:
        source.cancel()
    handling_budget = max(0.0, deadline - SHUTDOWN_RESERVE_S - began)
    log.info("Stopping: %d update(s) being handled get up to %.0fs to finish", inbox.in_flight, handling_budget)
    if not await inbox.drain(handling_budget):
        processor = app.update_processor
        if isinstance(processor, ChatOrderedProcessor):
            cancelled = processor.cancel_all()
            log.warning("Stopping: %d handling(s) did not finish in time and were cancelled", len(cancelled))
            if cancelled:
                await asyncio.wait(cancelled, timeout=2)
    if server is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(source), max(0.1, deadline - 3.0 - loop.time()))
    remaining = max(0.5, deadline - 2.0 - loop.time())
    try:
        await asyncio.wait_for(app.stop(), remaining)
    except asyncio.TimeoutError:
        log.warning("Stopping: jobs did not finish in time; stopping anyway")
    left = inbox.pending()
    log.info("Stopped in %.1fs; %d update(s) pending in the inbox for the next start",
             loop.time() - began, left)


def cmd_run(args: argparse.Namespace) -> int:
    settings = settings_for_command(args)
    if settings is None:
        return 2
    setup_logging(settings.log_level)
    assistant = Assistant.load(settings.knowledge_dir, encoder=settings.encoder).warm()
    storage = Storage(settings.db_path)
    log.info("Starting bot %s with %d entries; database %s (schema v%d)", mask_token(settings.token),
             len(assistant.knowledge.entries), settings.db_path, storage.schema_version())
    app = build_application(settings, assistant, storage)
    webhook = None
    if getattr(args, "webhook", None):
        webhook = Webhook(args.webhook, args.listen, args.port, webhook_secret(settings.token))
    try:
        asyncio.run(serve(app, storage, webhook))
    except StopRequested:
        log.info("Stopped while starting")
    except InvalidToken:
        print("error: Telegram rejected TELEGRAM_BOT_TOKEN (unauthorized); check it with @BotFather", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"error: cannot reach the Telegram Bot API at {settings.api_base_url}: {type(exc).__name__}",
              file=sys.stderr)
        return 2
    except ListenError as exc:
        print(f"error: cannot listen for the webhook on {exc}", file=sys.stderr)
        return 2
    finally:
        storage.close()
    return 0
