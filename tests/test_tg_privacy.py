"""Privacy, buttons, group rights, admin commands, errors and broadcasts through a real Application
and the fake Bot API: /privacy and /forget; every button press acknowledged, forged ones refused;
group settings for group admins only; admin commands in private only; network errors as warnings
with at most one admin note per kind per interval; no apology after a reply that may have
arrived; broadcasts counting "maybe delivered" apart, planned off the event loop."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading

import pytest
from telegram.error import NetworkError, TimedOut

from bot.tg import jobs
from bot.tg.handlers.admin import PRIVATE_ONLY
from bot.tg.handlers.common import COMMANDS, SOMETHING_WENT_WRONG, STALE_BUTTON, UNKNOWN_COMMAND, bot_commands
from bot.tg.handlers.privacy import FORGET_NOT_ADMIN, FORGOTTEN, KEPT

from .fake_telegram import bot_message, callback_update, message_update
from .tg_env import ADMIN, buttons

GROUP = -100300
GROUP_ADMIN, MEMBER = 2001, 2002
SCAM = "【工商银行】您的账户存在异常已被临时冻结，请在24小时内登录 icbc.com.cn-verify.top 完成身份验证，或致电 400-820-9588"


def in_group(text: str, *, user_id: int = MEMBER) -> dict:
    return message_update(text, chat_id=GROUP, user_id=user_id, chat_type="supergroup")


def intercept(env, monkeypatch, rule) -> None:
    """Put `rule(method, params)` between the bot and the fake server: "lost" delivers the request
    and then loses Telegram's answer (a timeout: the message did arrive); "down" fails it with a
    network error before it reaches the server; None lets it through."""
    request = env.app.bot.request
    original = request.do_request

    async def do_request(url, method, request_data=None, *args, **kwargs):
        action = rule(url.rsplit("/", 1)[-1], dict(request_data.parameters) if request_data else {})
        if action == "down":
            raise NetworkError("httpx.ConnectError: connection refused")
        result = await original(url, method, request_data, *args, **kwargs)
        if action == "lost":
            raise TimedOut("Timed out")
        return result

    monkeypatch.setattr(request, "do_request", do_request)


def user_data_rows(env, chat_id: int) -> dict[str, list]:
    found = {}
    for table, column in (("users", "chat_id"), ("subscribers", "chat_id"), ("chat_settings", "chat_id"),
                          ("feedback", "chat_id"), ("reports", "reporter"), ("guard_warnings", "chat_id")):
        found[table] = env.storage.db.execute(f"SELECT * FROM {table} WHERE {column} = ?", [chat_id]).fetchall()
    return found


# --- /privacy and /forget ---------------------------------------------------------------------

async def test_privacy_says_what_is_stored_for_how_long_and_how_to_delete_it(env):
    await env.send(message_update("/privacy"))
    text = env.last_reply(1001)["text"]
    for words in ("聊天编号", "日期", "订阅", "举报", "简体", "防骗守护", "👍/👎", "不存聊天编号", "打码",
                  "1 年", "30 天", "180 天", "/forget", "/unsubscribe", "群管理员"):
        assert words in text, words
    await env.send(message_update("/start"))
    assert "/privacy" in env.last_reply(1001)["text"]
    await env.send(message_update("/help"))
    assert "/privacy" in env.last_reply(1001)["text"] and "/forget" in env.last_reply(1001)["text"]
    assert {"privacy", "forget"} <= {c.command for c in bot_commands()}
    assert {"privacy", "forget"} <= {c.name for c in COMMANDS if not c.admin}


async def test_forget_asks_first_then_deletes_everything_about_the_user(env):
    for text in ("/subscribe 08:30", "/report 17012345678 冒充客服 13800138000", "/lang 繁體", "借呗被盗了怎么办"):
        await env.send(message_update(text))
    answer = env.last_reply(1001)
    await env.send(callback_update("fb:theft-first-steps:1", bot_message(answer)))
    assert all(rows for table, rows in user_data_rows(env, 1001).items() if table != "guard_warnings")
    assert env.app.job_queue.get_jobs_by_name("tips:Asia/Shanghai:08:30")

    await env.send(message_update("/forget"))
    ask = env.last_reply(1001)
    assert "删除" in ask["text"] and {d for _, d in buttons(ask)} == {"fgt:yes", "fgt:no"}
    await env.send(callback_update("fgt:no", bot_message(ask)))
    assert env.fake.sent("editMessageText")[-1]["text"] == KEPT
    assert env.storage.subscription(1001) is not None              # nothing deleted on "no"

    await env.send(callback_update("fgt:yes", bot_message(ask)))
    assert env.fake.sent("editMessageText")[-1]["text"] == FORGOTTEN
    assert not any(user_data_rows(env, 1001).values()), user_data_rows(env, 1001)
    assert not env.app.job_queue.get_jobs_by_name("tips:Asia/Shanghai:08:30")   # nobody left at 08:30
    assert env.storage.report_count("17012345678") == 0


async def test_forget_in_a_group_is_for_its_admins_and_deletes_the_groups_data(env):
    env.fake.members[(GROUP, GROUP_ADMIN)] = "administrator"
    await env.send(in_group("/subscribe 20:00", user_id=GROUP_ADMIN))
    await env.send(message_update("/subscribe 08:30", chat_id=GROUP_ADMIN))   # the admin's own
    await env.send(in_group("/forget", user_id=MEMBER))
    assert env.last_reply(GROUP)["text"] == FORGET_NOT_ADMIN
    await env.send(in_group("/forget", user_id=GROUP_ADMIN))
    ask = env.last_reply(GROUP)
    await env.send(callback_update("fgt:yes", bot_message(ask), user_id=MEMBER))   # a member presses it
    refusal = env.fake.sent("answerCallbackQuery")[-1]
    assert "管理员" in refusal["text"] and env.storage.subscription(GROUP) is not None
    await env.send(callback_update("fgt:yes", bot_message(ask), user_id=GROUP_ADMIN))
    assert "本群" in env.fake.sent("editMessageText")[-1]["text"]
    assert not any(user_data_rows(env, GROUP).values())
    assert env.storage.subscription(GROUP_ADMIN).active             # the admin's own data is theirs


async def test_retention_runs_daily(env):
    assert env.app.job_queue.get_jobs_by_name(jobs.PRUNE_JOB)
    env.storage.record_gap("很久以前的问题", "no_match", env.clock.now().replace(year=2024))
    assert jobs.prune(env.app)["gaps"] == 1 and env.storage.gaps() == []


# --- buttons --------------------------------------------------------------------------------------

async def test_every_kind_of_button_press_is_acknowledged(env, suggest_text):
    """Every button the handlers create, and stale, unknown and forged data: each press gets
    exactly one answerCallbackQuery for its own query id."""
    presses: list[tuple[str, dict, int]] = []

    async def collect(text: str, chat_id: int = ADMIN, **kwargs) -> dict:
        await env.send(message_update(text, chat_id=chat_id, **kwargs))
        sent = env.last_reply(chat_id)
        presses.extend((data, bot_message(sent), chat_id if chat_id > 0 else MEMBER) for _, data in buttons(sent))
        return sent

    await env.send(message_update("/report 17012345678 冒充客服", chat_id=1001))
    for text in ("/start", "/topics", "借呗被盗了怎么办", suggest_text, "95188", "/subscribe", "/lang",
                 "/reports", "/broadcast 测试", "/forget"):
        await collect(text)
    env.fake.members[(GROUP, GROUP_ADMIN)] = "administrator"
    await env.send(in_group("/guard on", user_id=GROUP_ADMIN))
    await env.send(in_group(SCAM))
    await env.settle()
    warning = env.last_reply(GROUP)
    presses.extend((data, bot_message(warning), MEMBER) for _, data in buttons(warning))
    await env.send(message_update("/subscribe 08:30", chat_id=ADMIN))
    await collect("/subscribe")                                     # now with 🔕 too
    real = {data.split(":")[0] for data, _, _ in presses}
    assert {"menu", "faq", "topic", "fb", "none", "rep", "sub", "lang", "adm", "fgt", "grd"} <= real, real

    private = bot_message({"chat_id": 1001, "text": "旧消息"})
    for forged in ("faq:no-such-entry", "topic:no-such-topic", "fb:made-up-entry:1", "fb:theft-first-steps:7",
                   "sub:25:99", "sub:", "lang:klingon", "grd:not-a-number", "grd:999999", "adm:bc:99999:go",
                   "adm:rp:99999:ok", "adm:zz:1:go", "menu:nope", "rep:not-a-number", "fgt:maybe", "garbage",
                   "x" * 64):
        presses.append((forged, private, 1001))
        presses.append((forged, bot_message({"chat_id": ADMIN, "text": "旧消息"}), ADMIN))
    # Destructive presses last, so every earlier one finds its data in place.
    presses.sort(key=lambda p: p[0] in ("fgt:yes", "sub:off"))

    for data, message, user_id in presses:
        env.clock.advance(env.services.settings.user_window)      # never throttled: the handler answers
        update = callback_update(data, message, user_id=user_id)
        before = len(env.fake.sent("answerCallbackQuery"))
        await env.send(update)
        await env.settle()
        answers = env.fake.sent("answerCallbackQuery")
        assert len(answers) == before + 1, f"{data!r} was answered {len(answers) - before} times"
        assert answers[-1]["callback_query_id"] == update["callback_query"]["id"]
    assert SOMETHING_WENT_WRONG not in [r["text"] for r in env.replies()]


async def test_forged_feedback_is_refused_and_unknown_buttons_say_so(env):
    message = bot_message({"chat_id": 1001, "text": "旧消息"})
    await env.send(callback_update("fb:made-up-entry:1", message))
    await env.send(callback_update("fb:../../etc:0", message))
    assert env.storage.db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0
    assert env.storage.gaps() == []
    await env.send(callback_update("nonsense:1", message))
    assert env.fake.sent("answerCallbackQuery")[-1]["text"] == STALE_BUTTON


# --- groups: settings for group admins, admin commands in private ---------------------------------

async def test_only_group_admins_change_the_groups_subscription_and_language(env):
    env.fake.members[(GROUP, GROUP_ADMIN)] = "creator"
    await env.send(in_group("/subscribe 08:30", user_id=MEMBER))
    assert "管理员" in env.last_reply(GROUP)["text"] and env.storage.subscription(GROUP) is None
    await env.send(in_group("/subscribe 08:30", user_id=GROUP_ADMIN))
    assert env.storage.subscription(GROUP).send_time == "08:30"
    for text in ("/subscribe 21:00", "/unsubscribe", "/lang 繁體"):
        await env.send(in_group(text, user_id=MEMBER))
        assert "管理" in env.last_reply(GROUP)["text"], text
    sub = env.storage.subscription(GROUP)
    assert sub.active and sub.send_time == "08:30" and env.storage.script(GROUP) is None
    await env.send(in_group("/subscribe", user_id=GROUP_ADMIN))     # the admin's menu, pressed by a member
    menu = bot_message(env.last_reply(GROUP))
    for data in ("sub:20:00", "sub:off", "lang:traditional-tw"):
        await env.send(callback_update(data, menu, user_id=MEMBER))
        answer = env.fake.sent("answerCallbackQuery")[-1]
        assert "管理" in answer["text"] and answer.get("show_alert"), data
    assert env.storage.subscription(GROUP).send_time == "08:30" and env.storage.script(GROUP) is None
    await env.send(in_group("/status", user_id=MEMBER))
    assert "08:30" in env.last_reply(GROUP)["text"]
    await env.send(callback_update("sub:20:00", menu, user_id=GROUP_ADMIN))
    await env.send(in_group("/lang 台灣", user_id=GROUP_ADMIN))
    await env.send(in_group("/unsubscribe", user_id=GROUP_ADMIN))
    assert env.storage.script(GROUP) == "traditional-tw" and not env.storage.subscription(GROUP).active
    assert env.storage.subscription(GROUP).send_time == "20:00"


async def test_admin_commands_in_a_group_show_nothing_and_point_to_a_private_chat(env):
    await env.send(message_update("/report 17012345678 他知道我身份证号 11010519491231002X", chat_id=1001))
    for text in ("/reports", "/stats", "/broadcast 测试", "/reload"):
        await env.send(message_update(text, chat_id=GROUP, user_id=ADMIN, chat_type="supergroup"))
        assert env.last_reply(GROUP)["text"] == PRIVATE_ONLY, text
        await env.send(in_group(text, user_id=MEMBER))
        assert env.last_reply(GROUP)["text"] == UNKNOWN_COMMAND
    assert not any("17012345678" in r["text"] for r in env.replies(GROUP))
    assert env.storage.broadcasts_in("draft") == []
    await env.send(message_update("/reports", chat_id=ADMIN))      # in private: the review, in Chinese
    review = env.last_reply(ADMIN)["text"]
    assert "17012345678" in review and "高风险号码" in review and "risky" not in review
    assert "0519491231" not in review                                # the note was masked when stored


# --- errors: warnings, admin notes per kind and interval, apologies -------------------------------

async def test_an_outage_logs_warnings_and_notes_admins_once_per_kind_and_interval(env, monkeypatch, caplog):
    outage = {"on": True}
    intercept(env, monkeypatch, lambda method, params: "down" if outage["on"] and method == "sendMessage"
              and int(params.get("chat_id", 0)) != ADMIN else None)
    caplog.set_level(logging.INFO)
    env.flood.backoff = 0.0                              # retries take no time; pacing still moves the clock
    interval = env.services.error_note_interval
    start, errors = env.clock.monotonic(), 0
    while env.clock.monotonic() - start < interval - 60:  # many failing updates within one interval
        await env.send(message_update("95188", chat_id=3000 + errors))
        errors += 1
        env.clock.advance(1)
    assert errors >= 30
    notes = [m["text"] for m in env.replies(ADMIN)]
    assert len(notes) == 1 and "NetworkError" in notes[0]
    failures = [r for r in caplog.records if r.name == "bot.tg.handlers.common"]
    assert len(failures) == errors and all(r.levelno == logging.WARNING and r.exc_info is None for r in failures)
    assert all("\n" not in r.getMessage() for r in failures)
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)
    assert not any(SOMETHING_WENT_WRONG == r["text"] for r in env.replies())   # replies may have arrived

    # At the interval's end a job tells the admins how many were kept quiet (run here by hand:
    # the job queue keeps real time, the test's clock is driven).
    flush, = env.app.job_queue.get_jobs_by_name("error-note:NetworkError")
    env.clock.advance(start + interval + 30 - env.clock.monotonic())
    await flush.run(env.app)
    notes = [m["text"] for m in env.replies(ADMIN)]
    assert len(notes) == 2 and f"又出现 {errors - 1} 次 NetworkError" in notes[1]
    await env.send(message_update("95188", chat_id=3998))          # within the new interval: quiet
    env.clock.advance(interval)
    await env.send(message_update("95188", chat_id=3999))
    notes = [m["text"] for m in env.replies(ADMIN)]
    assert len(notes) == 3 and "共 2 次" in notes[2]                # the quiet one, and this one

    outage["on"] = False                                  # another kind has its own note, traceback and apology
    original = env.storage.count

    def broken(*args, **kwargs):
        monkeypatch.setattr(env.storage, "count", original)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(env.storage, "count", broken)
    await env.send(message_update("95188", chat_id=4000))
    assert env.last_reply(4000)["text"] == SOMETHING_WENT_WRONG
    notes = [m["text"] for m in env.replies(ADMIN)]
    assert len(notes) == 4 and "RuntimeError" in notes[3]
    error = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert error.exc_info is not None


async def test_a_slow_reply_that_arrived_gets_no_apology(env, monkeypatch):
    intercept(env, monkeypatch, lambda method, params: "lost" if method == "sendMessage"
              and int(params.get("chat_id", 0)) == 1001 else None)
    await env.send(message_update("95188"))
    texts = [r["text"] for r in env.replies(1001)]
    assert len(texts) == 1 and "官方号码" in texts[0]       # delivered once, no apology after it


async def test_an_edit_whose_answer_was_lost_gets_no_apology(env, monkeypatch):
    """An edit is the reply too: when Telegram's answer to it is lost (after the limiter's retries)
    the user may already see it, so no apology follows; the button is acknowledged once."""
    await env.send(message_update("/forget"))
    ask = env.last_reply(1001)
    env.flood.backoff = 0.0
    intercept(env, monkeypatch, lambda method, params: "lost" if method == "editMessageText" else None)
    await env.send(callback_update("fgt:no", bot_message(ask)))
    assert env.fake.sent("editMessageText")[-1]["text"] == KEPT          # it did arrive
    told = [a.get("text") for a in env.fake.sent("answerCallbackQuery")] + [r["text"] for r in env.replies(1001)]
    assert SOMETHING_WENT_WRONG not in told


async def test_a_network_failure_on_a_request_the_user_does_not_see_gets_an_apology(env, monkeypatch):
    """The admin check (getChatMember) fails for good: nothing reached the user, so the button is
    acknowledged with an apology; which request failed is known from the rate limiter's mark."""
    env.fake.members[(GROUP, GROUP_ADMIN)] = "administrator"
    await env.send(in_group("/forget", user_id=GROUP_ADMIN))
    ask = env.last_reply(GROUP)
    env.flood.backoff = 0.0
    intercept(env, monkeypatch, lambda method, params: "down" if method == "getChatMember" else None)
    await env.send(callback_update("fgt:yes", bot_message(ask), user_id=GROUP_ADMIN))
    assert env.fake.sent("answerCallbackQuery")[-1].get("text") == SOMETHING_WENT_WRONG
    assert not env.fake.sent("editMessageText")                           # nothing was deleted or shown


