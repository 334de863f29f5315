"""The SQLite store: schema versioning, subscriptions, tips once per day and per cycle, reports,
durability (a crash mid-write, two processes on one file), privacy (no stored question joins a
chat, numbers masked, forget, retention) and broadcast planning along the primary key."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import pytest

from bot.storage import ADDED, DUPLICATE, RATE_LIMITED, Storage, tip_order

from .conftest import ROOT

T0 = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.timezone.utc)
TIPS = [f"tip-{i:03d}" for i in range(1, 8)]


@pytest.fixture
def store(tmp_path):
    storage = Storage(tmp_path / "bot.sqlite")
    yield storage
    storage.close()


def test_schema_is_versioned_and_migrations_apply_once(tmp_path):
    first = Storage(tmp_path / "a.sqlite")
    version = first.schema_version()
    first.close()
    second = Storage(tmp_path / "a.sqlite")
    assert version >= 1 and second.schema_version() == version
    assert second.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert second.integrity_ok()
    second.close()


def test_subscribing_again_changes_the_time_not_the_row_count(store):
    assert store.subscribe(1, "08:30", "Asia/Shanghai", T0) is True
    assert store.subscribe(1, "20:00", "Asia/Shanghai", T0) is False
    assert store.db["subscribers"].count == 1
    assert store.subscription(1).send_time == "20:00"
    assert store.delivery_slots() == [("20:00", "Asia/Shanghai")]
    assert store.unsubscribe(1, T0) is True and store.unsubscribe(1, T0) is False
    assert store.delivery_slots() == []
    assert store.subscribe(1, "07:30", "Asia/Shanghai", T0) is True   # re-activated


def test_one_tip_per_day_and_every_tip_before_any_repeats(store):
    store.subscribe(7, "08:30", "Asia/Shanghai", T0 - dt.timedelta(days=1))
    seen = []
    for day in range(len(TIPS)):
        today = (T0.date() + dt.timedelta(days=day)).isoformat()
        tip = store.claim_tip(7, today, TIPS)
        assert tip is not None
        assert store.claim_tip(7, today, TIPS) is None   # never two on one day
        seen.append(tip)
    assert sorted(seen) == sorted(TIPS)                   # a full cycle, no repeats
    next_cycle = store.claim_tip(7, (T0.date() + dt.timedelta(days=len(TIPS))).isoformat(), TIPS)
    assert next_cycle == tip_order(7, 1, TIPS)[0]


def test_a_released_claim_gives_the_same_tip_again(store):
    store.subscribe(8, "08:30", "Asia/Shanghai", T0)
    tip = store.claim_tip(8, "2026-11-22", TIPS)
    store.release_claim(8, "2026-11-22")
    assert store.claim_tip(8, "2026-11-22", TIPS) == tip


def test_due_subscribers_pages_in_chat_id_order_and_skips_late_subscribers(store):
    for chat_id in (30, 10, 20):
        store.subscribe(chat_id, "08:30", "Asia/Shanghai", T0)
    store.subscribe(40, "08:30", "Asia/Shanghai", T0 + dt.timedelta(hours=2))   # after the slot
    slot = T0 + dt.timedelta(minutes=30)
    assert store.due_subscribers("08:30", "Asia/Shanghai", "2026-11-21", slot, limit=2) == [10, 20]
    assert store.due_subscribers("08:30", "Asia/Shanghai", "2026-11-21", slot, after_chat_id=20) == [30]


def test_reports_count_once_per_user_and_are_rate_limited(store):
    assert store.add_report("17012345678", 1, "冒充花呗", T0, max_per_hour=3) == ADDED
    assert store.add_report("17012345678", 1, "again", T0, max_per_hour=3) == DUPLICATE
    assert store.add_report("17012345678", 2, "", T0, max_per_hour=3) == ADDED
    assert store.report_count("17012345678") == 2
    for n in range(2):
        assert store.add_report(f"1380013800{n}", 1, "", T0, max_per_hour=3) == ADDED
    assert store.add_report("13800138009", 1, "", T0, max_per_hour=3) == RATE_LIMITED
    assert store.add_report("13800138009", 1, "", T0 + dt.timedelta(hours=2), max_per_hour=3) == ADDED
    first = store.reports_to_review()[0]
    store.set_report_status(first.id, "dismissed")
    assert store.report_count("17012345678") == 1


def test_sql_looking_text_is_stored_verbatim(store):
    note = "'); DROP TABLE reports; --"
    store.add_report("17012345678", 1, note, T0, max_per_hour=5)
    store.record_gap("1' OR '1'='1", "no_match", T0)
    assert store.reports_to_review()[0].note == note
    assert store.gaps()[0][0] == "1' OR '1'='1"
    assert store.integrity_ok()


def test_chat_migration_is_followed(store):
    store.subscribe(-100, "08:30", "Asia/Shanghai", T0)
    store.migrate_chat(-100, -1001234)
    assert store.subscription(-100) is None
    assert store.subscription(-1001234).send_time == "08:30"


def test_feedback_is_one_vote_per_user_and_entry(store):
    store.record_feedback(1, "freeze-account", True)
    store.record_feedback(1, "freeze-account", False)
    stats = store.stats()
    assert (stats["feedback_useful"], stats["feedback_not_useful"]) == (0, 1)


def _python(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_a_crash_in_the_middle_of_a_write_loses_nothing_committed(tmp_path):
    path = tmp_path / "crash.sqlite"
    store = Storage(path)
    store.subscribe(1, "08:30", "Asia/Shanghai", T0)
    store.close()
    proc = _python(f"""
        import os, datetime as dt
        from bot.storage import Storage
        s = Storage({str(path)!r})
        s.db.conn.execute("BEGIN IMMEDIATE")
        for i in range(1000):
            s.db.conn.execute("INSERT INTO gaps (day, reason, text, count) VALUES ('x', 'no_match', ?, 1)", [str(i)])
        s.db.conn.execute("UPDATE subscribers SET send_time = '23:59'")
        os._exit(9)   # the process dies before COMMIT, as in a crash or kill -9
    """)
    assert proc.returncode == 9, proc.stderr
    reopened = Storage(path)
    assert reopened.integrity_ok()
    assert reopened.gaps() == []                                 # the unfinished write left no trace
    assert reopened.subscription(1).send_time == "08:30"        # the committed state is intact
    reopened.close()


def test_two_processes_writing_the_same_file_lose_and_duplicate_nothing(tmp_path):
    path = tmp_path / "shared.sqlite"
    Storage(path).close()
    worker = """
        import datetime as dt, sys
        from bot.storage import Storage
        s = Storage({path!r})
        now = dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc)
        base = {base}
        for i in range(300):
            s.add_report("17012345678", base + i, "", now, max_per_hour=10)
            s.subscribe(base + i, "08:30", "Asia/Shanghai", now)
            s.count("question", "answered", now)
        s.close()
    """
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(worker.format(path=str(path), base=base))],
                              cwd=ROOT, stderr=subprocess.PIPE, text=True) for base in (1, 100_000)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    store = Storage(path)
    assert store.report_count("17012345678") == 600
    assert store.db["subscribers"].count == 600
    assert store.stats()["counters"]["question"]["answered"] == 600
    assert store.integrity_ok()
    store.close()


def test_chat_settings_script_and_guard_survive_a_reopen(tmp_path):
    import datetime as dt

    from bot.storage import Storage

    now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
    path = tmp_path / "bot.sqlite"
    storage = Storage(path)
    assert storage.script(1) is None and not storage.guard_enabled(-100)
    storage.set_script(1, "traditional-hk", now)
    storage.set_guard(-100, True, now)
    storage.set_script(-100, "traditional-tw", now)      # a group can have both settings
    storage.close()
    again = Storage(path)
    assert again.script(1) == "traditional-hk" and again.guard_enabled(-100) and again.script(-100) == "traditional-tw"
    with pytest.raises(ValueError):
        again.set_script(1, "klingon", now)
    again.set_guard(-100, False, now)
    assert not again.guard_enabled(-100) and again.script(-100) == "traditional-tw"


def test_guard_warnings_are_limited_per_group_and_hour(tmp_path):
    import datetime as dt

    from bot.storage import Storage

    storage = Storage(tmp_path / "bot.sqlite")
    start = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
    got = [storage.claim_guard_warning(-100, start + dt.timedelta(minutes=i), max_per_hour=3) for i in range(5)]
    assert got == [True, True, True, False, False]
    assert storage.claim_guard_warning(-200, start, max_per_hour=3)              # another group: its own limit
    assert storage.claim_guard_warning(-100, start + dt.timedelta(minutes=61), max_per_hour=3)  # an hour on


def test_reports_age_out_and_carry_an_admin_confirmation(tmp_path):
    import datetime as dt

    from bot.storage import REPORT_WINDOW_DAYS, Storage

    store = Storage(tmp_path / "bot.sqlite")
    now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
    old = now - dt.timedelta(days=REPORT_WINDOW_DAYS + 1)
    store.add_report("17012345678", 1, "", old, max_per_hour=5)
    store.add_report("17012345678", 2, "", now, max_per_hour=5)
    count = store.report_count("17012345678", now)
    assert count == 1 and not count.confirmed                 # the old report has aged out
    report = store.reports_to_review()[-1]
    store.set_report_status(report.id, "confirmed")
    assert store.report_count("17012345678", now).confirmed


def test_inbox_keeps_updates_until_handled_and_survives_a_reopen(tmp_path):
    import datetime as dt

    from bot.storage import Storage

    now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
    store = Storage(tmp_path / "bot.sqlite")
    store.inbox_put([(11, '{"update_id": 11}'), (12, '{"update_id": 12}')], now)
    store.inbox_put([(11, '{"update_id": 11, "again": true}')], now)     # sent again: kept as it was
    assert [u for u, _, _ in store.inbox_pending()] == [11, 12]
    assert store.inbox_attempt(11) == 1
    store.inbox_finish(11)
    store.close()
    again = Storage(tmp_path / "bot.sqlite")
    assert again.inbox_pending() == [(12, '{"update_id": 12}', 0)] and again.inbox_max_update_id() == 12
    again.inbox_finish(12, "failed")
    assert again.inbox_pending() == []
    assert again.inbox_prune(now + dt.timedelta(days=1)) == 2


# --- privacy --------------------------------------------------------------------------------

def test_a_thumbs_down_question_cannot_be_joined_back_to_its_chat(store):
    """The issue's join: a 👎 wrote the vote and the question with the same timestamp. Now the
    question keeps a day and a count only, in a table with no row id; the vote keeps no time."""
    store.touch_user(4242, T0)
    store.record_feedback(4242, "freeze-account", False)
    store.record_gap("我的号码 13800138000 被冻结了怎么办", "not_useful", T0)
    gap_columns = {row[1] for row in store.db.execute("PRAGMA table_info(gaps)").fetchall()}
    vote_columns = {row[1] for row in store.db.execute("PRAGMA table_info(feedback)").fetchall()}
    assert gap_columns == {"day", "reason", "text", "count"}
    assert vote_columns == {"chat_id", "entry_id", "useful"}          # no time to match a day against
    for table in ("gaps", "feedback"):                                 # no row order to pair them by
        with pytest.raises(Exception, match="rowid"):
            store.db.execute(f"SELECT rowid FROM {table}").fetchall()
    stored = store.db.execute("SELECT * FROM gaps").fetchall()
    assert stored == [("2026-11-21", "not_useful", "我的号码 138****00 被冻结了怎么办", 1)]
    assert not any("13800138000" in str(v) or "4242" in str(v) for row in stored for v in row)


@pytest.mark.parametrize("text, hidden", [
    ("打我电话 138 0013 8000", "0013"), ("+86 138-0013-8000 是我", "0013"),
    ("身份证 11010519491231002X 被人拿去贷款", "0519491231"), ("卡号6222021234567890123被冻结", "02123456789"),
    ("座机 0571-88888888", "8888888"),
])
def test_stored_questions_and_report_notes_carry_no_full_number(store, text, hidden):
    store.record_gap(text, "no_match", T0)
    store.add_report("17012345678", 1, text, T0, max_per_hour=5)
    assert hidden not in store.gaps()[0][0] and "****" in store.gaps()[0][0]
    assert hidden not in store.reports_to_review()[0].note


def test_short_numbers_and_dates_stay_readable_in_stored_questions(store):
    store.record_gap("2026-11-30 收到 95188 的短信，让我打 110", "no_match", T0)
    assert store.gaps()[0][0] == "2026-11-30 收到 95188 的短信，让我打 110"


def test_gaps_are_counted_by_day_and_text(store):
    for _ in range(3):
        store.record_gap("借呗怎么提前还款", "no_match", T0)
    store.record_gap("借呗怎么提前还款", "no_match", T0 + dt.timedelta(days=1))
    assert [g[2] for g in store.gaps()] == ["2026-11-21"] * 3 + ["2026-11-22"]
    assert store.stats()["gaps"] == 4


def test_a_version_3_database_is_migrated_and_its_texts_masked(tmp_path):
    from sqlite_utils import Database

    from bot.storage import migrations

    path = tmp_path / "old.sqlite"
    old = Database(path)
    migrations.apply(old, stop_before="m004_privacy")
    old["gaps"].insert_all([{"text": "我的卡 6222021234567890123 被冻结", "reason": "no_match",
                             "created_at": "2026-11-20T10:11:12+00:00"},
                            {"text": "我的卡 6222021234567890123 被冻结", "reason": "no_match",
                             "created_at": "2026-11-20T23:00:00+00:00"}])
    old["feedback"].insert({"chat_id": 5, "entry_id": "freeze-account", "useful": 0,
                            "updated_at": "2026-11-20T10:11:12+00:00"})
    old["reports"].insert({"number": "17012345678", "reporter": 5, "note": "他说身份证 11010519491231002X",
                           "created_at": "2026-11-20T10:00:00+00:00", "status": "new"})
    old["broadcasts"].insert({"text": "x", "created_by": 1, "created_at": "2026-11-20T10:00:00+00:00",
                              "status": "done", "last_chat_id": 9, "sent": 3, "failed": 1})
    old.conn.close()
    store = Storage(path)
    assert store.gaps() == [("我的卡 622****23 被冻结", "no_match", "2026-11-20")] * 2
    assert store.stats()["feedback_not_useful"] == 1
    assert "0519491231" not in store.reports_to_review()[0].note
    assert store.broadcast(1).maybe == 0 and store.broadcast(1).sent == 3
    assert store.integrity_ok()
    store.close()


def test_forget_removes_everything_about_a_chat_and_nothing_else(store):
    for chat_id in (77, 78):
        store.touch_user(chat_id, T0)
        store.subscribe(chat_id, "08:30", "Asia/Shanghai", T0)
        store.set_script(chat_id, "traditional-hk", T0)
        store.record_feedback(chat_id, "freeze-account", True)
        store.add_report(f"170123456{chat_id}", chat_id, "冒充客服", T0, max_per_hour=5)
    store.add_report("95188", 77, "冒用", T0, max_per_hour=5)
    confirmed = next(r for r in store.reports_to_review() if r.number == "95188")
    store.set_report_status(confirmed.id, "confirmed")
    store.set_guard(-500, True, T0)
    store.claim_guard_warning(-500, T0, max_per_hour=3)
    store.record_gap("借呗怎么提前还款", "no_match", T0)

    removed = store.forget(77)
    assert removed["users"] == 1 and removed["subscribers"] == 1 and removed["reports"] == 2
    everything = {table: store.db.execute(f"SELECT * FROM {table}").fetchall()
                  for table in ("users", "subscribers", "chat_settings", "feedback", "reports", "guard_warnings")}
    assert not any(77 in row for rows in everything.values() for row in rows)
    assert store.subscription(78) is not None and store.script(78) == "traditional-hk"
    assert store.report_count("17012345678") == 1                       # 78's report is untouched
    spoofed = store.report_count("95188")                               # the admin's decision stays,
    assert spoofed == 1 and spoofed.confirmed                           # without 77's id or note
    assert store.report(confirmed.id).reporter < -(2 ** 53) and store.report(confirmed.id).note == ""
    store.forget(-500)
    assert not store.guard_enabled(-500)
    assert store.db.execute("SELECT COUNT(*) FROM guard_warnings").fetchone()[0] == 0
    assert store.stats()["gaps"] == 1                                   # never linked to a chat


def test_prune_applies_the_retention_periods(store):
    from bot.storage import (GAP_RETENTION_DAYS, REPORT_RETENTION_DAYS, UNSUBSCRIBED_RETENTION_DAYS,
                             USER_RETENTION_DAYS)

    now = T0 + dt.timedelta(days=800)
    long_ago = now - dt.timedelta(days=USER_RETENTION_DAYS + 1)
    store.record_gap("很久以前的问题", "no_match", now - dt.timedelta(days=GAP_RETENTION_DAYS + 1))
    store.record_gap("最近的问题", "no_match", now - dt.timedelta(days=2))
    for chat_id in (1, 2, 3, -4):                     # all last seen long ago
        store.touch_user(chat_id, long_ago)
        store.record_feedback(chat_id, "freeze-account", True)
        store.set_script(chat_id, "traditional-tw", long_ago)
    store.subscribe(2, "08:30", "Asia/Shanghai", long_ago)          # still subscribed: kept
    store.set_guard(-4, True, long_ago)                             # a guarded group: kept
    store.touch_user(5, now - dt.timedelta(days=3))                 # seen recently: kept
    store.subscribe(6, "08:30", "Asia/Shanghai", long_ago)
    store.unsubscribe(6, now - dt.timedelta(days=UNSUBSCRIBED_RETENTION_DAYS + 1))
    store.subscribe(7, "08:30", "Asia/Shanghai", long_ago)
    store.unsubscribe(7, now - dt.timedelta(days=2))
    store.add_report("17012345678", 8, "", now - dt.timedelta(days=REPORT_RETENTION_DAYS + 1), max_per_hour=5)
    store.add_report("17012345679", 8, "", now - dt.timedelta(days=1), max_per_hour=5)

    removed = store.prune(now)
    assert [g[0] for g in store.gaps()] == ["最近的问题"]
    users = {r[0] for r in store.db.execute("SELECT chat_id FROM users").fetchall()}
    assert users == {2, -4, 5}
    assert {r[0] for r in store.db.execute("SELECT chat_id FROM feedback").fetchall()} == {2, -4}
    assert store.script(1) is None and store.script(2) == "traditional-tw"
    assert store.subscription(6) is None and store.subscription(7) is not None
    assert [r.number for r in store.reports_to_review()] == ["17012345679"]
    assert removed["users"] == 2 and removed["gaps"] == 1 and removed["reports"] == 1
    assert store.prune(now) == {table: 0 for table in removed}       # nothing left to do


# --- broadcasts ---------------------------------------------------------------------------------

def test_broadcast_outcomes_are_counted_apart(store):
    broadcast_id = store.create_broadcast("提醒", 9001, T0)
    for chat_id, outcome in ((1, "sent"), (2, "maybe"), (3, "failed"), (4, True), (5, False)):
        store.advance_broadcast(broadcast_id, chat_id, outcome)
    done = store.broadcast(broadcast_id)
    assert (done.sent, done.maybe, done.failed, done.last_chat_id) == (2, 1, 2, 5)
    with pytest.raises(ValueError):
        store.advance_broadcast(broadcast_id, 6, "delivered; drop table broadcasts")


def test_broadcast_pages_walk_the_primary_key_without_sorting(store):
    """A page is a primary-key range: no temporary B-tree (a sort on every page made planning
    quadratic: 18.5 s at a million subscribers)."""
    for chat_id in (30, -10, 20, 40):
        store.subscribe(chat_id, "08:30", "Asia/Shanghai", T0)
    store.unsubscribe(20, T0)
    assert store.active_subscriber_ids(limit=2) == [-10, 30]
    assert store.active_subscriber_ids(after_chat_id=30) == [40]
    assert store.count_recipients(page=2) == 3
    plan = " | ".join(row[-1] for row in store.db.execute(f"EXPLAIN QUERY PLAN {Storage.ACTIVE_PAGE_SQL}",
                                                          [0, 5000]).fetchall())
    assert "TEMP B-TREE" not in plan.upper() and ("PRIMARY KEY" in plan.upper() or "ROWID" in plan.upper()), plan
    assert "idx_subscribers" not in plan


def test_counting_recipients_works_from_another_thread(store):
    import threading

    store.subscribe(1, "08:30", "Asia/Shanghai", T0)
    result = []
    thread = threading.Thread(target=lambda: result.append(store.count_recipients()))
    thread.start()
    thread.join()
    assert result == [1]
