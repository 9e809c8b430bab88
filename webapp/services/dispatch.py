"""The reminder dispatcher.

Reminders are rows, not timers. Each pass:

1. **Claim due reminders** (``next_fire_at <= now``; on PostgreSQL with
   ``FOR UPDATE SKIP LOCKED`` so any number of dispatchers share the work).
   For each, record a delivery with the unique key (reminder, slot) — or, if
   the slot is older than the grace window, record it as missed — queue one
   push attempt per device, and advance ``next_fire_at`` to the next slot.
   One transaction: a crash leaves nothing half-done.
2. **Send queued attempts** (claimed the same way): Web Push to each device.
   201 → sent; 404/410 → the subscription is deleted; 429 → wait as long as
   Retry-After says; 5xx or unreachable → retried with capped exponential
   back-off; 400/401/403 (or a redirect, never followed) → logged as a
   configuration problem; an endpoint that is not a public push service →
   "refused", nothing sent; anything one attempt raises → "failed" for that
   attempt alone, the rest of the batch is sent and committed. An attempt
   still unsent when its slot leaves the grace window is recorded as missed.
   A crash while sending leaves the attempts queued, so they are sent again:
   never lost; a duplicate is collapsed by the push Topic and the
   notification tag.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, object_session, selectinload

from webapp import i18n
from webapp.models import (
    PushAttempt,
    PushSubscription,
    Reminder,
    ReminderDelivery,
    ReminderSettings,
    SupportSettings,
    TaperStep,
    utcnow,
)
from webapp.services import support, taper
from webapp.services.content import N_
from webapp.services.push import Notification, PushResult, PushSender, PushTarget, sender_from_config
from webapp.services.scheduling import Rule, RuleProblem, local_to_utc, make_rule, next_slot, parse_zone

log = logging.getLogger("steady.reminders")

MAX_BACKOFF = timedelta(minutes=15)
FIRST_BACKOFF = timedelta(seconds=30)

#: Where each kind of reminder leads, and its default (never private) words.
KINDS = {
    "checkin": (N_("Time for your check-in"), N_("How are you today? It takes half a minute."), "/toolkit/feel", N_("Check in now")),
    "reach_out": (N_("Reach out to someone"), N_("A short message to one of your people can help."), "/people", N_("Open my people")),
    "network_review": (N_("Time to look at your support network"), N_("A short review of who helps you."), "/people", N_("Review now")),
    # Generic too: "support group" on a lock screen hints at health.
    "meeting": (N_("A reminder from Steady"), N_("Something you planned is coming up."), "/people", N_("See details")),
    # Deliberately vague: a lock screen must not say that someone takes medication.
    "dose": (N_("A reminder from Steady"), N_("It is time for what you planned."), "/", N_("Open Steady")),
    "custom": (N_("A reminder from Steady"), N_("You asked Steady to remind you now."), "/", N_("Open Steady")),
    # A supporter's weekly nudge; its title names the person ("Check in on Sam").
    "circle": (N_("Check in on someone you support"), N_("A short message can mean a lot."), "/circle/supporting", N_("Open Steady")),
    # Once, the day before an appointment: never "doctor" or "appointment" on a lock screen.
    "appointment": (N_("A reminder from Steady"), N_("Something you planned is coming up tomorrow."), "/appointments", N_("See details")),
}


@dataclass
class PassStats:
    claimed: int = 0
    missed: int = 0
    attempts_sent: int = 0
    attempts_retry: int = 0
    attempts_missed: int = 0
    subscriptions_removed: int = 0
    nudges: int = 0

    def add(self, other: "PassStats") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def meeting_rule(group, lead_minutes: int) -> tuple[list[str], list[int], str]:
    """Times, weekdays and zone for "before my group meets": the meeting's
    wall-clock time minus the lead, in the group's own zone (the day before if
    that crosses midnight)."""
    if group is None or group.meeting_day is None or group.meeting_time is None:
        raise RuleProblem("This group has no fixed day and time, so a reminder cannot follow it.")
    start = datetime.combine(date(2000, 1, 3 + group.meeting_day), group.meeting_time)  # 3 Jan 2000: a Monday
    ring = start - timedelta(minutes=lead_minutes)
    return [ring.strftime("%H:%M")], [ring.weekday()], group.time_zone


def rule_for(reminder: Reminder, settings: ReminderSettings | None) -> Rule:
    times = reminder.times.split(",")
    weekdays = [int(day) for day in reminder.weekdays.split(",") if day != ""]
    zone = settings.timezone if settings else "UTC"
    if reminder.kind == "meeting":
        times, weekdays, zone = meeting_rule(reminder.group, reminder.lead_minutes)
    return make_rule(
        times,
        weekdays,
        zone,
        settings.quiet_start if settings else None,
        settings.quiet_end if settings else None,
    )


def following_slot(reminder: Reminder, settings: ReminderSettings | None, after: datetime, after_key: str = ""):
    """The reminder's first slot after ``after`` (None: it has nowhere to ring yet)."""
    if reminder.follows_taper:
        return taper_slot(reminder, settings, after, after_key)
    if reminder.kind == "appointment":
        from webapp.services.helpme import reminder_slot

        return reminder_slot(reminder.appointment, settings.timezone if settings else "UTC", after, after_key)
    return next_slot(rule_for(reminder, settings), after, after_key)


