"""The SQLite store: schema versioning, subscriptions, tips once per day and per cycle, reports,
and durability (a crash mid-write, two processes on one file)."""

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
    store.record_feedback(1, "freeze-account", True, T0)
    store.record_feedback(1, "freeze-account", False, T0)
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
            s.db.conn.execute("INSERT INTO gaps (text, reason, created_at) VALUES (?, 'no_match', 'x')", [str(i)])
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
