"""/privacy: what is stored, for how long, how to delete it. /forget: delete everything about
the user (in a group: the group's data, by its admins), after a confirmation button."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from ...storage import (GAP_RETENTION_DAYS, REPORT_RETENTION_DAYS, UNSUBSCRIBED_RETENTION_DAYS,
                        USER_RETENTION_DAYS)
from ..constants import CB_FORGET
from ..jobs import rebuild_schedule, schedule_prune
from ..services import services
from .chats import GROUP_ADMINS_ONLY, in_private, is_group_admin

log = logging.getLogger(__name__)


def _period(days: int) -> str:
    return f"{days // 365} 年" if days % 365 == 0 else f"{days} 天"


PRIVACY_TEXT = f"""🔒 <b>隐私说明：我们保存什么、保存多久、怎么删除</b>

<b>保存的只有这些</b>
• 聊天编号（Telegram 的 chat id，不是手机号），以及第一次和最近一次使用的<b>日期</b>（不记具体时间）
• 订阅：每天几点发小贴士、从哪天开始订阅
• 你举报的号码和你写的说明（说明里的手机号、身份证号、银行卡号会打码）
• 设置：回复用简体还是繁體；群里的防骗守护开没开
• 你对回答点的 👍/👎：哪条回答、有没有用（不记时间）
• 没能回答好的问题：只存问题文字和日期，<b>不存聊天编号</b>，对应不到任何人；里面的号码会打码，用来补充知识库

<b>不保存</b>：你发来的其他消息、查过的号码和链接、截图、转发的短信。为了重启时不丢消息，收到的消息只暂存到处理完为止，然后清空；另外只按天记各类请求的总数（不带聊天编号）。

<b>保存多久</b>
• 聊天编号、使用日期、👍/👎 和设置：最后一次使用后 {_period(USER_RETENTION_DAYS)}删除（订阅中或群防骗守护开着时保留）
• 订阅：取消后 {_period(UNSUBSCRIBED_RETENTION_DAYS)}删除
• 举报：{_period(REPORT_RETENTION_DAYS)}后删除
• 没能回答的问题：{_period(GAP_RETENTION_DAYS)}后删除

<b>怎么删除</b>
• 发送 /forget：删除关于你的全部数据（点确认后立即删除）
• 只想停掉小贴士：发送 /unsubscribe
• 群里：群管理员在群里发送 /forget，删除本群的数据"""

FORGET_ASK = ("确定要删除关于你的全部数据吗？包括：聊天编号和使用日期、订阅、举报、回复文字设置、👍/👎 记录。"
              "删除后无法恢复。")
FORGET_ASK_GROUP = ("确定要删除本群的全部数据吗？包括：本群的订阅、回复文字和防骗守护设置、提醒记录。"
                    "群成员自己的数据请各自在和我的私聊里发送 /forget。")
FORGET_NOT_ADMIN = (GROUP_ADMINS_ONLY.format(action="删除本群的数据") +
                    "你自己的数据，请在和我的私聊里发送 /forget。")
FORGOTTEN = ("✅ 已删除关于你的全部数据。以后你再给我发消息，我会重新记下聊天编号和使用日期"
             "（发送 /privacy 查看说明）。")
FORGOTTEN_GROUP = "✅ 已删除本群的全部数据（订阅、设置和提醒记录）。"
KEPT = "好的，什么都没有删除。"
YES, NO = "yes", "no"


def forget_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("🗑 确认删除", callback_data=f"{CB_FORGET}:{YES}"),
                                  InlineKeyboardButton("取消", callback_data=f"{CB_FORGET}:{NO}")]])


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/privacy"""
    await update.effective_message.reply_html(PRIVACY_TEXT)


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: ask for confirmation (in a group: admins only, for the group's data)."""
    private = in_private(update)
    if not private and not await is_group_admin(update, context):
        await update.effective_message.reply_html(FORGET_NOT_ADMIN)
        return
    await update.effective_message.reply_html(FORGET_ASK if private else FORGET_ASK_GROUP,
                                              reply_markup=forget_markup())


async def on_forget_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The confirmation: delete, or keep everything."""
    query = update.callback_query
    choice = query.data.split(":", 1)[1]
    private = in_private(update)
    if choice != YES:
        await query.answer()
        await query.edit_message_text(KEPT)
        return
    if not private and not await is_group_admin(update, context):
        await query.answer(GROUP_ADMINS_ONLY.format(action="删除本群的数据"), show_alert=True)
        return
    await query.answer()
    svc = services(context)
    chat_id = update.effective_chat.id
    removed = svc.storage.forget(chat_id)
    if context.chat_data is not None:
        context.chat_data.clear()
    if private and context.user_data is not None:
        context.user_data.clear()
    if removed.get("subscribers"):
        rebuild_schedule(context.application)  # its tip slot may have no subscriber left
    log.info("A chat's data was deleted on request (%d rows)", sum(removed.values()))
    await query.edit_message_text(FORGOTTEN if private else FORGOTTEN_GROUP)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("privacy", privacy_command))
    app.add_handler(CommandHandler("forget", forget_command))
    app.add_handler(CallbackQueryHandler(on_forget_button, pattern=f"^{CB_FORGET}:"))
    if app.job_queue is not None:
        schedule_prune(app)  # the retention periods told above, applied daily
