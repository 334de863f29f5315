"""Webhook mode: a small ASGI endpoint under uvicorn, in the bot's own event loop.

Telegram POSTs each update to `https://…/<secret>` with the header
`X-Telegram-Bot-Api-Secret-Token: <secret>`. Checked in this order, each before any of the body
is read:
- the path (`/<secret>`, or the public URL's path + `/<secret>`): anything else is 404;
- the secret header (compared in constant time): missing or wrong is 403;
- the method: only POST (405);
- a Content-Length above `MAX_BODY` (Telegram's updates are a few KB): 413.
Then the body is read in chunks and refused with 413 as soon as it exceeds `MAX_BODY` (a
chunked body has no Content-Length). A body that is not one JSON update is 400. A good update is
written to the inbox (committed) and only then answered 200, so Telegram redelivers whatever the
bot did not store.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Iterator
from urllib.parse import urlsplit

import uvicorn

from .inbox import Inbox

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20   # 1 MiB
SECRET_HEADER = b"x-telegram-bot-api-secret-token"

Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


async def _answer(send: Send, status: int, text: str = "") -> None:
    body = (text or {200: "ok", 400: "bad request", 403: "forbidden", 404: "not found", 405: "method not allowed",
                     413: "too large"}.get(status, "")).encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if status != 200:
        headers.append((b"connection", b"close"))  # the unread rest of a refused body is not ours to read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def webhook_paths(url: str, secret: str) -> frozenset[str]:
    """Where the hook answers: `/<secret>`, and the public URL's own path + `/<secret>` (so a
    reverse proxy may forward the path as it is or strip its prefix)."""
    prefix = urlsplit(url).path.rstrip("/")
    return frozenset({f"/{secret}", f"{prefix}/{secret}"})


def webhook_app(inbox: Inbox, paths: frozenset[str], secret: str, max_body: int = MAX_BODY):
    """The ASGI application serving `paths` for `inbox`."""
    expected = secret.encode()

    async def app(scope: dict, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":   # lifespan is off; no websockets
            return
        if scope.get("path") not in paths:
            await _answer(send, 404)
            return
        headers = dict(scope.get("headers") or [])
        if not hmac.compare_digest(headers.get(SECRET_HEADER, b""), expected):
            await _answer(send, 403)
            return
        if scope.get("method") != "POST":
            await _answer(send, 405)
            return
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _answer(send, 400)
                return
            if int(declared) > max_body:
                await _answer(send, 413)
                return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_body:
                await _answer(send, 413)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        try:
            update = json.loads(b"".join(chunks))
        except ValueError:
            update = None
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            await _answer(send, 400)
            return
        inbox.accept([update])   # committed before Telegram hears 200
        await _answer(send, 200)

    return app


class WebhookServer(uvicorn.Server):
    """uvicorn without its own signal handling: the runner owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def webhook_server(app: Any, host: str, port: int) -> WebhookServer:
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, server_header=False,
                            lifespan="off", ws="none", timeout_graceful_shutdown=3, limit_concurrency=200,
                            timeout_keep_alive=30)
    return WebhookServer(config)
