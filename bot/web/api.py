"""The HTTP API: JSON in, the command line's public JSON out (`ask --json`, `check --json`,
`scan --json`), plus routed free text and screenshots. Errors are `{"error": code, "message": …}`
with the right status (see openapi.py)."""

from __future__ import annotations

import json
import re

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.assistant import BOTH, EMPTY, Response as CoreResponse
from ..core.locale import SCRIPTS, convert_reply, script_for
from ..core.replies import render_text
from .openapi import openapi
from .state import OcrFailed, WebState


class ApiError(Exception):
    """An error answered as `{"error": code, "message": message}` with `status`; `people` is a
    sentence for the page when the core has one (the OCR module's)."""

    def __init__(self, status: int, code: str, message: str, people: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.people = people


def error_json(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


def _state(request: Request) -> WebState:
    return request.app.state.web


async def _body(request: Request) -> dict:
    """The JSON object sent, with a string `text` (400 otherwise). The body's size was already
    limited by the guard."""
    raw = await request.body()
    try:
        data = json.loads(raw)
    except ValueError:  # also bytes that are not UTF-8
        raise ApiError(400, "malformed_json", 'The body must be a JSON object such as {"text": "借呗被盗了怎么办"}.') from None
    if not isinstance(data, dict) or "text" not in data:
        raise ApiError(400, "missing_text", 'The JSON object must have a "text" field.')
    if not isinstance(data["text"], str):
        raise ApiError(400, "invalid_text", 'The "text" field must be a string.')
    return data


async def ask(request: Request) -> Response:
    text = (await _body(request))["text"]
    state = _state(request)
    answer = await state.run(state.assistant.ask, text)
    state.note_unanswered(answer.result, text)
    return JSONResponse(answer.result.to_dict())


async def check(request: Request) -> Response:
    text = (await _body(request))["text"]
    state = _state(request)
    response = await state.run(state.assistant.check, text)
    result = response.check if response.check is not None else response.link
    return JSONResponse(result.to_dict())


EMPTY_SCAN = "There is no message to scan: send the whole SMS or chat text (an empty text never gets a verdict)."


async def scan(request: Request) -> Response:
    text = (await _body(request))["text"]
    if not re.search(r"\w", text):
        raise ApiError(400, "empty", EMPTY_SCAN)
    state = _state(request)
    response = await state.run(state.assistant.scan, text)
    return JSONResponse(response.scan.to_dict())


def respond_json(response: CoreResponse, script: str) -> dict:
    """The routed result: the object of its kind plus `kind`, `reply`, `buttons` and `script`."""
    if response.kind == BOTH:
        data = {"scan": response.scan.to_dict(), "ask": response.match.to_dict()}
    elif response.kind == EMPTY:
        data = {}
    else:
        result = response.match or response.check or response.link or response.scan
        data = result.to_dict()
    reply = convert_reply(response.reply, script)
    buttons = [{"action": c.action, "value": c.value, "label": c.label} for c in (*reply.choices, *reply.related)]
    return {**data, "kind": response.kind, "reply": render_text(reply), "buttons": buttons, "script": script}


async def respond(request: Request) -> Response:
    body = await _body(request)
    text = body["text"]
    script = body.get("script")
    if script is not None and script not in SCRIPTS:
        raise ApiError(400, "invalid_script", f'"script" must be one of {", ".join(SCRIPTS)}.')
    state = _state(request)
    response = await state.run(state.assistant.respond, text)
    state.note_unanswered(response.match if response.kind != BOTH else None, text)
    return JSONResponse(respond_json(response, script or script_for(None, text)))


async def entry(request: Request) -> Response:
    state = _state(request)
    item = state.assistant.knowledge.get(request.path_params["entry_id"])
    if item is None:
        raise ApiError(404, "not_found", "No entry with this id (it may have been renamed or removed).")
    knowledge = state.assistant.knowledge
    return JSONResponse({"id": item.id, "question": item.question, "answer": item.answer,
                         "reviewed": item.reviewed.isoformat(), "sources": [knowledge.source_title(s) for s in item.sources]})


# --- screenshots ----------------------------------------------------------------------------

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def is_image(data: bytes) -> bool:
    """PNG, JPEG, GIF, BMP or WebP, by their first bytes (what the browser says is not trusted)."""
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


async def image_bytes(request: Request) -> bytes:
    """The bytes of the multipart field `image` (400 when absent, 415 when not an image)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ApiError(400, "missing_image", 'Send the screenshot as multipart/form-data in the field "image".')
    async with request.form(max_files=1, max_fields=4) as form:  # closed (temporary files deleted) at once
        upload = form.get("image")
        if not isinstance(upload, UploadFile):
            raise ApiError(400, "missing_image", 'Send the screenshot as multipart/form-data in the field "image".')
        data = await upload.read()
    if not data:
        raise ApiError(400, "missing_image", "The image is empty.")
    if not is_image(data):
        raise ApiError(415, "unsupported_image", "Send a PNG, JPEG, GIF, WebP or BMP image.")
    return data


# Why OCR failed -> (status, error code, message for developers).
OCR_ERRORS = {
    "unavailable": (503, "ocr_unavailable", "Reading screenshots (OCR) is not available on this server; "
                                            "send the message text to /api/v1/scan instead."),
    "busy": (503, "ocr_busy", "Too many screenshots are being read right now; try again in a minute."),
    "too_big": (413, "too_large", "The image file is too large."),
    "too_many_pixels": (413, "too_large", "The image has too many pixels; crop it to the text."),
    "not_an_image": (415, "unsupported_image", "Send a PNG, JPEG, GIF, WebP or BMP image."),
    "timeout": (422, "ocr_timeout", "Reading this image took too long; crop it to the text."),
    "nothing_read": (422, "no_text", "No text could be read from this image."),
    "bad_image": (400, "bad_image", "The image could not be read."),
}


async def read_screenshot(state: WebState, data: bytes) -> str:
    """The text OCR reads from an image; ApiError (see OCR_ERRORS) when it cannot."""
    try:
        text = await state.read_image(data)
    except OcrFailed as exc:
        status, code, message = OCR_ERRORS.get(exc.reason, OCR_ERRORS["bad_image"])
        raise ApiError(status, code, message, exc.message) from None
    if not re.search(r"\w", text):
        raise ApiError(*OCR_ERRORS["nothing_read"])
    return text


async def scan_image(request: Request) -> Response:
    state = _state(request)
    data = await image_bytes(request)
    text = await read_screenshot(state, data)
    response = await state.run(state.assistant.scan, text)
    return JSONResponse({"ocr_text": text, "scan": response.scan.to_dict()})


async def health(request: Request) -> Response:
    state = _state(request)
    return JSONResponse({"status": "ok", "entries": len(state.assistant.knowledge.entries),
                         "encoder": state.assistant.encoder_mode, "ocr": state.ocr is not None})


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi())
