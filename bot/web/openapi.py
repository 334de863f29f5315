"""The OpenAPI 3.1 description of the HTTP API, written by hand so that it states exactly the
public JSON shapes the command line prints (`ask --json`, `check --json`, `scan --json`, see the
README). Served at GET /api/v1/openapi.json; a test checks it lists every API route."""

from __future__ import annotations

from ..core.locale import SCRIPTS


def _nullable(schema: dict) -> dict:
    kind = schema["type"]
    return {**schema, "type": [kind, "null"]}


_STR = {"type": "string"}
_STRINGS = {"type": "array", "items": _STR}

SCHEMAS: dict[str, dict] = {
    "TextRequest": {
        "type": "object", "required": ["text"],
        "properties": {"text": {**_STR, "description": "a question, a number or link, or a whole message"}},
    },
    "RespondRequest": {
        "type": "object", "required": ["text"],
        "properties": {
            "text": _STR,
            "script": {"type": "string", "enum": list(SCRIPTS),
                       "description": "script of the plain-text `reply` (default: the script the text is written in)"},
        },
    },
    "Error": {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {**_STR, "description": "a stable code: malformed_json, missing_text, invalid_text, "
                                                        "invalid_script, empty (400); not_found (404); method_not_allowed "
                                                        "(405); too_large (413); rate_limited (429); missing_image, "
                                                        "bad_image (400), unsupported_image (415), no_text, ocr_timeout "
                                                        "(422), ocr_unavailable, ocr_busy (503); internal_error (500)"},
                       "message": {**_STR, "description": "what went wrong, for the developer"}},
    },
    "MatchResult": {
        "type": "object", "description": "exactly what `python -m bot ask --json` prints",
        "required": ["query", "status", "answer", "entry", "score", "alternatives"],
        "properties": {
            "query": _STR,
            "status": {"type": "string", "enum": ["answered", "suggest", "no_match"]},
            "answer": _nullable(_STR),
            "entry": {"type": ["object", "null"], "properties": {"id": _STR, "question": _STR}},
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "alternatives": {"type": "array", "items": {"type": "object", "properties": {
                "id": _STR, "question": _STR, "answer": _STR, "score": {"type": "number"}}}},
        },
    },
    "CheckResult": {
        "type": "object", "description": "exactly what `python -m bot check --json` prints for a number",
        "required": ["input", "normalized", "verdict", "institution", "reasons", "advice", "reports"],
        "properties": {
            "input": _STR, "normalized": _nullable(_STR),
            "verdict": {"type": "string", "enum": ["official", "lookalike", "risky", "unknown", "invalid"]},
            "institution": _nullable(_STR), "reasons": _STRINGS, "advice": _STR,
            "reports": {"type": "integer", "minimum": 0},
        },
    },
    "LinkResult": {
        "type": "object", "description": "what `python -m bot check --json` prints for a link",
        "required": ["url", "domain", "verdict", "institution", "reasons"],
        "properties": {
            "url": _STR, "domain": _nullable(_STR),
            "verdict": {"type": "string", "enum": ["official", "institution", "lookalike", "shortener", "unknown"]},
            "institution": _nullable(_STR), "reasons": _STRINGS,
        },
    },
    "ScanResult": {
        "type": "object", "description": "exactly what `python -m bot scan --json` prints",
        "required": ["risk", "numbers", "urls", "signals", "related", "advice", "fraud_type", "links"],
        "properties": {
            "risk": {"type": "string", "enum": ["high", "medium", "low"]},
            "numbers": {"type": "array", "items": {"$ref": "#/components/schemas/CheckResult"}},
            "urls": _STRINGS,
            "signals": {"type": "array", "items": {"type": "object", "properties": {"name": _STR, "evidence": _STR}}},
            "related": {**_STRINGS, "description": "ids of the entries that explain what was found"},
            "advice": _STR,
            "fraud_type": {"type": ["object", "null"], "properties": {
                "id": _STR, "name": _STR, "entry": _STR, "score": {"type": "number"}}},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/LinkResult"}},
        },
    },
    "RespondResult": {
        "type": "object", "required": ["kind", "reply", "buttons", "script"],
        "description": "The result of the kind the text was routed to, with `kind`, `reply`, `buttons` and `script` "
                       "added: `question` adds them to a MatchResult, `check` to a CheckResult, `link` to a "
                       "LinkResult, `scan` to a ScanResult; `both` (a question about a pasted message) has `scan` "
                       "(ScanResult) and `ask` (MatchResult); `empty` has only the added fields.",
        "properties": {
            "kind": {"type": "string", "enum": ["question", "check", "link", "scan", "both", "empty"]},
            "reply": {**_STR, "description": "the reply as plain text, as the console shows it"},
            "buttons": {"type": "array", "description": "the reply's choices (suggested and related questions; "
                                                         "`none` = none of these), in order",
                        "items": {"type": "object", "properties": {
                            "action": {"type": "string", "enum": ["entry", "none", "report"]},
                            "value": _STR, "label": _STR}}},
            "script": {"type": "string", "enum": list(SCRIPTS)},
            "scan": {"$ref": "#/components/schemas/ScanResult"},
            "ask": {"$ref": "#/components/schemas/MatchResult"},
        },
        "additionalProperties": True,
    },
    "Entry": {
        "type": "object", "required": ["id", "question", "answer", "reviewed", "sources"],
        "properties": {"id": _STR, "question": _STR, "answer": _STR,
                       "reviewed": {"type": "string", "format": "date"}, "sources": _STRINGS},
    },
    "ImageScanResult": {
        "type": "object", "required": ["ocr_text", "scan"],
        "properties": {"ocr_text": _STR, "scan": {"$ref": "#/components/schemas/ScanResult"}},
    },
    "Health": {
        "type": "object", "required": ["status"],
        "properties": {"status": {"type": "string", "enum": ["ok"]}, "entries": {"type": "integer"},
                       "encoder": _STR, "ocr": {"type": "boolean"}},
    },
}


