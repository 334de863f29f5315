"""Daily tips through the real Application and a real SQLite file, with the clock driven by the
test: subscribe, delivery once at the right time, restarts, unsubscribe, blocked and migrated
chats, flood control, and 100 subscribers at the same minute."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.storage import Storage
from bot.tg.constants import TIP_TIMES
from bot.tg.jobs import catch_up, deliver_tips, slot_job_name

from .fake_telegram import FakeTelegram, bot_message, callback_update, message_update
from .tg_env import SHANGHAI, FakeClock, buttons, running_bot

JOB = slot_job_name("08:30", "Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def tips_to(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [m["text"] for m in fake.sent("sendMessage", chat_id) if "今日防骗小贴士" in m["text"]]


@pytest.fixture
def db(tmp_path):
    return tmp_path / "bot.sqlite"


async def run_slot(env) -> None:
    job = env.app.job_queue.get_jobs_by_name(JOB)[0]
    await job.run(env.app)


async def test_subscribe_with_buttons_or_a_time_and_status(fake, db, assistant):
    async with running_bot(fake, db, assistant=assistant) as env:
        await env.send(message_update("/subscribe"))
        menu = env.last_reply(1001)
        assert [d for _, d in buttons(menu)] == [f"sub:{t}" for t in TIP_TIMES]
        await env.send(callback_update("sub:08:30", bot_message(menu)))
        assert "已订阅" in env.fake.sent("editMessageText")[-1]["text"]
        job = env.app.job_queue.get_jobs_by_name(JOB)[0]
        assert job.next_t.astimezone(SHANGHAI).time() == dt.time(8, 30)

        await env.send(message_update("/subscribe 20:00"))      # again: changes the time
        assert "已改为" in env.last_reply(1001)["text"]
        assert env.storage.db["subscribers"].count == 1
        assert not env.app.job_queue.get_jobs_by_name(JOB)       # the unused slot is gone
        assert env.app.job_queue.get_jobs_by_name(slot_job_name("20:00", "Asia/Shanghai"))

        await env.send(message_update("/status"))
        assert "20:00" in env.last_reply(1001)["text"] and "11月21日 20:00" in env.last_reply(1001)["text"]
        await env.send(message_update("/subscribe 25:99"))
        assert "格式不对" in env.last_reply(1001)["text"]


async def test_tip_is_delivered_once_at_the_right_time(fake, db, assistant):
    clock = FakeClock(current=at(21, 7))
    async with running_bot(fake, db, assistant=assistant, clock=clock) as env:
        await env.send(message_update("/subscribe 08:30"))
        clock.set(at(21, 8, 29))
        assert (await deliver_tips(env.app, "08:30", "Asia/Shanghai")).sent == 0   # not yet
        clock.set(at(21, 8, 30))
        await run_slot(env)
        await run_slot(env)                                      # the job firing twice sends once
        first = tips_to(fake, 1001)
        assert len(first) == 1
        tip_message = fake.sent("sendMessage", 1001)[-1]
        assert [d for _, d in buttons(tip_message)][1] == "sub:off"
        clock.set(at(22, 8, 30))
        await run_slot(env)
        second = tips_to(fake, 1001)
        assert len(second) == 2 and second[0] != second[1]       # a different tip the next day


async def test_restart_rebuilds_the_schedule_and_neither_repeats_nor_skips_a_day(fake, db, assistant):
    clock = FakeClock(current=at(21, 7))
    async with running_bot(fake, db, assistant=assistant, clock=clock) as env:
        await env.send(message_update("/subscribe 08:30"))
        clock.set(at(21, 8, 30))
        await run_slot(env)
    assert len(tips_to(fake, 1001)) == 1

    clock.set(at(21, 10))  # restart later the same day: already served, nothing more
    async with running_bot(fake, db, assistant=assistant, clock=clock, run_post_init=True) as env:
        assert env.app.job_queue.get_jobs_by_name(JOB), "the schedule comes back from the database"
        assert (await catch_up(env.app)).sent == 0
    assert len(tips_to(fake, 1001)) == 1

    clock.set(at(22, 9, 15))  # down over the next morning's slot: the restart delivers it once
    async with running_bot(fake, db, assistant=assistant, clock=clock, run_post_init=True) as env:
        # post_init ran before start, exactly as under run_polling; its catch-up job runs once
        # the application has started.
        assert await asyncio.to_thread(fake.wait_for, lambda f: len(tips_to(f, 1001)) == 2, 10)
        assert (await catch_up(env.app)).sent == 0
    assert len(tips_to(fake, 1001)) == 2


async def test_a_broadcast_interrupted_by_a_restart_resumes_where_it_stopped(fake, db, assistant):
    clock = FakeClock(current=at(21, 7))
    async with running_bot(fake, db, assistant=assistant, clock=clock) as env:
        for chat_id in (6001, 6002, 6003):
            env.storage.subscribe(chat_id, "20:00", "Asia/Shanghai", clock.now())
        broadcast_id = env.storage.create_broadcast("重要提醒", 9001, clock.now())
        env.storage.set_broadcast_status(broadcast_id, "sending", expect="draft")
        env.storage.advance_broadcast(broadcast_id, 6001, True)   # it had reached 6001 when stopped
    async with running_bot(fake, db, assistant=assistant, clock=clock, run_post_init=True):
        assert await asyncio.to_thread(fake.wait_for, lambda f: f.sent("sendMessage", 6003), 10)
    assert fake.sent("sendMessage", 6001) == [] and len(fake.sent("sendMessage", 6002)) == 1
    reopened = Storage(db)
    assert reopened.broadcast(broadcast_id).status == "done" and reopened.broadcast(broadcast_id).sent == 3
    reopened.close()


async def test_unsubscribed_users_get_nothing(fake, db, assistant):
    clock = FakeClock(current=at(21, 7))
    async with running_bot(fake, db, assistant=assistant, clock=clock) as env:
        await env.send(message_update("/subscribe 08:30"))
        await env.send(message_update("/unsubscribe"))
        assert "已取消订阅" in env.last_reply(1001)["text"]
        clock.set(at(21, 8, 30))
        assert (await deliver_tips(env.app, "08:30", "Asia/Shanghai")).sent == 0
        await env.send(message_update("/status"))
        assert "还没有订阅" in env.last_reply(1001)["text"]


async def test_blocked_subscribers_are_unsubscribed_and_migrated_groups_followed(fake, db, assistant):
    clock = FakeClock(current=at(21, 7))
    async with running_bot(fake, db, assistant=assistant, clock=clock) as env:
        env.storage.subscribe(2001, "08:30", "Asia/Shanghai", clock.now())
        env.storage.subscribe(-500, "08:30", "Asia/Shanghai", clock.now())
        env.storage.subscribe(2002, "08:30", "Asia/Shanghai", clock.now())
        fake.blocked.add(2001)
        fake.migrated[-500] = -1000500
        clock.set(at(21, 8, 30))
        result = await deliver_tips(env.app, "08:30", "Asia/Shanghai")
        assert (result.sent, result.blocked) == (2, 1)
        assert env.storage.subscription(2001).active is False
        assert env.storage.subscription(-1000500).active and env.storage.subscription(-500) is None
        assert len(tips_to(fake, -1000500)) == 1 and len(tips_to(fake, 2002)) == 1


async def test_flood_control_during_tips_waits_and_loses_nobody(fake, db, assistant):
    clock = FakeClock(current=at(21, 7))
    async with running_bot(fake, db, assistant=assistant, clock=clock) as env:
        for chat_id in (3001, 3002, 3003):
            env.storage.subscribe(chat_id, "08:30", "Asia/Shanghai", clock.now())
        fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 30", {"retry_after": 30})
        clock.set(at(21, 8, 30))
        result = await deliver_tips(env.app, "08:30", "Asia/Shanghai")
        assert result.sent == 3
        assert any(s >= 30 for s in clock.slept)
        assert all(len(tips_to(fake, c)) == 1 for c in (3001, 3002, 3003))


async def test_many_subscribers_at_the_same_minute_are_sent_in_order_throttled_none_lost(fake, db, assistant):
    clock = FakeClock(current=at(21, 7))
    async with running_bot(fake, db, assistant=assistant, clock=clock) as env:
        chats = list(range(10_000, 10_100))
        for chat_id in reversed(chats):
            env.storage.subscribe(chat_id, "08:30", "Asia/Shanghai", clock.now())
        clock.set(at(21, 8, 30))
        start = clock.monotonic()
        result = await deliver_tips(env.app, "08:30", "Asia/Shanghai")
        elapsed = clock.monotonic() - start
        assert result.sent == 100
        order = [m["chat_id"] for m in fake.sent("sendMessage") if "今日防骗小贴士" in m["text"]]
        assert order == chats                                   # in order, each exactly once
        bulk_rate = 25.0
        assert elapsed >= (len(chats) - 1) / bulk_rate - 1e-6   # never faster than the bulk budget
        assert (await deliver_tips(env.app, "08:30", "Asia/Shanghai")).sent == 0


async def test_a_tip_is_sent_in_the_script_the_chat_chose(fake, db, assistant):
    """Issue 13: a chat that chose 繁體 with /lang gets its daily tip in traditional characters."""
    clock = FakeClock(current=at(21, 7))
    async with running_bot(fake, db, assistant=assistant, clock=clock) as env:
        await env.send(message_update("/subscribe 08:30"))
        env.storage.set_script(1001, "traditional-hk", clock.now())
        clock.set(at(21, 8, 30))
        await run_slot(env)
        tip = fake.sent("sendMessage", 1001)[-1]
        assert "今日防騙小貼士" in tip["text"]
        assert [label for label, _ in buttons(tip)] == ["📖 瞭解更多", "🔕 退訂"]   # OpenCC s2hk
