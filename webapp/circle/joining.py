"""Joining a circle: opening an invite link, signing in and accepting."""

from __future__ import annotations

from flask import after_this_request, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.circle import bp
from webapp.circle.common import my_profile, save_name
from webapp.circle.forms import AcceptForm
from webapp.extensions import client_address, db, limiter
from webapp.logs import audit
from webapp.models import CircleInvite, CircleLink, utcnow
from webapp.security import not_kept_or_indexed
from webapp.services import circle

#: What a person sees for each way an invite link can fail, kindly.
INVITE_PROBLEMS = {
    "malformed": (
        404,
        _l("This invite link does not work"),
        _l("The link may have been copied only in part. Ask the person who sent it to send it again."),
    ),
    "unknown": (
        404,
        _l("This invite link does not work"),
        _l("We could not find this invite. Ask the person who sent it to send you a new link."),
    ),
    "expired": (
        410,
        _l("This invite has expired"),
        _l("Invite links work for 7 days, to keep them safe. Ask the person who sent it for a new one."),
    ),
    "used": (
        410,
        _l("This invite has already been used"),
        _l("Each invite link works once. If you already accepted it, you will find them under People I support."),
    ),
    "revoked": (
        410,
        _l("This invite was cancelled"),
        _l("The person who sent it cancelled this link. If you think that was a mistake, ask them for a new one."),
    ),
}


def _invite_problem(state: str):
    status, title, message = INVITE_PROBLEMS[state]
    audit("circle.invite_refused", state=state, user=current_user.id if current_user.is_authenticated else "-")
    return render_template("circle/invite_problem.html", title=title, message=message), status


def _bad_invite(response) -> bool:
    """Only links that do not work count against the guessing limit."""
    return response.status_code in (404, 410)


@bp.route("/circle/join/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", key_func=client_address, deduct_when=_bad_invite)
def join(token: str):
    """Open an invite link: who it is from, then sign in and accept. Links
    that do not work explain why; trying many of them is limited. Every
    answer is ``no-store`` and not indexed, as a shared plan is: the page
    names the inviter, and the link is its own key."""
    after_this_request(not_kept_or_indexed)
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
        return render_template(
            "circle/join.html", inviter=inviter, form=None, token=token, own=True
        ), 409 if request.method == "POST" else 200
    existing = db.session.scalar(
        select(CircleLink).where(CircleLink.user_id == invite.user_id, CircleLink.supporter_id == current_user.id)
    )
    profile = my_profile()
    form = (
        AcceptForm()
        if request.method == "POST"
        else AcceptForm(
            formdata=None, data={"first_name": profile.first_name if profile else "", "notify_reach_out": True}
        )
    )
    if request.method == "GET":
        return render_template(
            "circle/join.html", inviter=inviter, form=form, token=token, already=existing is not None
        )
    if existing is not None:
        return render_template("circle/join.html", inviter=inviter, form=None, token=token, already=True), 409
    if not form.validate() or save_name(form):
        db.session.rollback()
        return render_template("circle/join.html", inviter=inviter, form=form, token=token), 422
    link = CircleLink(
        user_id=invite.user_id,
        supporter_id=current_user.id,
        share_light=False,
        share_taper=False,
        notify_reach_out=bool(form.notify_reach_out.data),
        created_at=now,
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
    flash(_("You are now in %(name)s's circle. They choose what you can see.", name=inviter), "success")
    return redirect(url_for("circle.supporting"))
