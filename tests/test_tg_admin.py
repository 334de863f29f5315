"""Reports and admin tools through the real Application and a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys

from bot.core.knowledge import DEFAULT_KNOWLEDGE_DIR
from bot.tg.handlers.common import UNKNOWN_COMMAND

from .conftest import ROOT
from .fake_telegram import bot_message, callback_update, message_update
from .tg_env import ADMIN, buttons, running_bot


async def test_reports_count_once_per_user_and_show_in_verdicts(env):
    await env.send(message_update("/report 170 1234 5678 冒充花呗客服要验证码", chat_id=1001))
    assert "已记录" in env.last_reply(1001)["text"] and "1 位用户举报" in env.last_reply(1001)["text"]
    await env.send(message_update("/report 17012345678", chat_id=1001))
    assert "已经举报过" in env.last_reply(1001)["text"]
    await env.send(message_update("17012345678", chat_id=1002))   # another user checks it...
    verdict = env.last_reply(1002)
    assert "用户举报" not in verdict["text"]                       # one report is not yet a public warning
    await env.send(callback_update("rep:17012345678", bot_message(verdict), user_id=1002))  # ...and reports it
    assert env.storage.report_count("17012345678") == 2
    await env.send(message_update("/report 17012345678", chat_id=1003))
    await env.send(message_update("17012345678", chat_id=1004))
    assert "已有 3 位用户举报" in env.last_reply(1004)["text"]
    assert env.storage.reports_to_review()[0].note == "冒充花呗客服要验证码"


async def test_users_can_only_file_a_few_reports_per_hour(env):
    limit = env.services.settings.reports_per_hour
    for n in range(limit):
        await env.send(message_update(f"/report 1380013800{n}", chat_id=1001))
    await env.send(message_update("/report 13900139000", chat_id=1001))
    assert "太多了" in env.last_reply(1001)["text"]
    env.clock.advance(3601)
    await env.send(message_update("/report 13900139000", chat_id=1001))
    assert "已记录" in env.last_reply(1001)["text"]


async def test_reports_never_turn_an_official_number_into_a_scam_number(env):
    await env.send(message_update("/report 95188 打来要验证码", chat_id=1001))
    reply = env.last_reply(1001)["text"]
    assert "官方号码" in reply and "冒用" in reply
    assert any("95188" in m["text"] and "/reports" in m["text"] for m in env.replies(ADMIN))
    await env.send(message_update("95188", chat_id=1004))
    verdict = env.last_reply(1004)["text"]
    assert "官方号码" in verdict and "冒用" not in verdict          # not before an admin confirms
    await env.send(message_update("/reports", chat_id=ADMIN))
    review = env.last_reply(ADMIN)
    confirm = next(d for _, d in buttons(review) if d.endswith(":ok"))
    await env.send(callback_update(confirm, bot_message(review), user_id=ADMIN))
    await env.send(message_update("95188", chat_id=1005))
    verdict = env.last_reply(1005)["text"]
    assert "官方号码" in verdict and "有人在冒用" in verdict and "诈骗号码" not in verdict


async def test_bad_report_input_gets_usage(env):
    await env.send(message_update("/report"))
    assert "用法" in env.last_reply(1001)["text"]
    await env.send(message_update("/report 没有号码"))
    assert "不是一个有效的电话号码" in env.last_reply(1001)["text"]


async def test_admin_reviews_reports(env):
    await env.send(message_update("/report 17012345678 冒充客服", chat_id=1001))
    await env.send(message_update("/reports", chat_id=ADMIN))
    review = env.last_reply(ADMIN)
    assert "17012345678" in review["text"] and "冒充客服" in review["text"]
    dismiss = next(d for _, d in buttons(review) if d.endswith(":no"))
    await env.send(callback_update(dismiss, bot_message(review), user_id=ADMIN))
    assert "驳回" in env.fake.sent("editMessageText")[-1]["text"]
    assert env.storage.report_count("17012345678") == 0
    await env.send(message_update("/reports", chat_id=ADMIN))
    assert "没有待审核" in env.last_reply(ADMIN)["text"]


async def test_admin_buttons_are_refused_to_others(env):
    await env.send(message_update("/report 17012345678", chat_id=1001))
    report_id = env.storage.reports_to_review()[0].id
    fake_message = {"message_id": 1, "date": 0, "chat": {"id": 1001, "type": "private"}, "text": "x"}
    await env.send(callback_update(f"adm:rp:{report_id}:no", fake_message, user_id=1001))
    assert env.storage.report(report_id).status == "new"
    await env.send(message_update("/stats", chat_id=1001))
    assert env.last_reply(1001)["text"] == UNKNOWN_COMMAND


async def test_stats_summarise_usage(env, suggest_text):
    for text in ("借呗被盗了怎么办", suggest_text, "借呗怎么提前还款", "95188"):
        await env.send(message_update(text, chat_id=1001))
    await env.send(message_update("/subscribe 08:30", chat_id=1002))
    await env.send(message_update("/stats", chat_id=ADMIN))
    text = env.last_reply(ADMIN)["text"]
    assert "提问：3" in text and "直接回答 1（33%）" in text and "超出范围 1（33%）" in text
    assert "订阅者：1" in text and "official 1" in text and "用户：3" in text


async def test_broadcast_needs_confirmation_and_is_sent_once(env):
    for chat_id in (4001, 4002, 4003):
        env.storage.subscribe(chat_id, "08:30", "Asia/Shanghai", env.clock.now())
    await env.send(message_update("/broadcast 近期有人冒充花呗客服，请勿透露验证码。", chat_id=ADMIN))
    preview = env.last_reply(ADMIN)
    assert "3 位订阅者" in preview["text"]
    assert env.replies(4001) == []                       # nothing sent before confirming
    go = next(d for _, d in buttons(preview) if d.endswith(":go"))
    await env.send(callback_update(go, bot_message(preview), user_id=ADMIN))
    done = await asyncio.to_thread(env.fake.wait_for, lambda f: any("已完成" in m["text"] for m in f.sent("sendMessage", ADMIN)), 10)
    assert done
    for chat_id in (4001, 4002, 4003):
        assert [m["text"] for m in env.replies(chat_id)] == ["📢 <b>反诈提醒</b>\n\n近期有人冒充花呗客服，请勿透露验证码。"]
    await env.send(callback_update(go, bot_message(preview), user_id=ADMIN))   # a second tap
    assert "已经处理过" in env.fake.sent("editMessageText")[-1]["text"]
    assert all(len(env.replies(c)) == 1 for c in (4001, 4002, 4003))


async def test_cancelled_broadcast_is_never_sent(env):
    env.storage.subscribe(4001, "08:30", "Asia/Shanghai", env.clock.now())
    await env.send(message_update("/broadcast 测试", chat_id=ADMIN))
    preview = env.last_reply(ADMIN)
    cancel = next(d for _, d in buttons(preview) if d.endswith(":no"))
    await env.send(callback_update(cancel, bot_message(preview), user_id=ADMIN))
    assert "已取消" in env.fake.sent("editMessageText")[-1]["text"]
    assert env.replies(4001) == []


async def test_reload_keeps_the_old_knowledge_when_a_file_is_broken(fake, tmp_path, assistant):
    folder = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, folder)
    async with running_bot(fake, tmp_path / "bot.sqlite", knowledge_dir=str(folder)) as env:
        (folder / "faq" / "broken.yaml").write_text("entries: [\n", encoding="utf-8")
        await env.send(message_update("/reload", chat_id=ADMIN))
        assert "没有通过检查" in env.last_reply(ADMIN)["text"] and "broken.yaml" in env.last_reply(ADMIN)["text"]
        await env.send(message_update("借呗被盗了怎么办", chat_id=1001))
        assert "95188" in env.last_reply(1001)["text"]               # still served by the old knowledge

        (folder / "faq" / "broken.yaml").unlink()
        emergency = folder / "faq" / "emergency.yaml"
        emergency.write_text(emergency.read_text("utf-8").replace("按“冻结 → 报警 → 取证 → 理赔”四步走",
                                                                  "【新版】按“冻结 → 报警 → 取证 → 理赔”四步走"), "utf-8")
        await env.send(message_update("/reload", chat_id=ADMIN))
        assert "已重新加载" in env.last_reply(ADMIN)["text"]
        await env.send(message_update("借呗被盗了怎么办", chat_id=1001))
        assert "【新版】" in env.last_reply(1001)["text"]


async def test_gaps_command_groups_unanswered_questions(fake, tmp_path, assistant):
    db = tmp_path / "bot.sqlite"
    async with running_bot(fake, db, assistant=assistant) as env:
        for text in ("借呗怎么提前还款", "借唄怎麼提前還款？", "借呗提前还款", "今天天气怎么样"):
            await env.send(message_update(text, chat_id=1001))
    env_vars = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "bot", "gaps", "--db", str(db)], cwd=ROOT, env=env_vars,
                          capture_output=True, timeout=60)
    lines = proc.stdout.decode("utf-8").splitlines()
    assert proc.returncode == 0, proc.stderr.decode()
    assert lines[0].split()[0] == "3" and "提前还款" in lines[0]   # the biggest group first
    assert any("天气" in line for line in lines)
    missing = subprocess.run([sys.executable, "-m", "bot", "gaps", "--db", str(tmp_path / "none.sqlite")],
                             cwd=ROOT, capture_output=True, timeout=60)
    assert missing.returncode == 2 and b"no database" in missing.stderr
