"""When each reminder rings next: the rule behind each kind (times and
weekdays in the person's zone, a group's meeting, the taper plan's dose
times, an appointment), pointing a reminder at its next slot, and moving
reminders when what they follow changes, quiet hours, and what a reminder
says on a lock screen. The dispatcher (``dispatch.py``) sends them."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload

from webapp import i18n
from webapp.models import Appointment, Reminder, ReminderDelivery, ReminderSettings, TaperStep
from webapp.services import person_time, taper
from webapp.services.content import N_
from webapp.services.push import Notification
from webapp.services.scheduling import (
    EveryTimeQuiet,
    Rule,
    RuleProblem,
    local_to_utc,
    make_rule,
    next_slot,
    parse_time,
    parse_zone,
    quiet_period,
)

#: Where each kind of reminder leads, and its default (never private) words.
KINDS = {
    "checkin": (
        N_("Time for your check-in"),
        N_("How are you today? It takes half a minute."),
        "/toolkit/feel",
        N_("Check in now"),
    ),
    "reach_out": (
        N_("Reach out to someone"),
        N_("A short message to one of your people can help."),
        "/people",
        N_("Open my people"),
    ),
    "network_review": (
        N_("Time to look at your support network"),
        N_("A short review of who helps you."),
        "/people",
        N_("Review now"),
    ),
    # Generic too: "support group" on a lock screen hints at health.
    "meeting": (N_("A reminder from Steady"), N_("Something you planned is coming up."), "/people", N_("See details")),
    # Deliberately vague: a lock screen must not say that someone takes medication.
    "dose": (N_("A reminder from Steady"), N_("It is time for what you planned."), "/", N_("Open Steady")),
    "custom": (N_("A reminder from Steady"), N_("You asked Steady to remind you now."), "/", N_("Open Steady")),
    # A supporter's weekly nudge; its title names the person ("Check in on Sam").
    "circle": (
        N_("Check in on someone you support"),
        N_("A short message can mean a lot."),
        "/circle/supporting",
        N_("Open Steady"),
    ),
    # Once, the day before an appointment: never "doctor" or "appointment" on a lock screen.
    "appointment": (
        N_("A reminder from Steady"),
        N_("Something you planned is coming up tomorrow."),
        "/appointments",
        N_("See details"),
    ),
}


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
    quiet_zone = None
    if reminder.kind == "meeting":  # at the group's time, but quiet hours are the person's
        quiet_zone = zone
        times, weekdays, zone = meeting_rule(reminder.group, reminder.lead_minutes)
    return make_rule(
        times,
        weekdays,
        zone,
        settings.quiet_start if settings else None,
        settings.quiet_end if settings else None,
        quiet_zone,
    )


def following_slot(reminder: Reminder, settings: ReminderSettings | None, after: datetime, after_key: str = ""):
    """The reminder's first slot after ``after`` (None: it has nowhere to ring yet)."""
    if reminder.follows_taper:
        return taper_slot(reminder, settings, after, after_key)
    if reminder.kind == "appointment":
        return appointment_plan(reminder, settings, after, after_key).slot
    return next_slot(rule_for(reminder, settings), after, after_key)


def appointment_plan(reminder: Reminder, settings: ReminderSettings | None, after: datetime, after_key: str = ""):
    """When an appointment's reminder rings after ``after``, moved out of the
    person's quiet hours (``helpme.reminder_plan``). It rings once: not again
    for a slot it has already rung for."""
    from webapp.services.helpme import ReminderPlan, reminder_plan

    start, end = quiet_times(settings)
    plan = reminder_plan(
        reminder.appointment, settings.timezone if settings else "UTC", after, after_key, quiet=(start, end)
    )
    if plan.slot is not None and any(d.slot_key == plan.slot.key for d in reminder.deliveries):
        return ReminderPlan(None)
    return plan


def quiet_stops_appointment(session: Session, settings: ReminderSettings | None, user, now: datetime) -> bool:
    """Whether quiet hours stop the reminder of one of ``user``'s appointments to come."""
    yesterday = person_time.today_for(user, now, session) - timedelta(days=1)
    stopped = session.scalars(
        select(Reminder)
        .join(Appointment, Appointment.id == Reminder.appointment_id)
        .options(selectinload(Reminder.deliveries))
        .where(
            Reminder.user_id == user.id,
            Appointment.day >= yesterday,
            Reminder.enabled.is_(True),
            Reminder.next_fire_at.is_(None),
        )
    )
    return any(appointment_plan(reminder, settings, now).stopped_by_quiet_hours for reminder in stopped)


def dose_times(step: TaperStep | None) -> list[str]:
    """The times of day ("08:00") of a step's doses, in its order."""
    return [item["time"] for item in (step.dose_times or [])] if step is not None else []


def plan_times(session: Session, user) -> list[str]:
    """Every dose time in ``user``'s taper steps from their today on (a reminder
    that follows the plan switches between them as steps start)."""
    today = person_time.today_for(user, session=session)
    steps = list(session.scalars(select(TaperStep).where(TaperStep.user_id == user.id)))
    current = taper.step_in_force(steps, today)
    ahead = [s for s in steps if s.starts_on > today] + ([current] if current else [])
    return sorted({time_ for step in ahead for time_ in dose_times(step)})


