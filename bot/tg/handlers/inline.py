"""Inline mode: `@bot 95188` or `@bot 花呗上门核实` in any chat offers the verdict or the answer
as a message the user can send to a friend or a family group."""

from __future__ import annotations

import hashlib

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, InlineQueryHandler

from ...core.assistant import CHECK, SCAN
from ...core.matcher import ANSWERED, SUGGEST
from ...core.locale import convert
from ...core.replies import Reply
from ..render import messages
from ..services import services
from .common import reply_script

MAX_INLINE_QUERY = 256   # Telegram's own limit for inline queries
POPULAR = ("theft-first-steps", "home-verification-call", "verification-code", "frozen-card-message",
           "scam-transfer-recover")


def _article(key: str, title: str, description: str, reply: Reply, script: str) -> InlineQueryResultArticle:
    text = messages(reply, feedback=False, script=script)[0][0]  # one message: the first part (answers fit in one)
    return InlineQueryResultArticle(
        id=hashlib.sha1(f"{script}:{key}".encode()).hexdigest()[:32], title=convert(title, script)[:100],
        description=convert(description, script)[:200],
        input_message_content=InputTextMessageContent(text, parse_mode=ParseMode.HTML))


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer a verdict or answers for what the user typed after @bot."""
    query = update.inline_query
    assistant = services(context).assistant
    text = query.query.strip()[:MAX_INLINE_QUERY]
    script = reply_script(update, context)
    results: list[InlineQueryResultArticle] = []
    if not text:
        for entry_id in POPULAR:
            entry = assistant.knowledge.get(entry_id)
            if entry is not None:
                results.append(_article(entry.id, entry.question, entry.answer.splitlines()[0],
                                        assistant.entry_reply(entry.id), script))
    else:
        response = assistant.respond(text)
        if response.kind in (CHECK, SCAN):
            first = response.reply.lines[0].text
            detail = response.reply.lines[1].text if len(response.reply.lines) > 1 else ""
            results.append(_article(f"{response.kind}:{text}", first, detail.replace("•", "").strip(), response.reply,
                                    script))
        elif response.match is not None and response.match.status in (ANSWERED, SUGGEST):
            entries = ([response.match.entry] if response.match.status == ANSWERED else []) + \
                [c.entry for c in response.match.alternatives]
            for entry in entries[:3]:
                results.append(_article(entry.id, entry.question, entry.answer.splitlines()[0],
                                        assistant.entry_reply(entry.id), script))
        else:
            reply = assistant.no_match_reply()
            results.append(_article("no_match", "这个问题我还不会回答", "紧急情况请拨打 110；支付宝问题拨 95188", reply,
                                    script))
    await query.answer(results, cache_time=60)


def register(app: Application) -> None:
    app.add_handler(InlineQueryHandler(on_inline))
