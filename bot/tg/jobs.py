"""Scheduled and bulk delivery: daily tips and admin broadcasts.

Subscriptions live in SQLite; JobQueue jobs are rebuilt from it on start (one daily job per
distinct delivery time, named `tips:<zone>:<HH:MM>`, replaced rather than duplicated).

Tips: each subscriber's tip for the day is *claimed* in the database right before it is sent,
so no subscriber ever gets two tips on one day, whatever runs twice. After a restart, slots whose
time has already passed today are delivered at once to everyone not yet served (catch-up), so a
restart never makes anyone miss a day. A crash in the instant between claim and send skips that
one subscriber for that day (never a duplicate).

Bulk loops send one message at a time through the flood-control rate limiter (tagged as bulk,
so replies to users keep priority), stop as soon as the application stops, and resume from the
database when it starts again. A send that ends in a timeout or a network error may still have
reached the chat ("maybe delivered"): it is never sent again, and a broadcast counts it apart.

Privacy: a daily job applies the retention periods (Storage.prune).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ContextTypes

from .constants import BULK, CB_ENTRY, CB_SUBSCRIBE, SERVICES
from ..core.locale import SIMPLIFIED, convert
from .flood import StopRequested

log = logging.getLogger(__name__)

SENT, BLOCKED, RETRY, FAILED, MAYBE = "sent", "blocked", "retry", "failed", "maybe"
PAGE = 500  # subscribers fetched per query
PRUNE_JOB = "privacy-prune"
PRUNE_AT = dt.time(4, 0)  # local time (BOT_TIMEZONE), when hardly anyone writes


def slot_job_name(send_time: str, timezone: str) -> str:
    return f"tips:{timezone}:{send_time}"


def _svc(app: Application):
    return app.bot_data[SERVICES]


# --- scheduling ---------------------------------------------------------------------------

def ensure_slot(app: Application, send_time: str, timezone: str) -> None:
    """Make sure one daily job exists for this delivery time."""
    name = slot_job_name(send_time, timezone)
    if app.job_queue.get_jobs_by_name(name):
        return
    hour, minute = map(int, send_time.split(":"))
    app.job_queue.run_daily(deliver_slot, time=dt.time(hour, minute, tzinfo=ZoneInfo(timezone)),
                            name=name, data=(send_time, timezone))


def rebuild_schedule(app: Application) -> list[str]:
    """One job per distinct active (time, zone); jobs for slots nobody uses any more go."""
    wanted = {slot_job_name(t, z): (t, z) for t, z in _svc(app).storage.delivery_slots()}
    for job in app.job_queue.jobs():
        if job.name and job.name.startswith("tips:") and job.name not in wanted:
            job.schedule_removal()
    for send_time, timezone in wanted.values():
        ensure_slot(app, send_time, timezone)
    return sorted(wanted)


async def deliver_slot(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Daily job: send today's tip to everyone subscribed at this time."""
    send_time, timezone = context.job.data
    await deliver_tips(context.application, send_time, timezone)


# --- sending ------------------------------------------------------------------------------

async def send_bulk(app: Application, chat_id: int, text: str,
                    markup: InlineKeyboardMarkup | None = None) -> tuple[str, int]:
    """Send one bulk message; (outcome, chat id actually used). Blocked chats are unsubscribed,
    migrated groups followed. Flood control and network errors were already retried by the rate
    limiter: a timeout or network error that still comes out here is MAYBE (Telegram may have
    delivered the message; it is never sent again); flood control still refusing is RETRY (not
    delivered: tried again later)."""
    svc = _svc(app)
    for _ in range(2):  # a second round only after following a migration
        try:
            await app.bot.send_message(chat_id, text, reply_markup=markup, rate_limit_args=BULK)
            return SENT, chat_id
        except Forbidden:
            svc.storage.deactivate(chat_id, svc.now())
            log.info("A subscriber blocked the bot; unsubscribed")
            return BLOCKED, chat_id
        except ChatMigrated as exc:
            svc.storage.migrate_chat(chat_id, exc.new_chat_id)
            chat_id = exc.new_chat_id
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                svc.storage.deactivate(chat_id, svc.now())
                return BLOCKED, chat_id
            log.warning("Bulk message rejected: %s", exc)
            return FAILED, chat_id
        except (TimedOut, NetworkError):
            return MAYBE, chat_id  # may have been delivered: never send it twice
        except (RetryAfter, StopRequested):
            # Not delivered: flood control still refusing, or the bot is stopping and the request
            # never went out. Tried again later (a tip's claim is released).
            return RETRY, chat_id
    return FAILED, chat_id


def tip_message(app: Application, tip_id: str, script: str = SIMPLIFIED) -> tuple[str, InlineKeyboardMarkup] | None:
    """The tip as a message in the subscriber's script (their stored /lang choice)."""
    knowledge = _svc(app).assistant.knowledge
    tip = next((t for t in knowledge.tips if t.id == tip_id), None)
    if tip is None:
        return None
    buttons = [InlineKeyboardButton(convert("📖 了解更多", script), callback_data=f"{CB_ENTRY}:{tip.learn_more}"),
               InlineKeyboardButton(convert("🔕 退订", script), callback_data=f"{CB_SUBSCRIBE}:off")]
    text = convert(f"💡 <b>今日防骗小贴士</b>\n\n{html.escape(tip.text)}", script)
    return text, InlineKeyboardMarkup([buttons])


