""""How to help me", appointments with professionals, and thanking a supporter.

* ``/people/help-me`` — the person's own words for their people: what helps
  on a hard day, what does not, how and when to reach them, their boundaries,
  what they would like their people to read. Printable, kept on the phone
  (``/api/help-me`` is part of the offline snapshot; ``/my/help-me`` shows it
  with no signal) and shared per supporter only when that supporter's switch
  is on (``CircleLink.share_help_me``, see ``services/circle.shared_view``).
* ``/appointments`` — appointments with a professional in My people (a
  prescriber, therapist or treatment centre), each with one reminder the day
  before and a "Prepare" checklist that opens the summary for the prescriber
  with the dates since the last appointment already chosen. Dates never
  travel in a URL: the checklist's form posts them.
* ``/circle/links/<id>/thanks`` — the person thanks a supporter with one tap.
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.api import json_body, json_error
from webapp.extensions import db, limiter
from webapp.helpme import bp
from webapp.helpme.forms import THANKS_PRESETS, AppointmentForm, HelpMeForm, ThanksForm
from webapp.logs import audit
from webapp.models import (
    Appointment,
    CircleLink,
    CircleMessage,
    CircleProfile,
    HelpMe,
    Reminder,
    ReminderSettings,
    SupportContact,
    utcnow,
)
from webapp.ownership import get_owned_or_404
from webapp.people.forms import put_problems
from webapp.services import circle, helpme, person_time
from webapp.services.dispatch import schedule
from webapp.services.helpme import HELP_ME_MAX, HELP_ME_SECTIONS, PROFESSIONALS
from webapp.services.push import Notification, PushSender
from webapp.services.support import RELATIONSHIPS
from webapp.services.text import TextProblem

#: The pages for supporters, suggested under "What I'd like you to read" once they exist.
SUPPORTING_PAGES = "/learn/supporting"


def supporting_pages_url() -> str | None:
    """``/learn/supporting`` if this build has that very route (not just a
    pattern it would fall into), else None."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule == SUPPORTING_PAGES and "GET" in (rule.methods or ()):
            return SUPPORTING_PAGES
    return None


@bp.context_processor
def _helpers():
    return {"HELP_ME_SECTIONS": HELP_ME_SECTIONS, "HELP_ME_MAX": HELP_ME_MAX, "RELATIONSHIPS": RELATIONSHIPS}


@bp.app_context_processor
def _supporting_pages():
    # Also on the supporter's view (/circle/supporting), under "How to help Sam".
    return {"supporting_pages_url": supporting_pages_url}


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


# --- how to help me -----------------------------------------------------------------------


def my_help_me() -> HelpMe | None:
    return db.session.scalar(select(HelpMe).where(HelpMe.user_id == current_user.id))


def help_me_json(row: HelpMe | None) -> dict:
    return {
        "help_me": None if row is None else {
            "version": row.version,
            "sections": helpme.sections_of(row.sections_json),
            "updated_at": row.updated_at.isoformat(),
        },
        "labels": {key: label for key, (label, _) in HELP_ME_SECTIONS.items()},
        "max_length": HELP_ME_MAX,
    }


def save_help_me(row: HelpMe | None, values: dict) -> HelpMe:
    if row is None:
        row = HelpMe(user_id=current_user.id, version=1)
        db.session.add(row)
    else:
        row.version += 1
        row.updated_at = utcnow()
    row.sections_json = json.dumps(values)
    return row


def _sharing_with(user_id: int) -> list[str]:
    links = db.session.scalars(
        select(CircleLink).where(CircleLink.user_id == user_id, CircleLink.share_help_me.is_(True)).order_by(CircleLink.created_at)
    ).all()
    return [circle.first_name(db.session, link.supporter_id) for link in links]


@bp.get("/people/help-me")
@login_required
def help_me():
    """How to help me: ready to read, print, and share per supporter."""
    row = my_help_me()
    return render_template(
        "helpme/index.html", row=row, sections=helpme.sections_of(row.sections_json if row else None),
        shared_with=_sharing_with(current_user.id),
    )


