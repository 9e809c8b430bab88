"""The owner-scoped queries: a view reads only the signed-in person's rows,
and someone else's id answers 404 like one that does not exist."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from webapp.extensions import db
from webapp.models import CopingCard, User
from webapp.ownership import get_owned_or_404, mine, owned


def test_owned_and_mine_see_only_the_signed_in_persons_rows(app):
    with app.app_context():
        sam, alex = User(email="sam@example.com", password_hash="x"), User(email="alex@example.com", password_hash="x")
        db.session.add_all([sam, alex])
        db.session.flush()
        for owner, words in ((sam, "breathe"), (sam, "walk"), (alex, "call mum")):
            card = CopingCard(user_id=owner.id)
            card.text = words
            db.session.add(card)
        db.session.flush()
        alex_card = db.session.scalar(select(CopingCard).where(CopingCard.user_id == alex.id))
        with app.test_request_context("/"):
            g._login_user = sam
            assert sorted(card.text for card in db.session.scalars(owned(CopingCard))) == ["breathe", "walk"]
            assert db.session.scalar(select(func.count()).select_from(CopingCard).where(mine(CopingCard))) == 2
            assert db.session.scalar(owned(CopingCard, CopingCard.id == alex_card.id)) is None
            with pytest.raises(NotFound):
                get_owned_or_404(CopingCard, alex_card.id)
            g._login_user = alex
            assert get_owned_or_404(CopingCard, alex_card.id).text == "call mum"
        db.session.rollback()
