""" "How to help me", appointments with professionals, and thanking a supporter.

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

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp import i18n, once
from webapp.api import json_body, json_error
from webapp.bodies import Problems, checked
from webapp.extensions import db, limiter
from webapp.helpme import bp
from webapp.helpme.checks import HelpMeInput
from webapp.helpme.forms import THANKS_PRESETS, HelpMeForm, ThanksForm
from webapp.logs import audit
from webapp.models import (
    CircleLink,
    CircleMessage,
    CircleProfile,
    HelpMe,
    utcnow,
)
from webapp.ownership import get_owned_or_404, owned
from webapp.people.forms import put_problems
from webapp.services import circle, helpme
from webapp.services.helpme import HELP_ME_MAX, HELP_ME_SECTIONS
from webapp.services.push import Notification, PushSender, sender_from_config
from webapp.services.support import RELATIONSHIPS
from webapp.services.text import TextProblem
from webapp.sync import refuse

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
    return {
        "HELP_ME_SECTIONS": HELP_ME_SECTIONS,
        "HELP_ME_MAX": HELP_ME_MAX,
        "RELATIONSHIPS": RELATIONSHIPS,
    }


@bp.app_context_processor
def _supporting_pages():
    # Also on the supporter's view (/circle/supporting), under "How to help Sam".
    return {"supporting_pages_url": supporting_pages_url}


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


# --- how to help me -----------------------------------------------------------------------


def my_help_me() -> HelpMe | None:
    return db.session.scalar(owned(HelpMe))


def help_me_json(row: HelpMe | None) -> dict:
    return {
        "help_me": None
        if row is None
        else {
            "version": row.version,
            "sections": helpme.sections_of(row.sections_json),
            "updated_at": row.updated_at.isoformat(),
        },
        "labels": {key: _(label) for key, (label, _hint) in HELP_ME_SECTIONS.items()},
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
        select(CircleLink)
        .where(CircleLink.user_id == user_id, CircleLink.share_help_me.is_(True))
        .order_by(CircleLink.created_at)
    ).all()
    return [circle.first_name(db.session, link.supporter_id) for link in links]


@bp.get("/people/help-me")
@login_required
def help_me():
    """How to help me: ready to read, print, and share per supporter."""
    row = my_help_me()
    return render_template(
        "helpme/index.html",
        row=row,
        sections=helpme.sections_of(row.sections_json if row else None),
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
            flash(_("Saved. It is on this phone for when you are offline too."), "success")
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
    flash(_("Deleted. Your supporters no longer see it."), "success")
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
    (null for the first). A stale version is answered 409; one that is not a
    whole number or null, 422."""
    try:
        body = checked(HelpMeInput, json_body())
    except Problems as refused:
        refuse(refused, key=None)
    values = {key: body["sections"][key] for key in HELP_ME_SECTIONS}
    row = my_help_me()
    version = body["version"]
    if (row.version if row else None) != version:
        json_error(
            409,
            _(
                "This was changed on another device after your edit was made, so your edit was not saved. "
                "Open it, check it, and make your change again."
            ),
            help_me=help_me_json(row)["help_me"],
        )
    row = save_help_me(row, values)
    db.session.commit()
    return jsonify(help_me_json(row))


# --- thanks -------------------------------------------------------------------------------


def _sender() -> PushSender:
    """As every other push to a person's devices is sent: the configured
    push hosts (``STEADY_PUSH_HOSTS``) and settings included."""
    return sender_from_config(current_app.config, workers=4, timeout=5.0)


def _thanks_page(link: CircleLink, form: ThanksForm):
    sent = db.session.scalars(
        select(CircleMessage)
        .where(
            CircleMessage.user_id == link.supporter_id,
            CircleMessage.sender_id == current_user.id,
            CircleMessage.kind == "thanks",
        )
        .order_by(CircleMessage.created_at.desc())
        .limit(5)
    ).all()
    return render_template(
        "helpme/thanks.html",
        link=link,
        form=form,
        presets=THANKS_PRESETS,
        sent=sent,
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
        problem = _("Choose one of the thank-yous offered, or write your own.")
    else:
        try:
            # A ready-made thank-you is Steady's words: sent in the supporter's language.
            preset = form.preset.data and i18n.gettext_in(
                i18n.language_of(db.session, link.supporter_id), form.preset.data
            )
            text = circle.clean_message(preset or form.message.data)
        except TextProblem as refused:
            problem = str(refused)
    if problem:
        form.message.errors = [problem]
        return _thanks_page(link, form), 422
    if once.sent_before():  # sent already: the answer to the first send did not come back
        return _thanks_sent(link)
    message = CircleMessage(user_id=link.supporter_id, sender_id=current_user.id, kind="thanks", created_at=utcnow())
    message.text = text
    db.session.add(message)
    db.session.commit()
    recipient = db.session.get(CircleProfile, link.supporter_id)
    if recipient is not None and recipient.notify_messages:
        language = i18n.language_of(db.session, link.supporter_id)
        sender = _sender()
        try:
            circle.push_to_user(
                db.session,
                link.supporter_id,
                Notification(
                    title=i18n.gettext_in(language, "A message from Steady"),
                    body=i18n.gettext_in(
                        language, "%(name)s sent you a thank-you.", name=circle.first_name(db.session, current_user.id)
                    ),
                    navigate="/circle/supporting",
                    tag="steady-circle-thanks",
                    data={"kind": "circle_thanks"},
                    lang=language,
                ),
                sender,
                utcnow(),
            )
        finally:
            sender.close()
        db.session.commit()
    audit("circle.thanks_sent", user=current_user.id, link=link.id)
    return _thanks_sent(link)


def _thanks_sent(link: CircleLink):
    flash(_("Sent to %(name)s.", name=circle.first_name(db.session, link.supporter_id)), "success")
    return redirect(url_for("circle.index"))
