"""Community reports: /report NUMBER [what happened], or the 🚩 button under a verdict.

One report per user per number counts; a user may file a few per hour. Reports never turn an
official number into a scam number: they read as "someone may be spoofing it" and go to admins.
"""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from ...core.checker import INVALID, OFFICIAL, clean_number
from ...storage import ADDED, DUPLICATE
from ..constants import CB_REPORT
from ..services import services

log = logging.getLogger(__name__)


def split_number(args: list[str]) -> tuple[str, str]:
    """The number (possibly typed with spaces: '138 0013 8000') and the note after it."""
    for cut in range(len(args), 0, -1):
        if clean_number(" ".join(args[:cut])) is not None:
            return " ".join(args[:cut]), " ".join(args[cut:])
    return args[0] if args else "", " ".join(args[1:])


async def _report(update: Update, context: ContextTypes.DEFAULT_TYPE, raw: str, note: str) -> str:
    svc = services(context)
    result = svc.assistant.checker.check(raw)
    if result.verdict == INVALID or result.normalized is None:
        return "这不是一个有效的电话号码。用法：<code>/report 号码 发生了什么</code>"
    status = svc.storage.add_report(result.normalized, update.effective_user.id, note, svc.now(),
                                    svc.settings.reports_per_hour)
    count = svc.storage.report_count(result.normalized)
    number = html.escape(result.normalized)
    if status == DUPLICATE:
        return f"你已经举报过 {number} 了（每人每个号码只计一次）。目前共有 {count} 位用户举报。"
    if status != ADDED:
        return "你这一小时里举报得太多了，请稍后再试。紧急情况请直接拨打 110。"
    if result.verdict == OFFICIAL:
        name = html.escape(result.institution.name_zh) if result.institution else "官方"
        await notify_admins(context, f"🚩 有用户举报了{name}的官方号码 {number}：可能有人在冒用。发送 /reports 审核。")
        return (f"已记录。{number} 是{name}的官方号码，号码本身不会被标成诈骗号码；"
                "你的举报说明可能有人在冒用（伪造）它，已转给管理员核查。")
    return f"已记录，谢谢你提醒大家。{number} 现在已有 {count} 位用户举报。"


async def notify_admins(context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    for admin in services(context).settings.admin_ids:
        try:
            await context.bot.send_message(admin, text)
        except Exception:  # an admin who never started the bot cannot be messaged
            log.warning("Could not notify an admin")


async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/report NUMBER [what happened]"""
    if not context.args:
        await update.effective_message.reply_html(
            "用法：<code>/report 号码 发生了什么</code>，例如 <code>/report 17012345678 冒充花呗客服要验证码</code>。")
        return
    raw, note = split_number(context.args)
    await update.effective_message.reply_html(await _report(update, context, raw, note))


async def on_report_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """🚩 under a verdict."""
    query = update.callback_query
    text = ""
    try:
        text = await _report(update, context, query.data.split(":", 1)[1], "")
    finally:  # acknowledged even when recording failed (the error handler apologises)
        await query.answer("已记录" if text.startswith("已记录") else "")
    await query.message.reply_html(text)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("report", report_command))
    app.add_handler(CallbackQueryHandler(on_report_button, pattern=f"^{CB_REPORT}:"))
