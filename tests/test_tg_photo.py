"""Screenshots sent to the bot, through a real Application and the fake Bot API (which serves the
image files): read, scanned, answered in place of the "reading…" note; the limits; and other
people's messages answered while an image is being read."""

from __future__ import annotations

import asyncio
import threading

from bot.core.ocr import (BUSY, MESSAGES, NOTHING_READ, NOT_AN_IMAGE, TIMEOUT, TOO_BIG, TOO_MANY_PIXELS, UNAVAILABLE, OcrError,
                          OcrPool)
from bot.tg.handlers.photo import READING, TOO_MANY_IMAGES

from .fake_telegram import BOT_USER, document_update, message_update, photo_update
from .test_ocr import IMAGES, png_header
from .tg_env import buttons


def answer_to_image(env, chat_id: int) -> str:
    """The final answer: the "reading…" note edited in place (plus any further parts)."""
    edits = [e["text"] for e in env.fake.sent("editMessageText") if e["chat_id"] == chat_id]
    assert edits, "the note was never turned into an answer"
    return edits[-1]


def scripted_pool(text: str = "【工商银行】您的账户已冻结，请登录 icbc.com.cn-verify.top 验证") -> OcrPool:
    return OcrPool(lambda data: text)


async def test_a_screenshot_in_private_gets_the_read_text_and_the_verdict(env):
    env.fake.files["shot"] = (IMAGES / "scam_sms.png").read_bytes()
    await env.send(photo_update(file_id="shot", width=720, height=668))
    await env.settle()
    assert env.replies(1001)[0]["text"] == READING
    assert env.fake.sent("sendChatAction")[-1]["action"] == "typing"
    text = answer_to_image(env, 1001)
    assert "高风险" in text and "<blockquote expandable>" in text and "工商银行" in text
    assert "icbc[.]com[.]cn-verify[.]top" in text and "icbc.com.cn-verify.top" not in text
    assert "4008209588" in text and "疑似冒充" in text           # the number's verdict
    assert "仿冒官方网站" in text                                  # the link's verdict
    assert any(d.startswith("faq:") for _, d in buttons(env.fake.sent("editMessageText")[-1]))
    assert env.storage.stats()["counters"]["image"] == {"high": 1}


async def test_an_image_sent_as_a_file_is_read_too(env):
    env.fake.files["doc"] = (IMAGES / "genuine_sms.png").read_bytes()
    await env.send(document_update("doc", file_size=len(env.fake.files["doc"])))
    await env.settle()
    text = answer_to_image(env, 1001)
    assert "低风险" in text and "顺丰" in text


async def test_too_big_files_and_photos_are_refused_before_downloading(env):
    env.services.ocr = scripted_pool()
    await env.send(document_update("huge", file_size=6 * 1024 * 1024))
    await env.send(photo_update(file_id="vast", width=6000, height=4000))
    await env.settle()
    texts = [e["text"] for e in env.fake.sent("editMessageText")]
    assert MESSAGES[TOO_BIG] in texts and MESSAGES[TOO_MANY_PIXELS] in texts
    assert env.fake.sent("getFile") == []


async def test_an_image_whose_header_claims_too_many_pixels_is_not_decoded(env):
    env.fake.files["bomb"] = png_header(30000, 30000)
    await env.send(document_update("bomb"))
    await env.settle()
    assert answer_to_image(env, 1001) == MESSAGES[TOO_MANY_PIXELS]
    env.fake.files["pdf"] = b"%PDF-1.4"
    await env.send(document_update("pdf", mime_type="image/png"))
    await env.settle()
    assert answer_to_image(env, 1001) == MESSAGES[NOT_AN_IMAGE]


async def test_images_per_user_per_minute_are_limited(env):
    env.services.ocr = scripted_pool()
    env.fake.files["p"] = b"image"
    limit = env.services.images_per_user
    for _ in range(limit + 1):
        await env.send(photo_update(file_id="p", chat_id=1007))
    await env.settle()
    assert len(env.fake.sent("editMessageText", 1007)) == limit
    assert [r["text"] for r in env.replies(1007)].count(TOO_MANY_IMAGES.format(n=limit)) == 1
    env.clock.advance(env.services.settings.user_window + 1)
    await env.send(photo_update(file_id="p", chat_id=1007))
    await env.settle()
    assert len(env.fake.sent("editMessageText", 1007)) == limit + 1


