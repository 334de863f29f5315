"""One module per feature, each exposing `register(app)`; the order lives in app.py."""
