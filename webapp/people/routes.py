"""Support contacts, message templates, support groups and the wave plan."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("people", __name__, template_folder="templates")


@bp.get("/people")
@login_required
def index():
    """Your people: pinned first."""
    return render_template("people/index.html")
