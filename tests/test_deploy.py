"""What the documented deploy paths depend on: the env file, the image's and the unit's paths,
and `make run` (`python -m bot` with no command) reading ./.env."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

from bot.config import read_env_file

from .conftest import ROOT
from .fake_telegram import TOKEN, FakeTelegram

DEPLOY = ROOT / "deploy"


def _env_keys(path) -> set[str]:
    keys = set()
    for line in path.read_text("utf-8").splitlines():
        match = re.match(r"^\s*([A-Z][A-Z0-9_]*)\s*=", line)
        if match:
            keys.add(match.group(1))
    return keys


def _dockerfile_env() -> dict[str, str]:
    text = (DEPLOY / "Dockerfile").read_text("utf-8")
    block = re.search(r"^ENV (.*?)(?=^\S)", text, re.M | re.S).group(1)
    return dict(re.findall(r"([A-Z_]+)=(\S+)", block))


def _unit_env(name: str) -> dict[str, str]:
    text = (DEPLOY / name).read_text("utf-8")
    return dict(re.findall(r"^Environment=([A-Z_]+)=(\S+)", text, re.M))


def test_the_env_file_never_overrides_the_paths_the_image_and_the_unit_set():
    """Issue 12: .env made from .env.example set BOT_DB_PATH=data/bot.sqlite, which overrode the
    image's /data and crashed at start with PermissionError (and looped under systemd)."""
    example = _env_keys(ROOT / ".env.example")
    image, unit = _dockerfile_env(), _unit_env("fanzha-bot.service")
    assert not example & (set(image) | set(unit)), example & (set(image) | set(unit))
    for key in ("BOT_DB_PATH", "BOT_CACHE_DIR"):
        assert image[key].startswith("/data/"), (key, image[key])       # the volume the bot user owns
        assert unit[key].startswith("/var/lib/fanzha-bot/"), (key, unit[key])   # its StateDirectory
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")
    assert "chown bot:bot /data" in dockerfile and 'VOLUME ["/data"]' in dockerfile
    assert "StateDirectory=fanzha-bot" in (DEPLOY / "fanzha-bot.service").read_text("utf-8")


def test_read_env_file_never_overrides_the_real_environment(tmp_path):
    path = tmp_path / ".env"
    path.write_text("# a comment\nTELEGRAM_BOT_TOKEN='123:abc'\nBOT_LOG_LEVEL=DEBUG\nexport BOT_TIMEZONE=\"UTC\"\n"
                    "not a setting\nBOT_DB_PATH=\n", "utf-8")
    environ = {"BOT_LOG_LEVEL": "INFO"}
    added = read_env_file(path, environ)
    assert environ == {"BOT_LOG_LEVEL": "INFO", "TELEGRAM_BOT_TOKEN": "123:abc", "BOT_TIMEZONE": "UTC"}
    assert sorted(added) == ["BOT_TIMEZONE", "TELEGRAM_BOT_TOKEN"]
    assert read_env_file(tmp_path / "missing.env", environ) == []


def _run_default(cwd, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    for key in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "BOT_DB_PATH"):
        env.pop(key, None)
    return subprocess.run([sys.executable, "-m", "bot"], cwd=cwd, env=env, input=stdin, capture_output=True,
                          timeout=timeout)


def test_make_run_without_a_token_says_why_it_opens_the_console(tmp_path):
    proc = _run_default(tmp_path, stdin="95188\n".encode())
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 0 and "没有设置 TELEGRAM_BOT_TOKEN" in err and "没有 .env" in err
    assert "官方号码" in proc.stdout.decode("utf-8")          # the console answered


def test_make_run_reads_the_token_from_dot_env_and_starts_the_bot(tmp_path):
    fake = FakeTelegram().start()
    try:
        (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_API_BASE_URL={fake.base_url}\n"
                                       f"BOT_DB_PATH={tmp_path / 'bot.sqlite'}\n", "utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
        for key in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "BOT_DB_PATH"):
            env.pop(key, None)
        proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        polled = fake.wait_for(lambda f: f.polls > 0, timeout=60)   # it is polling the fake Bot API
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert polled, err.decode("utf-8", "replace")[-2000:]
        assert "从 .env 读取" in err.decode("utf-8") and TOKEN not in err.decode("utf-8")
        assert (tmp_path / "bot.sqlite").exists()
    finally:
        fake.stop()
