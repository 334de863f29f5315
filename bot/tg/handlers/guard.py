"""The family-group guard (opt-in). A group admin turns it on with `/guard on` (`/guard off`); the
choice is stored (storage.set_guard). With it on, messages posted in the group that carry a link,
a phone number, an image or scam signals are scanned, and only a high-risk one gets one short
warning in reply, with a button that shows the full scan in place. Ordinary chatter never gets a
reply, and a group gets at most WARNINGS_PER_HOUR warnings an hour (storage.claim_guard_warning).

The bot only sees group messages that are not addressed to it when privacy mode is off
(BotFather: /setprivacy → Disable) or when it is an admin of the group; `/guard on` says so.
"""

from __future__ import annotations

import html
import logging
from collections import OrderedDict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from ...core.locale import convert
from ...core.ocr import OcrError
from ...core.scanner import HIGH, ScanResult
from ..constants import CB_GUARD, GUARD_SCANS
from ..services import services
from .chats import is_group_admin
from .common import ADDRESSED, reply_script
from .photo import IMAGES, has_image, read_image, send_in_place

log = logging.getLogger(__name__)

WARNINGS_PER_HOUR = 3     # per group: a scam wave must not turn the bot into the group's noise
REMEMBERED_SCANS = 50     # per group, for the details button (older warnings fall back to the message)
ON_WORDS = ("on", "开", "开启", "打开")
OFF_WORDS = ("off", "关", "关闭")

PRIVACY_HINT = ("要让我看到群里的消息，请二选一：在 @BotFather 里对本机器人发 /setprivacy，选 Disable"
                "（关闭隐私模式；改完后把我移出群再重新拉进来），或者把我设为本群管理员。")
GUARD_ON = ("🛡️ 防骗守护已开启。群里有人发带链接、号码或截图的高风险消息时，我会回复一条简短提醒；"
            "平时不说话，每小时最多提醒 {n} 次。关闭：/guard off")
GUARD_OFF = "防骗守护已关闭，我不再查看群消息（点名问我或回复我时照常回答）。开启：/guard on"
GUARD_USAGE = "防骗守护现在是{state}。群管理员可以发 /guard on 开启，/guard off 关闭。"
GUARD_NOT_ADMIN = "抱歉，只有本群的群主或管理员可以开关防骗守护。"
GUARD_PRIVATE = ("防骗守护是给家庭群用的：把我拉进群，由群管理员在群里发 /guard on。"
                 "开启后，有人发高风险的链接、号码或截图，我会在群里提醒大家。")
DETAILS = "🔍 查看详情"
DETAILS_GONE = "这条提醒的详情已经找不到了。把那条消息转发给我私聊，我可以重新检查。"


def warning_text(result: ScanResult) -> str:
    """One short warning: what it looks like, the strongest evidence, what not to do."""
    kind = f"（像“{result.fraud_type.type.name}”）" if result.fraud_type is not None else ""
    signal = f"可疑之处：{result.signals[0].label}。" if result.signals else ""
    return (f"⚠️ 防骗提醒：这条消息很可能是诈骗{kind}。{signal}"
            "不要点里面的链接，不要转账，不要告诉任何人验证码。")


