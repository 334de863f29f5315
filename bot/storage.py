"""Durable storage: subscribers, scam-number reports, feedback, usage counters, knowledge gaps
and broadcasts, in one SQLite file through sqlite-utils. The only module that touches SQL.

Durability:
- WAL journal, synchronous=FULL: a committed write survives a crash or power loss, and a crash
  mid-write leaves the previous state (SQLite rolls back the unfinished transaction).
- Every write runs in its own `BEGIN IMMEDIATE` transaction: it takes the write lock up front, so
  two processes sharing the file queue behind `busy_timeout` instead of failing halfway.
- The schema is versioned with sqlite-utils migrations, applied at start under the same lock,
  so two processes starting together cannot both apply a migration.

Privacy (what /privacy tells users): chat ids with first/last-seen dates, subscriptions, votes,
reports, language and guard settings. Unanswered questions are stored with no chat id, by day (no
timestamp, no row id, a count per day and text), so none can be joined back to a chat; phone,
ID-card and bank-card numbers in stored questions and report notes are masked on write
(core/privacy.py). `forget` removes everything about one chat; `prune` applies the retention
periods below and runs daily.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from sqlite_utils import Database, Migrations

from .core.privacy import mask_numbers

BUSY_TIMEOUT_MS = 15_000
MAX_GAP_CHARS = 300
MAX_NOTE_CHARS = 300

migrations = Migrations("fanzha-bot")


@migrations()
def m001_initial(db: Database) -> None:
    db["users"].create({"chat_id": int, "first_seen": str, "last_seen": str}, pk="chat_id")
    db["counters"].create({"day": str, "kind": str, "status": str, "count": int}, pk=("day", "kind", "status"))
    db["feedback"].create({"chat_id": int, "entry_id": str, "useful": int, "updated_at": str},
                          pk=("chat_id", "entry_id"))
    db["gaps"].create({"id": int, "text": str, "reason": str, "created_at": str}, pk="id")
    db["subscribers"].create({
        "chat_id": int, "send_time": str, "timezone": str, "active": int, "subscribed_at": str,
        "updated_at": str, "last_sent_date": str, "tip_cycle": int, "tip_position": int,
    }, pk="chat_id", not_null={"send_time", "timezone", "active"})
    db["subscribers"].create_index(["active", "send_time", "timezone"])
    db["reports"].create({"id": int, "number": str, "reporter": int, "note": str, "created_at": str,
                          "status": str}, pk="id", not_null={"number", "reporter", "status"})
    db["reports"].create_index(["number", "reporter"], unique=True)
    db["reports"].create_index(["reporter", "created_at"])
    db["reports"].create_index(["status"])
    db["broadcasts"].create({"id": int, "text": str, "created_by": int, "created_at": str, "status": str,
                             "last_chat_id": int, "sent": int, "failed": int}, pk="id")


@migrations()
def m002_chat_settings(db: Database) -> None:
    """Per-chat choices: the reply script (简体 / 繁體) and the opt-in group guard, with the
    warnings it sent (for its per-group hourly limit)."""
    db["chat_settings"].create({"chat_id": int, "script": str, "guard": int, "updated_at": str}, pk="chat_id")
    db["guard_warnings"].create({"id": int, "chat_id": int, "sent_at": str}, pk="id")
    db["guard_warnings"].create_index(["chat_id", "sent_at"])


SCRIPTS = ("simplified", "traditional-hk", "traditional-tw")


@migrations()
def m003_inbox(db: Database) -> None:
    """The durable inbox: every update is stored before Telegram is told it was received, marked
    done once handled, and replayed at start if it never was."""
    db["inbox"].create({"update_id": int, "payload": str, "received_at": str, "status": str, "attempts": int},
                       pk="update_id", not_null={"payload", "status"})
    db["inbox"].create_index(["status", "update_id"])


@migrations()
def m004_privacy(db: Database) -> None:
    """Stored questions can no longer be joined back to a chat, and delivery counts are honest:
    - gaps: a day instead of a timestamp and no row id: one row per (day, reason, text) with a
      count, in a WITHOUT ROWID table (rows ordered by their content, so neither time nor
      insertion order pairs a 👎 question with the 👎 vote);
    - feedback: no time at all (one vote per chat and entry), also WITHOUT ROWID;
    - phone, ID-card and bank-card numbers in existing gap texts and report notes are masked;
    - broadcasts count recipients a send may have reached but did not confirm (`maybe`)."""
    conn = db.conn
    conn.execute("CREATE TABLE gaps_by_day (day TEXT NOT NULL, reason TEXT NOT NULL, text TEXT NOT NULL, "
                 "count INTEGER NOT NULL, PRIMARY KEY (day, reason, text)) WITHOUT ROWID")
    for text, reason, created_at in conn.execute("SELECT text, reason, created_at FROM gaps").fetchall():
        cleaned = _clean_text(text or "", MAX_GAP_CHARS)
        if cleaned:
            conn.execute("INSERT INTO gaps_by_day (day, reason, text, count) VALUES (?, ?, ?, 1) "
                         "ON CONFLICT(day, reason, text) DO UPDATE SET count = count + 1",
                         [(created_at or "")[:10], reason or "", cleaned])
    conn.execute("DROP TABLE gaps")
    conn.execute("ALTER TABLE gaps_by_day RENAME TO gaps")
    conn.execute("CREATE TABLE feedback_votes (chat_id INTEGER NOT NULL, entry_id TEXT NOT NULL, "
                 "useful INTEGER NOT NULL, PRIMARY KEY (chat_id, entry_id)) WITHOUT ROWID")
    conn.execute("INSERT INTO feedback_votes (chat_id, entry_id, useful) SELECT chat_id, entry_id, useful FROM feedback")
    conn.execute("DROP TABLE feedback")
    conn.execute("ALTER TABLE feedback_votes RENAME TO feedback")
    for report_id, note in conn.execute("SELECT id, note FROM reports WHERE note != ''").fetchall():
        conn.execute("UPDATE reports SET note = ? WHERE id = ?", [_clean_text(note, MAX_NOTE_CHARS), report_id])
    conn.execute("ALTER TABLE broadcasts ADD COLUMN maybe INTEGER NOT NULL DEFAULT 0")


def _clean_text(text: str, limit: int) -> str:
    """Whitespace collapsed, personal numbers masked, then cut to `limit` characters (masked
    first, so a cut can never leave part of a number in clear)."""
    return mask_numbers(" ".join(text.split()))[:limit]


# Community reports age out: only this many recent days count.
REPORT_WINDOW_DAYS = 180

# How long what is stored is kept (told to users by /privacy; Storage.prune applies it daily).
GAP_RETENTION_DAYS = 365          # unanswered questions (no chat id, numbers masked)
USER_RETENTION_DAYS = 365         # a chat id, its first/last-seen dates, votes and settings, after the
                                  # last visit (kept while the chat is subscribed or its guard is on)
UNSUBSCRIBED_RETENTION_DAYS = 30  # a stopped subscription (time, tip position), after stopping
REPORT_RETENTION_DAYS = REPORT_WINDOW_DAYS  # a report no longer counts after this, so it goes
BROADCAST_RETENTION_DAYS = 90     # a finished or cancelled broadcast's text


class ReportCount(int):
    """How many distinct users reported a number recently (an int), and whether an admin
    confirmed a report (then an official number may be shown as being spoofed)."""

    confirmed: bool

    def __new__(cls, count: int, confirmed: bool = False) -> "ReportCount":
        value = super().__new__(cls, count)
        value.confirmed = confirmed
        return value


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    send_time: str        # "HH:MM"
    timezone: str
    active: bool
    last_sent_date: str | None
    tip_cycle: int
    tip_position: int


@dataclass(frozen=True)
class Report:
    id: int
    number: str
    reporter: int
    note: str
    created_at: str
    status: str


@dataclass(frozen=True)
class Broadcast:
    id: int
    text: str
    created_by: int
    status: str
    last_chat_id: int
    sent: int
    failed: int
    maybe: int = 0   # sends Telegram may have accepted but never confirmed (never sent again)


ADDED, DUPLICATE, RATE_LIMITED = "added", "duplicate", "rate_limited"
# Outcomes of one broadcast send, counted separately in the admin's summary.
SENT, MAYBE, FAILED = "sent", "maybe", "failed"


def _stand_in() -> int:
    """A reporter id for a forgotten user's confirmed report: below any Telegram chat id (those
    fit in 52 bits), random, so it counts as one distinct reporter and names nobody."""
    return -(2 ** 53) - secrets.randbits(52)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def tip_order(chat_id: int, cycle: int, tip_ids: Sequence[str]) -> list[str]:
    """This subscriber's order of the tips in one cycle: a stable shuffle, so each subscriber
    sees every tip once per cycle, and different subscribers see them in different orders."""
    return sorted(tip_ids, key=lambda t: hashlib.sha256(f"{chat_id}:{cycle}:{t}".encode()).digest())


class Storage:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT) below.
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        self.db = Database(conn)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # What `forget` and `prune` delete is overwritten, not left in free pages of the file.
        conn.execute("PRAGMA secure_delete=ON")
        with self._write():
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[Database]:
        """One write transaction, holding the write lock from its start."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def _one(self, sql: str, params: Sequence = ()) -> tuple | None:
        return self.db.conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self.db.conn.execute(sql, params).fetchall()

    # -- schema ----------------------------------------------------------------------------

    def schema_version(self) -> int:
        return len(migrations.applied(self.db))

    def integrity_ok(self) -> bool:
        return self._one("PRAGMA integrity_check")[0] == "ok"

    # -- chat settings: reply script and group guard ----------------------------------------

    def set_script(self, chat_id: int, script: str, now: dt.datetime) -> None:
        """The script replies are written in for this chat (one of SCRIPTS)."""
        if script not in SCRIPTS:
            raise ValueError(f"script must be one of {', '.join(SCRIPTS)}")
        with self._write() as db:
            db.execute("INSERT INTO chat_settings (chat_id, script, guard, updated_at) VALUES (?, ?, 0, ?) "
                       "ON CONFLICT(chat_id) DO UPDATE SET script = excluded.script, updated_at = excluded.updated_at",
                       [chat_id, script, _iso(now)])

    def script(self, chat_id: int) -> str | None:
        """The stored script choice, or None when the chat never chose (then: by its language)."""
        row = self._one("SELECT script FROM chat_settings WHERE chat_id = ?", [chat_id])
        return row[0] if row and row[0] else None

    def set_guard(self, chat_id: int, enabled: bool, now: dt.datetime) -> None:
        with self._write() as db:
            db.execute("INSERT INTO chat_settings (chat_id, script, guard, updated_at) VALUES (?, NULL, ?, ?) "
                       "ON CONFLICT(chat_id) DO UPDATE SET guard = excluded.guard, updated_at = excluded.updated_at",
                       [chat_id, int(enabled), _iso(now)])

    def guard_enabled(self, chat_id: int) -> bool:
        row = self._one("SELECT guard FROM chat_settings WHERE chat_id = ?", [chat_id])
        return bool(row and row[0])

    def claim_guard_warning(self, chat_id: int, now: dt.datetime, max_per_hour: int) -> bool:
        """Record one guard warning for the group unless it already had `max_per_hour` in the last
        hour (checked and written in one transaction, so concurrent updates cannot exceed it)."""
        since = _iso(now - dt.timedelta(hours=1))
        with self._write() as db:
            recent = db.execute("SELECT COUNT(*) FROM guard_warnings WHERE chat_id = ? AND sent_at > ?",
                                [chat_id, since]).fetchone()[0]
            if recent >= max_per_hour:
                return False
            db.execute("INSERT INTO guard_warnings (chat_id, sent_at) VALUES (?, ?)", [chat_id, _iso(now)])
            db.execute("DELETE FROM guard_warnings WHERE chat_id = ? AND sent_at <= ?",
                       [chat_id, _iso(now - dt.timedelta(days=1))])
            return True

    # -- the durable inbox -------------------------------------------------------------------

    def inbox_put(self, updates: Sequence[tuple[int, str]], now: dt.datetime) -> None:
        """Store updates (update_id, JSON payload) as new, in one transaction; an update already
        stored (Telegram sent it again) keeps its state."""
        with self._write() as db:
            db.conn.executemany("INSERT OR IGNORE INTO inbox (update_id, payload, received_at, status, attempts) "
                                "VALUES (?, ?, ?, 'new', 0)", [(u, p, _iso(now)) for u, p in updates])

    def inbox_pending(self, limit: int = 1000) -> list[tuple[int, str, int]]:
        """Updates not yet handled, oldest first: (update_id, payload, attempts so far)."""
        return [(r[0], r[1], r[2]) for r in self._all(
            "SELECT update_id, payload, attempts FROM inbox WHERE status = 'new' ORDER BY update_id LIMIT ?", [limit])]

    def inbox_attempt(self, update_id: int) -> int:
        """Count one more attempt at handling an update; returns the new count."""
        with self._write() as db:
            db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?", [update_id])
            row = db.execute("SELECT attempts FROM inbox WHERE update_id = ?", [update_id]).fetchone()
        return row[0] if row else 0

    def inbox_finish(self, update_id: int, status: str = "done") -> None:
        """Mark an update handled ('done') or given up on ('failed': too many attempts)."""
        if status not in ("done", "failed"):
            raise ValueError("status must be done or failed")
        with self._write() as db:
            db.execute("UPDATE inbox SET status = ?, payload = '' WHERE update_id = ?", [status, update_id])

    def inbox_max_update_id(self) -> int | None:
        row = self._one("SELECT MAX(update_id) FROM inbox")
        return row[0] if row else None

    def inbox_prune(self, before: dt.datetime) -> int:
        """Forget handled updates received before `before` (their text was already cleared)."""
        with self._write() as db:
            return db.execute("DELETE FROM inbox WHERE status != 'new' AND received_at < ?", [_iso(before)]).rowcount

    # -- users and usage -------------------------------------------------------------------

    def touch_user(self, chat_id: int, now: dt.datetime) -> None:
        day = now.date().isoformat()
        with self._write() as db:
            db.execute("INSERT INTO users (chat_id, first_seen, last_seen) VALUES (?, ?, ?) "
                       "ON CONFLICT(chat_id) DO UPDATE SET last_seen = excluded.last_seen", [chat_id, day, day])

    def count(self, kind: str, status: str, now: dt.datetime) -> None:
        """One more event of `kind` ending in `status` today (no chat id: counts only)."""
        with self._write() as db:
            db.execute("INSERT INTO counters (day, kind, status, count) VALUES (?, ?, ?, 1) "
                       "ON CONFLICT(day, kind, status) DO UPDATE SET count = count + 1",
                       [now.date().isoformat(), kind, status])

    def record_feedback(self, chat_id: int, entry_id: str, useful: bool) -> None:
        """One vote per user and entry; tapping again changes it. No time is kept: a 👎 and the
        question it stores as a gap share nothing (no timestamp, no key, no row order)."""
        with self._write() as db:
            db.execute("INSERT INTO feedback (chat_id, entry_id, useful) VALUES (?, ?, ?) "
                       "ON CONFLICT(chat_id, entry_id) DO UPDATE SET useful = excluded.useful",
                       [chat_id, entry_id, int(useful)])

    def record_gap(self, text: str, reason: str, now: dt.datetime) -> None:
        """A question the knowledge could not answer well: its text (numbers masked) counted under
        the day and the reason, with no chat id, no time of day and no row id."""
        text = _clean_text(text, MAX_GAP_CHARS)
        if not text:
            return
        with self._write() as db:
            db.execute("INSERT INTO gaps (day, reason, text, count) VALUES (?, ?, ?, 1) "
                       "ON CONFLICT(day, reason, text) DO UPDATE SET count = count + 1",
                       [now.date().isoformat(), reason, text])

    def gaps(self) -> list[tuple[str, str, str]]:
        """(text, reason, day), once per time it was asked; by day, then reason and text."""
        return [(text, reason, day) for day, reason, text, count in
                self._all("SELECT day, reason, text, count FROM gaps ORDER BY day, reason, text")
                for _ in range(count)]

    def stats(self) -> dict:
        counters: dict[str, dict[str, int]] = {}
        for kind, status, total in self._all("SELECT kind, status, SUM(count) FROM counters GROUP BY kind, status"):
            counters.setdefault(kind, {})[status] = total
        useful, not_useful = self._one("SELECT COALESCE(SUM(useful), 0), COALESCE(SUM(1 - useful), 0) FROM feedback")
        return {
            "users": self._one("SELECT COUNT(*) FROM users")[0],
            "counters": counters,
            "feedback_useful": useful,
            "feedback_not_useful": not_useful,
            "subscribers": self._one("SELECT COUNT(*) FROM subscribers WHERE active = 1")[0],
            "reports": self._one("SELECT COUNT(*) FROM reports WHERE status != 'dismissed'")[0],
            "reports_new": self._one("SELECT COUNT(*) FROM reports WHERE status = 'new'")[0],
            "gaps": self._one("SELECT COALESCE(SUM(count), 0) FROM gaps")[0],
        }

    # -- subscriptions ---------------------------------------------------------------------

    def subscribe(self, chat_id: int, send_time: str, timezone: str, now: dt.datetime) -> bool:
        """Subscribe, or change the time of an existing subscription (never a second row).
        True when this created or re-activated a subscription."""
        with self._write() as db:
            row = db.execute("SELECT active FROM subscribers WHERE chat_id = ?", [chat_id]).fetchone()
            db.execute(
                "INSERT INTO subscribers (chat_id, send_time, timezone, active, subscribed_at, updated_at, "
                "last_sent_date, tip_cycle, tip_position) VALUES (?, ?, ?, 1, ?, ?, NULL, 0, 0) "
                "ON CONFLICT(chat_id) DO UPDATE SET send_time = excluded.send_time, timezone = excluded.timezone, "
                "subscribed_at = CASE WHEN active = 0 THEN excluded.subscribed_at ELSE subscribed_at END, "
                "active = 1, updated_at = excluded.updated_at",
                [chat_id, send_time, timezone, _iso(now), _iso(now)])
        return row is None or not row[0]

    def unsubscribe(self, chat_id: int, now: dt.datetime) -> bool:
        with self._write() as db:
            cursor = db.execute("UPDATE subscribers SET active = 0, updated_at = ? WHERE chat_id = ? AND active = 1",
                                [_iso(now), chat_id])
        return cursor.rowcount > 0

    def subscription(self, chat_id: int) -> Subscription | None:
        row = self._one("SELECT chat_id, send_time, timezone, active, last_sent_date, tip_cycle, tip_position "
                        "FROM subscribers WHERE chat_id = ?", [chat_id])
        return Subscription(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6]) if row else None

    def delivery_slots(self) -> list[tuple[str, str]]:
        """Distinct (time, timezone) of active subscriptions: one daily job each."""
        return [tuple(r) for r in self._all(
            "SELECT DISTINCT send_time, timezone FROM subscribers WHERE active = 1 ORDER BY send_time, timezone")]

    def due_subscribers(self, send_time: str, timezone: str, today: str, subscribed_before: dt.datetime,
                        after_chat_id: int = -(2 ** 62), limit: int = 1000) -> list[int]:
        """Active subscribers of one slot not yet sent today's tip, in chat-id order (keyset
        pagination keeps each page cheap at 100,000 subscribers). Those who subscribed after
        today's slot time start tomorrow."""
        return [r[0] for r in self._all(
            "SELECT chat_id FROM subscribers WHERE active = 1 AND send_time = ? AND timezone = ? "
            "AND (last_sent_date IS NULL OR last_sent_date < ?) AND subscribed_at <= ? AND chat_id > ? "
            "ORDER BY chat_id LIMIT ?",
            [send_time, timezone, today, _iso(subscribed_before), after_chat_id, limit])]

    def claim_tip(self, chat_id: int, today: str, tip_ids: Sequence[str]) -> str | None:
        """Atomically mark today's tip as taken for this subscriber and return which tip it is;
        None when already sent today or no longer subscribed. Claiming before sending means two
        workers (or a restart) can never send the same subscriber two tips on one day."""
        if not tip_ids:
            return None
        with self._write() as db:
            row = db.execute("SELECT last_sent_date, tip_cycle, tip_position, active FROM subscribers "
                             "WHERE chat_id = ?", [chat_id]).fetchone()
            if row is None or not row[3] or (row[0] is not None and row[0] >= today):
                return None
            cycle, position = row[1], row[2]
            if position >= len(tip_ids):
                cycle, position = cycle + 1, 0
            tip = tip_order(chat_id, cycle, tip_ids)[position]
            db.execute("UPDATE subscribers SET last_sent_date = ?, tip_cycle = ?, tip_position = ? WHERE chat_id = ?",
                       [today, cycle, position + 1, chat_id])
        return tip

    def release_claim(self, chat_id: int, today: str) -> None:
        """Undo a claim whose message could not be sent (a transient failure), so it is retried."""
        with self._write() as db:
            db.execute("UPDATE subscribers SET last_sent_date = NULL, tip_position = MAX(tip_position - 1, 0) "
                       "WHERE chat_id = ? AND last_sent_date = ?", [chat_id, today])

    def deactivate(self, chat_id: int, now: dt.datetime) -> None:
        """A chat that blocked the bot: stop sending (Telegram answers 403 Forbidden)."""
        self.unsubscribe(chat_id, now)

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group that became a supergroup gets a new chat id: follow it everywhere."""
        with self._write() as db:
            if db.execute("SELECT 1 FROM subscribers WHERE chat_id = ?", [new_chat_id]).fetchone():
                db.execute("DELETE FROM subscribers WHERE chat_id = ?", [old_chat_id])
            else:
                db.execute("UPDATE subscribers SET chat_id = ? WHERE chat_id = ?", [new_chat_id, old_chat_id])
            db.execute("UPDATE OR IGNORE users SET chat_id = ? WHERE chat_id = ?", [new_chat_id, old_chat_id])
            db.execute("UPDATE OR IGNORE feedback SET chat_id = ? WHERE chat_id = ?", [new_chat_id, old_chat_id])
            db.execute("UPDATE OR IGNORE reports SET reporter = ? WHERE reporter = ?", [new_chat_id, old_chat_id])
            db.execute("UPDATE OR IGNORE chat_settings SET chat_id = ? WHERE chat_id = ?", [new_chat_id, old_chat_id])
            db.execute("UPDATE guard_warnings SET chat_id = ? WHERE chat_id = ?", [new_chat_id, old_chat_id])

    # One page of active subscribers after a chat id, walked along the primary key (chat_id is the
    # rowid): `+active` keeps SQLite from choosing the (active, send_time, timezone) index, which
    # would sort every page in a temporary B-tree (quadratic over a whole walk).
    ACTIVE_PAGE_SQL = ("SELECT chat_id FROM subscribers WHERE +active = 1 AND chat_id > ? "
                       "ORDER BY chat_id LIMIT ?")

    def active_subscriber_ids(self, after_chat_id: int = -(2 ** 62), limit: int = 1000) -> list[int]:
        return [r[0] for r in self._all(self.ACTIVE_PAGE_SQL, [after_chat_id, limit])]

    def count_recipients(self, page: int = 5000) -> int:
        """How many active subscribers a broadcast would reach, walking the same primary-key pages
        the sender walks (counted in SQLite, so a page costs no Python objects). Safe to call from
        another thread (asyncio.to_thread): it reads through its own connection, which under WAL
        sees one consistent snapshot and never blocks the bot's writes."""
        own = str(self.path) != ":memory:"
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000) if own else self.db.conn
        try:
            if own:
                conn.execute("BEGIN")  # one snapshot for the whole walk
            total, after = 0, -(2 ** 62)
            while True:
                count, last = conn.execute(f"SELECT COUNT(*), MAX(chat_id) FROM ({self.ACTIVE_PAGE_SQL})",
                                           [after, page]).fetchone()
                if not count:
                    return total
                total, after = total + count, last
        finally:
            if own:
                conn.close()

    # -- reports ---------------------------------------------------------------------------

    def add_report(self, number: str, reporter: int, note: str, now: dt.datetime, max_per_hour: int) -> str:
        """Record a report: one per user per number counts; at most `max_per_hour` per user."""
        note = _clean_text(note, MAX_NOTE_CHARS)
        since = _iso(now - dt.timedelta(hours=1))
        with self._write() as db:
            if db.execute("SELECT 1 FROM reports WHERE number = ? AND reporter = ?", [number, reporter]).fetchone():
                return DUPLICATE
            recent = db.execute("SELECT COUNT(*) FROM reports WHERE reporter = ? AND created_at > ?",
                                [reporter, since]).fetchone()[0]
            if recent >= max_per_hour:
                return RATE_LIMITED
            db["reports"].insert({"number": number, "reporter": reporter, "note": note,
                                  "created_at": _iso(now), "status": "new"})
        return ADDED

    def report_count(self, number: str, now: dt.datetime | None = None) -> "ReportCount":
        """Distinct users who reported the number in the last REPORT_WINDOW_DAYS (dismissed
        reports never count), and whether an admin confirmed one of them."""
        since = _iso((now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=REPORT_WINDOW_DAYS))
        count, confirmed = self._one(
            "SELECT COUNT(DISTINCT reporter), COALESCE(MAX(status = 'confirmed'), 0) FROM reports "
            "WHERE number = ? AND status != 'dismissed' AND created_at > ?", [number, since])
        return ReportCount(count, bool(confirmed))

    def reports_to_review(self, limit: int = 10) -> list[Report]:
        return [Report(*r) for r in self._all(
            "SELECT id, number, reporter, note, created_at, status FROM reports WHERE status = 'new' "
            "ORDER BY id LIMIT ?", [limit])]

    def report(self, report_id: int) -> Report | None:
        row = self._one("SELECT id, number, reporter, note, created_at, status FROM reports WHERE id = ?", [report_id])
        return Report(*row) if row else None

    def set_report_status(self, report_id: int, status: str) -> bool:
        if status not in ("new", "confirmed", "dismissed"):
            raise ValueError(f"unknown report status {status!r}")
        with self._write() as db:
            return db.execute("UPDATE reports SET status = ? WHERE id = ?", [status, report_id]).rowcount > 0

    # -- privacy: forgetting a chat, retention -------------------------------------------------

    def forget(self, chat_id: int) -> dict[str, int]:
        """Remove everything stored about one chat (a user's private chat id is their user id):
        its user row, subscription, language and guard settings, guard warnings and votes. Its
        reports are deleted, except ones an admin confirmed (they mark an official number as being
        spoofed for everyone): those lose their reporter id (a random stand-in that is no chat id,
        so counts stay right) and their note. Broadcasts the chat sent as an admin and that are
        over lose their sender. Unanswered questions were never linked to a chat. Returns how many
        rows went, per table."""
        removed: dict[str, int] = {}
        with self._write() as db:
            for table, column in (("users", "chat_id"), ("subscribers", "chat_id"), ("chat_settings", "chat_id"),
                                  ("guard_warnings", "chat_id"), ("feedback", "chat_id")):
                removed[table] = db.execute(f"DELETE FROM {table} WHERE {column} = ?", [chat_id]).rowcount
            removed["reports"] = db.execute("DELETE FROM reports WHERE reporter = ? AND status != 'confirmed'",
                                            [chat_id]).rowcount
            for (report_id,) in db.execute("SELECT id FROM reports WHERE reporter = ?", [chat_id]).fetchall():
                db.execute("UPDATE reports SET reporter = ?, note = '' WHERE id = ?", [_stand_in(), report_id])
                removed["reports"] += 1
            removed["broadcasts"] = db.execute(
                "UPDATE broadcasts SET created_by = 0 WHERE created_by = ? AND status IN ('done', 'cancelled')",
                [chat_id]).rowcount
        return removed

    def prune(self, now: dt.datetime) -> dict[str, int]:
        """Apply the retention periods (run daily): unanswered questions after GAP_RETENTION_DAYS;
        chats not seen for USER_RETENTION_DAYS (unless subscribed or guarded) with their votes and
        settings; stopped subscriptions after UNSUBSCRIBED_RETENTION_DAYS; reports after
        REPORT_RETENTION_DAYS; finished broadcasts after BROADCAST_RETENTION_DAYS; guard warnings
        after a day. Returns how many rows went, per table."""
        def days_ago(days: int) -> dt.datetime:
            return now - dt.timedelta(days=days)

        removed: dict[str, int] = {}
        with self._write() as db:
            removed["gaps"] = db.execute("DELETE FROM gaps WHERE day < ?",
                                         [days_ago(GAP_RETENTION_DAYS).date().isoformat()]).rowcount
            removed["subscribers"] = db.execute(
                "DELETE FROM subscribers WHERE active = 0 AND updated_at < ?",
                [_iso(days_ago(UNSUBSCRIBED_RETENTION_DAYS))]).rowcount
            db.execute("CREATE TEMP TABLE IF NOT EXISTS idle_chats (chat_id INTEGER PRIMARY KEY)")
            db.execute("DELETE FROM temp.idle_chats")
            db.execute("INSERT INTO temp.idle_chats SELECT chat_id FROM users WHERE last_seen < ? "
                       "AND chat_id NOT IN (SELECT chat_id FROM subscribers WHERE active = 1) "
                       "AND chat_id NOT IN (SELECT chat_id FROM chat_settings WHERE guard = 1)",
                       [days_ago(USER_RETENTION_DAYS).date().isoformat()])
            for table in ("feedback", "chat_settings", "users"):
                removed[table] = db.execute(
                    f"DELETE FROM {table} WHERE chat_id IN (SELECT chat_id FROM temp.idle_chats)").rowcount
            db.execute("DELETE FROM temp.idle_chats")
            removed["reports"] = db.execute("DELETE FROM reports WHERE created_at < ?",
                                            [_iso(days_ago(REPORT_RETENTION_DAYS))]).rowcount
            removed["broadcasts"] = db.execute(
                "DELETE FROM broadcasts WHERE status IN ('done', 'cancelled') AND created_at < ?",
                [_iso(days_ago(BROADCAST_RETENTION_DAYS))]).rowcount
            removed["guard_warnings"] = db.execute("DELETE FROM guard_warnings WHERE sent_at < ?",
                                                   [_iso(days_ago(1))]).rowcount
        return removed

    # -- broadcasts ------------------------------------------------------------------------

    def create_broadcast(self, text: str, admin: int, now: dt.datetime) -> int:
        with self._write() as db:
            cursor = db.execute("INSERT INTO broadcasts (text, created_by, created_at, status, last_chat_id, sent, "
                                "failed) VALUES (?, ?, ?, 'draft', ?, 0, 0)", [text, admin, _iso(now), -(2 ** 62)])
        return cursor.lastrowid

    _BROADCAST_COLUMNS = "id, text, created_by, status, last_chat_id, sent, failed, maybe"

    def broadcast(self, broadcast_id: int) -> Broadcast | None:
        row = self._one(f"SELECT {self._BROADCAST_COLUMNS} FROM broadcasts WHERE id = ?", [broadcast_id])
        return Broadcast(*row) if row else None

    def broadcasts_in(self, status: str) -> list[Broadcast]:
        return [Broadcast(*r) for r in self._all(
            f"SELECT {self._BROADCAST_COLUMNS} FROM broadcasts WHERE status = ? ORDER BY id", [status])]

    def set_broadcast_status(self, broadcast_id: int, status: str, expect: str | None = None) -> bool:
        """Change the status (optionally only from `expect`): confirming twice starts it once."""
        with self._write() as db:
            if expect is None:
                cursor = db.execute("UPDATE broadcasts SET status = ? WHERE id = ?", [status, broadcast_id])
            else:
                cursor = db.execute("UPDATE broadcasts SET status = ? WHERE id = ? AND status = ?",
                                    [status, broadcast_id, expect])
        return cursor.rowcount > 0

    def advance_broadcast(self, broadcast_id: int, chat_id: int, outcome: str | bool) -> None:
        """Record one recipient done, counted as SENT, MAYBE (Telegram may have delivered it: a
        timeout or a dropped connection; never sent again) or FAILED (True/False: sent/failed);
        a restart resumes after the last recorded chat id."""
        column = (SENT if outcome else FAILED) if isinstance(outcome, bool) else outcome
        if column not in (SENT, MAYBE, FAILED):
            raise ValueError(f"unknown broadcast outcome {outcome!r}")
        with self._write() as db:
            db.execute(f"UPDATE broadcasts SET last_chat_id = ?, {column} = {column} + 1 WHERE id = ?",
                       [chat_id, broadcast_id])
