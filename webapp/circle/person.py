"""The person's side of the circle (``/circle``): invite supporters with a
single-use link, choose per supporter what is shared, reach out with one
tap, read encouragement, end a link."""

from __future__ import annotations

import segno
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from webapp.circle import bp, common
from webapp.circle.common import log, my_profile, push_sender, save_name, user_key
from webapp.circle.forms import InviteForm, ProfileForm, SharingForm
from webapp.extensions import db, limiter
from webapp.links import public_url
from webapp.logs import audit
from webapp.models import CircleInvite, CircleLink, CircleMessage, CircleReachOut, utcnow
from webapp.ownership import get_owned_or_404, owned
from webapp.services import circle


def _circle_page(invite_form=None, profile_form=None, status=200, problem=None, new_invite=None):
    now = utcnow()
    profile = my_profile()
    links = db.session.scalars(owned(CircleLink).order_by(CircleLink.created_at)).all()
    supporters = [(link, circle.first_name(db.session, link.supporter_id)) for link in links]
    invites = db.session.scalars(owned(CircleInvite).order_by(CircleInvite.created_at.desc()).limit(30)).all()
    messages = db.session.scalars(
        owned(CircleMessage, CircleMessage.kind == "encouragement").order_by(CircleMessage.created_at.desc()).limit(30)
    ).all()
    reach_outs = db.session.scalars(owned(CircleReachOut).order_by(CircleReachOut.created_at.desc()).limit(10)).all()
    if invite_form is None:
        invite_form = InviteForm(formdata=None, data={"first_name": profile.first_name if profile else ""})
    if profile_form is None and profile is not None:
        profile_form = ProfileForm(
            formdata=None,
            prefix="profile",
            data={"first_name": profile.first_name, "notify_messages": profile.notify_messages},
        )
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
    if not form.validate() or save_name(form):
        db.session.rollback()
        return _circle_page(
            profile_form=form,
            status=422,
            problem=form.first_name.errors[0] if form.first_name.errors else _("Please check the form."),
        )
    my_profile().notify_messages = bool(form.notify_messages.data)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("circle.index"))


