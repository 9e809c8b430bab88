"""Export (SECURITY.md 18): all and only the signed-in person's data, as JSON
or a zip of CSVs, behind a fresh login — the password entered in the last
five minutes — with ``no-store`` and as an attachment."""

from __future__ import annotations

import time

from flask import (
    Response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from webapp.auth.routes import safe_next
from webapp.export import bp
from webapp.extensions import db, limiter
from webapp.forms import FlaskForm, password_field
from webapp.logs import audit
from webapp.services import export
from webapp.services.passwords import verify_password

FRESH_FOR = 5 * 60  # seconds


class ConfirmPasswordForm(FlaskForm):
    password = password_field(
        _l("Your password"), "current-password", required_message=_l("Enter your password."), named=_l("Your password")
    )


def is_fresh() -> bool:
    fresh_at = session.get("fresh_at")
    return isinstance(fresh_at, (int, float)) and 0 <= time.time() - fresh_at <= FRESH_FOR


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


@bp.get("/export")
@login_required
def index():
    """Choose a format (after confirming the password if it is not fresh)."""
    if not is_fresh():
        return redirect(url_for("export.confirm", next=url_for("export.index")))
    return render_template("export/index.html")


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], key_func=_user_key, deduct_when=lambda r: r.status_code != 302)
def confirm():
    """Enter the password again before something sensitive, like a download
    of all your data. It counts for five minutes."""
    form = ConfirmPasswordForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            if verify_password(current_user.password_hash, form.password.data):
                session["fresh_at"] = time.time()
                audit("password.confirmed", user=current_user.id)
                target = request.args.get("next")
                return redirect(safe_next(target) if target else url_for("export.index"))
            form.password.errors.append(_("That is not your password."))
            form.password.forget()
            audit("password.confirm_failed", user=current_user.id)
            status = 401
    return render_template("export/confirm.html", form=form), status


def _download(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.json")
@login_required
def as_json():
    if not is_fresh():
        return redirect(url_for("export.confirm", next=url_for("export.as_json")))
    audit("export.downloaded", user=current_user.id, format="json")
    return _download(
        export.to_json(export.collect(db.session, current_user.id)), "application/json", "steady-export.json"
    )


@bp.get("/export.csv")
@login_required
def as_csv():
    """A zip with one CSV file per kind of data."""
    if not is_fresh():
        return redirect(url_for("export.confirm", next=url_for("export.as_csv")))
    audit("export.downloaded", user=current_user.id, format="csv")
    return _download(
        export.to_csv_zip(export.collect(db.session, current_user.id)), "application/zip", "steady-export-csv.zip"
    )
