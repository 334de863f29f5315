"""Core replies as web page pieces, in the script the reader chose.

Nothing is composed here: a `Reply` from the core is converted whole to the reader's script
(`locale.convert_reply`) and turned into an `Exchange` the templates show. The templates escape
every string (Jinja2 autoescape), so no HTML is built in Python. Choices become links: a suggested
question is `/entry/<id>`, "none of these" is `/none`; there is no reporting on the web.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from ..core.locale import SCRIPTS, SIMPLIFIED, TRADITIONAL_HK, TRADITIONAL_TW, convert, convert_reply, script_for
from ..core.replies import NONE_OF_THESE, SHOW_ENTRY, Line, Reply, defang

SCRIPT_COOKIE = "script"
# <html lang> per script.
HTML_LANG = {SIMPLIFIED: "zh-CN", TRADITIONAL_HK: "zh-HK", TRADITIONAL_TW: "zh-TW"}
# How much of the user's own text is echoed above a reply (a pasted message can be long).
ECHO_CHARS = 200


@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True)
class Exchange:
    """One question and its reply, ready for the `_exchange.html` template."""

    kind: str
    lines: tuple[Line, ...]
    choices: tuple[Link, ...] = ()
    related: tuple[Link, ...] = ()
    question: str | None = None      # the user's words, shortened, as they wrote them
    risk: str | None = None          # a scan's risk (high/medium/low): the reply's colour


def _href(action: str, value: str) -> str | None:
    if action == SHOW_ENTRY:
        return "/entry/" + quote(value, safe="")
    if action == NONE_OF_THESE:
        return "/none"
    return None  # reporting a number needs an account: Telegram only


def exchange(reply: Reply, script: str, *, question: str | None = None, risk: str | None = None) -> Exchange:
    reply = convert_reply(reply, script)
    choices = tuple(Link(c.label, href) for c in reply.choices if (href := _href(c.action, c.value)))
    related = tuple(Link(c.label, href) for c in reply.related if (href := _href(c.action, c.value)))
    if question is not None:  # quoted back like the replies quote links: never a working link
        question = defang(question[:ECHO_CHARS] + ("…" if len(question) > ECHO_CHARS else ""))
    return Exchange(reply.kind, reply.lines, choices, related, question, risk)


@lru_cache(maxsize=4096)
def ui(text: str, script: str) -> str:
    """A fixed text of the page (written in simplified) in the reader's script."""
    return convert(text, script)


def language_of(accept_language: str | None) -> str | None:
    """The first Chinese language tag a browser asks for (zh-TW, zh-Hant-HK, zh-CN…), if any."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return tag
    return None


def page_script(cookie: str | None, accept_language: str | None, text: str = "") -> str:
    """The reader's script: their choice (cookie) wins, then the script they write in, then the
    browser's language (zh-TW, zh-HK, zh-Hant: traditional), else simplified."""
    return script_for(language_of(accept_language), text, cookie if cookie in SCRIPTS else None)
