"""Traditional Chinese in Telegram, through a real Application and the fake Bot API: the script
follows what the user writes and their Telegram language, and a /lang choice is stored and wins."""

from __future__ import annotations

from bot.tg.handlers.common import COMMANDS

from .fake_telegram import bot_message, callback_update, message_update, user
from .tg_env import buttons

# The footer of every answer says 审核于 (simplified); Hong Kong writes 審核於, Taiwan 稽核於.
SIMPLIFIED_FOOTER, HK_FOOTER, TW_FOOTER = "审核于", "審核於", "稽核於"


def from_user(language_code: str, user_id: int = 1001) -> dict:
    return {**user(user_id), "language_code": language_code}


async def test_a_traditional_question_gets_a_traditional_answer(env):
    await env.send(message_update("借唄被盜了怎麼辦"))
    reply = env.last_reply(1001)
    assert "支付寶" in reply["text"] and HK_FOOTER in reply["text"]
    assert "支付宝" not in reply["text"] and SIMPLIFIED_FOOTER not in reply["text"]
    labels = [text for text, _ in buttons(reply)]
    assert "👎 沒用" in labels                       # button labels are converted too
    data = [d for _, d in buttons(reply)]
    assert "fb:theft-first-steps:0" in data           # callback data is not


async def test_a_simplified_question_still_gets_a_simplified_answer(env):
    await env.send(message_update("借呗被盗了怎么办"))
    text = env.last_reply(1001)["text"]
    assert "支付宝" in text and SIMPLIFIED_FOOTER in text


async def test_telegram_language_zh_hant_gets_traditional_and_zh_tw_gets_taiwan_forms(env):
    await env.send(message_update("借呗被盗了怎么办", **{"from": from_user("zh-hant")}))
    text = env.last_reply(1001)["text"]
    assert "支付寶" in text and HK_FOOTER in text
    await env.send(message_update("借呗被盗了怎么办", chat_id=1002, **{"from": from_user("zh-tw", 1002)}))
    text = env.last_reply(1002)["text"]
    assert "支付寶" in text and TW_FOOTER in text


async def test_a_number_check_is_answered_in_the_users_script(env):
    await env.send(message_update("+86 95588", **{"from": from_user("zh-hk")}))
    text = env.last_reply(1001)["text"]
    assert "疑似冒充官方號碼" in text and "工商銀行" in text


async def test_a_button_tapped_after_a_traditional_question_answers_in_traditional(env):
    await env.send(message_update("借唄被盜了怎麼辦"))
    answer = env.last_reply(1001)
    related = next(d for _, d in buttons(answer) if d.startswith("faq:"))
    await env.send(callback_update(related, bot_message(answer)))
    text = env.last_reply(1001)["text"]
    assert HK_FOOTER in text and SIMPLIFIED_FOOTER not in text


async def test_lang_offers_three_choices_and_stores_the_one_tapped_which_then_wins(env):
    await env.send(message_update("/lang"))
    menu = env.last_reply(1001)
    data = [d for _, d in buttons(menu)]
    assert data == ["lang:simplified", "lang:traditional-hk", "lang:traditional-tw"]
    await env.send(callback_update("lang:traditional-tw", bot_message(menu)))
    assert env.storage.script(1001) == "traditional-tw"
    assert env.fake.sent("answerCallbackQuery")
    confirmed = env.fake.sent("editMessageText")[-1]
    assert "繁體（台灣）" in confirmed["text"] and "✅ 繁體（台灣）" in [t for t, _ in buttons(confirmed)]
    # The stored choice wins over the script the user writes in, and over their language.
    await env.send(message_update("借呗被盗了怎么办", **{"from": from_user("zh-hans")}))
    assert TW_FOOTER in env.last_reply(1001)["text"]
    await env.send(callback_update("lang:simplified", bot_message(menu)))
    assert env.storage.script(1001) == "simplified"
    await env.send(message_update("借唄被盜了怎麼辦", **{"from": from_user("zh-hant")}))
    text = env.last_reply(1001)["text"]
    assert "支付宝" in text and SIMPLIFIED_FOOTER in text


async def test_lang_with_an_argument_chooses_at_once(env):
    await env.send(message_update("/lang 繁體"))
    assert env.storage.script(1001) == "traditional-hk"
    assert "繁體（香港）" in env.last_reply(1001)["text"]
    await env.send(message_update("借呗被盗了怎么办"))
    assert HK_FOOTER in env.last_reply(1001)["text"]


async def test_lang_is_in_help_and_the_command_list(env):
    assert "lang" in [c.name for c in COMMANDS if not c.admin]
    await env.send(message_update("/help"))
    assert "/lang" in env.last_reply(1001)["text"]


async def test_a_forged_lang_callback_changes_nothing(env):
    await env.send(message_update("/lang"))
    menu = env.last_reply(1001)
    await env.send(callback_update("lang:klingon", bot_message(menu)))
    assert env.storage.script(1001) is None
    assert env.fake.sent("answerCallbackQuery")
