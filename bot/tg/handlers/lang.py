"""/lang: answer in simplified, or traditional characters in their Hong Kong or Taiwan form.

Without a choice the bot follows the reader (see common.reply_script): traditional characters
written, or a Telegram language of zh-hant / zh-hk / zh-tw, get traditional replies. A choice made
here is stored for the chat and wins from then on.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from ...core.locale import SCRIPTS, SIMPLIFIED, TRADITIONAL_HK, TRADITIONAL_TW, convert
from ..constants import CB_LANG, LAST_SCRIPT
from ..services import services
from .chats import GROUP_ADMINS_ONLY, may_change_chat
from .common import reply_script

# Button labels are written in the script they choose.
LABELS = {SIMPLIFIED: "简体", TRADITIONAL_HK: "繁體（香港）", TRADITIONAL_TW: "繁體（台灣）"}
# /lang ARG: the words people type for each choice.
ALIASES = {
    SIMPLIFIED: ("simplified", "简体", "簡體", "简", "簡", "zh-cn", "zh-hans", "cn", "sc"),
    TRADITIONAL_HK: ("traditional-hk", "繁體", "繁体", "繁", "香港", "hk", "zh-hk", "zh-hant", "tc"),
    TRADITIONAL_TW: ("traditional-tw", "台灣", "台湾", "臺灣", "台", "tw", "zh-tw"),
}
CHOOSE = "回复用哪种文字？"
CHOSEN = "好的，以后都用{label}回复你。想换的话再发 /lang。"
NOT_ADMIN = GROUP_ADMINS_ONLY.format(action="更改本群的回复文字")


def lang_markup(current: str | None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(("✅ " if script == current else "") + LABELS[script], callback_data=f"{CB_LANG}:{script}")
        for script in SCRIPTS
    ]])


def parse_choice(text: str) -> str | None:
    word = text.strip().lower()
    return next((script for script, words in ALIASES.items() if word in words), None)


def _choose(update: Update, context: ContextTypes.DEFAULT_TYPE, script: str) -> str:
    svc = services(context)
    svc.storage.set_script(update.effective_chat.id, script, svc.now())
    if context.chat_data is not None:
        context.chat_data[LAST_SCRIPT] = script
    return convert(CHOSEN, script).format(label=LABELS[script])  # the label is already in its script


async def lang_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lang shows the three choices; /lang 繁體 (or hk, tw, 简体…) chooses at once."""
    message = update.effective_message
    choice = parse_choice(" ".join(context.args)) if context.args else None
    if choice is not None:
        if not await may_change_chat(update, context):
            await message.reply_html(convert(NOT_ADMIN, reply_script(update, context)))
            return
        await message.reply_html(_choose(update, context, choice))
        return
    stored = services(context).storage.script(update.effective_chat.id)
    current = reply_script(update, context)
    await message.reply_html(convert(CHOOSE, current), reply_markup=lang_markup(stored))


async def on_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A /lang button: store the choice and confirm it in the chosen script."""
    query = update.callback_query
    script = query.data.split(":", 1)[1]
    if script not in SCRIPTS:
        await query.answer()
        return
    if not await may_change_chat(update, context):
        await query.answer(convert(NOT_ADMIN, reply_script(update, context)), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(_choose(update, context, script), reply_markup=lang_markup(script))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("lang", lang_command))
    app.add_handler(CallbackQueryHandler(on_lang, pattern=f"^{CB_LANG}:"))