def taper_slot(reminder: Reminder, settings: ReminderSettings | None, after: datetime, after_key: str = ""):
    """A dose reminder that follows the taper plan rings at the dose times of
    the step in force on each day: when a later step with other times starts,
    its times take over from its first day. None while no step has times."""
    session = object_session(reminder)
    if session is None:  # a reminder being made in a request, not added yet
        from webapp.extensions import db

        session = db.session
    steps = taper.ordered(session.scalars(select(TaperStep).where(TaperStep.user_id == reminder.user_id)))
    zone = parse_zone(settings.timezone if settings else "UTC")
    for _ in range(len(steps) + 1):
        day = after.astimezone(zone).date()
        step = taper.step_in_force(steps, day)
        later = next((s for s in steps if s.starts_on > day), None)
        times = [item["time"] for item in (step.dose_times or [])] if step is not None else []
        if times:
            reminder.times = ",".join(times)
            slot = next_slot(rule_for(reminder, settings), after, after_key)
            if later is None or slot.at.astimezone(zone).date() < later.starts_on:
                return slot
        if later is None:
            return None
        after, after_key = local_to_utc(later.starts_on, time(0, 0), zone) - timedelta(microseconds=1), ""
    return None


def schedule(reminder: Reminder, settings: ReminderSettings | None, now: datetime) -> None:
    """Point a reminder at its next slot after ``now`` (after a change of rule or zone)."""
    slot = following_slot(reminder, settings, now)
    reminder.next_fire_at, reminder.next_slot_key = (slot.at, slot.key) if slot else (None, "")


def reschedule_taper(session: Session, user_id: int, now: datetime) -> None:
    """The taper plan changed: dose reminders that follow it move to its times."""
    settings = session.get(ReminderSettings, user_id)
    for reminder in session.scalars(
        select(Reminder).where(Reminder.user_id == user_id, Reminder.follows_taper.is_(True))
    ):
        try:
            schedule(reminder, settings, now)
        except RuleProblem:
            reminder.next_fire_at, reminder.next_slot_key = None, ""


def reschedule_group(session: Session, group, now: datetime) -> None:
    """A group's day, time or zone changed: its meeting reminders follow."""
    settings = session.get(ReminderSettings, group.user_id)
    for reminder in session.scalars(select(Reminder).where(Reminder.group_id == group.id)):
        try:
            times, weekdays, _ = meeting_rule(group, reminder.lead_minutes)
            reminder.times, reminder.weekdays = ",".join(times), ",".join(map(str, weekdays))
            schedule(reminder, settings, now)
        except RuleProblem:
            reminder.enabled, reminder.next_fire_at = False, None


#: A supporter's weekly reminder is titled "Check in on <name>" (circle/routes.py).
CIRCLE_TITLE = re.compile(r"^Check in on (.+)$", re.S)


def words_in(language: str, kind: str, title: str, body: str) -> tuple[str, str]:
    """A reminder's words in its owner's ``language``: Steady's default words
    are translated; words the person wrote are sent as they wrote them."""
    defaults = {words for entry in KINDS.values() for words in entry[:2]}
    if title in defaults:
        title = i18n.gettext_in(language, title)
    elif kind == "circle" and (match := CIRCLE_TITLE.match(title)):
        title = i18n.gettext_in(language, "Check in on %(name)s", name=match.group(1))[:80]
    if body in defaults:
        body = i18n.gettext_in(language, body)
    return title, body


