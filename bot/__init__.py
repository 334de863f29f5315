"""反诈助手: an anti-fraud assistant. `bot.core` is the Telegram-free core; `bot.tg` the Telegram
adapter; `bot.cli` the offline command line; `bot.storage` the SQLite store."""

__version__ = "0.1.0"
