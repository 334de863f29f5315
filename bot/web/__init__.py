"""The web adapter: a page for people (any phone browser, JavaScript optional) and an HTTP API for
other channels, both around the same core Assistant as the bot and the console.

    python -m bot web [--host 127.0.0.1] [--port 8080]

`create_app(assistant, settings)` (app.py) builds the Starlette application; server.py runs it
with uvicorn. Nothing here matches, checks or composes: see bot/core.
"""

from .app import create_app

__all__ = ["create_app"]
