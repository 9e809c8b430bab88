"""The supporter's side (``/circle/supporting``): what each person shares,
notifications, the weekly reminder, encouragement, leaving.

Links are looked up from the supporter's side (``supported_link_or_404``), so
an id from anyone else answers 404, as ``get_owned_or_404`` does for the
person's side."""

from __future__ import annotations

from datetime import time

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp import i18n
from webapp.circle import bp
from webapp.circle.common import end_link, push_sender, user_key
from webapp.circle.forms import EncourageForm, SupportingSettingsForm
from webapp.extensions import db, limiter
from webapp.logs import audit
from webapp.models import CircleLink, CircleMessage, CircleProfile, Reminder, ReminderSettings, utcnow
from webapp.ownership import mine
from webapp.reminders.words import rule_words
from webapp.services import circle
from webapp.services.push import Notification
from webapp.services.reminder_limit import no_room
from webapp.services.reminder_rules import KINDS, schedule
from webapp.services.scheduling import RuleProblem
from webapp.services.text import TextProblem


def supported_link_or_404(link_id: int) -> CircleLink:
    """A link on which the signed-in person is the supporter; 404 otherwise."""
    link = db.session.scalar(
        select(CircleLink).where(CircleLink.id == link_id, CircleLink.supporter_id == current_user.id)
    )
    if link is None:
        audit("authz.not_found", user=current_user.id, model="CircleLink(supporter)", object=link_id)
        abort(404)
    return link


def _weekly_reminder(link: CircleLink) -> Reminder | None:
    return db.session.scalar(select(Reminder).where(Reminder.circle_link_id == link.id, mine(Reminder)))


def _supporting_rows():
    now = utcnow()
    links = db.session.scalars(
        select(CircleLink).where(CircleLink.supporter_id == current_user.id).order_by(CircleLink.created_at)
    ).all()
    return [(link, circle.shared_view(db.session, link, now)) for link in links]


def _supporting_page(status=200, problem=None, forms=None, settings_forms=None):
    """The page; ``forms`` and ``settings_forms`` (by link id) are forms as
    posted and refused: they come back as they were sent, each problem
    beside its field."""
    rows = []
    for link, view in _supporting_rows():
        reminder = _weekly_reminder(link)
        settings_form = (settings_forms or {}).get(link.id) or SupportingSettingsForm(
            formdata=None,
            prefix=f"l{link.id}",
            data={
                "notify_reach_out": link.notify_reach_out,
                "weekly": bool(reminder and reminder.enabled),
                "weekday": reminder.weekdays if reminder else "6",
                "time": time.fromisoformat(reminder.times) if reminder else time(18, 0),
            },
        )
        encourage_form = (forms or {}).get(link.id) or EncourageForm(formdata=None, prefix=f"l{link.id}")
        rows.append((link, view, settings_form, encourage_form, reminder))
    return render_template("circle/supporting.html", rows=rows, problem=problem), status


@bp.get("/circle/supporting")
@login_required
def supporting():
    """People I support, each with only what they chose to share."""
    return _supporting_page()


@bp.get("/api/circle/supporting", endpoint="supporting_json")
@login_required
def supporting_json():
    """The same as the page, as JSON: only what each person shares."""
    return jsonify(supporting=[view for _, view in _supporting_rows()])


