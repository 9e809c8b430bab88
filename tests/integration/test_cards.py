"""Coping cards: write, edit, delete; encrypted at rest; only yours."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import Auth, csrf_from
from tests.support.sealed import assert_sealed
from webapp.extensions import db
from webapp.models import CopingCard

CARD = "Waves pass. I have ridden them before."


@pytest.fixture
def signed_in(client, auth):
    auth.register()
    return client


def add_card(client, words=CARD):
    token = csrf_from(client.get("/cards").get_data(as_text=True))
    return client.post("/cards", data={"text": words, "csrf_token": token})


def only_card() -> CopingCard:
    return db.session.query(CopingCard).one()


def card_text(app) -> str:
    """The one card's words, decrypted (which needs the app's key)."""
    with app.app_context():
        return only_card().text


def test_write_edit_and_delete_a_card(app, signed_in):
    assert add_card(signed_in).status_code == 302
    assert CARD in signed_in.get("/cards").get_data(as_text=True)
    card_id = only_card().id
    edit_page = signed_in.get(f"/cards/{card_id}/edit").get_data(as_text=True)
    assert CARD in edit_page
    response = signed_in.post(
        f"/cards/{card_id}/edit", data={"text": "Breathe. It passes.", "csrf_token": csrf_from(edit_page)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert card_text(app) == "Breathe. It passes."
    listing = signed_in.get("/cards").get_data(as_text=True)
    signed_in.post(f"/cards/{card_id}/delete", data={"csrf_token": csrf_from(listing)})
    assert db.session.query(CopingCard).count() == 0


def test_card_text_is_encrypted_at_rest_and_bound_to_its_row(app, signed_in):
    add_card(signed_in)
    rows = db.session.execute(text("SELECT * FROM coping_cards")).all()
    db.session.rollback()
    assert_sealed(rows, ["text_enc"], ["Waves", "ridden", "before"])
    card = only_card()
    with app.app_context():
        stolen = CopingCard(user_id=card.user_id + 1)
        stolen.text_enc = card.text_enc
        from webapp.services.field_crypto import FieldDecryptError

        with pytest.raises(FieldDecryptError):
            stolen.text  # noqa: B018 - reading is the test


def test_cards_api_feeds_the_offline_snapshot(signed_in):
    add_card(signed_in)
    cards = signed_in.get("/api/cards").get_json()["cards"]
    assert [c["text"] for c in cards] == [CARD]


def test_another_person_gets_404_and_changes_nothing(app, signed_in):
    add_card(signed_in)
    card_id = only_card().id
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    token = csrf_from(other.get("/cards").get_data(as_text=True))
    assert other.get(f"/cards/{card_id}/edit").status_code == 404
    assert other.post(f"/cards/{card_id}/edit", data={"text": "mine now", "csrf_token": token}).status_code == 404
    assert other.post(f"/cards/{card_id}/delete", data={"csrf_token": token}).status_code == 404
    assert CARD not in other.get("/cards").get_data(as_text=True)
    assert other.get("/api/cards").get_json()["cards"] == []
    db.session.expire_all()
    assert card_text(app) == CARD


@pytest.mark.parametrize(
    "words, message",
    [
        ("", "Write something for your card."),
        ("   \n ", "Write something for your card."),
        ("x" * 501, "at most 500 characters"),
        ("hidden\x00null", "hidden control characters"),
        ("bell\x07", "hidden control characters"),
    ],
)
def test_bad_cards_are_refused_with_a_clear_message(signed_in, words, message):
    response = add_card(signed_in, words)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(CopingCard).count() == 0


def test_a_megabyte_card_is_413(signed_in):
    assert add_card(signed_in, "x" * 1024 * 1024).status_code == 413
    assert db.session.query(CopingCard).count() == 0


def test_script_is_kept_as_text_and_never_runs(signed_in):
    add_card(signed_in, "<script>alert('hi')</script> & breathe")
    page = signed_in.get("/cards").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt; &amp; breathe" in page
    assert signed_in.get("/api/cards").get_json()["cards"][0]["text"] == "<script>alert('hi')</script> & breathe"
