"""Admin tools (BOT_ADMIN_IDS): /stats, /reload, /broadcast (with confirmation), /reports.

To anyone else these commands look exactly like an unknown command. They work in a private chat
with the bot only: in a group an admin gets one line saying so, and no data is shown there.
"""

from __future__ import annotations

import asyncio
import functools
import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from ...core.assistant import Assistant
from ...core.replies import VERDICT_LINE
from ...core.validation import KnowledgeError
from ..constants import CB_ADMIN
from ..jobs import plan_broadcast, send_broadcast
from ..services import services
from .chats import in_private
from .common import UNKNOWN_COMMAND

log = logging.getLogger(__name__)
MAX_BROADCAST_CHARS = 3500
PRIVATE_ONLY = "管理员命令只在和我的私聊里使用，请私聊我发送。"


def admin_only(handler):
    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if not services(context).is_admin(user.id if user else None):
            if update.callback_query:
                await update.callback_query.answer()
            else:
                await update.effective_message.reply_html(UNKNOWN_COMMAND)
            return
        if not in_private(update):  # reporters' notes, counts and drafts are not for a group
            if update.callback_query:
                await update.callback_query.answer(PRIVATE_ONLY, show_alert=True)
            else:
                await update.effective_message.reply_html(PRIVATE_ONLY)
            return
        await handler(update, context)
    return wrapper


def _share(part: int, total: int) -> str:
    return f"{part}（{part / total:.0%}）" if total else str(part)


def stats_text(svc) -> str:
    stats = svc.storage.stats()
    questions = stats["counters"].get("question", {})
    asked = sum(v for k, v in questions.items() if k in ("answered", "suggest", "no_match"))
    checks = stats["counters"].get("check", {})
    scans = stats["counters"].get("scan", {})
    knowledge = svc.assistant.knowledge
    lines = [
        "<b>📊 使用统计</b>",
        f"用户：{stats['users']}",
        f"提问：{asked}；直接回答 {_share(questions.get('answered', 0), asked)}，"
        f"给出建议 {_share(questions.get('suggest', 0), asked)}，"
        f"超出范围 {_share(questions.get('no_match', 0), asked)}；点选问题 {questions.get('picked', 0)}",
        "查号码：" + (("、".join(f"{k} {v}" for k, v in sorted(checks.items()))) or "0"),
        "检查消息：" + (("、".join(f"{k} {v}" for k, v in sorted(scans.items()))) or "0"),
        "识别截图：" + (("、".join(f"{k} {v}" for k, v in sorted(stats["counters"].get("image", {}).items()))) or "0"),
        f"群守护提醒：{stats['counters'].get('guard', {}).get('warned', 0)}",
        f"反馈：👍 {stats['feedback_useful']}，👎 {stats['feedback_not_useful']}",
        f"订阅者：{stats['subscribers']}",
        f"举报：{stats['reports']}（待审核 {stats['reports_new']}）",
        f"待补充的问题：{stats['gaps']}（命令行 <code>python -m bot gaps</code> 查看）",
        f"知识库：{len(knowledge.entries)} 条问答，{len(knowledge.numbers)} 个官方号码，{len(knowledge.tips)} 条小贴士",
    ]
    return "\n".join(lines)


@admin_only
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats"""
    await update.effective_chat.send_action(ChatAction.TYPING)
    await update.effective_message.reply_html(stats_text(services(context)))


@admin_only
async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: load the knowledge again; a file that fails validation keeps the old one."""
    svc = services(context)
    await update.effective_chat.send_action(ChatAction.TYPING)
    try:
        fresh = await asyncio.to_thread(
            lambda: Assistant.load(svc.settings.knowledge_dir, encoder=svc.settings.encoder).warm())
    except KnowledgeError as exc:
        problems = "\n".join(f"• {html.escape(p)}" for p in exc.problems[:10])
        more = f"\n…另有 {len(exc.problems) - 10} 个问题" if len(exc.problems) > 10 else ""
        await update.effective_message.reply_html(f"❌ 知识库没有通过检查，继续使用原来的版本：\n{problems}{more}")
        return
    svc.assistant = fresh
    k = fresh.knowledge
    log.info("Knowledge reloaded: %d entries, %d numbers, %d tips", len(k.entries), len(k.numbers), len(k.tips))
    await update.effective_message.reply_html(
        f"✅ 已重新加载：{len(k.entries)} 条问答、{len(k.numbers)} 个官方号码、{len(k.tips)} 条小贴士。")


