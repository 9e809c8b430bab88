"""My wave plan: write it, read it, print it, keep it offline, share it.

Sharing makes a link with a random token (only its hash is stored). Anyone
with the link can open a printable copy of the plan as it is now, until the
link expires (1, 7 or 30 days) or the person revokes it. The URL holds
nothing but the token; the page is ``no-store`` and not indexed.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask import flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.api import json_body, json_error
from webapp.bodies import Problems, checked
from webapp.extensions import db
from webapp.links import public_url
from webapp.models import PlanShare, WavePlan, utcnow
from webapp.ownership import get_owned_or_404, owned
from webapp.people import store
from webapp.people.forms import put_problems
from webapp.plan import bp
from webapp.plan.checks import PlanInput, check_plan
from webapp.plan.forms import SHARE_LABEL_MAX, PlanForm, ShareForm
from webapp.security import not_kept_or_indexed
from webapp.services import support
from webapp.services.plan import PLAN_SECTIONS, SHARE_DAYS, new_share_token, share_token_hash
from webapp.services.text import TextProblem, clean_text
from webapp.sync import refuse


@bp.context_processor
def _helpers():
    return {
        "PLAN_SECTIONS": PLAN_SECTIONS,
        "tel_link": support.tel_link,
        "sms_link": support.sms_link,
        "mailto_link": support.mailto_link,
        "RELATIONSHIPS": support.RELATIONSHIPS,
    }


def my_plan() -> WavePlan | None:
    return db.session.scalar(owned(WavePlan))


def plan_sections(plan: WavePlan | None) -> dict[str, str]:
    stored = json.loads(plan.sections_json) if plan else {}
    return {key: stored.get(key, "") for key in PLAN_SECTIONS}


def plan_json(plan: WavePlan | None) -> dict:
    return {
        "plan": None
        if plan is None
        else {"version": plan.version, "sections": plan_sections(plan), "updated_at": plan.updated_at.isoformat()},
        "labels": {key: _(label) for key, (label, _hint) in PLAN_SECTIONS.items()},
    }


def save_plan(plan: WavePlan | None, values: dict) -> WavePlan:
    if plan is None:
        plan = WavePlan(user_id=current_user.id, version=1)
        db.session.add(plan)
    else:
        plan.version += 1
        plan.updated_at = utcnow()
    plan.sections_json = json.dumps(values)
    return plan


@bp.get("/plan")
@login_required
def index():
    """Your wave plan, ready to read or print, with your people under it."""
    plan = my_plan()
    return render_template(
        "plan/index.html",
        plan=plan,
        sections=plan_sections(plan),
        contacts=store.my_contacts(),
        message=(store.template_texts() or [None])[0],
    )


@bp.route("/plan/edit", methods=["GET", "POST"])
@login_required
def edit():
    """Write or change the plan. A change made from an older copy (another
    device) is refused with 409, keeping what was typed."""
    plan = my_plan()
    if request.method == "GET":
        form = PlanForm(data={**plan_sections(plan), "version": str(plan.version) if plan else ""})
        return render_template("plan/edit.html", form=form, plan=plan)
    form = PlanForm()
    status, conflict = 422, False
    if form.validate():
        values, problems = check_plan(form.values())
        current = str(plan.version) if plan else ""
        if not problems and (form.version.data or "") != current:
            conflict, status = True, 409
            form.version.data = current
        elif not problems:
            save_plan(plan, values)
            db.session.commit()
            flash(_("Your wave plan is saved. It is on this phone for when you are offline too."), "success")
            return redirect(url_for("plan.index"))
        put_problems(form, problems)
    return render_template("plan/edit.html", form=form, plan=plan, conflict=conflict), status


@bp.post("/plan/delete")
@login_required
def delete():
    """Delete the plan; every share link stops working with it."""
    plan = my_plan()
    if plan is not None:
        db.session.delete(plan)
    now = utcnow()
    for share in db.session.scalars(owned(PlanShare, PlanShare.revoked_at.is_(None))):
        share.revoked_at = now
    db.session.commit()
    flash(_("Your wave plan is deleted."), "success")
    return redirect(url_for("plan.index"))


# --- sharing -----------------------------------------------------------------------


def my_shares() -> list[PlanShare]:
    return list(db.session.scalars(owned(PlanShare).order_by(PlanShare.created_at.desc())))


@bp.route("/plan/share", methods=["GET", "POST"])
@login_required
def share():
    """Make a link to a printable copy of the plan, and see or stop the links made."""
    form = ShareForm()
    plan = my_plan()
    status = 200
    if form.is_submitted():
        status = 422
        if plan is None:
            form.days.errors = [_("Write your plan first, then share it.")]
        elif form.validate():
            label = ""
            try:
                label = clean_text(
                    form.label.data, label=_("Who it is for"), max_length=SHARE_LABEL_MAX, required=False
                )
            except TextProblem as problem:
                form.label.errors = [str(problem)]
            days = int(form.days.data) if re.fullmatch(r"[0-9]{1,3}", form.days.data or "") else 0
            if days not in SHARE_DAYS:
                form.days.errors = [_("Choose how long the link should work.")]
            if not form.label.errors and not form.days.errors:
                token, token_hash = new_share_token()
                now = utcnow()
                link = PlanShare(
                    user_id=current_user.id,
                    token_hash=token_hash,
                    created_at=now,
                    expires_at=now + timedelta(days=days),
                )
                link.label = label or None
                db.session.add(link)
                db.session.commit()
                # Shown once: only the hash is kept, so the link cannot be shown again.
                url = public_url("plan.shared", token=token)
                return render_template("plan/share_created.html", url=url, share=link)
    return render_template("plan/share.html", form=form, plan=plan, shares=my_shares(), now=utcnow()), status


@bp.post("/plan/share/<int:share_id>/revoke")
@login_required
def revoke_share(share_id: int):
    """Stop a share link working, now."""
    link = get_owned_or_404(PlanShare, share_id)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        db.session.commit()
    flash(_("That link no longer works."), "success")
    return redirect(url_for("plan.share"))


@bp.get("/shared/plan/<token>")
def shared(token: str):
    """A printable copy of someone's plan, for the person they shared it with.
    An unknown, expired or stopped link, or one to a plan since deleted, gets
    the same 404 page saying so and what to do, so the page tells a reader
    nothing about which it was (not even whether the link ever worked)."""
    link = None
    if len(token) <= 100:
        link = db.session.scalar(select(PlanShare).where(PlanShare.token_hash == share_token_hash(token)))
    plan = None
    if link is not None and link.revoked_at is None and link.expires_at > utcnow():
        plan = db.session.scalar(select(WavePlan).where(WavePlan.user_id == link.user_id))
    if plan is None:
        return not_kept_or_indexed(make_response(render_template("plan/shared_gone.html"), 404))
    page = render_template("plan/shared.html", sections=plan_sections(plan), plan=plan, link=link)
    return not_kept_or_indexed(make_response(page))


# --- offline ---------------------------------------------------------------------------


@bp.get("/my/plan")
def offline_copy():
    """The plan as kept on this phone: the same page for everyone (kept by
    the service worker), filled in on the device from the offline snapshot."""
    return render_template("plan/offline.html")


@bp.get("/api/plan")
@login_required
def api_plan():
    return jsonify(plan_json(my_plan()))


@bp.put("/api/plan")
@login_required
def api_save_plan():
    """Save the plan from the device; ``version`` is the one the change was
    made from (null for a first plan). A stale version is answered 409."""
    try:
        body = checked(PlanInput, json_body())
    except Problems as refused:
        refuse(refused, key=None)
    values, version = body["sections"], body["version"]
    plan = my_plan()
    if (plan.version if plan else None) != version:
        json_error(
            409,
            _(
                "Your wave plan was changed on another device after this edit was made, so this edit was not saved. "
                "Open your plan, check it, and make your change again."
            ),
            plan=plan_json(plan)["plan"],
        )
    plan = save_plan(plan, values)
    db.session.commit()
    return jsonify(plan_json(plan))
