"""Shared fixtures. The bundled knowledge is loaded once per session (it is immutable)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.knowledge import DEFAULT_KNOWLEDGE_DIR, Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(DEFAULT_KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def assistant(knowledge):
    from bot.core.assistant import Assistant

    return Assistant(knowledge)


@pytest.fixture
def knowledge_copy(tmp_path) -> Path:
    """A writable copy of the bundled knowledge folder, for tests that break it."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target
