"""The web app factory: `create_app(assistant, settings)` returns a Starlette application with the
page, the HTTP API, the static assets and the middleware. It only calls the Assistant and renders
its Replies; no matching, checking or composing happens in bot/web.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import AsyncIterator

import anyio
import anyio.to_thread
import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import Scope

from ..config import Settings
from ..core.assistant import Assistant
from ..storage import Storage
from . import api, pages
from .guard import Guard, SecurityHeaders, SlidingWindow
from .render import ui
from .state import OCR_WORKERS, WORKERS, OcrReader, WebState, discover_ocr, warm

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
IMAGE_PATHS = ("/api/v1/scan-image", "/image")
_DISCOVER = object()


def _is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/healthz"


def error_response(scope: Scope, status: int, code: str, message: str) -> Response:
    """How an error looks: JSON for the API, a page for people."""
    if _is_api(scope["path"]):
        return api.error_json(status, code, message)
    return pages.error_page(Request(scope), status, code)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, api.ApiError)
    if _is_api(request.url.path):
        response = api.error_json(exc.status, exc.code, exc.message)
    else:
        response = pages.error_page(request, exc.status, exc.code, exc.people)
    if exc.code == "ocr_busy":
        response.headers["Retry-After"] = "60"
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "bad_request")
    messages = {"not_found": "No such endpoint.", "method_not_allowed": "This endpoint does not take that method.",
                "too_large": "The request body is too large.", "bad_request": str(exc.detail)}
    response = error_response(request.scope, exc.status_code, code, messages[code])
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)

    @jinja2.pass_context
    def translate(context, text: str) -> str:
        return ui(text, context.get("script") or "simplified")

    env.filters["t"] = translate
    return Jinja2Templates(env=env)


def create_app(assistant: Assistant, settings: Settings, *, ocr: OcrReader | None | object = _DISCOVER) -> Starlette:
    """The web page and HTTP API around one Assistant. `ocr`: a `read_text(bytes) -> str`, None
    for none, or (default) `bot.core.ocr.read_text` when that module is there."""
    state = WebState(assistant, settings, discover_ocr() if ocr is _DISCOVER else ocr)  # type: ignore[arg-type]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.limiter = anyio.CapacityLimiter(WORKERS)
        state.ocr_limiter = anyio.CapacityLimiter(OCR_WORKERS)
        await anyio.to_thread.run_sync(warm, assistant)
        if settings.web_log_unanswered:
            state.storage = Storage(settings.db_path)
            log.info("Unanswered questions are logged to %s (BOT_WEB_LOG_UNANSWERED)", settings.db_path)
        log.info("Web ready: %d entries, OCR %s", len(assistant.knowledge.entries), "on" if state.ocr else "off")
        try:
            yield
        finally:
            if state.storage is not None:
                state.storage.close()
                state.storage = None

    routes = [
        Route("/", pages.home, methods=["GET"]),
        Route("/", pages.ask, methods=["POST"]),
        Route("/image", pages.image, methods=["POST"]),
        Route("/entry/{entry_id}", pages.entry, methods=["GET"]),
        Route("/none", pages.none_of_these, methods=["GET"]),
        Route("/lang", pages.choose_script, methods=["POST"]),
        Route("/healthz", api.health, methods=["GET"]),
        Route("/api/v1/ask", api.ask, methods=["POST"]),
        Route("/api/v1/check", api.check, methods=["POST"]),
        Route("/api/v1/scan", api.scan, methods=["POST"]),
        Route("/api/v1/respond", api.respond, methods=["POST"]),
        Route("/api/v1/scan-image", api.scan_image, methods=["POST"]),
        Route("/api/v1/entries/{entry_id}", api.entry, methods=["GET"]),
        Route("/api/v1/openapi.json", api.openapi_json, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    # Outermost first: the headers go on every response, CORS (when configured) on API answers
    # and errors alike, and the guard sees every request before the app does.
    middleware = [Middleware(SecurityHeaders)]
    if settings.web_cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.web_cors_origins),
                                     allow_methods=["GET", "POST"], allow_headers=["Content-Type"], max_age=600))
    middleware.append(Middleware(Guard, limiter=SlidingWindow(settings.web_rate, settings.web_rate_window),
                                 body_limit=settings.web_max_json_bytes, large_body_limit=settings.web_max_image_bytes,
                                 large_body_paths=IMAGE_PATHS, responder=error_response))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={api.ApiError: _api_error, HTTPException: _http_error})
    app.state.web = state
    app.state.templates = _templates()
    return app
