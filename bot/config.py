"""Settings from the environment, read in one place (`Settings.from_env`) and validated, so a
missing or malformed value gives one clear line at start-up instead of a traceback later."""

from __future__ import annotations

import ipaddress
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
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$")


def read_env_file(path: str | os.PathLike, environ: dict | None = None) -> list[str]:
    """Read KEY=VALUE lines of a .env file into the environment, never overriding a variable
    that is already set (the real environment wins). Comments, blank lines and anything that is
    not KEY=VALUE are ignored; surrounding quotes are removed. Returns the keys it set."""
    environ = os.environ if environ is None else environ
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    added = []
    for line in lines:
        match = _ENV_LINE.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key not in environ and value:
            environ[key] = value
            added.append(key)
    return added


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
    # The web page and HTTP API (`python -m bot web`, bot/web/): see `web_settings` below.
    web_rate: int = 60                      # requests (POST) per client IP ...
    web_rate_window: float = 60.0           # ... per this many seconds
    web_max_json_bytes: int = 64 * 1024     # JSON bodies and page forms
    web_max_image_bytes: int = 5 * 1024 * 1024
    web_cors_origins: tuple[str, ...] = ()  # none: CORS off
    web_log_unanswered: bool = False        # store unanswered questions (text only) in db_path
    web_trusted_proxies: str = "127.0.0.1"  # whose X-Forwarded-For is believed (uvicorn)

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
                   encoder=encoder, **web_settings(env))


# --- the web page and HTTP API ----------------------------------------------------------------

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(?::\d{1,5})?$")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def _positive_int(env: dict[str, str], name: str, default: int, maximum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise ConfigError(f"{name} must be a whole number from 1 to {maximum}, got {raw!r}")
    return int(raw)


def web_settings(env: dict[str, str]) -> dict:
    """The BOT_WEB_* variables, validated (keyword arguments for Settings)."""
    rate = env.get("BOT_WEB_RATE_LIMIT", "").strip() or "60/60"
    match = re.fullmatch(r"(\d{1,6})\s*/\s*(\d{1,6})", rate)
    if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise ConfigError(f"BOT_WEB_RATE_LIMIT must be REQUESTS/SECONDS per client, e.g. 60/60, got {rate!r}")
    origins = tuple(o for o in re.split(r"[,\s]+", env.get("BOT_WEB_CORS_ORIGINS", "").strip()) if o)
    for origin in origins:
        if origin != "*" and not _ORIGIN.match(origin):
            raise ConfigError("BOT_WEB_CORS_ORIGINS must be origins like https://example.org (scheme and host, "
                              f"no path), separated by commas, or *; got {origin!r}")
    log_flag = env.get("BOT_WEB_LOG_UNANSWERED", "").strip().lower()
    if log_flag not in _TRUE + _FALSE:
        raise ConfigError(f"BOT_WEB_LOG_UNANSWERED must be on or off (1/0, true/false), got {log_flag!r}")
    proxies = ",".join(p for p in re.split(r"[,\s]+", env.get("BOT_WEB_TRUSTED_PROXIES", "127.0.0.1").strip()) if p)
    for proxy in proxies.split(",") if proxies else ():
        if proxy == "*":
            continue
        try:
            ipaddress.ip_network(proxy)
        except ValueError:
            raise ConfigError(f"BOT_WEB_TRUSTED_PROXIES must be IP addresses or networks (or *), got {proxy!r}") from None
    return {
        "web_rate": int(match.group(1)), "web_rate_window": float(match.group(2)),
        "web_max_json_bytes": _positive_int(env, "BOT_WEB_MAX_JSON_BYTES", 64 * 1024, 16 * 1024 * 1024),
        "web_max_image_bytes": _positive_int(env, "BOT_WEB_MAX_IMAGE_BYTES", 5 * 1024 * 1024, 64 * 1024 * 1024),
        "web_cors_origins": origins, "web_log_unanswered": log_flag in _TRUE, "web_trusted_proxies": proxies,
    }


def settings_for_command(args, *, require_token: bool = True) -> Settings | None:
    """Settings for a long-running command (`run`, `web`): from the environment, with the
    command's `--knowledge` applied; None, after one clear line on stderr, when the environment
    is wrong (the command then exits with status 2)."""
    import dataclasses
    import sys

    try:
        settings = Settings.from_env(require_token=require_token)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    if getattr(args, "knowledge", None):
        settings = dataclasses.replace(settings, knowledge_dir=args.knowledge)
    return settings
