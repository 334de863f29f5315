"""Settings from the environment, read in one place (`Settings.from_env`) and validated, so a
missing or malformed value gives one clear line at start-up instead of a traceback later."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DB_PATH = Path("data") / "bot.sqlite"
DEFAULT_TIMEZONE = "Asia/Shanghai"
# A bot token is "<bot id>:<secret>"; the secret is 35 characters today, allow some slack.
TOKEN_PATTERN = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,64}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line meant for the operator."""


def mask_token(token: str) -> str:
    """Only the bot id part of a token is ever shown (it is public: it is the bot's user id)."""
    bot_id = token.split(":", 1)[0] if ":" in token else ""
    return f"{bot_id}:***" if bot_id.isdigit() else "***"


ENCODER_MODES = ("auto", "use", "none")


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    db_path: Path = DEFAULT_DB_PATH
    admin_ids: frozenset[int] = frozenset()
    timezone: str = DEFAULT_TIMEZONE
    log_level: str = "INFO"
    knowledge_dir: str | None = None
    # Sentence encoder for matching: "auto" (use it when installed), "use", or "none" (lexical only).
    encoder: str = "auto"
    # Per-user flood protection: at most `user_rate` updates per `user_window` seconds.
    user_rate: int = 20
    user_window: float = 60.0
    # Reports one user may file per hour.
    reports_per_hour: int = 5

    def __repr__(self) -> str:  # never print the token, even by accident
        return (f"Settings(token={mask_token(self.token)!r}, api_base_url={self.api_base_url!r}, "
                f"db_path={str(self.db_path)!r}, admin_ids={sorted(self.admin_ids)!r}, "
                f"timezone={self.timezone!r}, log_level={self.log_level!r})")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def api_base_file_url(self) -> str:
        """The file endpoint that goes with `api_base_url` (…/bot -> …/file/bot)."""
        return self.api_base_url[: -len("/bot")] + "/file/bot"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, require_token: bool = True) -> "Settings":
        env = dict(os.environ if env is None else env)
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if require_token and not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather, or run "
                              "`python -m bot chat` for the offline console")
        if token and not TOKEN_PATTERN.match(token):
            raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: expected <digits>:<35 letters, digits, - or _> "
                              "as given by @BotFather")

        base = env.get("TELEGRAM_API_BASE_URL", "").strip().rstrip("/") or DEFAULT_API_BASE_URL
        if not re.match(r"^https?://[^\s/]+", base):
            raise ConfigError(f"TELEGRAM_API_BASE_URL must be an http(s) URL, got {base!r}")
        if not base.endswith("/bot"):
            base += "/bot"

        admins: set[int] = set()
        for part in re.split(r"[,\s]+", env.get("BOT_ADMIN_IDS", "").strip()):
            if not part:
                continue
            if not re.fullmatch(r"-?\d{1,20}", part):
                raise ConfigError(f"BOT_ADMIN_IDS must be numeric Telegram user ids separated by commas, got {part!r}")
            admins.add(int(part))

        timezone = env.get("BOT_TIMEZONE", "").strip() or DEFAULT_TIMEZONE
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"BOT_TIMEZONE {timezone!r} is not a known time zone (e.g. Asia/Shanghai)") from None

        level = env.get("BOT_LOG_LEVEL", "").strip().upper() or "INFO"
        if level not in logging.getLevelNamesMapping():
            raise ConfigError(f"BOT_LOG_LEVEL {level!r} must be one of DEBUG, INFO, WARNING, ERROR")

        db_path = Path(env.get("BOT_DB_PATH", "").strip() or DEFAULT_DB_PATH)
        encoder = env.get("BOT_ENCODER", "").strip().lower() or "auto"
        if encoder not in ENCODER_MODES:
            raise ConfigError(f"BOT_ENCODER {encoder!r} must be one of {', '.join(ENCODER_MODES)}")
        return cls(token=token, api_base_url=base, db_path=db_path, admin_ids=frozenset(admins),
                   timezone=timezone, log_level=level, knowledge_dir=env.get("BOT_KNOWLEDGE_DIR") or None,
                   encoder=encoder)
