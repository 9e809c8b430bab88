"""Account settings: change password, sign out everywhere."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import delete

from webapp.account import bp
from webapp.account.forms import ChangePasswordForm, DeleteAccountForm
from webapp.extensions import db, limiter
from webapp.logs import audit
from webapp.models import PushSubscription, User, UserSession, utcnow
from webapp.services import data_version, sessions
from webapp.services import plan as plan_service
from webapp.services.passwords import hash_password, password_problem, verify_password
from webapp.signing_out import require_csrf, signed_out, ticked


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


@bp.get("/")
@login_required
def settings():
    """Account overview: who is signed in, on how many devices."""
    device_count = db.session.query(UserSession).filter_by(user_id=current_user.id).count()
    links = plan_service.count_working_shares(db.session, current_user.id, utcnow())
    return render_template("account/settings.html", device_count=device_count, plan_links=links)


def _stop_other_devices_reminders(user_id: int, this_device: str | None) -> int:
    """Forget every push subscription of the account but this device's (its
    page sends the browser's push address): a device whose session a new
    password ended gets no reminders while no one is signed in on it. Each
    device's page sends its subscription again once someone signs in there,
    so the reminders come back then. How many were forgotten."""
    others = delete(PushSubscription).where(PushSubscription.user_id == user_id)
    if this_device and len(this_device) <= 1024:
        others = others.where(PushSubscription.endpoint != this_device)
    return db.session.execute(others).rowcount


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], key_func=_user_key, deduct_when=lambda r: r.status_code != 302)
def change_password():
    """Change password. Needs the current one; ends every other session."""
    form = ChangePasswordForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            user = current_user._get_current_object()
            if not verify_password(user.password_hash, form.current_password.data):
                form.current_password.errors.append(_("That is not your current password."))
                form.current_password.forget()
                audit("password.change_failed", user=user.id)
                status = 401
            elif problem := password_problem(form.new_password.data, user.email):
                form.new_password.errors.append(problem)
            else:
                user.password_hash = hash_password(form.new_password.data)
                user.password_changed_at = utcnow()
                ended = sessions.end_all_sessions(db.session, user.id, keep_token=user.get_id())
                devices = _stop_other_devices_reminders(user.id, request.form.get("push_endpoint"))
                db.session.commit()
                audit("password.changed", user=user.id, other_sessions_ended=ended, devices_stopped=devices)
                flash(
                    _(
                        "Your password is changed. You are signed out on your other devices, "
                        "and they get no reminders until you sign in there again."
                    ),
                    "success",
                )
                return redirect(url_for("account.settings"))
    return render_template("account/password.html", form=form), status


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of this account, this one included; with
    ``stop_links``, stop every link to the plan as well (whoever was signed
    in where they should not be may have made one).

    Every device's reminders stop too: a device that is signed out would
    otherwise still get them, with whatever words the person gave them, on
    a phone that may be lost or someone else's. The reminders themselves
    are kept; turning reminders on again on a phone brings them back there.

    It acts whatever body comes with it (webapp/signing_out.py): a broken or
    hidden character in a field (the tick's value), JSON of any shape, must
    not leave the account signed in everywhere, and a tick is a tick whatever
    its value (in JSON: ``true`` or any text)."""
    require_csrf()
    user_id = current_user.id
    ended = sessions.end_all_sessions(db.session, user_id)
    devices = db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == user_id)).rowcount
    stopped = plan_service.stop_every_share(db.session, user_id, utcnow()) if ticked("stop_links") else 0
    db.session.commit()
    logout_user()
    session.clear()
    audit("logout.everywhere", user=user_id, sessions_ended=ended, plan_links_stopped=stopped, devices_stopped=devices)
    if stopped:
        return signed_out(_("You are signed out on every device, and the links to your plan are stopped."))
    return signed_out(_("You are signed out on every device."))


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], key_func=_user_key, deduct_when=lambda r: r.status_code != 302)
def delete_account():
    """Delete the account and everything in it, after the password.

    Every row a person owns hangs off ``users.id`` with ON DELETE CASCADE, so
    one delete removes check-ins, contacts, cards, reminders, devices and
    sessions together; the browser then forgets its copy (``data-sign-out``).
    """
    form = DeleteAccountForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            user = current_user._get_current_object()
            if not verify_password(user.password_hash, form.password.data):
                form.password.errors.append(_("That is not your password."))
                form.password.forget()
                audit("account.delete_failed", user=user.id)
                status = 401
            else:
                user_id = user.id
                db.session.delete(db.session.get(User, user_id))
                db.session.commit()
                data_version.forget_kept(current_app)
                logout_user()
                session.clear()
                audit("account.deleted", user=user_id)
                flash(_("Your account and everything in it are deleted."), "success")
                return redirect(url_for("core.index"))
    return render_template("account/delete.html", form=form), status
