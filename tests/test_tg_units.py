"""Small pieces of the Telegram adapter on their own: flood control and log masking."""

from __future__ import annotations

import logging
import re

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.tg.flood import FloodControl
from bot.tg.logs import MaskingFilter, mask

from .tg_env import FakeClock, failing


async def test_flood_control_spaces_messages_to_one_chat_and_bulk_traffic():
    clock = FakeClock()
    flood = FloodControl(clock=clock.monotonic, sleep=clock.sleep)
    callback, _ = failing()
    start = clock.monotonic()
    for _ in range(3):
        await flood.process_request(callback, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert clock.monotonic() - start >= 2.0                      # one second apart in one chat
    start = clock.monotonic()
    for chat in range(100, 150):
        await flood.process_request(callback, (), {}, "sendMessage", {"chat_id": chat}, {"bulk": True})
    assert clock.monotonic() - start >= 49 / 25 - 1e-6           # bulk stays within 25/s


async def test_retry_after_pauses_everyone_then_retries():
    clock = FakeClock()
    flood = FloodControl(clock=clock.monotonic, sleep=clock.sleep)
    import datetime as dt
    callback, calls = failing(RetryAfter(dt.timedelta(seconds=12)))
    assert await flood.process_request(callback, (), {}, "sendMessage", {"chat_id": 1}, None) == {"ok": True}
    assert len(calls) == 2 and sum(clock.slept) >= 12


async def test_timeouts_on_sends_are_not_retried_but_elsewhere_they_are():
    clock = FakeClock()
    flood = FloodControl(clock=clock.monotonic, sleep=clock.sleep)
    callback, calls = failing(TimedOut())
    with pytest.raises(TimedOut):
        await flood.process_request(callback, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert len(calls) == 1                                      # never a second copy of a message
    callback, calls = failing(TimedOut(), NetworkError("reset"))
    assert await flood.process_request(callback, (), {}, "answerCallbackQuery", {}, None) == {"ok": True}
    assert len(calls) == 3 and clock.slept[-2:] == [1.0, 2.0]


async def test_bad_requests_are_final():
    clock = FakeClock()
    flood = FloodControl(clock=clock.monotonic, sleep=clock.sleep)
    callback, calls = failing(BadRequest("chat not found"))
    with pytest.raises(BadRequest):
        await flood.process_request(callback, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert len(calls) == 1


@pytest.mark.parametrize("text, hidden", [
    ("user wrote 138 0013 8000", "0013"), ("contact +8613800138000", "0013800"), ("0571-88888888", "8888888"),
    ("https://api.telegram.org/bot123456789:AAHfake-token-for-tests_abcdefghijklm/getMe", "AAHfake"),
])
def test_logs_never_show_tokens_or_phone_numbers(text, hidden):
    assert hidden not in mask(text)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "got %s", (text,), None)
    MaskingFilter().filter(record)
    assert hidden not in record.getMessage()


def test_short_numbers_stay_readable_in_logs():
    assert mask("95188 and 110") == "95188 and 110"


def test_encoder_setting_is_validated_and_reaches_the_lexical_mode():
    from bot.config import ConfigError, Settings
    from bot.core.assistant import Assistant

    assert Settings.from_env({}, require_token=False).encoder == "auto"
    assert Settings.from_env({"BOT_ENCODER": "NONE"}, require_token=False).encoder == "none"
    with pytest.raises(ConfigError, match="BOT_ENCODER"):
        Settings.from_env({"BOT_ENCODER": "gpt"}, require_token=False)
    lexical = Assistant.load(encoder="none")
    assert not lexical.matcher.semantic
    assert lexical.ask("农业银行客服电话是多少").result.entry.id == "number-abc"


def test_log_lines_keep_their_timestamps_while_numbers_and_tracebacks_are_masked():
    import io

    from bot.tg.logs import MaskingFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    log = logging.getLogger("test.masking")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("user wrote %s", "138 0013 8000")
        try:
            raise ValueError("bad number 13800138000")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} WARNING", lines[0]), lines[0]
    assert "0013" not in stream.getvalue() and "13800138000" not in stream.getvalue()
    assert "138****00" in lines[0]


def test_the_bots_own_log_set_up_masks_numbers_in_messages_but_never_the_timestamp():
    """Through setup_logging itself, with a real record from a real logger: the line starts with
    its full date and time; a phone number, an ID-card number and a card number in the message
    (and in a traceback) are masked; a date in the message stays."""
    import io

    from bot.tg.logs import setup_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    others = {name: logging.getLogger(name).level for name in ("httpx", "telegram", "telegram.ext", "apscheduler")}
    try:
        setup_logging("INFO")
        stream = io.StringIO()
        root.handlers[0].setStream(stream)
        log = logging.getLogger("bot.test.timestamps")
        log.info("user %s wrote on 2026-11-30: call %s, ID %s, card %s", 1001, "138 0013 8000",
                 "11010519491231002X", "6222 0212 3456 7890 123")
        try:
            raise RuntimeError("lookup of 13800138000 failed")
        except RuntimeError:
            log.exception("failed at 2026-11-30 03:23:39")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name, other in others.items():
            logging.getLogger(name).setLevel(other)
    text = stream.getvalue()
    first, *rest = text.splitlines()
    assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} INFO bot\.test\.timestamps: ", first), first
    assert "on 2026-11-30:" in first and "138****00" in first and "110****2X" in first and "622****23" in first
    for hidden in ("0013", "0519491231", "02123456789", "13800138000"):
        assert hidden not in text
    error_line = next(line for line in rest if "ERROR" in line)
    assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} ERROR", error_line), error_line
    assert "failed at 2026-11-30 03:23:39" in error_line and "Traceback" in text