@admin_only
async def broadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcast TEXT: preview and ask for confirmation before sending to all subscribers."""
    svc = services(context)
    message = update.effective_message
    text = message.text.split(maxsplit=1)[1].strip() if len(message.text.split(maxsplit=1)) > 1 else ""
    if not text:
        await message.reply_html("用法：<code>/broadcast 要发给所有订阅者的内容</code>")
        return
    if len(text) > MAX_BROADCAST_CHARS:
        await message.reply_html(f"内容太长（{len(text)} 字），请控制在 {MAX_BROADCAST_CHARS} 字以内。")
        return
    broadcast_id = svc.storage.create_broadcast(text, update.effective_user.id, svc.now())
    # Off the event loop: at a million subscribers the walk takes a noticeable fraction of a second.
    recipients = await asyncio.to_thread(plan_broadcast, svc.storage)
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton("✅ 确认发送", callback_data=f"{CB_ADMIN}:bc:{broadcast_id}:go"),
        InlineKeyboardButton("✖️ 取消", callback_data=f"{CB_ADMIN}:bc:{broadcast_id}:no")]])
    await message.reply_html(f"将发给 {recipients} 位订阅者（按 Telegram 限速发送）。预览：\n\n"
                             f"📢 <b>反诈提醒</b>\n\n{html.escape(text)}", reply_markup=buttons)


@admin_only
async def reports_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reports: new reports, each with confirm / dismiss buttons."""
    svc = services(context)
    reports = svc.storage.reports_to_review(limit=5)
    if not reports:
        await update.effective_message.reply_html("没有待审核的举报。")
        return
    for report in reports:
        check = svc.assistant.checker.check(report.number)
        verdict = VERDICT_LINE.get(check.verdict, "❔ 未知号码") + (
            f"（{check.institution.name_zh}）" if check.institution else "")
        text = (f"🚩 举报 #{report.id}：<code>{html.escape(report.number)}</code> — {html.escape(verdict)}\n"
                f"累计 {svc.storage.report_count(report.number)} 位用户举报\n"
                f"说明：{html.escape(report.note) or '（无）'}")
        buttons = InlineKeyboardMarkup([[
            InlineKeyboardButton("✅ 确认", callback_data=f"{CB_ADMIN}:rp:{report.id}:ok"),
            InlineKeyboardButton("🗑 驳回", callback_data=f"{CB_ADMIN}:rp:{report.id}:no")]])
        await update.effective_message.reply_html(text, reply_markup=buttons)


@admin_only
async def on_admin_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Broadcast confirmation and report review buttons."""
    query = update.callback_query
    svc = services(context)
    _, kind, ident, action = query.data.split(":")
    await query.answer()
    if kind == "bc":
        if action == "go" and svc.storage.set_broadcast_status(int(ident), "sending", expect="draft"):
            context.application.create_task(send_broadcast(context.application, int(ident)))
            await query.edit_message_text(f"📢 群发 #{ident} 已开始，完成后会通知你。")
        elif action == "no" and svc.storage.set_broadcast_status(int(ident), "cancelled", expect="draft"):
            await query.edit_message_text(f"群发 #{ident} 已取消。")
        else:
            await query.edit_message_text(f"群发 #{ident} 已经处理过了。")
    elif kind == "rp":
        status = "confirmed" if action == "ok" else "dismissed"
        if svc.storage.set_report_status(int(ident), status):
            await query.edit_message_text(f"举报 #{ident} 已{'确认' if status == 'confirmed' else '驳回'}。")
        else:
            await query.edit_message_text(f"举报 #{ident} 已经不存在了（可能已过期或被删除）。")


def register(app: Application) -> None:
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(CommandHandler("reload", reload_command))
    app.add_handler(CommandHandler("broadcast", broadcast_command))
    app.add_handler(CommandHandler("reports", reports_command))
    app.add_handler(CallbackQueryHandler(on_admin_button, pattern=f"^{CB_ADMIN}:(bc|rp):\\d+:(go|no|ok)$"))