def taper_slot(reminder: Reminder, settings: ReminderSettings | None, after: datetime, after_key: str = ""):
    """A dose reminder that follows the taper plan rings at the dose times of
    the step in force on each day: when a later step with other times starts,
    its times take over from its first day. None while no step has times.

    A step whose every dose time is inside quiet hours is passed over (the
    reminder is silent through it, as :func:`silent_steps` tells the person)
    and the reminder rings again from the next step's first day; when no
    step after it is left, ``EveryTimeQuiet`` (``schedule_or_stop``: paused,
    visibly)."""
    session = object_session(reminder)
    if session is None:  # a reminder being made in a request, not added yet
        from webapp.extensions import db

        session = db.session
    steps = taper.ordered(session.scalars(select(TaperStep).where(TaperStep.user_id == reminder.user_id)))
    zone = parse_zone(settings.timezone if settings else "UTC")
    day = after.astimezone(zone).date()
    for _ in range(len(steps) + 1):
        step = taper.step_in_force(steps, day)
        later = next((s for s in steps if s.starts_on > day), None)
        times = dose_times(step)
        if times:
            reminder.times = ",".join(times)
            try:
                rule = rule_for(reminder, settings)
            except EveryTimeQuiet:
                if later is None:
                    raise
                rule = None
            slot = next_slot(rule, after, after_key) if rule is not None else None
            if slot is not None and (later is None or slot.at.astimezone(zone).date() < later.starts_on):
                return slot
        if later is None:
            return None
        # From the later step's first day on: the day is kept apart from
        # ``after`` (a moment before that day's midnight, so a slot at
        # 00:00 is found), which still falls on the day before.
        day = later.starts_on
        after, after_key = local_to_utc(day, time(0, 0), zone) - timedelta(microseconds=1), ""
    return None


def silent_steps(session: Session, user, settings: ReminderSettings | None) -> list[tuple[TaperStep, bool]]:
    """The steps of ``user``'s plan, from the one in force today on, whose
    every dose time is inside their quiet hours: a dose reminder that
    follows the plan does not ring through them. Each with whether a step
    comes after it (where the reminder rings again); for the last, it pauses."""
    start, end = quiet_times(settings)
    if start is None:
        return []
    steps = taper.ordered(session.scalars(select(TaperStep).where(TaperStep.user_id == user.id)))
    today = person_time.today_for(user, session=session)
    current = taper.step_in_force(steps, today)
    silent = []
    for index, step in enumerate(steps):
        if step is not current and step.starts_on <= today:
            continue
        times = dose_times(step)
        if not times:
            continue
        try:
            make_rule(times, list(range(7)), settings.timezone, start, end)
        except EveryTimeQuiet:
            silent.append((step, index + 1 < len(steps)))
    return silent


def schedule(reminder: Reminder, settings: ReminderSettings | None, now: datetime) -> None:
    """Point a reminder at its next slot after ``now`` (after a change of rule or zone)."""
    slot = following_slot(reminder, settings, now)
    reminder.next_fire_at, reminder.next_slot_key = (slot.at, slot.key) if slot else (None, "")


def schedule_or_stop(reminder: Reminder, settings: ReminderSettings | None, now: datetime) -> None:
    """``schedule``; a rule that can no longer ring (quiet hours changed, or
    the taper plan's dose times moved into them) stops, visibly: paused in
    the list, not shown as on while it never rings."""
    try:
        schedule(reminder, settings, now)
    except RuleProblem:
        reminder.enabled, reminder.next_fire_at = False, None


def reschedule_taper(session: Session, user_id: int, now: datetime) -> None:
    """The taper plan changed: dose reminders that follow it move to its times
    (paused, as quiet hours pause a rule, when every one is inside them)."""
    settings = session.get(ReminderSettings, user_id)
    for reminder in session.scalars(
        select(Reminder).where(Reminder.user_id == user_id, Reminder.follows_taper.is_(True))
    ):
        schedule_or_stop(reminder, settings, now)


def revive_taper_reminders(session: Session, now: datetime) -> int:
    """Dose reminders that follow the plan and are on, but have no next time
    (an earlier version lost it at a change of step, so they went silent
    while shown as on), are pointed at their next slot again, or paused if
    none can ring. Run when a dispatcher starts; how many were looked at."""
    stuck = session.scalars(
        select(Reminder).where(
            Reminder.follows_taper.is_(True), Reminder.enabled.is_(True), Reminder.next_fire_at.is_(None)
        )
    ).all()
    for reminder in stuck:
        schedule_or_stop(reminder, session.get(ReminderSettings, reminder.user_id), now)
    return len(stuck)


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


def quiet_times(settings: ReminderSettings | None) -> tuple[time | None, time | None]:
    """The person's quiet hours as times (None, None: none kept)."""
    if settings is None or not settings.quiet_start or not settings.quiet_end:
        return None, None
    try:
        return parse_time(settings.quiet_start), parse_time(settings.quiet_end)
    except RuleProblem:
        return None, None


def quiet_hours_at(settings: ReminderSettings | None, at: datetime) -> tuple[datetime, datetime] | None:
    """The person's quiet hours that ``at`` falls in, as UTC instants; None outside them."""
    start, end = quiet_times(settings)
    if start is None:
        return None
    try:
        zone = parse_zone(settings.timezone)
    except RuleProblem:
        zone = parse_zone("UTC")
    return quiet_period(at, zone, start, end)


#: A supporter's weekly reminder is titled "Check in on <name>" (circle/supporting.py).
CIRCLE_TITLE = re.compile(r"^Check in on (.+)$", re.S)


def words_in(language: str, kind: str, title: str, body: str) -> tuple[str, str]:
    """A reminder's words in its owner's ``language``: Steady's default words
    are translated; words the person wrote are sent as they wrote them."""
    defaults = {words for entry in KINDS.values() for words in entry[:2]}
    if title in defaults:
        title = i18n.gettext_in(language, title)
    elif kind == "circle" and (match := CIRCLE_TITLE.match(title)):
        title = i18n.gettext_in(language, "Check in on %(name)s", name=match.group(1))
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
        lang=language,
    )
