"""`python -m bot run`: long polling, or `--webhook URL --listen HOST --port N`.

Graceful shutdown on SIGINT/SIGTERM comes from python-telegram-bot's run_polling/run_webhook:
pending updates are handled, bulk loops stop after their current message, and the database is
closed last.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import logging
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from ..config import ConfigError, Settings, mask_token
from ..core.assistant import Assistant
from ..storage import Storage
from .app import build_application
from .logs import setup_logging

log = logging.getLogger(__name__)


def webhook_secret(token: str) -> str:
    """A stable secret derived from the token (never the token itself): it is both the URL path
    and the X-Telegram-Bot-Api-Secret-Token header, so only Telegram can reach the handler."""
    return "tg" + hashlib.sha256(f"webhook:{token}".encode()).hexdigest()[:40]


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "knowledge", None):
        settings = dataclasses.replace(settings, knowledge_dir=args.knowledge)
    setup_logging(settings.log_level)
    assistant = Assistant.load(settings.knowledge_dir, encoder=settings.encoder).warm()
    storage = Storage(settings.db_path)
    log.info("Starting bot %s with %d entries; database %s (schema v%d)", mask_token(settings.token),
             len(assistant.knowledge.entries), settings.db_path, storage.schema_version())
    app = build_application(settings, assistant, storage)
    try:
        webhook = getattr(args, "webhook", None)
        if webhook:
            secret = webhook_secret(settings.token)
            app.run_webhook(listen=args.listen, port=args.port, url_path=secret,
                            webhook_url=f"{webhook.rstrip('/')}/{secret}", secret_token=secret,
                            allowed_updates=Update.ALL_TYPES)
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print("error: Telegram rejected TELEGRAM_BOT_TOKEN (unauthorized); check it with @BotFather", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"error: cannot reach the Telegram Bot API at {settings.api_base_url}: {type(exc).__name__}",
              file=sys.stderr)
        return 2
    finally:
        storage.close()
    return 0
