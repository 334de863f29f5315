"""Daily safety tips: /subscribe (buttons or /subscribe 08:30), /unsubscribe, /status. In a group
only its owner and admins may subscribe it, change its time or stop it; anyone may ask /status."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from ..constants import CB_SUBSCRIBE, TIP_TIMES
from ..jobs import rebuild_schedule
from ..services import services
from .chats import GROUP_ADMINS_ONLY, may_change_chat

NOT_ADMIN = GROUP_ADMINS_ONLY.format(action="更改本群的小贴士订阅")

# Accepted ways to write a time of day: 08:30, 8:30, 8：30, 8.30, 0830, 8点, 8点30, 8点30分, 8点半.
_TIME_FORMS = (
    re.compile(r"(\d{1,2})[:.](\d{2})"),
    re.compile(r"(\d{2})(\d{2})"),
    re.compile(r"(\d{1,2})点(?:(\d{1,2})分?|(半))?"),
)


def parse_time(text: str) -> str | None:
    """The time of day in `text` as 'HH:MM', or None when it is not one."""
    text = text.strip().replace("：", ":")
    for form in _TIME_FORMS:
        match = form.fullmatch(text)
        if match:
            groups = match.groups()
            hour = int(groups[0])
            minute = 30 if len(groups) > 2 and groups[2] else int(groups[1] or 0)
            return f"{hour:02d}:{minute:02d}" if hour <= 23 and minute <= 59 else None
    return None


def subscribe_menu(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> tuple[str, InlineKeyboardMarkup]:
    svc = services(context)
    current = svc.storage.subscription(chat_id)
    rows = [[InlineKeyboardButton(("✅ " if current and current.active and current.send_time == t else "") + t,
                                  callback_data=f"{CB_SUBSCRIBE}:{t}") for t in TIP_TIMES[i:i + 3]]
            for i in range(0, len(TIP_TIMES), 3)]
    if current and current.active:
        rows.append([InlineKeyboardButton("🔕 停止订阅", callback_data=f"{CB_SUBSCRIBE}:off")])
    zone = svc.settings.timezone
    text = (f"每天在你选的时间收到一条简短的防骗小贴士（{zone} 时间）。选一个时间，"
            f"或者发送 <code>/subscribe 08:30</code> 自定义：")
    return text, InlineKeyboardMarkup(rows)


def next_delivery(now: dt.datetime, send_time: str, zone: str, last_sent: str | None) -> dt.datetime:
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    hour, minute = map(int, send_time.split(":"))
    slot = dt.datetime.combine(local.date(), dt.time(hour, minute), tz)
    if local >= slot or last_sent == local.date().isoformat():
        slot += dt.timedelta(days=1)
    return slot


async def _subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE, send_time: str) -> str:
    svc = services(context)
    chat_id = update.effective_chat.id
    zone = svc.settings.timezone
    previous = svc.storage.subscription(chat_id)
    svc.storage.subscribe(chat_id, send_time, zone, svc.now())
    rebuild_schedule(context.application)  # adds this slot's job, drops slots nobody uses now
    when = next_delivery(svc.now(), send_time, zone, previous.last_sent_date if previous else None)
    changed = previous is not None and previous.active and previous.send_time != send_time
    head = "✅ 已改为" if changed else "✅ 已订阅："
    return (f"{head}每天 {send_time}（{zone}）发一条防骗小贴士。下一条：{when:%m月%d日 %H:%M}。"
            "随时发送 /unsubscribe 取消。")


async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe shows time buttons; /subscribe 08:30 subscribes (or changes the time)."""
    if not await may_change_chat(update, context):
        await update.effective_message.reply_html(NOT_ADMIN)
        return
    if context.args:
        send_time = parse_time(" ".join(context.args))
        if send_time is None:
            await update.effective_message.reply_html("时间格式不对。请这样发：<code>/subscribe 08:30</code>（24 小时制）。")
            return
        await update.effective_message.reply_html(await _subscribe(update, context, send_time))
        return
    text, markup = subscribe_menu(context, update.effective_chat.id)
    await update.effective_message.reply_html(text, reply_markup=markup)


async def on_subscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A time button, or 🔕 (also under each tip)."""
    query = update.callback_query
    value = query.data.split(":", 1)[1]
    if not await may_change_chat(update, context):
        await query.answer(NOT_ADMIN, show_alert=True)
        return
    if value == "off":
        await query.answer()
        stopped = services(context).storage.unsubscribe(update.effective_chat.id, services(context).now())
        await query.message.reply_html("🔕 已取消订阅，不会再收到小贴士。想再订阅，发送 /subscribe。" if stopped
                                       else "你现在没有订阅小贴士。")
        return
    send_time = parse_time(value)
    if send_time is None:
        await query.answer("时间无效")
        return
    await query.answer("已订阅")
    await query.edit_message_text(await _subscribe(update, context, send_time))


async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe"""
    svc = services(context)
    if not await may_change_chat(update, context):
        await update.effective_message.reply_html(NOT_ADMIN)
        return
    stopped = svc.storage.unsubscribe(update.effective_chat.id, svc.now())
    await update.effective_message.reply_html("🔕 已取消订阅。想再订阅，发送 /subscribe。" if stopped
                                              else "你现在没有订阅小贴士。发送 /subscribe 可以订阅。")


async def status_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status: the current subscription."""
    svc = services(context)
    sub = svc.storage.subscription(update.effective_chat.id)
    if sub is None or not sub.active:
        await update.effective_message.reply_html("你还没有订阅每日防骗小贴士。发送 /subscribe 选择时间。")
        return
    when = next_delivery(svc.now(), sub.send_time, sub.timezone, sub.last_sent_date)
    total = len(svc.assistant.knowledge.tips)
    await update.effective_message.reply_html(
        f"🔔 已订阅：每天 {sub.send_time}（{sub.timezone}）。下一条：{when:%m月%d日 %H:%M}。\n"
        f"小贴士共 {total} 条，每条都发过一遍后才会重复。发送 /unsubscribe 取消。")


def register(app: Application) -> None:
    app.add_handler(CommandHandler("subscribe", subscribe_command))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe_command))
    app.add_handler(CommandHandler("status", status_command))
    app.add_handler(CallbackQueryHandler(on_subscribe_button, pattern=f"^{CB_SUBSCRIBE}:"))