def notification_for(reminder: Reminder, delivery: ReminderDelivery, language: str = "en") -> Notification:
    """The push for one slot of a reminder, in the language of the person
    it goes to (their account's language)."""
    _, _, navigate, action_title = KINDS.get(reminder.kind, KINDS["custom"])
    title, body = words_in(language, reminder.kind, reminder.title, reminder.body)
    return Notification(
        title=title,
        body=body,
        navigate=navigate,
        tag=f"steady-reminder-{reminder.id}",
        actions=(
            ("open", i18n.gettext_in(language, action_title), navigate),
            ("snooze", i18n.gettext_in(language, "Snooze 1 hour"), "/reminders"),
        ),
        data={"reminder": reminder.id, "delivery": delivery.id, "kind": reminder.kind},
    )


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
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # keep going: the next pass retries what this one could not
                log.exception("reminder dispatch pass failed")
            stop.wait(interval)

    # -- step 1 --------------------------------------------------------------------

    def _lock(self, query, session: Session, *of):
        if session.get_bind().dialect.name == "postgresql":
            return query.with_for_update(skip_locked=True, of=of or None)
        return query

    def _claim_due_reminders(self, stats: PassStats) -> int:
        now = self.clock()
        with self.session_factory() as session, session.begin():
            query = (
                select(Reminder)
                .where(Reminder.enabled.is_(True), Reminder.next_fire_at <= now)
                .order_by(Reminder.next_fire_at)
                .limit(self.batch)
            )
            reminders = session.scalars(self._lock(query, session, Reminder)).all()
            if not reminders:
                return 0
            users = {r.user_id for r in reminders}
            settings = {s.user_id: s for s in session.scalars(select(ReminderSettings).where(ReminderSettings.user_id.in_(users)))}
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
                delivery = self._record_slot(reminder, settings.get(reminder.user_id), now, recorded, stats)
                if delivery is not None and reminder.kind == "network_review" and delivery.status == "pending":
                    review = support_settings.get(reminder.user_id)
                    if review is not None and not support.review_is_due(review.review_due_at, now):
                        delivery.status, delivery.detail = "skipped", "Your support-network review is not due yet."
                if delivery is not None:
                    session.add(delivery)
                    new_deliveries.append(delivery)
            session.flush()
            for delivery in new_deliveries:
                if delivery.status != "pending":
                    continue
                for device in devices.get(delivery.user_id, []):
                    session.add(
                        PushAttempt(
                            delivery_id=delivery.id,
                            subscription_id=device.id,
                            device_name=device.device_name,
                            status="pending",
                            next_try_at=delivery.slot_at,
                        )
                    )
                if delivery.user_id not in devices:
                    delivery.status, delivery.detail = "no_devices", "No device has reminders turned on."
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
            detail=f"Not sent: more than {int(self.grace.total_seconds() // 60)} minutes late." if late else "",
        )

    def _queue_nudges(self, stats: PassStats) -> int:
        """The gentle "you have not connected with anyone for N days" nudge:
        one push per due date, outside quiet hours, then the next is N days on."""
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
                reminder_settings = session.get(ReminderSettings, settings.user_id)
                if reminder_settings is not None and self._in_quiet_hours(reminder_settings, now):
                    continue  # it stays due and goes out after quiet hours
                reminder = session.scalar(
                    select(Reminder).where(Reminder.user_id == settings.user_id, Reminder.automatic.is_(True))
                )
                if reminder is None:
                    title, body, _, _ = KINDS["reach_out"]
                    reminder = Reminder(
                        user_id=settings.user_id, kind="reach_out", title=title, body=body, times="12:00",
                        weekdays="0,1,2,3,4,5,6", enabled=False, automatic=True, next_slot_key="",
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
                        reminder_id=reminder.id, user_id=settings.user_id, slot_key=slot_key, slot_at=now,
                        status="pending", detail="You asked to be nudged when you have not connected for a while.",
                    )
                    session.add(delivery)
                    session.flush()
                    self._queue_attempts(session, delivery)
                support.nudge_sent(settings, now)
                stats.nudges += 1
            return len(due)

    @staticmethod
    def _in_quiet_hours(settings: ReminderSettings, now: datetime) -> bool:
        try:
            rule = make_rule(["12:00"], [0], settings.timezone, settings.quiet_start, settings.quiet_end)
        except RuleProblem:
            return False
        return rule.in_quiet_hours(now.astimezone(rule.zone).time().replace(second=0, microsecond=0))

    @staticmethod
    def _queue_attempts(session: Session, delivery: ReminderDelivery) -> None:
        devices = session.scalars(select(PushSubscription).where(PushSubscription.user_id == delivery.user_id)).all()
        if not devices:
            delivery.status, delivery.detail = "no_devices", "No device has reminders turned on."
        for device in devices:
            session.add(
                PushAttempt(
                    delivery_id=delivery.id, subscription_id=device.id, device_name=device.device_name,
                    status="pending", next_try_at=delivery.slot_at,
                )
            )

    # -- step 2 --------------------------------------------------------------------

    def _send_queued_attempts(self, stats: PassStats) -> int:
        now = self.clock()
        with self.session_factory() as session, session.begin():
            query = (
                select(PushAttempt)
                .where(PushAttempt.status.in_(("pending", "retry")), PushAttempt.next_try_at <= now)
                .order_by(PushAttempt.next_try_at)
                .limit(self.batch)
            )
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
            devices = {d.id: d for d in session.scalars(select(PushSubscription).where(PushSubscription.id.in_(device_ids)))}
            languages = i18n.languages_of(session, {d.reminder.user_id for d in deliveries.values()})
            jobs, sending = [], []
            ttl = ttl_for(self.grace)
            for attempt in attempts:
                delivery = deliveries[attempt.delivery_id]
                device = devices.get(attempt.subscription_id)
                if device is None:
                    attempt.status, attempt.detail = "gone", "The device was removed."
                elif now - delivery.slot_at > self.grace:
                    attempt.status = "missed"
                    attempt.detail = f"The push service could not be reached within {int(self.grace.total_seconds() // 60)} minutes."
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
                results = [PushResult(None, error="the batch could not be sent")] * len(jobs)
            for (attempt, device), result in zip(sending, results):
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
                    delivery.detail = "Could not reach any device in time."
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
            attempt.status, attempt.detail = "gone", "The device unsubscribed; it was removed."
            attempt.subscription_id = None
            session.delete(device)
            stats.subscriptions_removed += 1
        elif outcome == "refused":
            # Not a public push service (a subscription stored before endpoints were
            # checked, a host no longer listed, or one resolving inside): nothing was
            # sent. The device is kept, so listing its host again brings it back.
            attempt.status, attempt.detail = "refused", f"Not sent: {result.error}"[:500]
            log.warning("push refused: subscription=%s %s", device.id, result.error)
        elif outcome == "failed":
            attempt.status, attempt.detail = "failed", f"Not sent: {result.error}."[:500]
        elif outcome == "config":
            attempt.status = "config"
            attempt.detail = f"The push service refused our request ({result.status_code}); check the VAPID keys."
            log.warning("push refused as misconfigured: status=%s subscription=%s", result.status_code, device.id)
        else:
            wait = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (attempt.tries - 1))
            if result.retry_after is not None:
                wait = max(wait, timedelta(seconds=result.retry_after))
                device.blocked_until = now + timedelta(seconds=result.retry_after)
            attempt.status, attempt.next_try_at = "retry", now + wait
            attempt.detail = f"Will try again: {result.status_code or result.error or 'no answer'}."
            stats.attempts_retry += 1


#: Attempt states that end an attempt without a delivery.
FINAL_FAILURES = frozenset({"missed", "gone", "config", "refused", "failed"})


def _failure(exc: BaseException) -> PushResult:
    return PushResult(None, error=f"an error while sending ({type(exc).__name__})", failed=True)


def start_dispatcher_thread(app) -> threading.Event:
    """Run the dispatcher inside this process (the embedded default)."""
    stop = threading.Event()
    dispatcher = build_dispatcher(app)
    interval = app.config["REMINDER_INTERVAL_SECONDS"]
    thread = threading.Thread(target=dispatcher.run_forever, args=(stop, interval), name="steady-reminders", daemon=True)
    thread.start()
    return stop


def build_dispatcher(app) -> Dispatcher:
    from webapp.extensions import db

    sender = sender_from_config(app.config)
    return Dispatcher(db.new_session, sender, grace=timedelta(minutes=app.config["REMINDER_GRACE_MINUTES"]))
