"""Start, help, topic browsing, the per-user gate, group addressing, buttons nobody handles and
the error handler."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from telegram import (BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity,
                      Update)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import (Application, ApplicationHandlerStop, CallbackQueryHandler, CommandHandler,
                          ContextTypes, MessageHandler, TypeHandler, filters)

from ...core.locale import SCRIPTS, SIMPLIFIED, script_for
from ...core.replies import Reply
from ..constants import CB_MENU, CB_TOPIC, LAST_SCRIPT
from ..flood import failed_endpoint, may_have_arrived
from ..render import messages
from ..services import services
from . import privacy
from .subscribe import subscribe_menu

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    name: str
    description: str          # shown in Telegram's command menu
    example: str              # shown in /help
    admin: bool = False


# One list drives /help and the command menu registered with Telegram (set_my_commands).
COMMANDS = (
    Command("start", "开始使用，显示主菜单", "/start"),
    Command("help", "所有命令和用法", "/help"),
    Command("check", "查一个号码是不是官方号码", "/check 021-95588"),
    Command("topics", "按分类浏览常见问题", "/topics"),
    Command("subscribe", "订阅每日防骗小贴士", "/subscribe 08:30"),
    Command("unsubscribe", "取消订阅小贴士", "/unsubscribe"),
    Command("status", "查看我的订阅", "/status"),
    Command("report", "举报诈骗号码", "/report 17012345678 冒充花呗客服"),
    Command("lang", "回复用简体或繁體（香港、台灣）", "/lang"),
    Command("guard", "家庭群防骗守护（群管理员开关）", "/guard on"),
    Command("privacy", "我们保存什么、保存多久、怎么删除", "/privacy"),
    Command("forget", "删除关于我的全部数据", "/forget"),
    Command("stats", "使用统计（管理员）", "/stats", admin=True),
    Command("reports", "审核用户举报（管理员）", "/reports", admin=True),
    Command("reload", "重新加载知识库（管理员）", "/reload", admin=True),
    Command("broadcast", "群发消息给订阅者（管理员）", "/broadcast 近期有冒充…", admin=True),
)

UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看可以用的命令。"
TOO_FAST = "消息太频繁了，请稍等一会儿再发。"
SOMETHING_WENT_WRONG = "抱歉，处理这条消息时出了点问题，请稍后再试。紧急情况请直接拨打 110。"
NO_TEXT = "我只能读文字和截图。请把问题打出来，发一个号码，转发整条可疑短信，或者发一张截图给我。"
STALE_BUTTON = "这个按钮已经失效了，请重新发送你的问题或命令。"
PRIVACY_LINE = "🔒 我们只保存很少的数据，随时可以删除：/privacy"


def bot_commands() -> list[BotCommand]:
    return [BotCommand(c.name, c.description) for c in COMMANDS if not c.admin]


def help_text(is_admin: bool) -> str:
    lines = ["<b>怎么用</b>",
             "• 直接提问：例如“借呗被盗了怎么办”",
             "• 发一个号码：例如 95188、021-95588、+86 95588",
             "• 转发一整条可疑短信或聊天消息：我检查里面的号码、链接和诈骗迹象",
             "• 发一张短信或聊天的截图：我在本机识别图片里的文字，再照样检查",
             "• 分享联系人：我检查对方的号码",
             "• 在任何聊天里输入 @机器人名 加问题或号码，把结果发给家人",
             "", "<b>命令</b>"]
    for command in COMMANDS:
        if command.admin and not is_admin:
            continue
        lines.append(f"/{command.name} — {html.escape(command.description)}（例：<code>{html.escape(command.example)}</code>）")
    lines += ["", "<b>家庭群防骗守护</b>",
              "群管理员在群里发 /guard on 开启（/guard off 关闭）：有人发高风险的链接、号码或截图时，"
              "我回复一条简短提醒，平时不说话，每小时最多提醒几次。",
              "要让我看到群消息，群管理员需要二选一：在 @BotFather 里对本机器人发 /setprivacy 选 Disable"
              "（关闭隐私模式，改完把我移出群再拉进来），或者把我设为群管理员。"]
    lines += ["", "<i>紧急情况：正在被骗或刚转了账，立即拨打 110；支付宝账户问题拨 95188。</i>"]
    return "\n".join(lines)


def main_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton("🚨 钱被盗了怎么办", callback_data="faq:theft-first-steps")],
        [InlineKeyboardButton("📞 查一个号码", callback_data=f"{CB_MENU}:check"),
         InlineKeyboardButton("🧾 检查一条短信", callback_data=f"{CB_MENU}:scan")],
        [InlineKeyboardButton("📚 分类浏览", callback_data=f"{CB_MENU}:topics"),
         InlineKeyboardButton("🔔 每日小贴士", callback_data=f"{CB_MENU}:sub")],
    ])


def reply_script(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The script to answer this update in (locale.script_for): the chat's /lang choice wins; then
    the script of what the user wrote (for a button: of their last message in this chat); then
    their Telegram language (zh-hant, zh-hk, zh-tw); else simplified."""
    user = update.effective_user
    chat = update.effective_chat
    storage = services(context).storage
    stored = storage.script(chat.id) if chat is not None else (storage.script(user.id) if user else None)
    language = user.language_code if user is not None else None
    if update.inline_query is not None:
        return script_for(language, update.inline_query.query, stored)
    message = update.effective_message
    if update.callback_query is None and message is not None:
        script = script_for(language, message.text or message.caption or "", stored)
        if context.chat_data is not None:
            context.chat_data[LAST_SCRIPT] = script
        return script
    if stored is None and context.chat_data is not None and context.chat_data.get(LAST_SCRIPT) in SCRIPTS:
        return context.chat_data[LAST_SCRIPT]
    return script_for(language, "", stored)


