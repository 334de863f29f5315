"""Screenshots: a photo, or an image sent as a file, in a private chat or addressed to the bot in a
group (a caption mention, or a reply to the bot), is read with OCR (bot/core/ocr.py) and its text
scanned like a forwarded message. The reply shows what was read, folded, and the verdict.

Reading takes seconds, so it runs in the bounded worker `Services.ocr` while the event loop keeps
answering everyone else; the user sees "正在识别图片…" at once, and that note becomes the answer.
"""

from __future__ import annotations

import html
import logging

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from ...core.assistant import IMAGE_ERROR, SCAN, Response
from ...core.locale import convert
from ...core.ocr import MAX_BYTES, MAX_PIXELS, NOT_AN_IMAGE, TOO_BIG, TOO_MANY_PIXELS, UNAVAILABLE, OcrError
from ...core.replies import Reply
from ..render import messages
from ..services import services
from .ask import _respond
from .common import ADDRESSED, reply_script, strip_mention

log = logging.getLogger(__name__)

READING = "🔍 正在识别图片…"
TOO_MANY_IMAGES = "图片发得太快了：每分钟最多识别 {n} 张，请过一会儿再发。着急的话，把文字复制粘贴过来马上就能查。"

IMAGES = filters.PHOTO | filters.Document.IMAGE


def has_image(message: Message) -> bool:
    return bool(message.photo) or bool(message.document and (message.document.mime_type or "").startswith("image/"))


def _pick(message: Message) -> str:
    """The file id to download: for a photo the largest size within the limits (Telegram offers
    several), for an image file the file itself. Raises OcrError when nothing fits."""
    if message.photo:
        sizes = sorted(message.photo, key=lambda p: p.width * p.height, reverse=True)
        fitting = [p for p in sizes if (p.file_size or 0) <= MAX_BYTES and p.width * p.height <= MAX_PIXELS]
        if fitting:
            return fitting[0].file_id
        raise OcrError(TOO_MANY_PIXELS if all(p.width * p.height > MAX_PIXELS for p in sizes) else TOO_BIG)
    document = message.document
    if document is None or not (document.mime_type or "").startswith("image/"):
        raise OcrError(NOT_AN_IMAGE)
    if document.file_size and document.file_size > MAX_BYTES:
        raise OcrError(TOO_BIG)  # refused before anything is downloaded
    return document.file_id


async def download_image(context: ContextTypes.DEFAULT_TYPE, message: Message) -> bytes:
    """The image's bytes, within MAX_BYTES (checked before and after downloading)."""
    file = await context.bot.get_file(_pick(message))
    if file.file_size and file.file_size > MAX_BYTES:
        raise OcrError(TOO_BIG)
    data = bytes(await file.download_as_bytearray())
    if len(data) > MAX_BYTES:
        raise OcrError(TOO_BIG)
    return data


async def read_image(context: ContextTypes.DEFAULT_TYPE, message: Message) -> str:
    """Download and read one image in the bounded worker; raises OcrError."""
    pool = services(context).ocr
    if not pool.available():
        raise OcrError(UNAVAILABLE)
    data = await download_image(context, message)
    return await pool.read(data)


def _markup_rejected(error: BadRequest) -> bool:
    """Telegram could not parse the HTML (a server without <blockquote expandable>)."""
    return "can't parse entities" in str(error).lower()


async def _deliver(note: Message | None, message: Message, parts) -> None:
    (first, markup), rest = parts[0], parts[1:]
    sent = False
    if note is not None:
        try:
            await note.edit_text(first, reply_markup=markup)
            sent = True
        except BadRequest as error:
            if _markup_rejected(error):
                raise
            # "not modified": a second tap already showed it; otherwise the note is gone: send anew
            sent = "not modified" in str(error).lower()
    if not sent:
        await message.reply_html(first, reply_markup=markup)
    for text, part_markup in rest:
        await message.reply_html(text, reply_markup=part_markup)


async def send_in_place(note: Message | None, message: Message, reply: Reply, script: str) -> None:
    """The reply's first part replaces the "reading…" note (the rest follows as replies to the
    image). Where Telegram rejects <blockquote expandable>, the quote is sent as plain lines."""
    try:
        await _deliver(note, message, messages(reply, feedback=False, script=script))
    except BadRequest as error:
        if not _markup_rejected(error):
            raise
        log.info("Expandable blockquote rejected; sending the quote as plain lines")
        await _deliver(note, message, messages(reply, feedback=False, script=script, expandable=False))


async def on_image(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A screenshot: read it, scan its text, answer with what was read and the verdict. An image
    that cannot be read gets the reason; its caption, if any, is then answered like text."""
    svc = services(context)
    message = update.effective_message
    user = update.effective_user
    script = reply_script(update, context)
    caption = strip_mention(message.caption or "", context.bot.username)
    forwarded = message.forward_origin is not None

    async def say(text: str) -> Message:
        return await message.reply_html(html.escape(convert(text, script)))

    if not svc.ocr.available():
        await say(OcrError(UNAVAILABLE).message)
        if caption:
            await _respond(update, context, caption, forwarded=forwarded)
        return
    if user is not None and not svc.is_admin(user.id) and not svc.allow_image(user.id, svc.images_per_user):
        await say(TOO_MANY_IMAGES.format(n=svc.images_per_user))
        return
    await update.effective_chat.send_action(ChatAction.TYPING)
    note = await say(READING)
    try:
        text = await read_image(context, message)
    except OcrError as error:
        response = svc.assistant.image_error(error)
    except TelegramError as error:  # the file could not be fetched
        log.warning("Could not download an image: %s", error)
        response = svc.assistant.image_error(OcrError(NOT_AN_IMAGE))
    else:
        response = svc.assistant.scan_image_text(text, reports=svc.storage.report_count)
    _record(context, response)
    await send_in_place(note, message, response.reply, script)
    if response.kind == IMAGE_ERROR and caption:
        await _respond(update, context, caption, forwarded=forwarded)


def _record(context: ContextTypes.DEFAULT_TYPE, response: Response) -> None:
    svc = services(context)
    if response.kind == SCAN and response.scan is not None:
        svc.storage.count("image", response.scan.risk, svc.local_now())
    elif response.kind == IMAGE_ERROR:
        svc.storage.count("image", "unread", svc.local_now())


def register(app: Application) -> None:
    # Before ask's handlers: a forwarded screenshot with a caption is an image to read first.
    # block=False: the chat-ordered processor (bot/tg/pipeline.py) frees this chat's slot while
    # the image waits for the OCR worker, so the chat's next message and other people's messages
    # are answered meanwhile; the update is marked done in the inbox once its answer went out.
    app.add_handler(MessageHandler(IMAGES & ADDRESSED & filters.UpdateType.MESSAGE, on_image, block=False))