@bp.route("/people/help-me/edit", methods=["GET", "POST"])
@login_required
def edit_help_me():
    """Write or change it. Over-long text is refused beside its field with
    how much to cut, and stays in the field as typed. An edit made from an
    older copy (another device) is refused with 409, keeping what was typed."""
    row = my_help_me()
    if request.method == "GET":
        sections = helpme.sections_of(row.sections_json if row else None)
        form = HelpMeForm(data={**sections, "version": str(row.version) if row else ""})
        return render_template("helpme/edit.html", form=form, row=row)
    form = HelpMeForm()
    status, conflict = 422, False
    if form.validate():
        values, problems = helpme.check_help_me(form.values())
        current = str(row.version) if row else ""
        if not problems and (form.version.data or "") != current:
            conflict, status = True, 409
            form.version.data = current
        elif not problems:
            save_help_me(row, values)
            db.session.commit()
            flash("Saved. It is on this phone for when you are offline too.", "success")
            return redirect(url_for("helpme.help_me"))
        put_problems(form, {k: v for k, v in problems.items() if k in HELP_ME_SECTIONS})
    return render_template("helpme/edit.html", form=form, row=row, conflict=conflict), status


@bp.post("/people/help-me/delete")
@login_required
def delete_help_me():
    """Delete it: no supporter sees it from now on."""
    row = my_help_me()
    if row is not None:
        db.session.delete(row)
        db.session.commit()
    flash("Deleted. Your supporters no longer see it.", "success")
    return redirect(url_for("helpme.help_me"))


@bp.get("/my/help-me")
def offline_copy():
    """The copy kept on this phone: the same page for everyone (kept by the
    service worker), filled in on the device from the offline snapshot."""
    return render_template("helpme/offline.html")


@bp.get("/api/help-me")
@login_required
def api_help_me():
    return jsonify(help_me_json(my_help_me()))


@bp.put("/api/help-me")
@login_required
def api_save_help_me():
    """Save from the device; ``version`` is the one the change was made from
    (null for the first). A stale version is answered 409."""
    data = json_body()
    sections = data.get("sections")
    if not isinstance(sections, dict):
        json_error(422, "Send the prompts as an object.", field="sections")
    values, problems = helpme.check_help_me(sections)
    if problems:
        field, message = next(iter(problems.items()))
        json_error(422, message, field=field)
    row = my_help_me()
    version = data.get("version")
    if (row.version if row else None) != version or isinstance(version, bool):
        json_error(
            409,
            "This was changed on another device after your edit was made, so your edit was not saved. "
            "Open it, check it, and make your change again.",
            help_me=help_me_json(row)["help_me"],
        )
    row = save_help_me(row, values)
    db.session.commit()
    return jsonify(help_me_json(row))


# --- appointments ---------------------------------------------------------------------------


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
            user_id=current_user.id, kind="appointment", title=helpme.REMINDER_TITLE, body=helpme.REMINDER_BODY,
            times=helpme.REMINDER_AT.strftime("%H:%M"), weekdays="", enabled=True, automatic=False, lead_minutes=0,
        )
        db.session.add(reminder)
    reminder.appointment = appointment
    reminder.weekdays = str((appointment.day - timedelta(days=1)).weekday())
    schedule(reminder, db.session.get(ReminderSettings, current_user.id), utcnow())


def _appointments(contact_id: int | None = None) -> list[Appointment]:
    query = select(Appointment).where(Appointment.user_id == current_user.id)
    if contact_id is not None:
        query = query.where(Appointment.contact_id == contact_id)
    return list(db.session.scalars(query.order_by(Appointment.day, Appointment.at, Appointment.id)))