async def test_a_reply_telegram_refused_gets_an_apology(env):
    env.fake.fail_next("sendMessage", 400, "Bad Request: can't parse entities")
    await env.send(message_update("95188"))
    assert env.last_reply(1001)["text"] == SOMETHING_WENT_WRONG


# --- broadcasts -------------------------------------------------------------------------------------

async def test_a_broadcast_counts_maybe_delivered_apart_and_never_resends_them(env, monkeypatch):
    chats = [4001, 4002, 4003, 4004, 4005, 4006]
    for chat_id in chats:
        env.storage.subscribe(chat_id, "08:30", "Asia/Shanghai", env.clock.now())
    env.fake.blocked.add(4004)
    rule = {4002: "lost", 4003: "down"}
    intercept(env, monkeypatch, lambda method, params: rule.get(int(params.get("chat_id", 0)))
              if method == "sendMessage" else None)
    await env.send(message_update("/broadcast 近期有人冒充客服", chat_id=ADMIN))
    preview = env.last_reply(ADMIN)
    assert "6 位订阅者" in preview["text"]
    go = next(d for _, d in buttons(preview) if d.endswith(":go"))
    await env.send(callback_update(go, bot_message(preview), user_id=ADMIN))
    assert await asyncio.to_thread(env.fake.wait_for, lambda f: any("已完成" in m["text"] for m in
                                                                     f.sent("sendMessage", ADMIN)), 10)
    summary = env.last_reply(ADMIN)["text"]
    assert "成功 3，可能已送达 2，失败 1" in summary, summary
    assert [len(env.replies(c)) for c in chats] == [1, 1, 0, 0, 1, 1]   # 4002 once, though unconfirmed
    broadcast = env.storage.broadcasts_in("done")[0]
    assert (broadcast.sent, broadcast.maybe, broadcast.failed) == (3, 2, 1)
    await jobs.resume_broadcasts(env.app)                                # a restart sends nothing again
    assert [len(env.replies(c)) for c in chats] == [1, 1, 0, 0, 1, 1]