@dataclass
class Delivery:
    sent: int = 0
    blocked: int = 0
    retry: int = 0
    failed: int = 0
    skipped: int = 0
    maybe: int = 0


async def deliver_tips(app: Application, send_time: str, timezone: str) -> Delivery:
    """Send today's tip to every due subscriber of one slot, in chat-id order. Does nothing
    before the slot's time today (so catch-up can call it for every slot)."""
    svc = _svc(app)
    zone = ZoneInfo(timezone)
    local = svc.now().astimezone(zone)
    hour, minute = map(int, send_time.split(":"))
    slot = dt.datetime.combine(local.date(), dt.time(hour, minute), zone)
    result = Delivery()
    if local < slot:
        return result
    today = local.date().isoformat()
    tip_ids = [t.id for t in svc.assistant.knowledge.tips]
    after = -(2 ** 62)
    while app.running:
        page = svc.storage.due_subscribers(send_time, timezone, today, subscribed_before=slot,
                                           after_chat_id=after, limit=PAGE)
        if not page:
            break
        for chat_id in page:
            after = chat_id
            if not app.running:
                break
            tip_id = svc.storage.claim_tip(chat_id, today, tip_ids)
            if tip_id is None:
                result.skipped += 1
                continue
            message = tip_message(app, tip_id, svc.storage.script(chat_id) or SIMPLIFIED)
            if message is None:  # the tips changed (a /reload) between claim and send
                svc.storage.release_claim(chat_id, today)
                result.skipped += 1
                continue
            outcome, _ = await send_bulk(app, chat_id, *message)
            if outcome == RETRY:
                svc.storage.release_claim(chat_id, today)
            setattr(result, outcome, getattr(result, outcome) + 1)
    if result.sent or result.blocked or result.failed or result.maybe:
        log.info("Tips at %s %s: %s sent, %s maybe delivered, %s blocked, %s failed, %s to retry",
                 timezone, send_time, result.sent, result.maybe, result.blocked, result.failed, result.retry)
    return result


async def catch_up_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await catch_up(context.application)


async def resume_broadcasts_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await resume_broadcasts(context.application)


async def catch_up(app: Application) -> Delivery:
    """At start: deliver every slot whose time has passed today to those not yet served."""
    total = Delivery()
    for send_time, timezone in _svc(app).storage.delivery_slots():
        part = await deliver_tips(app, send_time, timezone)
        for field in ("sent", "blocked", "retry", "failed", "skipped", "maybe"):
            setattr(total, field, getattr(total, field) + getattr(part, field))
    return total


# --- broadcasts -----------------------------------------------------------------------------

async def send_broadcast(app: Application, broadcast_id: int) -> None:
    """Send a confirmed broadcast to every active subscriber, resuming where it stopped."""
    svc = _svc(app)
    broadcast = svc.storage.broadcast(broadcast_id)
    if broadcast is None or broadcast.status != "sending":
        return
    text = f"📢 <b>反诈提醒</b>\n\n{html.escape(broadcast.text)}"
    after = broadcast.last_chat_id
    while True:
        page = svc.storage.active_subscriber_ids(after_chat_id=after, limit=PAGE)
        if not page:
            break  # everyone reached
        for chat_id in page:
            if not app.running:
                return  # stopping: the next start resumes after `after`
            outcome, _ = await send_bulk(app, chat_id, text)
            svc.storage.advance_broadcast(broadcast_id, chat_id, outcome if outcome in (SENT, MAYBE) else FAILED)
            after = chat_id
    svc.storage.set_broadcast_status(broadcast_id, "done", expect="sending")
    done = svc.storage.broadcast(broadcast_id)
    try:
        await app.bot.send_message(done.created_by, broadcast_summary(done))
    except Exception:  # the admin may have blocked the bot; the broadcast itself is done
        log.warning("Could not report broadcast completion to its admin")


def broadcast_summary(broadcast) -> str:
    """The admin's note: delivered, maybe delivered (a timeout or dropped connection: Telegram
    may have delivered it; never resent), failed (blocked the bot, chat gone, rejected)."""
    return (f"📢 群发 #{broadcast.id} 已完成：成功 {broadcast.sent}，可能已送达 {broadcast.maybe}，"
            f"失败 {broadcast.failed}。")


async def resume_broadcasts(app: Application) -> None:
    for broadcast in _svc(app).storage.broadcasts_in("sending"):
        await send_broadcast(app, broadcast.id)


def plan_broadcast(storage, page: int = 5000) -> int:
    """How many recipients a broadcast would reach, walking the same primary-key pages the sender
    walks, on its own read connection (used by /broadcast's confirmation, which runs it in a
    thread with asyncio.to_thread, and by the benchmark)."""
    return storage.count_recipients(page)


# --- retention ------------------------------------------------------------------------------

def schedule_prune(app: Application) -> None:
    """The daily privacy job (once, whatever calls this twice)."""
    if not app.job_queue.get_jobs_by_name(PRUNE_JOB):
        app.job_queue.run_daily(prune_job, time=PRUNE_AT.replace(tzinfo=_svc(app).settings.tz), name=PRUNE_JOB)


async def prune_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    prune(context.application)


def prune(app: Application) -> dict[str, int]:
    """Apply the retention periods now; logs how many rows of each kind went."""
    removed = _svc(app).storage.prune(_svc(app).now())
    if any(removed.values()):
        log.info("Retention: removed %s", ", ".join(f"{n} {table}" for table, n in sorted(removed.items()) if n))
    return removed
