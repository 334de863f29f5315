"""Replies in the script the user reads: simplified (mainland), or traditional in its Hong Kong
or Taiwan form (OpenCC s2hk, and s2twp, which also changes vocabulary: 软件 -> 軟體 in Taiwan).

The knowledge is written once, in simplified Chinese; a reply is converted as a whole right before
it is rendered, so matching, checking and scanning never depend on the script.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import opencc

from .replies import Choice, Line, Reply
from .text import to_simplified

SIMPLIFIED, TRADITIONAL_HK, TRADITIONAL_TW = "simplified", "traditional-hk", "traditional-tw"
SCRIPTS = (SIMPLIFIED, TRADITIONAL_HK, TRADITIONAL_TW)
_CONFIGS = {TRADITIONAL_HK: "s2hk", TRADITIONAL_TW: "s2twp"}
# Share of a text's Chinese characters that must differ from their simplified form to call the
# text traditional (a single 們 in a simplified sentence is a typo, not a choice of script).
TRADITIONAL_SHARE = 0.1


@lru_cache(maxsize=None)
def _converter(script: str) -> opencc.OpenCC:
    return opencc.OpenCC(_CONFIGS[script])


def convert(text: str, script: str) -> str:
    """`text` (simplified) written in `script`."""
    if script == SIMPLIFIED or not text:
        return text
    if script not in _CONFIGS:
        raise ValueError(f"script must be one of {', '.join(SCRIPTS)}")
    return _converter(script).convert(text)


def written_in_traditional(text: str) -> bool:
    """True when the user writes traditional characters (then replies follow their script)."""
    chinese = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if len(chinese) < 2:
        return False
    simplified = to_simplified("".join(chinese))
    changed = sum(a != b for a, b in zip(chinese, simplified))
    return changed >= max(1, TRADITIONAL_SHARE * len(chinese))


def script_for(language_code: str | None, text: str = "", stored: str | None = None) -> str:
    """The script to answer in: a stored choice wins; then the text itself (someone writing
    traditional characters reads them); then the client's language (zh-hant, zh-hk, zh-tw, zh-mo)."""
    if stored in SCRIPTS:
        return stored
    code = (language_code or "").lower().replace("_", "-")
    regional = TRADITIONAL_TW if code.endswith("-tw") else TRADITIONAL_HK
    if text and written_in_traditional(text):
        return regional
    if code.startswith("zh") and any(code.endswith(tag) for tag in ("-hant", "-hk", "-tw", "-mo")):
        return regional
    return SIMPLIFIED


def convert_reply(reply: Reply, script: str) -> Reply:
    """The whole reply (lines, button labels) in `script`; callback values are left unchanged."""
    if script == SIMPLIFIED:
        return reply

    def choice(c: Choice) -> Choice:
        return dataclasses.replace(c, label=convert(c.label, script))

    return dataclasses.replace(
        reply,
        lines=tuple(Line(convert(line.text, script), line.style) for line in reply.lines),
        choices=tuple(choice(c) for c in reply.choices),
        related=tuple(choice(c) for c in reply.related),
    )
