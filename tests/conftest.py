"""Shared fixtures. The bundled knowledge is loaded once per session (it is immutable)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.core.knowledge import DEFAULT_KNOWLEDGE_DIR, Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _vector_cache(tmp_path_factory):
    """Phrasing vectors go to a cache of the test session's own, never the user's."""
    previous = os.environ.get("BOT_CACHE_DIR")
    os.environ["BOT_CACHE_DIR"] = str(tmp_path_factory.mktemp("vector-cache"))
    yield
    if previous is None:
        os.environ.pop("BOT_CACHE_DIR", None)
    else:
        os.environ["BOT_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(DEFAULT_KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def assistant(knowledge):
    from bot.core.assistant import Assistant

    return Assistant(knowledge)


# Short, vague questions; the first the matcher answers with suggestions is used by the tests of
# the suggestion path, so they do not depend on where the calibrated thresholds fall.
VAGUE = ("冻结", "账户", "被盗了", "客服", "安全", "钱", "骗子", "电话", "银行", "验证")


@pytest.fixture(scope="session")
def suggest_text(assistant) -> str:
    return next(q for q in VAGUE if assistant.ask(q).result.status == "suggest")


@pytest.fixture
def knowledge_copy(tmp_path) -> Path:
    """A writable copy of the bundled knowledge folder, for tests that break it."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target


@pytest.fixture
def fake():
    """A fresh fake Telegram Bot API server on loopback (tests/fake_telegram.py)."""
    from .fake_telegram import FakeTelegram

    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
async def env(fake, tmp_path, assistant):
    """A started Application on the fake server, a fresh SQLite file and a fake clock."""
    from .tg_env import running_bot

    async with running_bot(fake, tmp_path / "bot.sqlite", assistant=assistant) as bot_env:
        yield bot_env