async def test_broadcast_planning_runs_off_the_event_loop(env, monkeypatch):
    env.storage.subscribe(4001, "08:30", "Asia/Shanghai", env.clock.now())
    threads = []
    original = env.storage.count_recipients

    def spy(*args, **kwargs):
        threads.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(env.storage, "count_recipients", spy)
    await env.send(message_update("/broadcast 测试", chat_id=ADMIN))
    assert "1 位订阅者" in env.last_reply(ADMIN)["text"]
    assert threads and threads[0] != threading.get_ident()


@pytest.mark.parametrize("outcome", ["lost", "down"])
async def test_an_ambiguous_tip_send_is_never_sent_again(env, monkeypatch, outcome):
    from .tg_env import SHANGHAI

    env.storage.subscribe(5001, "08:30", "Asia/Shanghai", env.clock.now())
    intercept(env, monkeypatch, lambda method, params: outcome if method == "sendMessage" else None)
    env.clock.set(dt.datetime(2026, 11, 21, 8, 30, tzinfo=SHANGHAI))
    first = await jobs.deliver_tips(env.app, "08:30", "Asia/Shanghai")
    monkeypatch.undo()
    again = await jobs.deliver_tips(env.app, "08:30", "Asia/Shanghai")
    assert first.maybe == 1 and again.sent == 0 and len(env.replies(5001)) == (1 if outcome == "lost" else 0)