def _json(schema: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _errors(*statuses: int) -> dict:
    meaning = {400: "malformed JSON, or `text` missing or not a string", 413: "body over the size limit",
               415: "not a PNG, JPEG, GIF, WebP or BMP image", 422: "no text could be read from the image (or not in time)",
               429: "too many requests from this client (see Retry-After)",
               503: "OCR is not available on this server, or busy (see Retry-After)"}
    return {str(s): {"description": meaning[s], "content": _json("Error")} for s in statuses}


def _post(summary: str, request: str, result: dict, *errors: int) -> dict:
    return {"post": {
        "summary": summary,
        "requestBody": {"required": True, "content": _json(request)},
        "responses": {"200": {"description": "the result", "content": result}, **_errors(400, 413, 429, *errors)},
    }}


def openapi() -> dict:
    check_result = {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/CheckResult"},
                                                              {"$ref": "#/components/schemas/LinkResult"}]}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "反诈助手 API",
            "version": "1",
            "description": "Answers, number and link checks and message scans of the anti-fraud assistant, the same "
                           "as the Telegram bot and the command line. Nothing sent is stored unless the operator turns "
                           "on the unanswered-question log. Numbers and links in results are never fetched.",
        },
        "paths": {
            "/api/v1/ask": _post("Answer a question (the object `ask --json` prints)", "TextRequest", _json("MatchResult")),
            "/api/v1/check": _post("Check a phone number or a link (the object `check --json` prints)", "TextRequest",
                                   check_result),
            "/api/v1/scan": _post("Scan a message (the object `scan --json` prints); empty text is a 400", "TextRequest",
                                  _json("ScanResult")),
            "/api/v1/respond": _post("Route free text like the chat does, and add `kind` and the plain reply",
                                     "RespondRequest", _json("RespondResult")),
            "/api/v1/scan-image": {"post": {
                "summary": "Read a screenshot with OCR and scan the text",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["image"],
                    "properties": {"image": {"type": "string", "format": "binary"}}}}}},
                "responses": {"200": {"description": "what was read, and its scan", "content": _json("ImageScanResult")},
                              **_errors(400, 413, 415, 422, 429, 503)},
            }},
            "/api/v1/entries/{entry_id}": {"get": {
                "summary": "One curated entry (to follow a `buttons` item of action `entry`)",
                "parameters": [{"name": "entry_id", "in": "path", "required": True, "schema": _STR}],
                "responses": {"200": {"description": "the entry", "content": _json("Entry")},
                              "404": {"description": "no such entry", "content": _json("Error")}},
            }},
            "/api/v1/openapi.json": {"get": {"summary": "This description",
                                             "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            "/healthz": {"get": {"summary": "Liveness: the knowledge is loaded and the matcher built",
                                 "responses": {"200": {"description": "ready", "content": _json("Health")}}}},
        },
        "components": {"schemas": SCHEMAS},
    }