async def send_reply(message: Message, reply: Reply, *, feedback: bool = True, script: str = SIMPLIFIED) -> None:
    """Send a composed core reply, in `script` (see reply_script), as one or more HTML messages
    (keyboard under the last)."""
    for text, markup in messages(reply, feedback=feedback, script=script):
        await message.reply_html(text, reply_markup=markup)


# --- commands -----------------------------------------------------------------------------

async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the user and show the main actions."""
    welcome = services(context).assistant.knowledge.messages.welcome.strip()
    await update.effective_message.reply_html(f"{html.escape(welcome)}\n\n{PRIVACY_LINE}", reply_markup=main_menu())


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every command with an example."""
    user = update.effective_user
    await update.effective_message.reply_html(help_text(services(context).is_admin(user.id if user else None)))


def topics_markup(context: ContextTypes.DEFAULT_TYPE) -> InlineKeyboardMarkup:
    knowledge = services(context).assistant.knowledge
    topics = [t for t in (knowledge.topics or {e.topic: e.topic for e in knowledge.entries}) if knowledge.in_topic(t)]
    rows = [[InlineKeyboardButton(knowledge.topic_label(t), callback_data=f"{CB_TOPIC}:{t}")] for t in topics]
    return InlineKeyboardMarkup(rows)


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Browse the questions by topic."""
    await update.effective_message.reply_html("选一个分类：", reply_markup=topics_markup(context))


async def on_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List one topic's questions as buttons."""
    query = update.callback_query
    await query.answer()
    knowledge = services(context).assistant.knowledge
    topic = query.data.split(":", 1)[1]
    entries = knowledge.in_topic(topic)
    if not entries:
        await query.edit_message_text("这个分类已经没有内容了，请发送 /topics 重新选择。")
        return
    rows = [[InlineKeyboardButton(e.question[:48], callback_data=f"faq:{e.id}")] for e in entries]
    rows.append([InlineKeyboardButton("⬅️ 返回分类", callback_data=f"{CB_MENU}:topics")])
    await query.edit_message_text(f"<b>{html.escape(knowledge.topic_label(topic))}</b>",
                                  reply_markup=InlineKeyboardMarkup(rows))


