"""`python -m bot web`: the web page and HTTP API under uvicorn (one process; put it behind a
reverse proxy, see deploy/nginx-fanzha-web.conf)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import socket
import threading
from typing import Iterator

import uvicorn

from ..config import Settings, settings_for_command
from ..core.assistant import Assistant
from .app import create_app

log = logging.getLogger(__name__)


def build_server(app, settings: Settings, host: str = "127.0.0.1", port: int = 8080) -> uvicorn.Server:
    """A uvicorn server for `app`. Client addresses come from X-Forwarded-For only when the
    connection comes from one of BOT_WEB_TRUSTED_PROXIES; there is no access log (it would
    record who asked what, and the reverse proxy has its own)."""
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, server_header=False,
        proxy_headers=bool(settings.web_trusted_proxies),
        forwarded_allow_ips=settings.web_trusted_proxies or None,
        timeout_graceful_shutdown=10, lifespan="on", ws="none")
    return uvicorn.Server(config)


@contextlib.contextmanager
def running(app, settings: Settings, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `app` on a free port of `host` in a thread (tests, the benchmark) and yield its base
    URL. The socket listens before the server starts, so a first request (GET /healthz) waits in
    the backlog until start-up, warming included, is done: nobody has to poll or sleep."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = build_server(app, settings, host, port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="web-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def cmd_web(args: argparse.Namespace) -> int:
    from ..tg.logs import setup_logging  # the same masked logging as the bot (no Telegram needed)

    settings = settings_for_command(args, require_token=False)
    if settings is None:
        return 2
    setup_logging(settings.log_level)
    assistant = Assistant.load(settings.knowledge_dir, encoder=settings.encoder).warm()
    server = build_server(create_app(assistant, settings), settings, args.host, args.port)
    log.info("Serving the web page and API on http://%s:%d", args.host, args.port)
    # On SIGINT/SIGTERM uvicorn finishes in-flight requests (at most 10 s) and the app's shutdown,
    # then re-raises the signal: the process ends by it, which systemd and Docker count as a clean stop.
    server.run()
    return 0 if server.started else 1  # never started: uvicorn logged why (e.g. the port is taken)
