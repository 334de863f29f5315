"""The family-group guard through a real Application and the fake Bot API: /guard by admins only,
silent on chatter, one short warning on a high-risk post (text or screenshot) with a details
button, on/off honoured, at most a few warnings per group per hour."""

from __future__ import annotations

import datetime as dt

from bot.core.ocr import OcrPool
from bot.tg.handlers.guard import (GUARD_NOT_ADMIN, GUARD_OFF, GUARD_PRIVATE, PRIVACY_HINT, WARNINGS_PER_HOUR)

from .fake_telegram import BOT_USER, bot_message, callback_update, message_update, photo_update
from .test_ocr import IMAGES
from .tg_env import buttons

GROUP = -100900
ADMIN_USER, MEMBER = 2001, 2002
SCAM = "【工商银行】您的账户存在异常已被临时冻结，请在24小时内登录 icbc.com.cn-verify.top 完成身份验证，或致电 400-820-9588"
CHATTER = ["大家晚上好", "妈，我明天下午3点到家，记得留饭", "周六 18:30 老地方吃饭，订了 8 个人的位子",
           "【顺丰速运】您的快件已到达幸福里小区驿站，取件码 5-2-8031，请凭取件码及时领取。如有疑问请致电 95338。",
           "转发：警方提醒，凡是让你转账到安全账户的都是诈骗，不要泄露验证码"]


def in_group(text: str | None = None, *, user_id: int = MEMBER, **extra) -> dict:
    return message_update(text, chat_id=GROUP, user_id=user_id, chat_type="supergroup", **extra)


async def turn_guard_on(env) -> None:
    env.fake.members[(GROUP, ADMIN_USER)] = "administrator"
    await env.send(in_group("/guard on", user_id=ADMIN_USER))
    assert env.storage.guard_enabled(GROUP)


async def test_guard_can_only_be_switched_by_group_admins(env):
    await env.send(in_group("/guard on", user_id=MEMBER))
    assert env.last_reply(GROUP)["text"] == GUARD_NOT_ADMIN
    assert not env.storage.guard_enabled(GROUP)
    env.fake.members[(GROUP, ADMIN_USER)] = "creator"
    await env.send(in_group("/guard on", user_id=ADMIN_USER))
    reply = env.last_reply(GROUP)["text"]
    assert env.storage.guard_enabled(GROUP) and "防骗守护已开启" in reply
    assert "/setprivacy" in reply                      # privacy mode is on and the bot is no admin here
    await env.send(in_group("/guard off", user_id=MEMBER))
    assert env.last_reply(GROUP)["text"] == GUARD_NOT_ADMIN and env.storage.guard_enabled(GROUP)
    await env.send(in_group("/guard off", user_id=ADMIN_USER))
    assert env.last_reply(GROUP)["text"] == GUARD_OFF and not env.storage.guard_enabled(GROUP)


async def test_guard_on_says_nothing_about_privacy_when_the_bot_is_an_admin(env):
    env.fake.members[(GROUP, BOT_USER["id"])] = "administrator"
    await turn_guard_on(env)
    assert PRIVACY_HINT not in env.last_reply(GROUP)["text"]


async def test_guard_in_private_explains_itself_and_bare_guard_shows_the_state(env):
    await env.send(message_update("/guard on"))
    assert env.last_reply(1001)["text"] == GUARD_PRIVATE
    await env.send(in_group("/guard"))
    assert "关闭的" in env.last_reply(GROUP)["text"] and "/guard on" in env.last_reply(GROUP)["text"]


async def test_chatter_gets_no_reply_with_the_guard_on(env):
    await turn_guard_on(env)
    before = len(env.replies(GROUP))
    for text in CHATTER:
        await env.send(in_group(text))
    await env.settle()
    assert len(env.replies(GROUP)) == before


async def test_a_high_risk_post_gets_one_short_warning_with_a_details_button(env):
    await turn_guard_on(env)
    post = in_group(SCAM)
    await env.send(post)
    await env.settle()
    warning = env.last_reply(GROUP)
    assert warning["text"].startswith("⚠️ 防骗提醒") and len(warning["text"]) < 200
    assert warning["reply_parameters"]["message_id"] == post["message"]["message_id"]
    [(label, data)] = buttons(warning)
    assert "详情" in label and data == f"grd:{post['message']['message_id']}"
    await env.send(callback_update(data, bot_message(warning), user_id=MEMBER))
    details = env.fake.sent("editMessageText", GROUP)[-1]["text"]
    assert "高风险" in details and "icbc[.]com[.]cn-verify[.]top" in details and "4008209588" in details
    assert env.fake.sent("answerCallbackQuery")


async def test_a_high_risk_screenshot_posted_in_the_group_is_warned_about(env):
    await turn_guard_on(env)
    env.fake.files["shot"] = (IMAGES / "scam_sms.png").read_bytes()
    post = in_group(None, photo=[{"file_id": "shot", "file_unique_id": "u-shot", "width": 720, "height": 668}])
    await env.send(post)
    await env.settle()
    warning = env.last_reply(GROUP)
    assert warning["text"].startswith("⚠️ 防骗提醒")
    data = buttons(warning)[0][1]
    await env.send(callback_update(data, bot_message(warning), user_id=MEMBER))
    details = env.fake.sent("editMessageText", GROUP)[-1]["text"]
    assert "<blockquote expandable>" in details and "工商银行" in details   # what was read, from the screenshot


async def test_with_the_guard_off_a_scam_post_gets_no_reply(env):
    await env.send(in_group(SCAM))
    env.services.ocr = OcrPool(lambda data: SCAM)
    env.fake.files["p"] = b"image"
    await env.send(photo_update(file_id="p", chat_id=GROUP, user_id=MEMBER, chat_type="supergroup"))
    await env.settle()
    assert env.replies(GROUP) == [] and env.fake.sent("getFile") == []
    await turn_guard_on(env)
    await env.send(in_group("/guard off", user_id=ADMIN_USER))
    before = len(env.replies(GROUP))
    await env.send(in_group(SCAM))
    await env.settle()
    assert len(env.replies(GROUP)) == before


async def test_warnings_are_limited_per_group_per_hour(env):
    await turn_guard_on(env)
    before = len(env.replies(GROUP))
    for _ in range(WARNINGS_PER_HOUR + 2):
        await env.send(in_group(SCAM))
    await env.settle()
    assert len(env.replies(GROUP)) - before == WARNINGS_PER_HOUR
    env.clock.current += dt.timedelta(hours=1, minutes=1)
    await env.send(in_group(SCAM))
    await env.settle()
    assert len(env.replies(GROUP)) - before == WARNINGS_PER_HOUR + 1


async def test_addressed_messages_are_answered_as_before_and_not_warned_twice(env):
    await turn_guard_on(env)
    before = len(env.replies(GROUP))
    mention = f"@{BOT_USER['username']}"
    await env.send(in_group(f"{mention} 借呗被盗了怎么办",
                            entities=[{"type": "mention", "offset": 0, "length": len(mention)}]))
    await env.settle()
    replies = env.replies(GROUP)[before:]
    assert len(replies) == 1 and "95188" in replies[0]["text"]
    bot_said = {"message_id": 77, "date": 0, "chat": {"id": GROUP, "type": "supergroup"}, "from": BOT_USER, "text": "…"}
    await env.send(in_group(SCAM, reply_to_message=bot_said))
    await env.settle()
    replies = env.replies(GROUP)[before + 1:]
    assert len(replies) == 1 and "高风险" in replies[0]["text"] and "防骗提醒" not in replies[0]["text"]