@bp.post("/circle/supporting/<int:link_id>/settings")
@login_required
def supporting_settings(link_id: int):
    """Notifications when they reach out, and a weekly "check in on" reminder."""
    link = supported_link_or_404(link_id)
    form = SupportingSettingsForm(prefix=f"l{link.id}")

    def refused(problem: str, field=None):
        if field is not None:
            field.errors = [*field.errors, problem]
        return _supporting_page(status=422, problem=problem, settings_forms={link.id: form})

    if not form.validate():
        return refused(next(iter(form.errors.values()))[0])
    if form.weekly.data and form.time.data is None:
        return refused(_("Choose a time for the weekly reminder."), form.time)
    link.notify_reach_out = bool(form.notify_reach_out.data)
    reminder = _weekly_reminder(link)
    if form.weekly.data:
        name = circle.first_name(db.session, link.user_id)
        if reminder is None:
            if full := no_room(db.session, current_user.id, utcnow()):
                db.session.rollback()
                return refused(full, form.weekly)
            body = KINDS["circle"][1]
            reminder = Reminder(
                user_id=current_user.id,
                kind="circle",
                circle_link_id=link.id,
                body=body,
                automatic=False,
                lead_minutes=0,
            )
            db.session.add(reminder)
        reminder.title = f"Check in on {name}"  # a first name is at most 40 characters: it fits
        reminder.times = form.time.data.strftime("%H:%M")
        reminder.weekdays = form.weekday.data
        reminder.enabled = True
        try:
            schedule(reminder, db.session.get(ReminderSettings, current_user.id), utcnow())
        except RuleProblem as problem:
            db.session.rollback()
            return refused(rule_words(str(problem)), form.time)
    elif reminder is not None:
        db.session.delete(reminder)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("circle.supporting"))


@bp.post("/circle/supporting/<int:link_id>/encourage")
@login_required
@limiter.limit("30 per hour", key_func=user_key)
def encourage(link_id: int):
    """A short note for the person: a preset or up to 280 characters of plain text."""
    link = supported_link_or_404(link_id)
    form = EncourageForm(prefix=f"l{link.id}")
    problem = None
    if not form.validate():
        problem = next(iter(form.errors.values()))[0]
    elif form.preset.data and form.preset.data not in circle.PRESETS:
        problem = _("Choose one of the messages offered, or write your own.")
    else:
        try:
            text = circle.clean_message(form.preset.data or form.message.data)
            if form.preset.data:  # a preset reads in the recipient's language
                text = i18n.gettext_in(i18n.language_of(db.session, link.user_id), form.preset.data)
        except TextProblem as refused:
            problem = str(refused)
    if problem:
        form.message.errors = [problem]
        return _supporting_page(status=422, problem=problem, forms={link.id: form})
    message = CircleMessage(user_id=link.user_id, sender_id=current_user.id, created_at=utcnow())
    message.text = text
    db.session.add(message)
    db.session.commit()
    recipient = db.session.get(CircleProfile, link.user_id)
    if recipient is not None and recipient.notify_messages:
        language = i18n.language_of(db.session, link.user_id)
        sender = push_sender()
        try:
            circle.push_to_user(
                db.session,
                link.user_id,
                Notification(
                    # In the recipient's language, not the sender's.
                    title=i18n.gettext_in(language, "A message from your circle"),
                    body=i18n.gettext_in(
                        language,
                        "%(name)s sent you some encouragement.",
                        name=circle.first_name(db.session, current_user.id),
                    ),
                    navigate="/circle#messages",
                    tag="steady-circle-message",
                    data={"kind": "circle_message"},
                    lang=language,
                ),
                sender,
                utcnow(),
            )
        finally:
            sender.close()
        db.session.commit()
    audit("circle.encouragement_sent", user=current_user.id, link=link.id)
    flash(_("Sent to %(name)s.", name=circle.first_name(db.session, link.user_id)), "success")
    return redirect(url_for("circle.supporting"))


@bp.post("/circle/supporting/<int:link_id>/leave")
@login_required
def leave(link_id: int):
    """Stop supporting someone: you see nothing more, the notes between you
    go, and they are told by your absence from their circle. Their invite
    links still waiting are cancelled, so none brings you back in."""
    link = supported_link_or_404(link_id)
    name = circle.first_name(db.session, link.user_id)
    cancelled = end_link(link, utcnow())
    db.session.commit()
    audit("circle.link_ended", user=current_user.id, link=link_id, by="supporter", invites_cancelled=cancelled)
    flash(_("You have left %(name)s's circle. The messages between you are removed.", name=name), "success")
    return redirect(url_for("circle.supporting"))
