"""When a link ends, it ends in what is stored too.

"Sees nothing from now on" holds for the rows: the notes that passed through
the link (the supporter's encouragement, the person's thank-yous) go with it,
whichever side ends it, and an invite link of the person's still waiting can
no longer bring the supporter back in. No export names another person by
Steady's internal id.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from tests.integration.test_circle import accept, make_invite, post, seen_by
from webapp.extensions import db
from webapp.models import CircleInvite, CircleLink, CircleMessage, User
from webapp.services import export

MARK = "ZQX"


def user_id(email: str) -> int:
    found = db.session.scalar(select(User.id).where(User.email == email))
    db.session.rollback()
    return found


def link_between(person: str, supporter: str) -> int:
    found = db.session.scalar(
        select(CircleLink.id).where(
            CircleLink.user_id == user_id(person), CircleLink.supporter_id == user_id(supporter)
        )
    )
    db.session.rollback()
    return found


def texts(app) -> set[str]:
    with app.app_context():
        found = {m.text for m in db.session.scalars(select(CircleMessage))}
        db.session.rollback()
    return found


def exported(app, email: str) -> dict:
    with app.app_context():
        data = export.collect(db.session, user_id(email))
        db.session.rollback()
    return data


def encourage(client, link: int, text: str):
    assert post(client, f"/circle/supporting/{link}/encourage", {f"l{link}-message": text}).status_code == 302


def thank(client, link: int, text: str):
    assert post(client, f"/circle/links/{link}/thanks", {f"t{link}-message": text}).status_code == 302


@pytest.fixture
def people(app):
    """Alex and Robin support Sam; Sam also supports Alex (the other way round)."""
    sam, alex, robin = app.test_client(), app.test_client(), app.test_client()
    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    Auth(robin).register(email="robin@example.com")
    accept(alex, make_invite(sam))
    accept(robin, make_invite(sam), name="Robin")
    accept(sam, make_invite(alex, name="Alex"), name="Sam")
    return sam, alex, robin


@pytest.mark.parametrize("ended_by", ["person", "supporter"])
def test_ending_a_link_removes_the_notes_that_passed_through_it(app, people, ended_by):
    sam, alex, robin = people
    alex_supports_sam = link_between("sam@example.com", "alex@example.com")
    robin_supports_sam = link_between("sam@example.com", "robin@example.com")
    sam_supports_alex = link_between("alex@example.com", "sam@example.com")
    thank(sam, alex_supports_sam, f"{MARK} thankyou private")
    encourage(alex, alex_supports_sam, f"{MARK} from Alex")
    thank(sam, robin_supports_sam, f"{MARK} thanks Robin")
    encourage(robin, robin_supports_sam, f"{MARK} from Robin")
    # The other way round: Sam supports Alex, a link of its own.
    encourage(sam, sam_supports_alex, f"{MARK} Sam cheers Alex")
    thank(alex, sam_supports_alex, f"{MARK} Alex thanks Sam")
    if ended_by == "person":
        response = post(sam, f"/circle/links/{alex_supports_sam}/end")
    else:
        response = post(alex, f"/circle/supporting/{alex_supports_sam}/leave")
    assert response.status_code == 302
    # The two notes of the ended link are gone; every other link keeps its own.
    assert texts(app) == {
        f"{MARK} thanks Robin",
        f"{MARK} from Robin",
        f"{MARK} Sam cheers Alex",
        f"{MARK} Alex thanks Sam",
    }
    assert f"{MARK} thankyou private" not in str(exported(app, "alex@example.com"))
    assert f"{MARK} from Alex" not in str(exported(app, "sam@example.com"))
    assert [t["text"] for view in seen_by(robin) for t in view["thanks"]] == [f"{MARK} thanks Robin"]


def test_a_supporter_who_comes_back_does_not_find_the_old_notes(app, people):
    sam, alex, _ = people
    link = link_between("sam@example.com", "alex@example.com")
    thank(sam, link, f"{MARK} thankyou private")
    post(sam, f"/circle/links/{link}/end")
    accept(alex, make_invite(sam))
    (view,) = [v for v in seen_by(alex) if v["name"] == "Sam"]
    assert "thanks" not in view


def test_no_export_names_another_person_by_their_internal_id(app, people):
    sam, alex, _ = people
    link = link_between("sam@example.com", "alex@example.com")
    thank(sam, link, f"{MARK} thankyou private")
    encourage(alex, link, f"{MARK} from Alex")
    alex_data, sam_data = exported(app, "alex@example.com"), exported(app, "sam@example.com")
    # Alex reads who a note is from by the name the circle knows them by.
    (note,) = [m for m in alex_data["circle_messages"] if m["kind"] == "thanks"]
    assert note["text"] == f"{MARK} thankyou private"
    assert note["sender"] == "Sam" and "sender_id" not in note
    (note,) = [m for m in sam_data["circle_messages"] if m["kind"] == "encouragement"]
    assert note["sender"] == "Alex" and "sender_id" not in note
    assert {row["supporter"] for row in sam_data["circle_links"]} == {"Alex", "Robin"}
    assert all("supporter_id" not in row for row in sam_data["circle_links"])
    # Every exported model: no column naming another account is written out,
    # in the JSON or in the CSV headers.
    for model in export.owned_models():
        others = {
            c.key
            for c in model.__table__.columns
            if c.key != "user_id" and any(fk.column.table.name == User.__tablename__ for fk in c.foreign_keys)
        }
        assert not others & set(export.headers_for(model.__tablename__)), model.__tablename__
        for row in alex_data[model.__tablename__] + sam_data[model.__tablename__]:
            assert not others & set(row), model.__tablename__


def test_a_removed_supporter_cannot_come_back_with_an_invite_still_waiting(app, people):
    sam, alex, _ = people
    first, second = make_invite(sam), make_invite(sam)
    carol = app.test_client()
    Auth(carol).register(email="carol@example.com")
    assert accept(carol, first, name="Carol").status_code == 302
    # Carol opening the second link is told she is already in; it stays waiting.
    assert accept(carol, second, name="Carol").status_code == 409
    link = link_between("sam@example.com", "carol@example.com")
    response = post(sam, f"/circle/links/{link}/end", follow_redirects=True)
    assert "invite link" in response.get_data(as_text=True) and "cancelled" in response.get_data(as_text=True)
    waiting = db.session.scalar(select(func.count()).select_from(CircleInvite).where(CircleInvite.status == "pending"))
    db.session.rollback()
    assert waiting == 0
    refused = accept(carol, second, name="Carol")
    assert refused.status_code == 410
    assert "This invite was cancelled" in refused.get_data(as_text=True)
    assert link_between("sam@example.com", "carol@example.com") is None
    # Sam can invite again: a new link works.
    assert accept(carol, make_invite(sam), name="Carol").status_code == 302


def test_a_supporter_who_leaves_cannot_come_back_with_an_invite_still_waiting(app, people):
    sam, _, _ = people
    first, second = make_invite(sam), make_invite(sam)
    carol = app.test_client()
    Auth(carol).register(email="carol@example.com")
    accept(carol, first, name="Carol")
    link = link_between("sam@example.com", "carol@example.com")
    assert post(carol, f"/circle/supporting/{link}/leave").status_code == 302
    assert accept(carol, second, name="Carol").status_code == 410
    assert link_between("sam@example.com", "carol@example.com") is None
    page = sam.get("/circle").get_data(as_text=True)
    assert "Cancelled" in page
