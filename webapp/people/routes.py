"""Your people: support contacts, message templates, support groups, the
gentle nudge and the 90-day network review. Pages are rendered here for
signed-in use online; ``/my/people`` is the same for everyone and is filled
on the device from the offline snapshot (see ``static/js/people.js``)."""

from __future__ import annotations

import json
import re
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from webapp import once
from webapp.extensions import db
from webapp.models import MessageTemplate, SupportContact, SupportGroup, SupportReview, utcnow
from webapp.ownership import get_owned_or_404
from webapp.people import bp, store
from webapp.people.checks import MISSING_SUPPORT, check_contact, check_group, check_review, check_template
from webapp.people.forms import ContactForm, GroupForm, NudgeForm, ReviewForm, TemplateForm, put_problems
from webapp.services import person_time, support
from webapp.services.reminder_rules import reschedule_group

TEMPLATES_MAX = 20


@bp.context_processor
def _links():
    return {
        "tel_link": support.tel_link,
        "sms_link": support.sms_link,
        "mailto_link": support.mailto_link,
        "RELATIONSHIPS": support.RELATIONSHIPS,
        "WEEKDAYS": support.WEEKDAYS,
        "WEEKDAYS_PLURAL": support.WEEKDAYS_PLURAL,
    }


def _version(form: ContactForm) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


# --- contacts --------------------------------------------------------------------------


@bp.get("/people")
@login_required
def index():
    """Your people: pinned first, one tap to call, text or email."""
    settings = store.my_settings()
    review_due = settings is not None and support.review_is_due(settings.review_due_at, utcnow())
    return render_template(
        "people/index.html",
        contacts=store.my_contacts(),
        groups=store.my_groups(),
        templates=store.template_texts(),
        settings=settings,
        review_due=review_due,
    )


@bp.route("/people/new", methods=["GET", "POST"])
@login_required
def add():
    """Add a person or a place to your support network."""
    form = ContactForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            values, problems = check_contact(form.values())
            if not problems:
                try:
                    contact = None if once.sent_before() else store.new_contact(values)
                except store.PinLimit as limit:
                    problems["pinned"] = str(limit)
                else:
                    db.session.commit()
                    flash(
                        _(
                            "%(name)s is saved. They are on this phone for when you are offline too.",
                            name=contact.name if contact else values["name"],
                        ),
                        "success",
                    )
                    return redirect(url_for("people.index"))
            db.session.rollback()
            put_problems(form, problems)
    return render_template("people/edit.html", form=form, contact=None), status


@bp.route("/people/<int:contact_id>/edit", methods=["GET", "POST"])
@login_required
def edit(contact_id: int):
    """Change someone's details. The form carries the version it was made
    from: if the person changed meanwhile (another device), the edit is
    refused with 409 and the form says so, keeping what was typed."""
    contact = get_owned_or_404(SupportContact, contact_id)
    if request.method == "GET":
        form = ContactForm(data={**store.contact_json(contact), "version": contact.version})
        return render_template("people/edit.html", form=form, contact=contact)
    form = ContactForm()
    status = 422
    conflict = False
    if form.validate():
        values, problems = check_contact(form.values())
        if not problems and _version(form) != contact.version:
            conflict = True
            status = 409
            form.version.data = str(contact.version)
        elif not problems:
            try:
                store.update_contact(contact, values)
            except store.PinLimit as limit:
                problems["pinned"] = str(limit)
            else:
                db.session.commit()
                flash(_("%(name)s's details are updated.", name=contact.name), "success")
                return redirect(url_for("people.index"))
        db.session.rollback()
        put_problems(form, problems)
    return render_template("people/edit.html", form=form, contact=contact, conflict=conflict), status


@bp.post("/people/<int:contact_id>/delete")
@login_required
def delete(contact_id: int):
    """Remove someone from your network (and their "I reached out" log)."""
    contact = get_owned_or_404(SupportContact, contact_id)
    name = contact.name
    db.session.delete(contact)
    db.session.commit()
    flash(_("%(name)s is removed from your people.", name=name), "success")
    return redirect(url_for("people.index"))


