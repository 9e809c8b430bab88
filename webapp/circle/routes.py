"""Support circle.

The person (``/circle``) invites supporters with a single-use link, chooses
per supporter what is shared, reaches out with one tap, and reads
encouragement. A supporter (``/circle/supporting``) sees only what each person
shares, chooses notifications and a weekly reminder, and sends encouragement.
Either side can end a link at any time.

Links are looked up from the side of the signed-in person: as the owner
(``get_owned_or_404``) or as the supporter (``supported_link_or_404``), so an
id from anyone else answers 404.
"""

from __future__ import annotations

import logging
from datetime import time

import segno
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp import i18n
from webapp.circle import bp
from webapp.circle.forms import (
    AcceptForm,
    EncourageForm,
    InviteForm,
    ProfileForm,
    SharingForm,
    SupportingSettingsForm,
)
from webapp.extensions import client_address, db, limiter
from webapp.logs import audit
from webapp.models import (
    CircleInvite,
    CircleLink,
    CircleMessage,
    CircleProfile,
    CircleReachOut,
    Reminder,
    ReminderSettings,
    utcnow,
)
from webapp.ownership import get_owned_or_404
from webapp.services import circle
from webapp.services.dispatch import KINDS, schedule
from webapp.services.push import Notification, PushSender, sender_from_config
from webapp.services.scheduling import RuleProblem
from webapp.services.text import TextProblem

log = logging.getLogger("steady.circle")

#: What a person sees for each way an invite link can fail, kindly.
INVITE_PROBLEMS = {
    "malformed": (404, "This invite link does not work",
                  "The link may have been copied only in part. Ask the person who sent it to send it again."),
    "unknown": (404, "This invite link does not work",
                "We could not find this invite. Ask the person who sent it to send you a new link."),
    "expired": (410, "This invite has expired",
                "Invite links work for 7 days, to keep them safe. Ask the person who sent it for a new one."),
    "used": (410, "This invite has already been used",
             "Each invite link works once. If you already accepted it, you will find them under People I support."),
    "revoked": (410, "This invite was cancelled",
                "The person who sent it cancelled this link. If you think that was a mistake, ask them for a new one."),
}


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _bad_invite(response) -> bool:
    """Only links that do not work count against the guessing limit."""
    return response.status_code in (404, 410)


def _sender() -> PushSender:
    return sender_from_config(current_app.config, workers=4, timeout=5.0)


def my_profile() -> CircleProfile | None:
    return db.session.get(CircleProfile, current_user.id)


def _save_name(form) -> str | None:
    """Save the first name from ``form``; a problem in plain words, or None."""
    try:
        name = circle.clean_name(form.first_name.data)
    except TextProblem as problem:
        form.first_name.errors = [str(problem)]
        return str(problem)
    profile = my_profile()
    if profile is None:
        profile = CircleProfile(user_id=current_user.id, notify_messages=True)
        db.session.add(profile)
    profile.first_name = name
    return None


def supported_link_or_404(link_id: int) -> CircleLink:
    """A link on which the signed-in person is the supporter; 404 otherwise."""
    link = db.session.scalar(
        select(CircleLink).where(CircleLink.id == link_id, CircleLink.supporter_id == current_user.id)
    )
    if link is None:
        audit("authz.not_found", user=current_user.id, model="CircleLink(supporter)", object=link_id)
        abort(404)
    return link


# --- the person's side ------------------------------------------------------------------


def _circle_page(invite_form=None, profile_form=None, status=200, problem=None, new_invite=None):
    now = utcnow()
    profile = my_profile()
    links = db.session.scalars(
        select(CircleLink).where(CircleLink.user_id == current_user.id).order_by(CircleLink.created_at)
    ).all()
    supporters = [(link, circle.first_name(db.session, link.supporter_id)) for link in links]
    invites = db.session.scalars(
        select(CircleInvite).where(CircleInvite.user_id == current_user.id).order_by(CircleInvite.created_at.desc()).limit(30)
    ).all()
    messages = db.session.scalars(
        select(CircleMessage).where(CircleMessage.user_id == current_user.id, CircleMessage.kind == "encouragement").order_by(CircleMessage.created_at.desc()).limit(30)
    ).all()
    reach_outs = db.session.scalars(
        select(CircleReachOut).where(CircleReachOut.user_id == current_user.id).order_by(CircleReachOut.created_at.desc()).limit(10)
    ).all()
    if invite_form is None:
        invite_form = InviteForm(formdata=None, data={"first_name": profile.first_name if profile else ""})
    if profile_form is None and profile is not None:
        profile_form = ProfileForm(formdata=None, prefix="profile", data={"first_name": profile.first_name, "notify_messages": profile.notify_messages})
    name = profile.first_name if profile else None
    names = {link.id: supporter_name for link, supporter_name in supporters}
    return render_template(
        "circle/index.html",
        profile=profile,
        supporters=supporters,
        invites=[(invite, circle.invite_state(invite, now), names.get(invite.link_id)) for invite in invites],
        messages=[(m, circle.first_name(db.session, m.sender_id)) for m in messages],
        reach_outs=reach_outs,
        invite_form=invite_form,
        profile_form=profile_form,
        problem=problem,
        new_invite=new_invite,
        sms_link=circle.sms_link(name) if name else None,
        reach_out_limit=circle.REACH_OUT_LIMIT,
        supporting_count=db.session.query(CircleLink).filter_by(supporter_id=current_user.id).count(),
    ), status


