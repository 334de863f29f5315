"""The web app served for real (uvicorn on a free loopback port, in a thread), with settings and
an OCR stand-in the tests choose."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import httpx

from bot.config import Settings
from bot.web import create_app
from bot.web.server import running

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64          # enough of a PNG for the type check
SCAM_SMS = ("【工商银行】尊敬的客户，您的账户存在异常，已被冻结。请立即点击 icbc-verify.top 登录，"
            "并把收到的验证码告诉客服解冻，客服电话 +86 95588")


class FakeOcrError(Exception):
    """Shaped like bot.core.ocr.OcrError: a reason and a sentence for people."""

    def __init__(self, reason: str, message: str = "（识别失败的说明）"):
        super().__init__(reason)
        self.reason = reason
        self.message = message


def fake_ocr(data: bytes) -> str:
    """Reads SCAM_SMS from any PNG; a PNG with a marker reads nothing or fails with that reason."""
    marker = data[len(PNG):].rstrip(b"\x00").decode() if data.startswith(PNG) else ""
    if marker == "blank":
        return ""
    if marker:
        raise FakeOcrError(marker)
    return SCAM_SMS


def web_settings(tmp_path: Path, **overrides) -> Settings:
    values = dict(token="", db_path=tmp_path / "web.sqlite", web_rate=10_000)
    values.update(overrides)
    return Settings(**values)


@contextlib.contextmanager
def serving(assistant, settings: Settings, *, ocr=fake_ocr) -> Iterator[httpx.Client]:
    """An httpx client on the running app; returns after GET /healthz answered (start-up done)."""
    app = create_app(assistant, settings, ocr=ocr)
    with running(app, settings) as base:
        with httpx.Client(base_url=base, timeout=60, trust_env=False) as client:
            assert client.get("/healthz").status_code == 200
            yield client