@bp.post("/people/<int:contact_id>/reached-out")
@login_required
def reached_out(contact_id: int):
    """ "I reached out": log a connection with this person, now."""
    contact = get_owned_or_404(SupportContact, contact_id)
    store.log_reach_out(contact, store.reach_out_body(contact, str(uuid.uuid4()), None), utcnow())
    db.session.commit()
    flash(_("Noted: you connected with %(name)s today. Reaching out takes courage.", name=contact.name), "success")
    return redirect(url_for("people.index") + f"#contact-{contact.id}")


# --- message templates -----------------------------------------------------------------


@bp.route("/people/messages", methods=["GET", "POST"])
@login_required
def templates():
    """The messages you can text with one tap, and a form to add one."""
    form = TemplateForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            values, problems = check_template({"text": form.text.data})
            store.ensure_settings()
            db.session.flush()
            count = store.template_count()
            resent = not problems and once.sent_before()
            if not problems and not resent and count >= TEMPLATES_MAX:
                problems["text"] = _("You can keep up to %(count)s messages. Delete one first.", count=TEMPLATES_MAX)
            if not problems:
                if not resent:
                    template = MessageTemplate(user_id=current_user.id, position=count)
                    template.text = values["text"]
                    db.session.add(template)
                    db.session.commit()
                flash(_("Message saved."), "success")
                return redirect(url_for("people.templates"))
            db.session.rollback()
            put_problems(form, problems)
    return render_template("people/templates.html", templates=store.my_templates(), form=form), status


@bp.post("/people/messages/customise")
@login_required
def customise_templates():
    """Keep your own copy of the suggested messages, so you can change them."""
    store.ensure_settings()
    db.session.commit()
    return redirect(url_for("people.templates"))


@bp.route("/people/messages/<int:template_id>/edit", methods=["GET", "POST"])
@login_required
def edit_template(template_id: int):
    template = get_owned_or_404(MessageTemplate, template_id)
    form = TemplateForm() if request.method == "POST" else TemplateForm(data={"text": template.text})
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            values, problems = check_template({"text": form.text.data})
            if not problems:
                template.text = values["text"]
                db.session.commit()
                flash(_("Message updated."), "success")
                return redirect(url_for("people.templates"))
            put_problems(form, problems)
    return render_template("people/template_edit.html", template=template, form=form), status


@bp.post("/people/messages/<int:template_id>/delete")
@login_required
def delete_template(template_id: int):
    db.session.delete(get_owned_or_404(MessageTemplate, template_id))
    db.session.commit()
    flash(_("Message deleted."), "success")
    return redirect(url_for("people.templates"))


# --- support groups --------------------------------------------------------------------


@bp.get("/people/groups")
@login_required
def groups():
    """Your support groups and when they meet."""
    return render_template("people/groups.html", groups=store.my_groups())


@bp.route("/people/groups/new", methods=["GET", "POST"])
@login_required
def add_group():
    form = GroupForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            values, problems = check_group(form.values())
            if not problems:
                if not once.sent_before():
                    store.ensure_settings()
                    group = SupportGroup(user_id=current_user.id)
                    store.apply_group(group, values)
                    db.session.add(group)
                    db.session.commit()
                flash(_("%(name)s is saved.", name=values["name"]), "success")
                return redirect(url_for("people.groups"))
            put_problems(form, problems)
    elif not form.time_zone.data:
        # Where the person is, when Steady knows (a plain form, or a tap
        # before any script, goes with it); else UTC, over which people.js
        # puts the phone's own zone.
        known = person_time.zone_name_for(db.session, current_user.id)
        form.time_zone.data = known if known and support.is_time_zone(known) else "UTC"
    return render_template("people/group_edit.html", form=form, group=None), status


