"""The real entry point (`python -m bot run`) against the fake Bot API server: long polling and
webhook mode, graceful shutdown on SIGTERM, one-line configuration errors, no token in logs.
(Crashes, stops under failure and the webhook's refusals: test_tg_pipeline.py.)"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request

import pytest

from bot.tg.runner import webhook_secret

from .conftest import ROOT
from .fake_telegram import TOKEN, FakeTelegram, message_update


def bot_env(fake: FakeTelegram, tmp_path, **extra) -> dict:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
           "BOT_DB_PATH": str(tmp_path / "bot.sqlite"), "NO_PROXY": "127.0.0.1,localhost",
           "no_proxy": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1", "BOT_LOG_LEVEL": "DEBUG"}
    env.pop("BOT_KNOWLEDGE_DIR", None)
    env.update(extra)
    return env


class Bot:
    """`python -m bot …` as a subprocess whose output is collected line by line, so a test can
    wait for a log line (an event) instead of sleeping."""

    def __init__(self, args: list[str], env: dict):
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: list[str] = []
        self._seen = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            with self._seen:
                self.lines.append(raw.decode("utf-8", "replace"))
                self._seen.notify_all()

    def wait_for_line(self, text: str, timeout: float = 30) -> bool:
        with self._seen:
            return self._seen.wait_for(lambda: any(text in line for line in self.lines), timeout)

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        return "".join(self.lines)

    def kill(self) -> str:
        """kill -9: no handler runs, nothing is flushed."""
        self.proc.kill()
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        return "".join(self.lines)

    @property
    def output(self) -> str:
        with self._seen:
            return "".join(self.lines)

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode


def test_long_polling_answers_and_shuts_down_gracefully(fake, tmp_path):
    proc = Bot(["run"], bot_env(fake, tmp_path))
    try:
        assert fake.wait_for(lambda f: f.sent("setMyCommands") and f.polls > 0, timeout=30), "bot did not start"
        fake.push(message_update("/start"))
        fake.push(message_update("借呗被盗了怎么办"))
        assert fake.wait_for(lambda f: len(f.sent("sendMessage", 1001)) >= 2, timeout=15)
    finally:
        output = proc.stop()
    assert proc.returncode == 0, output
    replies = fake.sent("sendMessage", 1001)
    assert "反诈助手" in replies[0]["text"] and "95188" in replies[1]["text"]
    secret = TOKEN.split(":")[1]
    assert secret not in output, "the token must never be logged"
    assert (tmp_path / "bot.sqlite").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_webhook_mode_registers_the_hook_and_serves_updates(fake, tmp_path):
    port = free_port()
    proc = Bot(["run", "--webhook", "https://bot.example.com/hooks", "--listen", "127.0.0.1", "--port", str(port)],
               bot_env(fake, tmp_path))
    secret = webhook_secret(TOKEN)
    try:
        assert fake.wait_for(lambda f: f.sent("setWebhook") and f.sent("setMyCommands"), timeout=30)
        # The hook's socket listens before setWebhook is called; this line follows setWebhook.
        assert proc.wait_for_line("Webhook set"), "the webhook server did not start"
        hook = fake.sent("setWebhook")[-1]
        assert hook["url"] == f"https://bot.example.com/hooks/{secret}"
        assert TOKEN not in hook["url"] and hook["secret_token"] == secret
        body = json.dumps({"update_id": 1, **message_update("95188")}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/{secret}", data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "X-Telegram-Bot-Api-Secret-Token": secret})
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
            assert response.status == 200
        assert fake.wait_for(lambda f: f.sent("sendMessage", 1001), timeout=15)
        assert "官方号码" in fake.sent("sendMessage", 1001)[-1]["text"]
    finally:
        output = proc.stop()
    assert proc.returncode == 0, output


@pytest.mark.parametrize("token, message", [
    ("", "TELEGRAM_BOT_TOKEN is not set"),
    ("not-a-token", "TELEGRAM_BOT_TOKEN is malformed"),
])
def test_missing_or_malformed_token_gives_one_clear_line(tmp_path, token, message):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "BOT_DB_PATH": str(tmp_path / "x.sqlite")}
    proc = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_rejected_token_gives_one_clear_line(fake, tmp_path):
    env = bot_env(fake, tmp_path, TELEGRAM_BOT_TOKEN="987654321:" + "B" * 35)  # the fake answers 401
    proc = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "rejected TELEGRAM_BOT_TOKEN" in err
    assert "B" * 35 not in err + proc.stdout.decode()


def test_a_restart_after_a_missed_slot_delivers_the_tip_at_start(fake, tmp_path):
    """Real clock, real entry point: a subscriber whose time already passed today (the bot was
    down) gets today's tip as soon as the bot starts, exactly once."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from bot.storage import Storage

    local = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    minutes = max(0, local.hour * 60 + local.minute - 5)          # a slot earlier today
    slot = f"{minutes // 60:02d}:{minutes % 60:02d}"
    storage = Storage(tmp_path / "bot.sqlite")
    storage.subscribe(4242, slot, "Asia/Shanghai", dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2))
    storage.close()
    proc = Bot(["run"], bot_env(fake, tmp_path))
    try:
        assert fake.wait_for(lambda f: f.sent("sendMessage", 4242), timeout=30), "no catch-up tip"
        assert "今日防骗小贴士" in fake.sent("sendMessage", 4242)[0]["text"]
    finally:
        output = proc.stop()
    assert proc.returncode == 0, output
    assert len(fake.sent("sendMessage", 4242)) == 1
