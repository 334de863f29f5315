"""The Telegram bot's conversation, driven through a real Application: every request it makes
goes over HTTP to the fake Bot API server, which records it."""

from __future__ import annotations

import pytest

from bot.tg.app import post_init
from bot.tg.handlers.common import COMMANDS, NO_TEXT, SOMETHING_WENT_WRONG, TOO_FAST, UNKNOWN_COMMAND

from .fake_telegram import (BOT_USER, bot_message, callback_update, contact_update,
                            forwarded_update, inline_update, message_update, photo_update, sticker_update)
from .tg_env import ADMIN, buttons


# --- start, help, command list --------------------------------------------------------------

async def test_start_welcomes_with_main_action_buttons(env):
    await env.send(message_update("/start"))
    reply = env.last_reply(1001)
    assert "反诈助手" in reply["text"]
    labels = [text for text, _ in buttons(reply)]
    assert any("查一个号码" in t for t in labels) and any("每日小贴士" in t for t in labels)


async def test_post_init_registers_the_chinese_command_list(env):
    await post_init(env.app)
    commands = env.fake.sent("setMyCommands")[-1]["commands"]
    names = [c["command"] for c in commands]
    assert names == [c.name for c in COMMANDS if not c.admin]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c["description"]) for c in commands)


async def test_help_lists_every_command_with_an_example_and_hides_admin_ones(env):
    await env.send(message_update("/help"))
    text = env.last_reply(1001)["text"]
    for command in COMMANDS:
        assert (f"/{command.name}" in text) == (not command.admin)
    assert "/check 021-95588" in text
    await env.send(message_update("/help", chat_id=ADMIN))
    assert "/broadcast" in env.last_reply(ADMIN)["text"]


# --- questions ------------------------------------------------------------------------------

async def test_answered_question_has_answer_footer_related_and_feedback_buttons(env):
    await env.send(message_update("借呗被盗了怎么办"))
    reply = env.last_reply(1001)
    assert "95188" in reply["text"] and "来源：" in reply["text"] and "审核于 2026-11-30" in reply["text"]
    assert reply["parse_mode"] == "HTML"
    data = [d for _, d in buttons(reply)]
    assert "fb:theft-first-steps:1" in data and "fb:theft-first-steps:0" in data
    assert any(d.startswith("faq:") for d in data)
    assert all(len(d.encode()) <= 64 for d in data)


async def test_feedback_is_one_tap_and_stored(env):
    await env.send(message_update("借呗被盗了怎么办"))
    answer = env.last_reply(1001)
    await env.send(callback_update("fb:theft-first-steps:0", bot_message(answer)))
    assert env.fake.sent("answerCallbackQuery")
    assert env.storage.stats()["feedback_not_useful"] == 1
    assert env.storage.gaps()[-1][:2] == ("借呗被盗了怎么办", "not_useful")


async def test_suggestion_tap_shows_the_answer_in_place(env, suggest_text):
    await env.send(message_update(suggest_text))
    suggestion = env.last_reply(1001)
    data = [d for _, d in buttons(suggestion)]
    assert "none" in data and 1 <= sum(d.startswith("faq:") for d in data) <= 3
    first = next(d for d in data if d.startswith("faq:"))
    await env.send(callback_update(first, bot_message(suggestion)))
    edited = env.fake.sent("editMessageText")[-1]
    assert "来源：" in edited["text"]
    assert env.fake.sent("answerCallbackQuery")


async def test_none_of_these_asks_for_other_words_and_records_the_gap(env, suggest_text):
    await env.send(message_update(suggest_text))
    suggestion = env.last_reply(1001)
    await env.send(callback_update("none", bot_message(suggestion)))
    edited = env.fake.sent("editMessageText")[-1]
    assert "换个说法" in edited["text"] and "110" in edited["text"] and "96110" in edited["text"]
    assert env.storage.gaps()[-1][:2] == (suggest_text, "none_of_these")


async def test_off_topic_question_is_not_answered_with_something_unrelated(env):
    await env.send(message_update("借呗怎么提前还款"))
    text = env.last_reply(1001)["text"]
    assert "超出了我目前掌握的内容" in text and "95188" in text and "110" in text
    assert env.storage.gaps()[-1][:2] == ("借呗怎么提前还款", "no_match")


async def test_related_question_button_sends_a_new_answer(env):
    await env.send(message_update("借呗被盗了怎么办"))
    answer = env.last_reply(1001)
    related = next(d for _, d in buttons(answer) if d.startswith("faq:"))
    before = len(env.replies(1001))
    await env.send(callback_update(related, bot_message(answer)))
    assert len(env.replies(1001)) == before + 1


# --- numbers, contacts, forwarded and pasted messages -----------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("95188", "官方号码"), ("+95588", "疑似冒充"), ("170 1234 5678", "高风险"), ("021-95588", "未知号码"),
])
async def test_typed_numbers_get_a_verdict_with_reasons_and_advice(env, text, expected):
    await env.send(message_update(text))
    reply = env.last_reply(1001)
    assert expected in reply["text"] and "怎么做" in reply["text"] and "验证码" in reply["text"]
    assert any(d.startswith("rep:") for _, d in buttons(reply))