async def test_nothing_readable_is_said_and_a_caption_is_still_answered(env):
    env.fake.files["blank"] = (IMAGES / "blank.png").read_bytes()
    await env.send(photo_update(file_id="blank"))
    await env.settle()
    assert answer_to_image(env, 1001) == MESSAGES[NOTHING_READ]
    await env.send(photo_update("95188", file_id="blank"))
    await env.settle()
    assert "官方号码" in env.last_reply(1001)["text"]


async def test_without_ocr_the_bot_says_so_and_answers_the_caption(env):
    env.services.ocr = OcrPool(available=lambda: False)
    await env.send(photo_update())
    await env.settle()
    assert env.last_reply(1001)["text"] == MESSAGES[UNAVAILABLE]
    await env.send(photo_update("95188"))
    await env.settle()
    texts = [r["text"] for r in env.replies(1001)]
    assert texts[-2] == MESSAGES[UNAVAILABLE] and "官方号码" in texts[-1]
    assert env.fake.sent("getFile") == []


async def test_where_expandable_quotes_are_rejected_the_quote_is_sent_plain(env):
    env.services.ocr = scripted_pool()
    env.fake.files["p"] = b"image"
    env.fake.fail_next("editMessageText", 400, "Bad Request: can't parse entities: unsupported start tag "
                                               "\"blockquote\" at byte offset 60")
    await env.send(photo_update(file_id="p"))
    await env.settle()
    text = answer_to_image(env, 1001)
    assert "<blockquote" not in text and "&gt; 【工商银行】" in text and "高风险" in text


async def test_while_an_image_is_read_other_people_are_answered(env):
    started, release = threading.Event(), threading.Event()

    def slow_reader(data: bytes) -> str:
        started.set()
        assert release.wait(30), "the test never released the reader"
        return "【工商银行】您的账户已冻结，请登录 icbc.com.cn-verify.top 验证"

    env.services.ocr = OcrPool(slow_reader)
    env.fake.files["p"] = b"image"
    await env.send(photo_update(file_id="p", chat_id=1008))
    await asyncio.to_thread(started.wait, 30)                  # the image is being read now
    await env.send(message_update("借呗被盗了怎么办", chat_id=1009))
    assert "95188" in env.last_reply(1009)["text"]             # answered while the reader still waits
    assert env.fake.sent("editMessageText", 1008) == []
    assert [r["text"] for r in env.replies(1008)] == [READING]
    release.set()
    await env.settle()
    assert "高风险" in answer_to_image(env, 1008)


async def test_a_full_worker_and_a_slow_image_get_clear_replies(env):
    started, release = threading.Event(), threading.Event()

    def reader(data: bytes) -> str:
        if data == b"slow":
            raise OcrError(TIMEOUT)
        started.set()
        assert release.wait(30)
        return "大家好"

    env.services.ocr = OcrPool(reader, workers=1, queue=0)
    env.fake.files.update({"busy": b"busy", "slow": b"slow"})
    await env.send(photo_update(file_id="busy", chat_id=1011))
    await asyncio.to_thread(started.wait, 30)
    await env.send(photo_update(file_id="slow", chat_id=1012))     # no room: refused at once
    await asyncio.wait_for(_until(lambda: env.fake.sent("editMessageText", 1012)), 30)
    assert answer_to_image(env, 1012) == MESSAGES[BUSY]
    release.set()
    await env.settle()
    await env.send(photo_update(file_id="slow", chat_id=1012))
    await env.settle()
    assert answer_to_image(env, 1012) == MESSAGES[TIMEOUT]


async def _until(predicate) -> None:
    while not predicate():
        await asyncio.sleep(0)


async def test_in_groups_only_images_addressed_to_the_bot_are_read(env):
    env.services.ocr = scripted_pool()
    env.fake.files["p"] = b"image"
    group = -100555
    await env.send(photo_update(file_id="p", chat_id=group, user_id=1010, chat_type="supergroup"))
    await env.settle()
    assert env.replies(group) == [] and env.fake.sent("getFile") == []
    mention = f"@{BOT_USER['username']}"
    await env.send(photo_update(f"{mention} 这是真的吗", file_id="p", chat_id=group, user_id=1010, chat_type="supergroup",
                                caption_entities=[{"type": "mention", "offset": 0, "length": len(mention)}]))
    await env.settle()
    assert "高风险" in answer_to_image(env, group)