@bp.route("/people/groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit_group(group_id: int):
    group = get_owned_or_404(SupportGroup, group_id)
    form = GroupForm() if request.method == "POST" else GroupForm(data=store.group_json(group))
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            values, problems = check_group(form.values())
            if not problems:
                store.apply_group(group, values)
                reschedule_group(db.session, group, utcnow())  # its meeting reminders follow
                db.session.commit()
                flash(_("%(name)s is updated.", name=group.name), "success")
                return redirect(url_for("people.groups"))
            put_problems(form, problems)
    return render_template("people/group_edit.html", form=form, group=group), status


@bp.post("/people/groups/<int:group_id>/delete")
@login_required
def delete_group(group_id: int):
    db.session.delete(get_owned_or_404(SupportGroup, group_id))
    db.session.commit()
    flash(_("Group deleted."), "success")
    return redirect(url_for("people.groups"))


# --- the gentle nudge and the network review -------------------------------------------


@bp.route("/people/nudge", methods=["GET", "POST"])
@login_required
def nudge():
    """ "Remind me when I have not connected with anyone for N days." The
    setting is stored here; the reminder itself is sent by the reminders."""
    settings = store.my_settings()
    if request.method == "GET":
        days = settings.nudge_after_days if settings and settings.nudge_after_days else 7
        form = NudgeForm(data={"enabled": bool(settings and settings.nudge_after_days), "days": str(days)})
        return render_template("people/nudge.html", form=form)
    form = NudgeForm()
    if form.validate():
        text = (form.days.data or "").strip()
        # A number typed while the reminder is off is still checked: nothing typed is dropped without a word.
        if (form.enabled.data or text) and (
            not re.fullmatch(r"[0-9]{1,9}", text) or not 1 <= int(text) <= support.NUDGE_DAYS_MAX
        ):
            form.days.errors = [_("Enter a number of days from 1 to %(max)s.", max=support.NUDGE_DAYS_MAX)]
            return render_template("people/nudge.html", form=form), 422
        days = int(text) if form.enabled.data else None
        settings = store.ensure_settings()
        settings.nudge_after_days = days
        settings.nudge_due_at = support.nudge_due_at(days, settings.last_connected_at, utcnow())
        db.session.commit()
        flash(
            ngettext(
                "We will remind you gently after %(num)d day without connecting.",
                "We will remind you gently after %(num)d days without connecting.",
                days,
            )
            if days
            else _("No reminders about connecting."),
            "success",
        )
        return redirect(url_for("people.index"))
    return render_template("people/nudge.html", form=form), 422


@bp.route("/people/review", methods=["GET", "POST"])
@login_required
def review():
    """Every 90 days: a short look at who helps, who doesn't, and what kind
    of support is missing. Can be done any time; "not now" snoozes it."""
    form = ReviewForm()
    settings = store.my_settings()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            values, problems = check_review(form.values())
            if not problems:
                if not once.sent_before():
                    settings = store.ensure_settings()
                    record = SupportReview(user_id=current_user.id)
                    record.answers = json.dumps(values)
                    db.session.add(record)
                    now = utcnow()
                    settings.last_reviewed_at = now
                    settings.review_due_at = now + support.REVIEW_EVERY
                    db.session.commit()
                flash(_("Thank you. We will suggest another look in about three months."), "success")
                return redirect(url_for("people.index"))
            put_problems(form, problems)
    return render_template("people/review.html", form=form, settings=settings, missing=MISSING_SUPPORT), status


@bp.post("/people/review/snooze")
@login_required
def snooze_review():
    """ "Not now": ask again in a week."""
    settings = store.ensure_settings()
    settings.review_due_at = utcnow() + support.REVIEW_SNOOZE
    db.session.commit()
    flash(_("OK. We will ask again in a week."), "success")
    return redirect(url_for("people.index"))


# --- the offline copy ------------------------------------------------------------------


@bp.get("/my/people")
def offline_copy():
    """Your people as kept on this phone: the same page for everyone (so the
    service worker can keep it), filled in on the device from the person's
    offline snapshot. Nothing personal is ever in this HTML."""
    return render_template("people/offline.html")
