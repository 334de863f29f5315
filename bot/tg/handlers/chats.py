"""Who may change a chat's settings: in a private chat its user; in a group only its owner and
administrators (an anonymous admin posting as the group counts). Used by /subscribe and
/unsubscribe, /lang, /guard and /forget."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ContextTypes

GROUP_ADMINS_ONLY = "抱歉，只有本群的群主或管理员可以{action}。"


def in_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is None or chat.type == ChatType.PRIVATE


async def is_group_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether whoever sent this message or pressed this button is an owner or admin of the group."""
    chat = update.effective_chat
    message = update.effective_message
    if update.callback_query is None and message is not None and message.sender_chat is not None \
            and message.sender_chat.id == chat.id:
        return True  # an anonymous admin posting as the group
    user = update.effective_user
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def may_change_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True in a private chat; in a group, only for its owner and admins."""
    return in_private(update) or await is_group_admin(update, context)