@bp.get("/circle")
@login_required
def index():
    """My circle: reach out, who supports me and what each sees, invites, messages."""
    return _circle_page()


@bp.post("/circle/profile")
@login_required
def profile():
    """The first name the circle sees, and whether encouragement may ring."""
    form = ProfileForm(prefix="profile")
    if not form.validate() or _save_name(form):
        db.session.rollback()
        return _circle_page(profile_form=form, status=422, problem=form.first_name.errors[0] if form.first_name.errors else "Please check the form.")
    my_profile().notify_messages = bool(form.notify_messages.data)
    db.session.commit()
    flash("Saved.", "success")
    return redirect(url_for("circle.index"))


def invite_qr(url: str) -> str:
    """The invite link as an SVG QR code (a data: URI), made here: no
    third-party service ever sees the link."""
    return segno.make(url, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff", title="")


@bp.post("/circle/invites")
@login_required
@limiter.limit("20 per hour", key_func=_user_key)
def create_invite():
    """Make a single-use invite link. The link is shown once, here: only its
    hash is kept, so it cannot be shown again (make a new one if it is lost)."""
    form = InviteForm()
    if not form.validate() or _save_name(form):
        db.session.rollback()
        return _circle_page(invite_form=form, status=422, problem=form.first_name.errors[0] if form.first_name.errors else "Please check the form.")
    token = circle.new_token()
    now = utcnow()
    invite = CircleInvite(
        user_id=current_user.id, token_hash=circle.hash_token(token), created_at=now,
        expires_at=now + circle.INVITE_LIFETIME, status="pending",
    )
    db.session.add(invite)
    db.session.commit()
    audit("circle.invite_created", user=current_user.id, invite=invite.id)
    url = url_for("circle.join", token=token, _external=True)
    return _circle_page(new_invite={"url": url, "qr": invite_qr(url), "expires_at": invite.expires_at}, status=201)


@bp.post("/circle/invites/<int:invite_id>/revoke")
@login_required
def revoke_invite(invite_id: int):
    """Cancel a pending invite: the link stops working."""
    invite = get_owned_or_404(CircleInvite, invite_id)
    if invite.status != "pending":
        return _circle_page(status=409, problem="This invite was already used or cancelled, so there is nothing to cancel.")
    invite.status = "revoked"
    db.session.commit()
    flash("Invite cancelled. That link no longer works.", "success")
    return redirect(url_for("circle.index"))


@bp.post("/circle/links/<int:link_id>/sharing")
@login_required
def sharing(link_id: int):
    """Choose what this supporter sees. Nothing is shared unless ticked."""
    link = get_owned_or_404(CircleLink, link_id)
    form = SharingForm()
    if not form.validate():
        return _circle_page(status=422, problem="Please try that again.")
    link.share_light = bool(form.share_light.data)
    link.share_taper = bool(form.share_taper.data)
    link.share_help_me = bool(form.share_help_me.data)
    db.session.commit()
    audit("circle.sharing_changed", user=current_user.id, link=link.id)
    flash(f"Saved what {circle.first_name(db.session, link.supporter_id)} can see.", "success")
    return redirect(url_for("circle.index"))


@bp.post("/circle/links/<int:link_id>/end")
@login_required
def end_link(link_id: int):
    """Remove a supporter from my circle. Their weekly reminder goes with it."""
    link = get_owned_or_404(CircleLink, link_id)
    name = circle.first_name(db.session, link.supporter_id)
    db.session.delete(link)
    db.session.commit()
    audit("circle.link_ended", user=current_user.id, link=link_id, by="person")
    flash(f"{name} is no longer in your circle and sees nothing from now on.", "success")
    return redirect(url_for("circle.index"))


@bp.post("/circle/reach-out")
@login_required
def reach_out():
    """"Reach out to my circle": a push to every supporter who turned
    notifications on. A few an hour at most; each one is logged."""
    now = utcnow()
    if my_profile() is None:
        return _circle_page(status=409, problem="Invite someone to your circle first, so there is someone to reach.")
    if circle.reach_outs_in_window(db.session, current_user.id, now) >= circle.REACH_OUT_LIMIT:
        audit("circle.reach_out_limited", user=current_user.id)
        return _circle_page(
            status=429,
            problem=(
                f"You have already reached out {circle.REACH_OUT_LIMIT} times in the last hour, so your circle "
                "has been told. Please call or text someone directly, or use Help now."
            ),
        )
    try:
        sender = _sender()
        try:
            record = circle.reach_out(db.session, current_user.id, sender, now)
        finally:
            sender.close()
        db.session.commit()
    except Exception:  # whatever a supporter's device does, the person gets an answer, never an error page
        db.session.rollback()
        log.exception("reach out failed")
        audit("circle.reach_out_failed", user=current_user.id)
        flash(
            "Steady could not reach your circle just now. Please call or text someone directly, or use Help now.",
            "error",
        )
        return redirect(url_for("circle.index", _anchor="reach-out"))
    audit("circle.reach_out", user=current_user.id, supporters=record.supporters, delivered=record.delivered)
    if record.delivered:
        flash(f"Sent. {record.delivered} device{'s' if record.delivered != 1 else ''} in your circle got your message.", "success")
    elif record.devices:
        flash("Your circle's devices could not be reached just now. Send a text or call instead.", "error")
    else:
        flash("No one in your circle has notifications turned on right now. Send a text or call instead.", "error")
    return redirect(url_for("circle.index", _anchor="reach-out"))


@bp.post("/circle/messages/<int:message_id>/delete")
@login_required
def delete_message(message_id: int):
    db.session.delete(get_owned_or_404(CircleMessage, message_id))
    db.session.commit()
    flash("Message deleted.", "success")
    return redirect(url_for("circle.index", _anchor="messages"))


# --- joining ------------------------------------------------------------------------------


def _invite_problem(state: str):
    status, title, message = INVITE_PROBLEMS[state]
    audit("circle.invite_refused", state=state, user=current_user.id if current_user.is_authenticated else "-")
    return render_template("circle/invite_problem.html", title=title, message=message), status


@bp.route("/circle/join/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", key_func=client_address, deduct_when=_bad_invite)
def join(token: str):
    """Open an invite link: who it is from, then sign in and accept. Links
    that do not work explain why; trying many of them is limited."""
    now = utcnow()
    found = circle.check_token(db.session, token, now)
    if not found.ok:
        return _invite_problem(found.state)
    invite = found.invite
    inviter = circle.first_name(db.session, invite.user_id)
    if not current_user.is_authenticated:
        if request.method == "POST":
            return redirect(url_for("auth.login", next=request.path))
        return render_template("circle/join.html", inviter=inviter, form=None, token=token)
    if invite.user_id == current_user.id:
        return render_template("circle/join.html", inviter=inviter, form=None, token=token, own=True), 409 if request.method == "POST" else 200
    existing = db.session.scalar(
        select(CircleLink).where(CircleLink.user_id == invite.user_id, CircleLink.supporter_id == current_user.id)
    )
    profile = my_profile()
    form = AcceptForm() if request.method == "POST" else AcceptForm(
        formdata=None, data={"first_name": profile.first_name if profile else "", "notify_reach_out": True}
    )
    if request.method == "GET":
        return render_template("circle/join.html", inviter=inviter, form=form, token=token, already=existing is not None)
    if existing is not None:
        return render_template("circle/join.html", inviter=inviter, form=None, token=token, already=True), 409
    if not form.validate() or _save_name(form):
        db.session.rollback()
        return render_template("circle/join.html", inviter=inviter, form=form, token=token), 422
    link = CircleLink(
        user_id=invite.user_id, supporter_id=current_user.id, share_light=False, share_taper=False,
        notify_reach_out=bool(form.notify_reach_out.data), created_at=now,
    )
    db.session.add(link)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return render_template("circle/join.html", inviter=inviter, form=None, token=token, already=True), 409
    # Single use even when two people accept at the same moment: only one
    # UPDATE finds the invite still pending.
    claimed = db.session.execute(
        CircleInvite.__table__.update()
        .where(CircleInvite.id == invite.id, CircleInvite.status == "pending")
        .values(status="accepted", used_at=now, link_id=link.id)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return _invite_problem("used")
    db.session.commit()
    audit("circle.invite_accepted", user=current_user.id, invite=invite.id, link=link.id)
    flash(f"You are now in {inviter}'s circle. They choose what you can see.", "success")
    return redirect(url_for("circle.supporting"))


# --- the supporter's side ---------------------------------------------------------------------


def _weekly_reminder(link: CircleLink) -> Reminder | None:
    return db.session.scalar(
        select(Reminder).where(Reminder.circle_link_id == link.id, Reminder.user_id == current_user.id)
    )


def _supporting_rows():
    now = utcnow()
    links = db.session.scalars(
        select(CircleLink).where(CircleLink.supporter_id == current_user.id).order_by(CircleLink.created_at)
    ).all()
    return [(link, circle.shared_view(db.session, link, now)) for link in links]


def _supporting_page(status=200, problem=None, forms=None):
    rows = []
    for link, view in _supporting_rows():
        reminder = _weekly_reminder(link)
        settings_form = SupportingSettingsForm(
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
    if not form.validate():
        return _supporting_page(status=422, problem=next(iter(form.errors.values()))[0])
    if form.weekly.data and form.time.data is None:
        return _supporting_page(status=422, problem="Choose a time for the weekly reminder.")
    link.notify_reach_out = bool(form.notify_reach_out.data)
    reminder = _weekly_reminder(link)
    if form.weekly.data:
        name = circle.first_name(db.session, link.user_id)
        if reminder is None:
            _, body, _, _ = KINDS["circle"]
            reminder = Reminder(user_id=current_user.id, kind="circle", circle_link_id=link.id, body=body, automatic=False, lead_minutes=0)
            db.session.add(reminder)
        reminder.title = f"Check in on {name}"[:80]
        reminder.times = form.time.data.strftime("%H:%M")
        reminder.weekdays = form.weekday.data
        reminder.enabled = True
        try:
            schedule(reminder, db.session.get(ReminderSettings, current_user.id), utcnow())
        except RuleProblem as problem:
            db.session.rollback()
            return _supporting_page(status=422, problem=str(problem))
    elif reminder is not None:
        db.session.delete(reminder)
    db.session.commit()
    flash("Saved.", "success")
    return redirect(url_for("circle.supporting"))


@bp.post("/circle/supporting/<int:link_id>/encourage")
@login_required
@limiter.limit("30 per hour", key_func=_user_key)
def encourage(link_id: int):
    """A short note for the person: a preset or up to 280 characters of plain text."""
    link = supported_link_or_404(link_id)
    form = EncourageForm(prefix=f"l{link.id}")
    problem = None
    if not form.validate():
        problem = next(iter(form.errors.values()))[0]
    elif form.preset.data and form.preset.data not in circle.PRESETS:
        problem = "Choose one of the messages offered, or write your own."
    else:
        try:
            text = circle.clean_message(form.preset.data or form.message.data)
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
        sender = _sender()
        try:
            circle.push_to_user(
                db.session,
                link.user_id,
                Notification(
                    # In the recipient's language, not the sender's.
                    title=i18n.gettext_in(i18n.language_of(db.session, link.user_id), "A message from your circle"),
                    body=i18n.gettext_in(
                        i18n.language_of(db.session, link.user_id), "%(name)s sent you some encouragement.",
                        name=circle.first_name(db.session, current_user.id),
                    ),
                    navigate="/circle#messages",
                    tag="steady-circle-message",
                    data={"kind": "circle_message"},
                ),
                sender,
                utcnow(),
            )
        finally:
            sender.close()
        db.session.commit()
    audit("circle.encouragement_sent", user=current_user.id, link=link.id)
    flash(f"Sent to {circle.first_name(db.session, link.user_id)}.", "success")
    return redirect(url_for("circle.supporting"))


@bp.post("/circle/supporting/<int:link_id>/leave")
@login_required
def leave(link_id: int):
    """Stop supporting someone: you see nothing more, and they are told by
    your absence from their circle."""
    link = supported_link_or_404(link_id)
    name = circle.first_name(db.session, link.user_id)
    db.session.delete(link)
    db.session.commit()
    audit("circle.link_ended", user=current_user.id, link=link_id, by="supporter")
    flash(f"You have left {name}'s circle.", "success")
    return redirect(url_for("circle.supporting"))
