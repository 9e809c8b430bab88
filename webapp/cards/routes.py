"""Write, edit and delete coping cards. Card text is encrypted at rest; the
toolkit shows the cards on the device, offline too, from the per-user snapshot
fetched from ``/api/cards``."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import once
from webapp.cards import bp
from webapp.cards.forms import CardForm
from webapp.extensions import db
from webapp.models import CopingCard
from webapp.ownership import get_owned_or_404, owned


def my_cards() -> list[CopingCard]:
    return list(db.session.scalars(owned(CopingCard).order_by(CopingCard.created_at)))


@bp.route("/cards", methods=["GET", "POST"])
@login_required
def index():
    """Your coping cards, and a form to add one."""
    form = CardForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            if not once.sent_before():
                card = CopingCard(user_id=current_user.id)
                card.text = form.text.data
                db.session.add(card)
                db.session.commit()
            flash(_("Card saved. You will find it in the toolkit, even offline."), "success")
            return redirect(url_for("cards.index"))
        status = 422
    return render_template("cards/index.html", cards=my_cards(), form=form), status


@bp.route("/cards/<int:card_id>/edit", methods=["GET", "POST"])
@login_required
def edit(card_id: int):
    """Change a card's words."""
    card = get_owned_or_404(CopingCard, card_id)
    form = CardForm() if request.method == "POST" else CardForm(data={"text": card.text})
    status = 200
    if form.is_submitted():
        if form.validate():
            card.text = form.text.data
            db.session.commit()
            flash(_("Card updated."), "success")
            return redirect(url_for("cards.index"))
        status = 422
    return render_template("cards/edit.html", card=card, form=form), status


@bp.post("/cards/<int:card_id>/delete")
@login_required
def delete(card_id: int):
    """Delete a card (a POST with a CSRF token)."""
    card = get_owned_or_404(CopingCard, card_id)
    db.session.delete(card)
    db.session.commit()
    flash(_("Card deleted."), "success")
    return redirect(url_for("cards.index"))


@bp.get("/api/cards")
@login_required
def api_list():
    """The person's cards, for their offline snapshot."""
    return jsonify(cards=[{"id": c.id, "text": c.text, "updated_at": c.updated_at.isoformat()} for c in my_cards()])
