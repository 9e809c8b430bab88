"""Appointments with professionals: the list, adding and editing one, a
reminder the day before, and the page that helps prepare for it."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp import once
from webapp.extensions import db
from webapp.helpme import bp
from webapp.helpme.forms import AppointmentForm
from webapp.logs import audit
from webapp.models import (
    Appointment,
    Reminder,
    ReminderSettings,
    SupportContact,
    utcnow,
)
from webapp.ownership import get_owned_or_404, mine, owned
from webapp.people.forms import put_problems
from webapp.services import helpme, person_time
from webapp.services.helpme import PROFESSIONALS, ReminderPlan
from webapp.services.reminder_limit import counted_from, no_room
from webapp.services.reminder_rules import appointment_plan, schedule


def my_zone() -> str:
    settings = db.session.get(ReminderSettings, current_user.id)
    return settings.timezone if settings else "UTC"


def _professional_or_404(contact_id: int) -> SupportContact:
    contact = get_owned_or_404(SupportContact, contact_id)
    if contact.relationship not in PROFESSIONALS:
        audit("appointments.not_professional", user=current_user.id, contact=contact_id)
        abort(404)
    return contact


def _reminder_for(appointment: Appointment) -> Reminder | None:
    return db.session.scalar(select(Reminder).where(Reminder.appointment_id == appointment.id))


def _schedule_reminder(appointment: Appointment) -> None:
    """One reminder per appointment, ringing once the day before (the lock
    screen says only "A reminder from Steady")."""
    reminder = _reminder_for(appointment)
    if reminder is None:
        reminder = Reminder(
            user_id=current_user.id,
            kind="appointment",
            title=helpme.REMINDER_TITLE,
            body=helpme.REMINDER_BODY,
            times=helpme.REMINDER_AT.strftime("%H:%M"),
            weekdays="",
            enabled=True,
            automatic=False,
            lead_minutes=0,
        )
        db.session.add(reminder)
    reminder.appointment = appointment
    reminder.weekdays = str((appointment.day - timedelta(days=1)).weekday())
    schedule(reminder, db.session.get(ReminderSettings, current_user.id), utcnow())


def _reminder_plans(rows: list[Appointment]) -> dict:
    """When each appointment's reminder rings (moved out of quiet hours), or
    that quiet hours stop it: appointment id → ReminderPlan."""
    if not rows:
        return {}
    settings = db.session.get(ReminderSettings, current_user.id)
    reminders = db.session.scalars(
        select(Reminder)
        .options(selectinload(Reminder.deliveries))
        .where(mine(Reminder), Reminder.appointment_id.in_([a.id for a in rows]), Reminder.enabled.is_(True))
    )
    now = utcnow()
    return {r.appointment_id: appointment_plan(r, settings, now) for r in reminders}


def _saved_words(appointment: Appointment, saved: str) -> str:
    """What "saved" says: plainly, when quiet hours stop the reminder."""
    if _reminder_plans([appointment]).get(appointment.id, ReminderPlan(None)).stopped_by_quiet_hours:
        return _("Saved. No reminder will ring: its time falls in your quiet hours.")
    return saved


def _appointments(contact_id: int | None = None) -> list[Appointment]:
    query = owned(Appointment)
    if contact_id is not None:
        query = query.where(Appointment.contact_id == contact_id)
    return list(db.session.scalars(query.order_by(Appointment.day, Appointment.at, Appointment.id)))


def _save_appointment(form: AppointmentForm, appointment: Appointment | None, contact: SupportContact):
    """Check everything first; write only when all is well (nothing half-written)."""
    values, problems = helpme.check_appointment(form.values(), my_zone(), utcnow())
    # A new appointment, or a past one moved to a day to come, brings one more reminder that counts.
    if not problems and (appointment is None or appointment.day < counted_from(utcnow())):
        if full := no_room(db.session, current_user.id, utcnow()):
            problems = {"day": full}
    if problems:
        put_problems(form, problems)
        return None
    if appointment is None:
        appointment = Appointment(user_id=current_user.id, contact_id=contact.id, time_zone=my_zone())
        db.session.add(appointment)
    appointment.day, appointment.at = values.day, values.at
    appointment.place = values.place or None
    appointment.link = values.link or None
    db.session.flush()
    _schedule_reminder(appointment)
    db.session.commit()
    return appointment


@bp.get("/appointments")
@login_required
def appointments():
    """Appointments with my professionals, soonest first, and past ones."""
    zone = person_time.zone_for(current_user.id, db.session)
    today = person_time.today_for(current_user.id, session=db.session)
    contacts = {c.id: c for c in db.session.scalars(owned(SupportContact))}
    rows = _appointments()
    professionals = sorted(
        (c for c in contacts.values() if c.relationship in PROFESSIONALS), key=lambda c: c.name.casefold()
    )
    upcoming = [a for a in rows if a.day >= today]
    return render_template(
        "helpme/appointments.html",
        upcoming=upcoming,
        plans=_reminder_plans(upcoming),
        past=[a for a in reversed(rows) if a.day < today][:20],
        contacts=contacts,
        professionals=professionals,
        person_zone=zone.key,
    )


@bp.route("/people/<int:contact_id>/appointments/new", methods=["GET", "POST"])
@login_required
def add_appointment(contact_id: int):
    contact = _professional_or_404(contact_id)
    form = AppointmentForm()
    status = 200
    if form.is_submitted():
        status = 422
        valid = form.validate()
        if valid and once.sent_before():  # saved already: the answer to the first send did not come back
            flash(_("Saved. Steady will remind you the day before."), "success")
            return redirect(url_for("helpme.appointments"))
        if valid and (appointment := _save_appointment(form, None, contact)):
            flash(_saved_words(appointment, _("Saved. Steady will remind you the day before.")), "success")
            return redirect(url_for("helpme.appointments"))
        db.session.rollback()
    return render_template("helpme/appointment_edit.html", form=form, contact=contact, appointment=None), status


@bp.route("/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_appointment(appointment_id: int):
    appointment = get_owned_or_404(Appointment, appointment_id)
    contact = get_owned_or_404(SupportContact, appointment.contact_id)
    if request.method == "GET":
        form = AppointmentForm(
            data={
                "day": appointment.day.isoformat(),
                "at": appointment.at.strftime("%H:%M"),
                "place": appointment.place or "",
                "link": appointment.link or "",
            }
        )
        return render_template(
            "helpme/appointment_edit.html",
            form=form,
            contact=contact,
            appointment=appointment,
            plan=_reminder_plans([appointment]).get(appointment.id),
        )
    form = AppointmentForm()
    if form.validate() and _save_appointment(form, appointment, contact):
        flash(_saved_words(appointment, _("Saved.")), "success")
        return redirect(url_for("helpme.appointments"))
    db.session.rollback()
    return render_template("helpme/appointment_edit.html", form=form, contact=contact, appointment=appointment), 422


@bp.post("/appointments/<int:appointment_id>/delete")
@login_required
def delete_appointment(appointment_id: int):
    """Delete an appointment; its reminder goes with it."""
    db.session.delete(get_owned_or_404(Appointment, appointment_id))
    db.session.commit()
    flash(_("Appointment deleted."), "success")
    return redirect(url_for("helpme.appointments"))


@bp.get("/appointments/<int:appointment_id>/prepare")
@login_required
def prepare(appointment_id: int):
    """A checklist for the appointment, with the summary for the prescriber
    ready to make for the dates since the last appointment (filled in here,
    posted by the form: the dates never appear in a URL)."""
    appointment = get_owned_or_404(Appointment, appointment_id)
    contact = get_owned_or_404(SupportContact, appointment.contact_id)
    today = person_time.today_for(current_user)
    # The last appointment that has already happened, before this one.
    previous = db.session.scalar(
        select(Appointment.day)
        .where(mine(Appointment), Appointment.day < min(appointment.day, today))
        .order_by(Appointment.day.desc())
        .limit(1)
    )
    start, end = helpme.lookback(previous, appointment.day, today)
    return render_template(
        "helpme/prepare.html",
        appointment=appointment,
        contact=contact,
        previous=previous,
        start=start,
        end=end,
    )