async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The main menu's buttons."""
    query = update.callback_query
    await query.answer()
    action = query.data.split(":", 1)[1]
    if action == "topics":
        await query.edit_message_text("选一个分类：", reply_markup=topics_markup(context))
    elif action == "check":
        await query.message.reply_html("把号码直接发给我就行，任何格式都可以，例如 <code>95188</code>、"
                                       "<code>021-95588</code>、<code>+86 138 0013 8000</code>。也可以分享联系人。")
    elif action == "scan":
        await query.message.reply_html("把可疑短信或聊天消息<b>转发</b>给我，或者整段复制粘贴过来，"
                                       "我会检查里面的号码、链接和诈骗迹象。")
    elif action == "sub":
        text, markup = subscribe_menu(context, update.effective_chat.id)
        await query.message.reply_html(text, reply_markup=markup)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Commands we do not have (admin commands look the same to non-admins)."""
    await update.effective_message.reply_html(UNKNOWN_COMMAND)


async def no_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos without caption, voice...: say what the bot can read."""
    await update.effective_message.reply_html(NO_TEXT)


# --- the gate: flood protection and usage bookkeeping ---------------------------------------

def addressed(update: Update) -> bool:
    """Whether an update is meant for the bot: buttons, inline queries, private messages,
    commands, and group messages that mention or reply to the bot (other group chatter is not
    ours to count, throttle or answer)."""
    message = update.effective_message
    if update.callback_query or update.inline_query or message is None:
        return True
    return ADDRESSED.check_update(update) or bool(filters.COMMAND.check_update(update))


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler (group -1). A user over the per-user rate gets one polite
    notice per window and is otherwise ignored until the window frees up."""
    svc = services(context)
    user = update.effective_user
    if user is None or not addressed(update):
        return
    query = update.callback_query
    if query is not None and query.message is None:  # only crafted callbacks lack a message
        await query.answer()
        raise ApplicationHandlerStop
    if not svc.is_admin(user.id) and not svc.allow(user.id):
        if query is not None:
            await query.answer(TOO_FAST)
        elif update.effective_message is not None:
            now = svc.monotonic()
            if now - context.user_data.get("throttled_notice", -1e18) > svc.settings.user_window:
                context.user_data["throttled_notice"] = now
                await update.effective_message.reply_html(TOO_FAST)
        raise ApplicationHandlerStop
    chat = update.effective_chat
    if chat is not None and update.effective_message is not None:
        svc.storage.touch_user(chat.id, svc.local_now())


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: its chat id changes; follow it in storage."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        services(context).storage.migrate_chat(message.chat.id, message.migrate_to_chat_id)
        log.info("Chat migrated to a supergroup; subscriptions followed")


# --- groups: only when addressed -------------------------------------------------------------

class AddressedToBot(filters.MessageFilter):
    """Private chats always; in groups only messages that mention the bot or reply to it."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        mention = f"@{bot.username}".lower()
        found = message.parse_entities([MessageEntity.MENTION]) if message.text else \
            message.parse_caption_entities([MessageEntity.MENTION])
        return any(text.lower() == mention for text in found.values())


ADDRESSED = AddressedToBot()


def strip_mention(text: str, username: str | None) -> str:
    if username:
        text = text.replace(f"@{username}", " ")
    return text.strip()


# --- errors ---------------------------------------------------------------------------------

