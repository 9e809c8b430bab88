"""Account deletion and the support circle (SECURITY.md 19): whichever side
of a circle link deletes their account, the link, its invites and messages
go with it; the other person keeps their own account and sees no trace."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_from
from tests.integration.test_circle import alex, check_in, encourage, linked, make_invite, sam, seen_by  # noqa: F401 - fixtures
from webapp.extensions import db
from webapp.models import CircleInvite, CircleLink, CircleMessage, User


def count(model, *where) -> int:
    value = db.session.scalar(select(func.count()).select_from(model).where(*where))
    db.session.rollback()
    return value


def delete_account(client):
    page = client.get("/account/delete").get_data(as_text=True)
    response = client.post("/account/delete", data={"password": PASSWORD, "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    return response


def user_id(email: str) -> int:
    value = db.session.scalar(select(User.id).where(User.email == email))
    db.session.rollback()
    return value


@pytest.mark.parametrize("leaver", ["person", "supporter"])
def test_deleting_either_side_removes_the_link_and_its_messages(app, sam, alex, linked, leaver):  # noqa: F811
    check_in(sam, 6, 3)
    assert encourage(alex, linked, "Proud of you").status_code == 302
    make_invite(sam, "Jo")  # an open invite too
    sam_id, alex_id = user_id("sam@example.com"), user_id("alex@example.com")
    assert count(CircleLink) == 1 and count(CircleInvite) >= 2
    assert count(CircleMessage) == 1, "the encouragement was not stored"
    stays, goes = (alex, sam) if leaver == "person" else (sam, alex)
    gone_id, kept_id = (sam_id, alex_id) if leaver == "person" else (alex_id, sam_id)

    delete_account(goes)

    assert count(User, User.id == gone_id) == 0 and count(User, User.id == kept_id) == 1
    assert count(CircleLink) == 0
    assert count(CircleMessage, (CircleMessage.user_id == gone_id) | (CircleMessage.sender_id == gone_id)) == 0
    assert count(CircleInvite, CircleInvite.user_id == gone_id) == 0
    if leaver == "person":
        assert seen_by(alex) == []
    else:
        page = sam.get("/circle").get_data(as_text=True)
        assert "Alex" not in page
    assert stays.get("/account/").status_code == 200  # the other person is untouched