async def test_a_button_whose_handling_fails_is_acknowledged_with_an_apology(env, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    await env.send(message_update("借呗被盗了怎么办"))
    answer = env.last_reply(1001)
    related = next(d for _, d in buttons(answer) if d.startswith("faq:"))
    monkeypatch.setattr(env.storage, "count", broken)
    await env.send(callback_update(related, bot_message(answer)))
    told = [a.get("text") for a in env.fake.sent("answerCallbackQuery")] + [r["text"] for r in env.replies(1001)]
    assert SOMETHING_WENT_WRONG in told


async def test_a_tip_cut_short_by_a_stop_is_released_and_sent_at_the_next_run(env, monkeypatch):
    """A stop while the API fails raises StopRequested (the request never went out): the tip's
    claim is released, so the subscriber still gets today's tip after the restart."""
    from bot.tg.flood import StopRequested

    from .tg_env import SHANGHAI

    env.storage.subscribe(5002, "08:30", "Asia/Shanghai", env.clock.now())
    original = env.app.bot.send_message

    async def stopping(*args, **kwargs):
        raise StopRequested("stopping")

    monkeypatch.setattr(type(env.app.bot), "send_message", stopping)
    env.clock.set(dt.datetime(2026, 11, 21, 8, 30, tzinfo=SHANGHAI))
    first = await jobs.deliver_tips(env.app, "08:30", "Asia/Shanghai")
    monkeypatch.undo()
    assert env.app.bot.send_message == original
    again = await jobs.deliver_tips(env.app, "08:30", "Asia/Shanghai")
    assert (first.retry, first.sent, again.sent) == (1, 0, 1)
    assert len(env.replies(5002)) == 1
