"""The application factory: `build_application` registers every handler; `post_init` only does
network side effects (the command list, rebuilding tip jobs, catch-up and resumed broadcasts)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Callable

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults

from ..config import Settings
from ..core.assistant import Assistant
from ..storage import Storage
from .constants import SERVICES
from .flood import FloodControl
from .handlers import admin, ask, common, guard, inline, lang, photo, report, subscribe
from .handlers.common import bot_commands
from .jobs import catch_up_job, rebuild_schedule, resume_broadcasts_job
from .pipeline import CONCURRENCY, ChatOrderedProcessor, PipelineApplication
from .services import Services, system_now

log = logging.getLogger(__name__)


async def post_init(app: Application) -> None:
    """Runs once the bot is connected, *before* the application starts (runner.serve calls it
    between initialize and start): so catch-up and resumed broadcasts are queued as one-off jobs, which
    run as soon as the JobQueue starts with the application."""
    await app.bot.set_my_commands(bot_commands())
    slots = rebuild_schedule(app)
    app.job_queue.run_once(catch_up_job, when=0, name="tips-catch-up")
    app.job_queue.run_once(resume_broadcasts_job, when=0, name="broadcasts-resume")
    log.info("Bot @%s ready: %d tip slot(s) scheduled", app.bot.username, len(slots))


def build_application(settings: Settings, assistant: Assistant, storage: Storage, *,
                      now: Callable[[], dt.datetime] = system_now,
                      monotonic: Callable[[], float] = time.monotonic,
                      flood: FloodControl | None = None, concurrency: int = CONCURRENCY) -> Application:
    """Updates are processed concurrently, each chat's in order (pipeline.py); a runner feeds
    them from the durable inbox (inbox.py, runner.py)."""
    app = (
        ApplicationBuilder()
        .application_class(PipelineApplication)
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_base_file_url)
        # Link previews off everywhere: a scanned message's links must never be fetched or shown.
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True),
                           tzinfo=settings.tz))
        .rate_limiter(flood or FloodControl())
        .concurrent_updates(ChatOrderedProcessor(concurrency))
        .updater(None)   # updates come from the inbox (runner.py), not from PTB's Updater
        .post_init(post_init)
        .build()
    )
    app.bot_data[SERVICES] = Services(settings, storage, assistant, now=now, monotonic=monotonic)
    # Group -2 (chat migrations) and -1 (the per-user gate) come from common.register. In group 0
    # the first matching handler wins, so the order below matters: commands and buttons first,
    # then forwarded messages and contacts, then plain text, then the fallbacks.
    common.register(app)
    lang.register(app)
    subscribe.register(app)
    report.register(app)
    admin.register(app)
    inline.register(app)
    # Screenshots before ask: a forwarded screenshot with a caption is an image to read. The
    # group guard's reader of unaddressed group messages is in group 1 (see guard.register).
    photo.register(app)
    guard.register(app)
    ask.register(app)
    common.register_fallbacks(app)
    return app