async def _sees_group_messages(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    """Privacy mode off (getMe's can_read_all_group_messages), or an admin of the group."""
    if context.bot.bot.can_read_all_group_messages:
        return True
    try:
        me = await context.bot.get_chat_member(chat_id, context.bot.id)
    except TelegramError:
        return False
    return me.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def guard_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/guard on|off: a group admin turns the family-group guard on or off."""
    chat = update.effective_chat
    message = update.effective_message
    svc = services(context)
    script = reply_script(update, context)

    async def say(text: str) -> None:
        await message.reply_html(html.escape(convert(text, script)))

    if chat.type == ChatType.PRIVATE:
        await say(GUARD_PRIVATE)
        return
    word = context.args[0].lower() if context.args else ""
    if word not in ON_WORDS + OFF_WORDS:
        await say(GUARD_USAGE.format(state="开启的" if svc.storage.guard_enabled(chat.id) else "关闭的"))
        return
    if not await is_group_admin(update, context):
        await say(GUARD_NOT_ADMIN)
        return
    enabled = word in ON_WORDS
    svc.storage.set_guard(chat.id, enabled, svc.now())
    log.info("Group guard turned %s", "on" if enabled else "off")
    if not enabled:
        await say(GUARD_OFF)
        return
    text = GUARD_ON.format(n=WARNINGS_PER_HOUR)
    if not await _sees_group_messages(context, chat.id):
        text += "\n\n" + PRIVACY_HINT
    await say(text)


def _remember(context: ContextTypes.DEFAULT_TYPE, message_id: int, text: str, from_image: bool) -> None:
    scans: OrderedDict = context.chat_data.setdefault(GUARD_SCANS, OrderedDict())
    scans[message_id] = (text, from_image)
    while len(scans) > REMEMBERED_SCANS:
        scans.popitem(last=False)


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group message not addressed to the bot: silent unless the guard is on and it is high risk."""
    message = update.effective_message
    chat = update.effective_chat
    if message.from_user is not None and message.from_user.is_bot:
        return
    svc = services(context)
    if not svc.storage.guard_enabled(chat.id):
        return
    text = message.text or message.caption or ""
    result = svc.assistant.scanner.scan(text, svc.storage.report_count) if text.strip() else None
    from_image = False
    if (result is None or result.risk != HIGH) and has_image(message):
        image_text = await _read_quietly(context, message)
        if image_text:
            text = f"{text}\n{image_text}".strip()
            result = svc.assistant.scanner.scan(text, svc.storage.report_count)
            from_image = True
    if result is None or result.risk != HIGH:
        return
    if not svc.storage.claim_guard_warning(chat.id, svc.now(), WARNINGS_PER_HOUR):
        log.info("Group guard: hourly warning limit reached")
        return
    _remember(context, message.message_id, text, from_image)
    svc.storage.count("guard", "warned", svc.local_now())
    script = reply_script(update, context)
    button = InlineKeyboardButton(convert(DETAILS, script), callback_data=f"{CB_GUARD}:{message.message_id}")
    await message.reply_html(html.escape(convert(warning_text(result), script)),
                             reply_markup=InlineKeyboardMarkup([[button]]))


async def _read_quietly(context: ContextTypes.DEFAULT_TYPE, message: Message) -> str:
    """An image posted in a guarded group, read only when the worker is idle and the group is
    within its image budget: the guard never makes anyone who asked the bot directly wait, and
    a failure is never announced to the group."""
    svc = services(context)
    if not svc.ocr.available() or svc.ocr.busy or not svc.allow_image(message.chat.id, svc.images_per_group):
        return ""
    try:
        return await read_image(context, message)
    except (OcrError, TelegramError) as error:
        log.info("Group guard could not read an image: %s", getattr(error, "reason", error))
        return ""


async def on_details(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The button under a warning: the full scan, in place of the warning."""
    query = update.callback_query
    await query.answer()
    svc = services(context)
    try:
        message_id = int(query.data.split(":", 1)[1])
    except ValueError:
        return
    remembered = (context.chat_data or {}).get(GUARD_SCANS, {}).get(message_id)
    if remembered is None:
        original = query.message.reply_to_message
        text = (original.text or original.caption or "") if original is not None else ""
        remembered = (text, False) if text.strip() else None
    script = reply_script(update, context)
    if remembered is None:
        await query.message.reply_html(html.escape(convert(DETAILS_GONE, script)))
        return
    text, from_image = remembered
    response = svc.assistant.scan_image_text(text) if from_image else svc.assistant.scan(text)
    await send_in_place(query.message, query.message, response.reply, script)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("guard", guard_command))
    app.add_handler(CallbackQueryHandler(on_details, pattern=rf"^{CB_GUARD}:-?\d+$"))
    # Group 1, after group 0 has answered whatever was addressed to the bot: group messages NOT
    # addressed to it (those are group 0's: commands, mentions, replies to the bot), new ones only.
    # The handler stays silent unless the group turned the guard on; block=False as for photos
    # (reading an image takes seconds).
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & ~filters.COMMAND & ~ADDRESSED
                                   & (filters.TEXT | filters.CAPTION | IMAGES), on_group_message, block=False),
                    group=1)

