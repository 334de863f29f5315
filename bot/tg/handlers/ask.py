"""Plain text, forwarded messages, shared contacts and /check, and the buttons under answers.

The core decides what a text is (`Assistant.respond`): a number is checked, a message scanned, a
question answered. This module only records usage, sends the reply and handles the taps.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from ...core.assistant import CHECK, QUESTION, SCAN, Response
from ...core.matcher import NO_MATCH
from ..constants import CB_ENTRY, CB_FEEDBACK, CB_NONE, LAST_QUESTION
from ..render import messages
from ..services import services
from .common import ADDRESSED, reply_script, send_reply, strip_mention

# Scanning this much text can take a few milliseconds more: show "typing…" first.
TYPING_FROM_CHARS = 300
STALE_FEEDBACK = "这条回答已经更新或下线了，谢谢你的反馈。"


def _record(context: ContextTypes.DEFAULT_TYPE, response: Response, text: str) -> None:
    svc = services(context)
    now = svc.local_now()
    if response.kind == QUESTION and response.match is not None:
        svc.storage.count("question", response.match.status, now)
        context.chat_data[LAST_QUESTION] = text[:300]
        if response.match.status == NO_MATCH:
            svc.storage.record_gap(text, "no_match", now)
    elif response.kind == CHECK and response.check is not None:
        svc.storage.count("check", response.check.verdict, now)
    elif response.kind == SCAN and response.scan is not None:
        svc.storage.count("scan", response.scan.risk, now)


async def _respond(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, *, forwarded: bool = False) -> None:
    svc = services(context)
    if len(text) >= TYPING_FROM_CHARS:
        await update.effective_chat.send_action(ChatAction.TYPING)
    response = svc.assistant.respond(text, forwarded=forwarded, reports=svc.storage.report_count)
    _record(context, response, text)
    await send_reply(update.effective_message, response.reply, script=reply_script(update, context))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question, a number or a pasted message, in the user's own words."""
    message = update.effective_message
    text = strip_mention(message.text or message.caption or "", context.bot.username)
    await _respond(update, context, text)


async def on_forwarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A forwarded message (text or caption) is always scanned."""
    message = update.effective_message
    await _respond(update, context, message.text or message.caption or "", forwarded=True)


async def _check(update: Update, context: ContextTypes.DEFAULT_TYPE, raw: str) -> None:
    svc = services(context)
    response = svc.assistant.check(raw, svc.storage.report_count)
    _record(context, response, "")
    await send_reply(update.effective_message, response.reply, script=reply_script(update, context))


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared contact is checked by its phone number (never logged or stored)."""
    await _check(update, context, update.effective_message.contact.phone_number)


async def check_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/check NUMBER"""
    if not context.args:
        await update.effective_message.reply_html("用法：<code>/check 号码</code>，例如 <code>/check 021-95588</code>。"
                                                  "也可以直接把号码发给我。")
        return
    await _check(update, context, " ".join(context.args))


async def on_entry_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question button: under suggestions it replaces them with the answer; elsewhere
    (related questions, menus) the answer comes as a new message."""
    query = update.callback_query
    await query.answer()
    svc = services(context)
    reply = svc.assistant.entry_reply(query.data.split(":", 1)[1])
    if reply is None:
        await query.message.reply_html("这个问题已经更新或下线了，请重新提问。")
        return
    svc.storage.count("question", "picked", svc.local_now())
    script = reply_script(update, context)
    parts = messages(reply, script=script)
    buttons = query.message.reply_markup.inline_keyboard if query.message.reply_markup else ()
    was_suggestion = any(b.callback_data == CB_NONE for row in buttons for b in row)
    if was_suggestion and len(parts) == 1:
        await query.edit_message_text(parts[0][0], reply_markup=parts[0][1])
    else:
        await send_reply(query.message, reply, script=script)


async def on_none(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "None of these": say honestly it is outside what we know, and note the gap."""
    query = update.callback_query
    await query.answer()
    svc = services(context)
    question = context.chat_data.get(LAST_QUESTION)
    if question:
        svc.storage.record_gap(question, "none_of_these", svc.local_now())
    (text, markup), *_ = messages(svc.assistant.none_of_these_reply(), script=reply_script(update, context))
    await query.edit_message_text(text, reply_markup=markup)


async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One tap: 👍 or 👎 on an answer, never a follow-up form. Only votes on entries that exist
    are stored (callback data can be forged: a made-up id is acknowledged and dropped)."""
    query = update.callback_query
    svc = services(context)
    _, entry_id, value = query.data.split(":")
    if svc.assistant.knowledge.get(entry_id) is None:
        await query.answer(STALE_FEEDBACK)
        return
    useful = value == "1"
    await query.answer("谢谢反馈！" if useful else "谢谢，我们会改进这个回答。")
    svc.storage.record_feedback(update.effective_user.id, entry_id, useful)
    if not useful and context.chat_data.get(LAST_QUESTION):
        svc.storage.record_gap(context.chat_data[LAST_QUESTION], "not_useful", svc.local_now())


def register(app: Application) -> None:
    app.add_handler(CommandHandler("check", check_command))
    app.add_handler(CallbackQueryHandler(on_entry_button, pattern=f"^{CB_ENTRY}:"))
    app.add_handler(CallbackQueryHandler(on_none, pattern=f"^{CB_NONE}$"))
    app.add_handler(CallbackQueryHandler(on_feedback, pattern=rf"^{CB_FEEDBACK}:[^:]+:[01]$"))
    # Order matters within the group: forwarded before plain text (a forward has text too).
    app.add_handler(MessageHandler(filters.FORWARDED & (filters.TEXT | filters.CAPTION) & ADDRESSED, on_forwarded))
    app.add_handler(MessageHandler(filters.CONTACT & ADDRESSED, on_contact))
    app.add_handler(MessageHandler((filters.TEXT | filters.CAPTION) & ~filters.COMMAND & ADDRESSED, on_text))
