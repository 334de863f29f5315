"""ASGI middleware around the web app: security headers on every response, and a guard that
limits request bodies, rate-limits each client and turns an unexpected error into a clean 500.

Both are plain ASGI (no BaseHTTPMiddleware), so they never buffer a response and see every
response, including the ones they produce themselves. The guard does not know how errors look:
the app gives it a `responder(scope, status, code, message)` (JSON for the API, a page for
people).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Awaitable, Callable, Iterable

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# No inline script or style anywhere (the page's script and stylesheet are files under /static),
# so the policy needs no hashes; nothing may frame the page or be framed by it.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers too old for CSP
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds the security headers to every HTTP response, and `Cache-Control: no-store` to every
    response that is not a static asset (replies quote what users sent: no cache may keep them)."""

    def __init__(self, app: ASGIApp, static_prefix: str = "/static/"):
        self.app = app
        self.static_prefix = static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(self.static_prefix)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SlidingWindow:
    """At most `rate` hits per `window` seconds per key (a client IP), in memory. `hit` returns
    0 when allowed, else the seconds until the oldest hit leaves the window."""

    MAX_KEYS = 100_000

    def __init__(self, rate: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.window = window
        self.clock = clock
        self.hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> float:
        now = self.clock()
        hits = self.hits.get(key)
        if hits is None:
            if len(self.hits) >= self.MAX_KEYS:  # drop clients idle for a whole window
                self.hits = {k: h for k, h in self.hits.items() if h and now - h[-1] < self.window}
            hits = self.hits[key] = deque()
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.rate:
            return max(0.001, self.window - (now - hits[0]))
        hits.append(now)
        return 0.0


class BodyTooLarge(Exception):
    """Raised from the guarded `receive` once a body grows past its limit."""


Responder = Callable[[Scope, int, str, str], Awaitable[Response] | Response]


class Guard:
    """Per request: the rate limit (POST only: pages and assets are free), the body limit
    (Content-Length checked before anything is read, then the bytes actually received, so a
    chunked upload is cut off at the limit), and a last-resort 500 for unexpected errors."""

    def __init__(self, app: ASGIApp, *, limiter: SlidingWindow, body_limit: int, large_body_limit: int,
                 large_body_paths: Iterable[str], responder: Responder):
        self.app = app
        self.limiter = limiter
        self.body_limit = body_limit
        self.large_body_limit = large_body_limit
        self.large_body_paths = frozenset(large_body_paths)
        self.responder = responder

    async def _reply(self, scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str,
                     headers: dict[str, str] | None = None) -> None:
        response = self.responder(scope, status, code, message)
        if not isinstance(response, Response):
            response = await response
        for name, value in (headers or {}).items():
            response.headers[name] = value
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST":
            client = scope.get("client")
            retry_after = self.limiter.hit(client[0] if client else "unknown")
            if retry_after:
                await self._reply(scope, receive, send, 429, "rate_limited",
                                  f"Too many requests from this address: at most {self.limiter.rate} "
                                  f"per {self.limiter.window:g} seconds. Try again in {retry_after:.0f} s.",
                                  {"Retry-After": str(max(1, round(retry_after)))})
                return
        limit = self.large_body_limit if scope["path"] in self.large_body_paths else self.body_limit
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._reply(scope, receive, send, 413 if length.isdigit() else 400,
                              "too_large" if length.isdigit() else "bad_request",
                              f"The request body is larger than {limit} bytes." if length.isdigit()
                              else "Content-Length is not a number.")
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._reply(scope, receive, send, 413, "too_large", f"The request body is larger than {limit} bytes.")
        except Exception:
            # Logged without the request: what users send is never written to the log.
            log.exception("Request to %s failed", scope["path"])
            if started:
                raise
            await self._reply(scope, receive, send, 500, "internal_error",
                              "Something went wrong on our side. Please try again later.")
