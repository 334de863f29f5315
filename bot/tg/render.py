"""Core replies as Telegram messages, in the reader's script: HTML text split under 4,096
characters, with inline keyboards built from the reply's choices (callback data stays under 64
bytes)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ..core.locale import SIMPLIFIED, convert, convert_reply
from ..core.matcher import ANSWERED
from ..core.replies import NONE_OF_THESE, REPORT_NUMBER, SHOW_ENTRY, Reply, render_html_chunks
from .constants import CB_ENTRY, CB_FEEDBACK, CB_NONE, CB_REPORT

MAX_BUTTON_CHARS = 48
MAX_RELATED_BUTTONS = 4


def _label(text: str) -> str:
    return text if len(text) <= MAX_BUTTON_CHARS else text[: MAX_BUTTON_CHARS - 1] + "…"


def keyboard(reply: Reply, *, feedback: bool = True, script: str = SIMPLIFIED) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for choice in reply.choices:
        if choice.action == SHOW_ENTRY:
            rows.append([InlineKeyboardButton(_label(choice.label), callback_data=f"{CB_ENTRY}:{choice.value}")])
        elif choice.action == NONE_OF_THESE:
            rows.append([InlineKeyboardButton(choice.label, callback_data=CB_NONE)])
        elif choice.action == REPORT_NUMBER and choice.value:
            rows.append([InlineKeyboardButton(choice.label, callback_data=f"{CB_REPORT}:{choice.value}")])
    for related in reply.related[:MAX_RELATED_BUTTONS]:
        rows.append([InlineKeyboardButton("🔗 " + _label(related.label), callback_data=f"{CB_ENTRY}:{related.value}")])
    if feedback and reply.kind == ANSWERED and reply.entry_id:
        rows.append([InlineKeyboardButton(convert("👍 有用", script), callback_data=f"{CB_FEEDBACK}:{reply.entry_id}:1"),
                     InlineKeyboardButton(convert("👎 没用", script), callback_data=f"{CB_FEEDBACK}:{reply.entry_id}:0")])
    return InlineKeyboardMarkup(rows) if rows else None


def messages(reply: Reply, *, feedback: bool = True, script: str = SIMPLIFIED,
             expandable: bool = True) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """(html, keyboard) per message; the keyboard goes under the last part. The one place where a
    reply is put in the reader's script (text and button labels; callback data is unchanged).
    `expandable=False`: quotes as plain lines, for a server that rejects <blockquote expandable>."""
    reply = convert_reply(reply, script)
    chunks = render_html_chunks(reply, expandable=expandable)
    markup = keyboard(reply, feedback=feedback, script=script)
    return [(chunk, markup if i == len(chunks) - 1 else None) for i, chunk in enumerate(chunks)]
