"""The Telegram adapter: translates between python-telegram-bot and the core. No matching,
checking or composing happens here; see bot/core."""

import os

# Opt into python-telegram-bot's announced behaviour for time periods (RetryAfter.retry_after
# and friends as datetime.timedelta) instead of the deprecated integers.
os.environ.setdefault("PTB_TIMEDELTA", "true")