async def test_check_command_and_shared_contact(env):
    await env.send(message_update("/check 0095533"))
    assert "疑似冒充" in env.last_reply(1001)["text"] and "中国建设银行" in env.last_reply(1001)["text"]
    await env.send(contact_update("+86 170 1234 5678"))
    assert "高风险" in env.last_reply(1001)["text"]
    await env.send(message_update("/check"))
    assert "用法" in env.last_reply(1001)["text"]


async def test_forwarded_message_is_scanned(env):
    await env.send(forwarded_update("【蚂蚁金服】您的银行卡已被冻结，请在24小时内点击 a.ccbt.icu 完成认证"))
    reply = env.last_reply(1001)
    assert "高风险" in reply["text"] and "<code>a[.]ccbt[.]icu</code>" in reply["text"]
    assert "a.ccbt.icu" not in reply["text"]   # never clickable
    assert env.storage.stats()["counters"]["scan"] == {"high": 1}


async def test_long_pasted_message_is_scanned_and_typing_is_shown(env):
    message = "您好，我是借呗客服。" * 35 + "请把验证码发给我，我帮你处理额度问题。"
    await env.send(message_update(message))
    assert "高风险" in env.last_reply(1001)["text"]
    assert env.fake.sent("sendChatAction")[-1]["action"] == "typing"


async def test_user_text_is_escaped_in_html_replies(env):
    await env.send(forwarded_update("<b>注意</b> 请把验证码发给我 & 转到安全账户 <script>x</script>"))
    text = env.last_reply(1001)["text"]
    assert "&lt;b&gt;注意&lt;/b&gt;" in text and "<script>" not in text and "&amp;" in text


# --- inline mode ----------------------------------------------------------------------------

async def test_inline_query_offers_a_verdict_for_a_number(env):
    await env.send(inline_update("95188"))
    results = env.fake.sent("answerInlineQuery")[-1]["results"]
    assert len(results) == 1 and "官方号码" in results[0]["title"]
    assert "95188" in results[0]["input_message_content"]["message_text"]


async def test_inline_query_offers_answers_for_a_question_and_popular_ones_when_empty(env):
    await env.send(inline_update("花呗上门核实"))
    results = env.fake.sent("answerInlineQuery")[-1]["results"]
    assert 1 <= len(results) <= 3
    assert any("上门" in r["title"] for r in results)
    await env.send(inline_update(""))
    assert len(env.fake.sent("answerInlineQuery")[-1]["results"]) >= 3


# --- groups ---------------------------------------------------------------------------------

async def test_group_chats_only_get_answers_when_the_bot_is_addressed(env):
    group = -100123
    await env.send(message_update("借呗被盗了怎么办", chat_id=group, user_id=1002, chat_type="supergroup"))
    await env.send(message_update("95188", chat_id=group, user_id=1002, chat_type="supergroup"))
    assert env.replies(group) == []
    mention = f"@{BOT_USER['username']} 借呗被盗了怎么办"
    await env.send(message_update(mention, chat_id=group, user_id=1002, chat_type="supergroup",
                                  entities=[{"type": "mention", "offset": 0, "length": len(BOT_USER["username"]) + 1}]))
    assert "95188" in env.last_reply(group)["text"]
    bot_said = {"message_id": 77, "date": 0, "chat": {"id": group, "type": "supergroup"}, "from": BOT_USER, "text": "…"}
    await env.send(message_update("+95588", chat_id=group, user_id=1002, chat_type="supergroup",
                                  reply_to_message=bot_said))
    assert "疑似冒充" in env.last_reply(group)["text"]
    await env.send(message_update("/help", chat_id=group, user_id=1002, chat_type="supergroup"))
    assert "/check" in env.last_reply(group)["text"]


# --- hostile and unusual input --------------------------------------------------------------

async def test_huge_emoji_and_zero_width_message_then_the_bot_still_answers(env):
    await env.send(message_update(("😀\u200b🙏\u200d" * 1000)[:4000]))
    assert env.replies(1001), "the bot must answer something"
    assert all(len(r["text"]) <= 4096 for r in env.replies(1001))
    await env.send(message_update("借呗被盗了怎么办"))
    assert "95188" in env.last_reply(1001)["text"]


async def test_messages_without_text_get_a_hint(env):
    await env.send(sticker_update())
    assert env.last_reply(1001)["text"] == NO_TEXT
    # Photos are read now (tests/test_tg_photo.py); one that cannot be fetched gets the reason,
    # and its caption is still read like text.
    await env.send(photo_update("95188"))
    await env.settle()
    assert "官方号码" in env.last_reply(1001)["text"]
    assert NO_TEXT not in [r["text"] for r in env.replies(1001)[1:]]


async def test_unknown_and_admin_commands_look_the_same_to_users(env):
    await env.send(message_update("/nonsense"))
    assert env.last_reply(1001)["text"] == UNKNOWN_COMMAND
    for command in ("/stats", "/reload", "/broadcast 测试", "/reports"):
        await env.send(message_update(command))
        assert env.last_reply(1001)["text"] == UNKNOWN_COMMAND