def is_network_error(error: object) -> bool:
    """A network error the library retries (NetworkError, TimedOut), not a final answer from
    Telegram (BadRequest is a NetworkError subclass)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def reply_may_have_arrived(error: BaseException) -> bool:
    """A network error on sending or editing the reply (or on an unknown request): Telegram may
    have delivered it. Which request failed is marked on the error by the rate limiter."""
    return is_network_error(error) and may_have_arrived(error)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One failing update never stops the bot. Network errors (which the library already
    retried) are one warning line; anything else is logged once with its traceback (the token
    and numbers never appear: see logs.py). The user gets an apology unless the failure was on
    the reply itself (it may have arrived); a pressed button is always acknowledged; admins get
    at most one note per kind of error per interval, with how many happened since the last."""
    error = context.error
    if isinstance(error, BadRequest) and "message is not modified" in str(error).lower():
        return  # a double tap on the same button: the message already shows what was asked
    kind = type(error).__name__
    if is_network_error(error):
        log.warning("Network problem talking to Telegram (%s on %s): %s", kind, failed_endpoint(error) or "?",
                    " ".join(str(error).split()))  # one line, whatever the library wrote
    else:
        log.error("Update handling failed", exc_info=error)
    apologise = not reply_may_have_arrived(error)
    if isinstance(update, Update) and update.callback_query is not None:
        try:  # a pressed button is acknowledged, with the apology when one is due
            await update.callback_query.answer(SOMETHING_WENT_WRONG if apologise else None)
            apologise = False
        except Exception:  # already answered by the handler, or the network is down
            pass
    if apologise and isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_html(SOMETHING_WENT_WRONG)
        except Exception:  # the reply itself may fail (blocked bot, network)
            log.warning("Could not tell the user about the error")
    svc = services(context)
    count = svc.error_note_due(kind)
    if count is None:
        _schedule_error_flush(context, kind)
        return
    minutes = round(svc.error_note_interval / 60)
    since = f"（上次提醒以来共 {count} 次）" if count > 1 else ""
    await _note_admins(context, f"⚠️ 处理消息时出错：{html.escape(kind)}{since}。同类错误 {minutes} 分钟内最多提醒一次。")


def _schedule_error_flush(context: ContextTypes.DEFAULT_TYPE, kind: str) -> None:
    """Errors kept quiet are told at the end of the interval, not only with the next error."""
    job_queue = context.application.job_queue
    name = f"error-note:{kind}"
    if job_queue is None or job_queue.get_jobs_by_name(name):
        return
    wait, _ = services(context).error_note_left(kind)
    job_queue.run_once(flush_error_note, when=wait + 1, name=name, data=kind)


async def flush_error_note(context: ContextTypes.DEFAULT_TYPE) -> None:
    """End of an interval: one note with how many errors of a kind were kept quiet."""
    kind = context.job.data
    wait, left = services(context).error_note_left(kind)
    if left and wait > 0:  # the job ran a little early: once more at the interval's end
        context.job_queue.run_once(flush_error_note, when=wait + 1, name=context.job.name, data=kind)
        return
    count = services(context).error_note_flush(kind)
    if count:
        await _note_admins(context, f"⚠️ 上次提醒之后又出现 {count} 次 {html.escape(kind)}。")


async def _note_admins(context: ContextTypes.DEFAULT_TYPE, note: str) -> None:
    for admin in services(context).settings.admin_ids:
        try:
            await context.bot.send_message(admin, note)
        except Forbidden:
            pass
        except Exception:
            log.warning("Could not notify an admin about the error")


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button no handler knows (an old keyboard, forged or mangled data): acknowledged, so the
    user's spinner stops, and nothing else happens."""
    await update.callback_query.answer(STALE_BUTTON)


def register(app: Application) -> None:
    # Group -2: follow chat migrations before anything else touches the chat id.
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate), group=-2)
    # Group -1: the gate runs for every update and may stop it (ApplicationHandlerStop).
    app.add_handler(TypeHandler(Update, gate), group=-1)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("topics", topics_command))
    app.add_handler(CallbackQueryHandler(on_topic, pattern=f"^{CB_TOPIC}:"))
    app.add_handler(CallbackQueryHandler(on_menu, pattern=f"^{CB_MENU}:"))
    privacy.register(app)   # /privacy, /forget and its confirmation button
    app.add_error_handler(on_error)


def register_fallbacks(app: Application) -> None:
    """Registered last: unknown commands, messages without text (private chats only) and
    buttons no handler above took."""
    app.add_handler(MessageHandler(filters.COMMAND & ADDRESSED, unknown_command))
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.CAPTION
                                   & ~filters.StatusUpdate.ALL & ~filters.CONTACT, no_text))
