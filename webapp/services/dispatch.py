"""The reminder dispatcher (when each reminder rings next is
``reminder_rules.py``).

Reminders are rows, not timers. Each pass:

1. **Claim due reminders** (``next_fire_at <= now``; on PostgreSQL with
   ``FOR UPDATE SKIP LOCKED`` so any number of dispatchers share the work).
   For each, record a delivery with the unique key (reminder, slot) — or, if
   the slot is older than the grace window, record it as missed — queue one
   push attempt per device, and advance ``next_fire_at`` to the next slot.
   One transaction: a crash leaves nothing half-done. A slot inside quiet
   hours is not recorded: the reminder moves to its next slot after now.
   Due reminders are claimed round-robin between people (``fair_claims.py``):
   one person's many due reminders never push everyone else's to the back.
2. **Send queued attempts** (claimed the same way, round-robin between the
   people they go to): Web Push to each device.
   201 → sent; 404/410 → the subscription is deleted; 429 → wait as long as
   Retry-After says (an hour at most); 5xx or unreachable → retried with capped exponential
   back-off; 400/401/403 (or a redirect, never followed) → logged as a
   configuration problem; an endpoint that is not a public push service →
   "refused", nothing sent; anything one attempt raises → "failed" for that
   attempt alone, the rest of the batch is sent and committed. An attempt
   still unsent when its slot leaves the grace window is recorded as missed.
   A crash while sending leaves the attempts queued, so they are sent again:
   never lost; a duplicate is collapsed by the push Topic and the
   notification tag. Nothing is sent inside the person's quiet hours: an
   attempt due then (late, retried or snoozed) is recorded as not sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from webapp import i18n
from webapp.models import (
    PushAttempt,
    PushSubscription,
    Reminder,
    ReminderDelivery,
    ReminderSettings,
    SupportSettings,
    utcnow,
)
from webapp.services import delivery_notes as notes
from webapp.services import fair_claims, housekeeping, support
from webapp.services.delivery_notes import QUIET_HOURS, note
from webapp.services.push import PushResult, PushSender, PushTarget
from webapp.services.reminder_rules import KINDS, following_slot, notification_for, quiet_hours_at, schedule_or_stop
from webapp.services.scheduling import RuleProblem

log = logging.getLogger("steady.reminders")

MAX_BACKOFF = timedelta(minutes=15)
FIRST_BACKOFF = timedelta(seconds=30)


@dataclass
class PassStats:
    claimed: int = 0
    missed: int = 0
    attempts_sent: int = 0
    attempts_retry: int = 0
    attempts_missed: int = 0
    subscriptions_removed: int = 0
    nudges: int = 0

    def add(self, other: PassStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def ttl_for(grace: timedelta) -> int:
    """Seconds a push service keeps a message for an offline phone: 1 to 4 hours."""
    return int(min(max(grace, timedelta(hours=1)), timedelta(hours=4)).total_seconds())


class Dispatcher:
    def __init__(
        self,
        session_factory: Callable[[], Session],
        sender: PushSender,
        *,
        grace: timedelta = timedelta(minutes=60),
        batch: int = 100,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.session_factory = session_factory
        self.sender = sender
        self.grace = grace
        self.batch = batch
        self.clock = clock

    # -- public --------------------------------------------------------------------

    def run_once(self) -> PassStats:
        """Everything due now: new slots and nudges first, then queued pushes."""
        stats = PassStats()
        while True:
            claimed = self._claim_due_reminders(stats)
            if claimed < self.batch:
                break
        while self._queue_nudges(stats) == self.batch:
            pass
        while self._send_queued_attempts(stats) == self.batch:
            pass
        return stats

    def run_forever(self, stop: threading.Event, interval: float = 15.0) -> None:
        """Keep dispatching until ``stop`` is set (a thread in ``steady serve``,
        or ``steady reminders work``)."""
        with self.session_factory() as session, session.begin():
            housekeeping.on_start(session, self.clock())  # mends, and lets week-old form ids go
        swept = self.clock()
        while not stop.is_set():
            try:
                self.run_once()
                swept = housekeeping.now_and_then(self.session_factory, swept, self.clock())
            except Exception:  # keep going: the next pass retries what this one could not
                log.exception("reminder dispatch pass failed")
            stop.wait(interval)

    # -- step 1 --------------------------------------------------------------------

    @staticmethod
    def _locks(session: Session) -> bool:
        return session.get_bind().dialect.name == "postgresql"

    def _lock(self, query, session: Session, *of):
        if self._locks(session):
            return query.with_for_update(skip_locked=True, of=of or None)
        return query

    def _claim_due_reminders(self, stats: PassStats) -> int:
        now = self.clock()
        with self.session_factory() as session, session.begin():
            query = fair_claims.due_reminders(now, self.batch, locking=self._locks(session))
            reminders = session.scalars(self._lock(query, session, Reminder)).all()
            if not reminders:
                return 0
            users = {r.user_id for r in reminders}
            settings = settings_of(session, users)
            support_settings = {
                s.user_id: s for s in session.scalars(select(SupportSettings).where(SupportSettings.user_id.in_(users)))
            }
            devices: dict[int, list[PushSubscription]] = {}
            for device in session.scalars(select(PushSubscription).where(PushSubscription.user_id.in_(users))):
                devices.setdefault(device.user_id, []).append(device)
            # Defensive: a slot already recorded (it cannot be, while rows are locked) is never recorded twice.
            recorded = {
                tuple(row)
                for row in session.execute(
                    select(ReminderDelivery.reminder_id, ReminderDelivery.slot_key).where(
                        ReminderDelivery.reminder_id.in_([r.id for r in reminders])
                    )
                )
            }
            new_deliveries = []
            for reminder in reminders:
                if quiet_hours_at(settings.get(reminder.user_id), reminder.next_fire_at) is not None:
                    schedule_or_stop(reminder, settings.get(reminder.user_id), now)  # to its next slot after now
                    continue
                delivery = self._record_slot(reminder, settings.get(reminder.user_id), now, recorded, stats)
                if delivery is not None and reminder.kind == "network_review" and delivery.status == "pending":
                    review = support_settings.get(reminder.user_id)
                    if review is not None and not support.review_is_due(review.review_due_at, now):
                        delivery.status, delivery.detail = "skipped", notes.REVIEW_NOT_DUE
                if delivery is not None:
                    session.add(delivery)
                    new_deliveries.append(delivery)
            session.flush()
            for delivery in new_deliveries:
                if delivery.status == "pending":
                    self._queue_attempts(session, delivery, devices.get(delivery.user_id, []))
            stats.claimed += len(reminders)
            return len(reminders)

    def _record_slot(self, reminder, settings, now, recorded, stats: PassStats) -> ReminderDelivery | None:
        """Advance the reminder past its slot and return the slot's delivery row."""
        slot_at, slot_key = reminder.next_fire_at, reminder.next_slot_key
        try:
            following = following_slot(reminder, settings, slot_at, slot_key)
            reminder.next_fire_at, reminder.next_slot_key = (following.at, following.key) if following else (None, "")
        except RuleProblem:
            reminder.enabled = False  # its rule no longer makes sense (quiet hours changed): stop, visibly
            reminder.next_fire_at = None
        if (reminder.id, slot_key) in recorded:
            return None
        late = now - slot_at > self.grace
        if late:
            stats.missed += 1
        return ReminderDelivery(
            reminder_id=reminder.id,
            user_id=reminder.user_id,
            slot_key=slot_key,
            slot_at=slot_at,
            status="missed" if late else "pending",
            detail=note(notes.LATE, minutes=int(self.grace.total_seconds() // 60)) if late else "",
        )

    def _queue_nudges(self, stats: PassStats) -> int:
        """The gentle "not connected for N days" nudge: one push per due date,
        then the next N days on; one due in quiet hours moves to their end. How
        many rows are no longer due: ``run_once`` never picks the same again."""
        now = self.clock()
        with self.session_factory() as session, session.begin():
            query = (
                select(SupportSettings)
                .where(SupportSettings.nudge_due_at.is_not(None), SupportSettings.nudge_due_at <= now)
                .order_by(SupportSettings.nudge_due_at)
                .limit(self.batch)
            )
            due = session.scalars(self._lock(query, session, SupportSettings)).all()
            for settings in due:
                quiet = quiet_hours_at(session.get(ReminderSettings, settings.user_id), now)
                if quiet is not None:
                    settings.nudge_due_at = quiet[1]  # when they end, in the person's zone
                    continue
                reminder = session.scalar(
                    select(Reminder).where(Reminder.user_id == settings.user_id, Reminder.automatic.is_(True))
                )
                if reminder is None:
                    title, body, _, _ = KINDS["reach_out"]
                    reminder = Reminder(
                        user_id=settings.user_id,
                        kind="reach_out",
                        title=title,
                        body=body,
                        times="12:00",
                        weekdays="0,1,2,3,4,5,6",
                        enabled=False,
                        automatic=True,
                        next_slot_key="",
                    )
                    session.add(reminder)
                    session.flush()
                slot_key = f"nudge:{settings.nudge_due_at.date().isoformat()}"
                exists = session.scalar(
                    select(ReminderDelivery.id).where(
                        ReminderDelivery.reminder_id == reminder.id, ReminderDelivery.slot_key == slot_key
                    )
                )
                if exists is None:
                    delivery = ReminderDelivery(
                        reminder_id=reminder.id,
                        user_id=settings.user_id,
                        slot_key=slot_key,
                        slot_at=now,
                        status="pending",
                        detail=notes.NUDGE,
                    )
                    session.add(delivery)
                    session.flush()
                    devices = session.scalars(
                        select(PushSubscription).where(PushSubscription.user_id == delivery.user_id)
                    )
                    self._queue_attempts(session, delivery, devices.all())
                support.nudge_sent(settings, now)
                stats.nudges += 1
            return sum(settings.nudge_due_at is None or settings.nudge_due_at > now for settings in due)

    @staticmethod
    def _queue_attempts(session: Session, delivery: ReminderDelivery, devices: list[PushSubscription]) -> None:
        """One attempt per device of the person, or "no devices"."""
        if not devices:
            delivery.status, delivery.detail = "no_devices", notes.NO_DEVICES
        for device in devices:
            session.add(
                PushAttempt(
                    delivery_id=delivery.id,
                    subscription_id=device.id,
                    device_name=device.device_name,
                    status="pending",
                    next_try_at=delivery.slot_at,
                )
            )

    # -- step 2 --------------------------------------------------------------------

    def _send_queued_attempts(self, stats: PassStats) -> int:
        now = self.clock()
        with self.session_factory() as session, session.begin():
            query = fair_claims.due_attempts(now, self.batch, locking=self._locks(session))
            attempts = session.scalars(self._lock(query, session, PushAttempt)).all()
            if not attempts:
                return 0
            deliveries = {
                d.id: d
                for d in session.scalars(
                    select(ReminderDelivery)
                    .options(joinedload(ReminderDelivery.reminder), selectinload(ReminderDelivery.attempts))
                    .where(ReminderDelivery.id.in_({a.delivery_id for a in attempts}))
                )
            }
            device_ids = {a.subscription_id for a in attempts if a.subscription_id}
            devices = {
                d.id: d for d in session.scalars(select(PushSubscription).where(PushSubscription.id.in_(device_ids)))
            }
            people = {d.reminder.user_id for d in deliveries.values()}
            languages, settings = i18n.languages_of(session, people), settings_of(session, people)
            jobs, sending = [], []
            ttl = ttl_for(self.grace)
            for attempt in attempts:
                delivery = deliveries[attempt.delivery_id]
                device = devices.get(attempt.subscription_id)
                if device is None:
                    attempt.status, attempt.detail = "gone", notes.DEVICE_REMOVED
                elif now - delivery.slot_at > self.grace:
                    attempt.status = "missed"
                    attempt.detail = note(notes.UNREACHED, minutes=int(self.grace.total_seconds() // 60))
                    stats.attempts_missed += 1
                elif quiet_hours_at(settings.get(delivery.user_id), now) is not None:
                    attempt.status, attempt.detail = "missed", QUIET_HOURS
                    stats.attempts_missed += 1
                elif device.blocked_until and device.blocked_until > now:
                    attempt.status, attempt.next_try_at = "retry", device.blocked_until
                else:
                    try:
                        reminder = delivery.reminder
                        language = languages.get(reminder.user_id) or "en"
                        payload = notification_for(reminder, delivery, language).payload()
                        target = PushTarget(device.endpoint, device.p256dh, device.auth)
                    except Exception as exc:  # this attempt fails alone
                        log.exception("push attempt %s could not be prepared", attempt.id)
                        self._apply_result(session, attempt, device, _failure(exc), now, stats)
                        continue
                    jobs.append((target, payload, ttl, "normal", f"reminder{reminder.id}"))
                    sending.append((attempt, device))
            try:
                results = self.sender.send_many(jobs) if jobs else []
            except Exception:  # send_many does not raise; if it ever does, the batch is retried
                log.exception("push batch could not be sent")
                results = [PushResult(None, error=notes.BATCH_NOT_SENT)] * len(jobs)
            for (attempt, device), result in zip(sending, results, strict=False):
                try:
                    self._apply_result(session, attempt, device, result, now, stats)
                except Exception as exc:
                    log.exception("push attempt %s: result could not be recorded", attempt.id)
                    self._apply_result(session, attempt, device, _failure(exc), now, stats)
            for delivery in deliveries.values():
                statuses = {a.status for a in delivery.attempts}
                if "sent" in statuses:
                    delivery.status = "sent"
                elif statuses and statuses <= FINAL_FAILURES:
                    delivery.status = "missed"
                    quiet = all(a.detail == QUIET_HOURS for a in delivery.attempts)
                    delivery.detail = QUIET_HOURS if quiet else notes.NO_DEVICE_IN_TIME
            return len(attempts)

    def _apply_result(self, session, attempt, device, result: PushResult, now, stats: PassStats) -> None:
        attempt.tries += 1
        attempt.status_code = result.status_code
        outcome = result.outcome
        if outcome == "sent":
            attempt.status, attempt.detail = "sent", ""
            device.last_success_at = now
            stats.attempts_sent += 1
        elif outcome == "gone":
            attempt.status, attempt.detail = "gone", notes.UNSUBSCRIBED
            attempt.subscription_id = None
            session.delete(device)
            stats.subscriptions_removed += 1
        elif outcome == "refused":
            # Not a public push service (a subscription stored before endpoints were
            # checked, a host no longer listed, or one resolving inside): nothing was
            # sent. The device is kept, so listing its host again brings it back.
            attempt.status, attempt.detail = "refused", note(notes.NOT_SENT, reason=result.error)
            log.warning("push refused: subscription=%s %s", device.id, result.error)
        elif outcome == "failed":
            attempt.status, attempt.detail = "failed", note(notes.NOT_SENT, reason=result.error)
        elif outcome == "config":
            attempt.status = "config"
            attempt.detail = note(notes.CONFIG, status=result.status_code)
            log.warning("push refused as misconfigured: status=%s subscription=%s", result.status_code, device.id)
        else:
            wait = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (attempt.tries - 1))
            if result.retry_after is not None:
                wait = max(wait, timedelta(seconds=result.retry_after))
                device.blocked_until = now + timedelta(seconds=result.retry_after)
            attempt.status, attempt.next_try_at = "retry", now + wait
            attempt.detail = note(notes.RETRY, reason=result.status_code or result.error or notes.NO_ANSWER)
            stats.attempts_retry += 1


def settings_of(session: Session, users) -> dict[int, ReminderSettings]:
    return {s.user_id: s for s in session.scalars(select(ReminderSettings).where(ReminderSettings.user_id.in_(users)))}


#: Attempt states that end an attempt without a delivery.
FINAL_FAILURES = frozenset({"missed", "gone", "config", "refused", "failed"})


def _failure(exc: BaseException) -> PushResult:
    return PushResult(None, error=note(notes.SENDING_ERROR, error=type(exc).__name__), failed=True)