async def test_long_answers_are_split_under_telegram_limit(env):
    from bot.core.replies import Line, Reply
    from bot.tg.render import messages
    reply = Reply("answered", (Line("标题", "title"), Line("很长的内容。" * 1500), Line("脚注", "footer")))
    parts = messages(reply)
    assert len(parts) >= 3 and all(len(text) <= 4096 for text, _ in parts)
    assert "".join(t for t, _ in parts).count("很长的内容。") == 1500


# --- resilience -----------------------------------------------------------------------------

async def test_per_user_rate_limit_answers_once_then_stays_quiet(env):
    for _ in range(env.services.settings.user_rate + 5):
        await env.send(message_update("95188", chat_id=1003))
    texts = [r["text"] for r in env.replies(1003)]
    assert texts.count(TOO_FAST) == 1
    assert len(texts) == env.services.settings.user_rate + 1
    env.clock.advance(env.services.settings.user_window + 1)   # the window frees up
    await env.send(message_update("95188", chat_id=1003))
    assert "官方号码" in env.last_reply(1003)["text"]
    await env.send(message_update("95188", chat_id=1004))       # other users were never affected
    assert "官方号码" in env.last_reply(1004)["text"]


async def test_a_failing_update_gets_an_apology_and_the_bot_keeps_running(env, monkeypatch):
    calls = {"n": 0}
    original = env.storage.count

    def broken(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("disk on fire")
        return original(*args, **kwargs)

    monkeypatch.setattr(env.storage, "count", broken)
    await env.send(message_update("借呗被盗了怎么办"))
    assert env.last_reply(1001)["text"] == SOMETHING_WENT_WRONG
    assert any("出错" in m["text"] for m in env.replies(ADMIN))
    await env.send(message_update("借呗被盗了怎么办"))
    assert "95188" in env.last_reply(1001)["text"]


async def test_flood_control_is_waited_out_and_retried_not_dropped(env):
    env.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", {"retry_after": 7})
    await env.send(message_update("95188"))
    assert "官方号码" in env.last_reply(1001)["text"]
    assert any(s >= 7 for s in env.clock.slept), env.clock.slept
    assert env.flood.retries == 1


async def test_network_errors_are_retried_with_back_off(env):
    env.fake.fail_next("sendMessage", 502, "Bad Gateway")
    env.fake.fail_next("sendMessage", 502, "Bad Gateway")
    await env.send(message_update("95188"))
    assert "官方号码" in env.last_reply(1001)["text"]
    assert env.flood.retries == 2
    assert env.clock.slept[-2:] == [1.0, 2.0]


# --- review fixes: groups, throttled buttons, odd callbacks, double taps, local days ------------

async def test_group_chatter_is_neither_counted_nor_throttled(env):
    group = -100777
    for _ in range(env.services.settings.user_rate + 5):
        await env.send(message_update("大家晚上好", chat_id=group, user_id=1005, chat_type="supergroup"))
    assert env.replies(group) == []                      # no "too fast" notice in the group either
    assert env.storage.stats()["users"] == 0
    await env.send(message_update("/help", chat_id=group, user_id=1005, chat_type="supergroup"))
    assert "/check" in env.last_reply(group)["text"]


async def test_a_throttled_button_tap_is_answered(env):
    for _ in range(env.services.settings.user_rate):
        await env.send(message_update("95188", chat_id=1006))
    verdict = env.last_reply(1006)
    before = len(env.fake.sent("answerCallbackQuery"))
    await env.send(callback_update("rep:95188", bot_message(verdict), user_id=1006))
    answers = env.fake.sent("answerCallbackQuery")
    assert len(answers) == before + 1 and answers[-1]["text"] == TOO_FAST


async def test_a_callback_without_a_message_is_answered_quietly(env):
    update = {"callback_query": {"id": "77", "from": {"id": 1001, "is_bot": False, "first_name": "u"},
                                 "chat_instance": "ci", "inline_message_id": "abc", "data": "sub:off"}}
    await env.send(update)
    assert env.fake.sent("answerCallbackQuery") and env.replies() == []


async def test_a_double_tap_is_not_reported_as_an_error(env, suggest_text):
    await env.send(message_update(suggest_text))
    suggestion = env.last_reply(1001)
    env.fake.fail_next("editMessageText", 400, "Bad Request: message is not modified: specified new message "
                                               "content and reply markup are exactly the same")
    await env.send(callback_update("none", bot_message(suggestion)))
    assert SOMETHING_WENT_WRONG not in [r["text"] for r in env.replies()]


async def test_usage_days_follow_the_bot_time_zone(env):
    import datetime as dt
    from .tg_env import SHANGHAI
    env.clock.set(dt.datetime(2026, 11, 22, 0, 30, tzinfo=SHANGHAI))   # still the 21st in UTC
    await env.send(message_update("借呗被盗了怎么办"))
    days = {row[0] for row in env.storage.db.execute("SELECT day FROM counters").fetchall()}
    assert days == {"2026-11-22"}