def invite_qr(url: str) -> str:
    """The invite link as an SVG QR code (a data: URI), made here: no
    third-party service ever sees the link."""
    return segno.make(url, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff", title="")


@bp.post("/circle/invites")
@login_required
@limiter.limit("20 per hour", key_func=user_key)
def create_invite():
    """Make a single-use invite link. The link is shown once, here: only its
    hash is kept, so it cannot be shown again (make a new one if it is lost)."""
    form = InviteForm()
    if not form.validate() or save_name(form):
        db.session.rollback()
        return _circle_page(
            invite_form=form,
            status=422,
            problem=form.first_name.errors[0] if form.first_name.errors else _("Please check the form."),
        )
    token = circle.new_token()
    now = utcnow()
    invite = CircleInvite(
        user_id=current_user.id,
        token_hash=circle.hash_token(token),
        created_at=now,
        expires_at=now + circle.INVITE_LIFETIME,
        status="pending",
    )
    db.session.add(invite)
    db.session.commit()
    audit("circle.invite_created", user=current_user.id, invite=invite.id)
    url = public_url("circle.join", token=token)
    return _circle_page(new_invite={"url": url, "qr": invite_qr(url), "expires_at": invite.expires_at}, status=201)


@bp.post("/circle/invites/<int:invite_id>/revoke")
@login_required
def revoke_invite(invite_id: int):
    """Cancel a pending invite: the link stops working."""
    invite = get_owned_or_404(CircleInvite, invite_id)
    if invite.status != "pending":
        return _circle_page(
            status=409, problem=_("This invite was already used or cancelled, so there is nothing to cancel.")
        )
    # Only a still pending invite is cancelled: if it was accepted a moment
    # ago (its UPDATE committed after the read above), this finds nothing, and
    # the person is told it was used, not that the link no longer works.
    cancelled = db.session.execute(
        CircleInvite.__table__.update()
        .where(CircleInvite.id == invite.id, CircleInvite.status == "pending")
        .values(status="revoked")
    ).rowcount
    if cancelled != 1:
        db.session.rollback()
        return _circle_page(
            status=409, problem=_("This invite was already used or cancelled, so there is nothing to cancel.")
        )
    db.session.commit()
    flash(_("Invite cancelled. That link no longer works."), "success")
    return redirect(url_for("circle.index"))


@bp.post("/circle/links/<int:link_id>/sharing")
@login_required
def sharing(link_id: int):
    """Choose what this supporter sees. Nothing is shared unless ticked."""
    link = get_owned_or_404(CircleLink, link_id)
    form = SharingForm()
    if not form.validate():
        return _circle_page(status=422, problem=_("Please try that again."))
    link.share_light = bool(form.share_light.data)
    link.share_taper = bool(form.share_taper.data)
    link.share_help_me = bool(form.share_help_me.data)
    db.session.commit()
    audit("circle.sharing_changed", user=current_user.id, link=link.id)
    flash(_("Saved what %(name)s can see.", name=circle.first_name(db.session, link.supporter_id)), "success")
    return redirect(url_for("circle.index"))


@bp.post("/circle/links/<int:link_id>/end")
@login_required
def end_link(link_id: int):
    """Remove a supporter from my circle. Their weekly reminder and the notes
    between us go with it, and my invite links still waiting are cancelled."""
    link = get_owned_or_404(CircleLink, link_id)
    name = circle.first_name(db.session, link.supporter_id)
    cancelled = common.end_link(link, utcnow())
    db.session.commit()
    audit("circle.link_ended", user=current_user.id, link=link_id, by="person", invites_cancelled=cancelled)
    flash(
        _(
            "%(name)s is no longer in your circle and sees nothing from now on. The messages between you are removed.",
            name=name,
        ),
        "success",
    )
    if cancelled:
        flash(
            ngettext(
                "Your invite link that was still waiting is cancelled too, so it cannot bring anyone back in. "
                "You can make a new one.",
                "Your %(num)d invite links that were still waiting are cancelled too, so they cannot bring "
                "anyone back in. You can make new ones.",
                cancelled,
            ),
            "success",
        )
    return redirect(url_for("circle.index"))


@bp.post("/circle/reach-out")
@login_required
def reach_out():
    """ "Reach out to my circle": a push to every supporter who turned
    notifications on. A few an hour at most; each one is logged."""
    now = utcnow()
    if my_profile() is None:
        return _circle_page(status=409, problem=_("Invite someone to your circle first, so there is someone to reach."))
    if circle.reach_outs_in_window(db.session, current_user.id, now) >= circle.REACH_OUT_LIMIT:
        audit("circle.reach_out_limited", user=current_user.id)
        return _circle_page(
            status=429,
            problem=_(
                "You have already reached out %(count)s times in the last hour, so your circle "
                "has been told. Please call or text someone directly, or use Help now.",
                count=circle.REACH_OUT_LIMIT,
            ),
        )
    try:
        sender = push_sender()
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
            _("Steady could not reach your circle just now. Please call or text someone directly, or use Help now."),
            "error",
        )
        return redirect(url_for("circle.index", _anchor="reach-out"))
    audit("circle.reach_out", user=current_user.id, supporters=record.supporters, delivered=record.delivered)
    if record.delivered:
        flash(
            ngettext(
                "Sent. %(num)d device in your circle got your message.",
                "Sent. %(num)d devices in your circle got your message.",
                record.delivered,
            ),
            "success",
        )
    elif record.devices:
        flash(_("Your circle's devices could not be reached just now. Send a text or call instead."), "error")
    else:
        flash(_("No one in your circle has notifications turned on right now. Send a text or call instead."), "error")
    return redirect(url_for("circle.index", _anchor="reach-out"))


@bp.post("/circle/messages/<int:message_id>/delete")
@login_required
def delete_message(message_id: int):
    db.session.delete(get_owned_or_404(CircleMessage, message_id))
    db.session.commit()
    flash(_("Message deleted."), "success")
    return redirect(url_for("circle.index", _anchor="messages"))