def _save_appointment(form: AppointmentForm, appointment: Appointment | None, contact: SupportContact):
    """Check everything first; write only when all is well (nothing half-written)."""
    values, problems = helpme.check_appointment(form.values(), my_zone(), utcnow())
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
    contacts = {c.id: c for c in db.session.scalars(select(SupportContact).where(SupportContact.user_id == current_user.id))}
    rows = _appointments()
    professionals = sorted((c for c in contacts.values() if c.relationship in PROFESSIONALS), key=lambda c: c.name.casefold())
    return render_template(
        "helpme/appointments.html",
        upcoming=[a for a in rows if a.day >= today],
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
        if form.validate() and _save_appointment(form, None, contact):
            flash("Saved. Steady will remind you the day before.", "success")
            return redirect(url_for("helpme.appointments"))
        db.session.rollback()
    return render_template("helpme/appointment_edit.html", form=form, contact=contact, appointment=None), status


@bp.route("/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_appointment(appointment_id: int):
    appointment = get_owned_or_404(Appointment, appointment_id)
    contact = get_owned_or_404(SupportContact, appointment.contact_id)
    if request.method == "GET":
        form = AppointmentForm(data={
            "day": appointment.day.isoformat(), "at": appointment.at.strftime("%H:%M"),
            "place": appointment.place or "", "link": appointment.link or "",
        })
        return render_template("helpme/appointment_edit.html", form=form, contact=contact, appointment=appointment)
    form = AppointmentForm()
    if form.validate() and _save_appointment(form, appointment, contact):
        flash("Saved.", "success")
        return redirect(url_for("helpme.appointments"))
    db.session.rollback()
    return render_template("helpme/appointment_edit.html", form=form, contact=contact, appointment=appointment), 422


@bp.post("/appointments/<int:appointment_id>/delete")
@login_required
def delete_appointment(appointment_id: int):
    """Delete an appointment; its reminder goes with it."""
    db.session.delete(get_owned_or_404(Appointment, appointment_id))
    db.session.commit()
    flash("Appointment deleted.", "success")
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
        .where(Appointment.user_id == current_user.id, Appointment.day < min(appointment.day, today))
        .order_by(Appointment.day.desc())
        .limit(1)
    )
    start, end = helpme.lookback(previous, appointment.day, today)
    return render_template(
        "helpme/prepare.html", appointment=appointment, contact=contact, previous=previous, start=start, end=end,
    )


# --- thanks -------------------------------------------------------------------------------


def _sender() -> PushSender:
    return PushSender(current_app.config["VAPID_PRIVATE_KEY"], current_app.config["VAPID_SUBJECT"], workers=4, timeout=5.0)


def _thanks_page(link: CircleLink, form: ThanksForm):
    sent = db.session.scalars(
        select(CircleMessage)
        .where(CircleMessage.user_id == link.supporter_id, CircleMessage.sender_id == current_user.id, CircleMessage.kind == "thanks")
        .order_by(CircleMessage.created_at.desc())
        .limit(5)
    ).all()
    return render_template(
        "helpme/thanks.html", link=link, form=form, presets=THANKS_PRESETS, sent=sent,
        name=circle.first_name(db.session, link.supporter_id),
    )


@bp.get("/circle/links/<int:link_id>/thanks")
@login_required
def thanks_form(link_id: int):
    """Say thank you to one supporter: one tap on a ready-made thank-you, or a short note."""
    link = get_owned_or_404(CircleLink, link_id)
    return _thanks_page(link, ThanksForm(formdata=None, prefix=f"t{link.id}"))


@bp.post("/circle/links/<int:link_id>/thanks")
@login_required
@limiter.limit("30 per hour", key_func=_user_key)
def thank(link_id: int):
    """Thank a supporter with one tap: a preset or a short note of plain text,
    encrypted at rest and shown on their "People I support" page."""
    link = get_owned_or_404(CircleLink, link_id)
    form = ThanksForm(prefix=f"t{link.id}")
    problem = None
    if not form.validate():
        problem = next(iter(form.errors.values()))[0]
    elif form.preset.data and form.preset.data not in THANKS_PRESETS:
        problem = "Choose one of the thank-yous offered, or write your own."
    else:
        try:
            text = circle.clean_message(form.preset.data or form.message.data)
        except TextProblem as refused:
            problem = str(refused)
    if problem:
        form.message.errors = [problem]
        return _thanks_page(link, form), 422
    message = CircleMessage(user_id=link.supporter_id, sender_id=current_user.id, kind="thanks", created_at=utcnow())
    message.text = text
    db.session.add(message)
    db.session.commit()
    recipient = db.session.get(CircleProfile, link.supporter_id)
    if recipient is not None and recipient.notify_messages:
        sender = _sender()
        try:
            circle.push_to_user(
                db.session, link.supporter_id,
                Notification(
                    title="A message from Steady",
                    body=f"{circle.first_name(db.session, current_user.id)} sent you a thank-you.",
                    navigate="/circle/supporting",
                    tag="steady-circle-thanks",
                    data={"kind": "circle_thanks"},
                ),
                sender, utcnow(),
            )
        finally:
            sender.close()
        db.session.commit()
    audit("circle.thanks_sent", user=current_user.id, link=link.id)
    flash(f"Sent to {circle.first_name(db.session, link.supporter_id)}.", "success")
    return redirect(url_for("circle.index"))
