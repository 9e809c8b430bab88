"""My wave plan: write, change (with conflict detection), delete, print,
share through a revocable, expiring link; the offline copies of people and
plan are public shells with nothing personal in them."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from tests.conftest import Auth, csrf_from
from tests.support.sealed import assert_sealed
from tests.support.worker import kept_pages
from webapp.extensions import db
from webapp.models import PlanShare, WavePlan, utcnow
from webapp.services.plan import PLAN_SECTIONS

PLAN = {
    "warning_signs": "Not sleeping for two nights; snapping at people",
    "on_my_own": "Cold water on my face; the 5-4-3-2-1 exercise",
    "people_places": "The library; walking by the canal",
    "ask_for_help": "Sam on 07700 900123",
    "professionals": "Dr Okafor at the surgery",
    "safe_surroundings": "Jo keeps my tablets and gives me each day's dose",
    "reasons": "Mia's graduation in June",
}


@pytest.fixture
def signed_in(client, auth):
    auth.register()
    return client


def token(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def save_plan(client, version="", **sections):
    return client.post("/plan/edit", data={**(sections or PLAN), "version": version, "csrf_token": token(client)})


def share_link(client, days="7", label="Jo") -> str:
    response = client.post("/plan/share", data={"days": days, "label": label, "csrf_token": token(client)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return re.search(r'id="share-url" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def plans() -> int:
    result = db.session.scalar(select(func.count()).select_from(WavePlan))
    db.session.rollback()
    return result


def test_write_read_change_and_delete_the_plan(signed_in):
    page = signed_in.get("/plan").get_data(as_text=True)
    assert "Write my plan" in page
    edit = signed_in.get("/plan/edit").get_data(as_text=True)
    for label, hint in PLAN_SECTIONS.values():
        assert label in edit
    assert "asking someone I trust to hold my medication" in edit
    assert save_plan(signed_in).status_code == 302
    page = signed_in.get("/plan").get_data(as_text=True)
    for words in PLAN.values():
        assert words.replace("'", "&#39;") in page
    assert 'data-action="print"' in page  # printable: a Print button (shown by plan.js) and print CSS
    assert signed_in.get("/api/plan").get_json()["plan"]["version"] == 1

    assert save_plan(signed_in, version="1", **{**PLAN, "reasons": "Mia, and me"}).status_code == 302
    got = signed_in.get("/api/plan").get_json()["plan"]
    assert got["version"] == 2 and got["sections"]["reasons"] == "Mia, and me"

    signed_in.post("/plan/delete", data={"csrf_token": token(signed_in)})
    assert plans() == 0 and signed_in.get("/api/plan").get_json()["plan"] is None


def test_a_stale_plan_edit_is_a_conflict(signed_in):
    save_plan(signed_in)
    response = save_plan(signed_in, version="", warning_signs="from a second first draft")
    assert response.status_code == 409
    assert "Your plan was changed on another device" in response.get_data(as_text=True)
    api = signed_in.put("/api/plan", json={"version": 7, "sections": PLAN}, headers={"X-CSRFToken": token(signed_in)})
    assert api.status_code == 409 and "changed on another device" in api.get_json()["error"]
    ok = signed_in.put(
        "/api/plan",
        json={"version": 1, "sections": {**PLAN, "reasons": "offline words"}},
        headers={"X-CSRFToken": token(signed_in)},
    )
    assert ok.status_code == 200 and ok.get_json()["plan"]["version"] == 2


@pytest.mark.parametrize(
    "sections, message",
    [
        ({}, "Write at least one part of your plan."),
        ({"reasons": "r" * 2001}, "My reasons to keep going can be at most 2000 characters"),
        ({"warning_signs": "nul\x00"}, "hidden control characters"),
    ],
)
def test_bad_plans_are_refused_with_a_clear_message(signed_in, sections, message):
    response = signed_in.post("/plan/edit", data={**sections, "version": "", "csrf_token": token(signed_in)})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert plans() == 0


def test_a_megabyte_plan_is_413(signed_in):
    assert save_plan(signed_in, warning_signs="w" * (1024 * 1024)).status_code == 413
    assert plans() == 0


def test_plan_text_is_encrypted_and_shown_as_text(signed_in):
    save_plan(signed_in, **{**PLAN, "reasons": "<script>alert(1)</script> Mia"})
    rows = db.session.execute(text("SELECT * FROM wave_plans")).all()
    db.session.rollback()
    # Each section's whole text, and short words alone (which can turn up by
    # chance inside a sealed value, where they are not looked for).
    sections = {**PLAN, "reasons": "<script>alert(1)</script> Mia"}.values()
    assert_sealed(rows, ["sections_enc"], [*sections, "nights", "canal", "Okafor", "tablets", "script", "Mia", "07700"])
    page = signed_in.get("/plan").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Mia" in page


def main_of(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index("<main") : page.index("</main>")]


def assert_link_does_not_work(response):
    """The page a link that does not work gets: 404, saying what may have
    happened and what to do; kept by no cache, not indexed."""
    assert response.status_code == 404
    page = html.unescape(response.get_data(as_text=True))
    assert "This link does not work" in page and "ask the person who sent it for a new link" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_a_share_link_opens_a_printable_copy_until_revoked(app, signed_in):
    assert (
        signed_in.post("/plan/share", data={"days": "7", "csrf_token": token(signed_in)}).status_code == 422
    )  # no plan yet
    save_plan(signed_in)
    url = share_link(signed_in)
    path = url.replace("http://localhost", "")
    assert re.fullmatch(r"/shared/plan/[A-Za-z0-9_-]{40,}", path)  # an opaque token and nothing else
    token_part = path.rsplit("/", 1)[1]
    assert token_part not in " ".join(str(v) for v in db.session.execute(text("SELECT * FROM plan_shares")).one())
    db.session.rollback()

    stranger = app.test_client()
    response = stranger.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "A wave plan shared with you" in page and PLAN["safe_surroundings"].replace("'", "&#39;") in page
    assert "sam@example.com" not in page  # nothing about the account
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert_link_does_not_work(stranger.get(path[:-2] + "xx"))

    share_page = signed_in.get("/plan/share").get_data(as_text=True)
    assert "Works until" in share_page and "Jo" in share_page
    share_id = db.session.scalar(select(PlanShare.id))
    db.session.rollback()
    signed_in.post(f"/plan/share/{share_id}/revoke", data={"csrf_token": token(signed_in)})
    assert_link_does_not_work(stranger.get(path))
    assert "Stopped." in signed_in.get("/plan/share").get_data(as_text=True)


def test_signing_out_everywhere_offers_to_stop_the_plans_links_and_does(signed_in, app, auth):
    """Whoever was signed in where they should not be may have made a link to
    the plan: "Sign out everywhere" offers (ticked) to stop the links that
    still work, and does; left unticked, they keep working."""
    assert 'name="stop_links"' not in signed_in.get("/account/").get_data(as_text=True)  # no links, no offer
    save_plan(signed_in)
    paths = [share_link(signed_in, days=days).replace("http://localhost", "") for days in ("7", "30")]
    page = signed_in.get("/account/").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="stop_links" value="y" id="stop_links" checked>', page)
    assert "Also stop the 2 links to your plan that still work" in page
    reader = app.test_client()

    signed_in.post("/account/sign-out-everywhere", data={"csrf_token": token(signed_in)})  # unticked
    assert all(reader.get(path).status_code == 200 for path in paths)

    auth.login()
    assert "Also stop the 2 links" in signed_in.get("/account/").get_data(as_text=True)
    answer = signed_in.post("/account/sign-out-everywhere", data={"csrf_token": token(signed_in), "stop_links": "y"})
    assert answer.status_code == 302
    assert all(reader.get(path).status_code == 404 for path in paths)
    assert "the links to your plan are stopped" in signed_in.get(answer.headers["Location"]).get_data(as_text=True)
    auth.login()
    assert "Stopped." in signed_in.get("/plan/share").get_data(as_text=True)
    assert 'name="stop_links"' not in signed_in.get("/account/").get_data(as_text=True)


def test_a_share_link_expires_and_dies_with_the_plan(signed_in, app):
    save_plan(signed_in)
    path = share_link(signed_in, days="1").replace("http://localhost", "")
    reader = app.test_client()
    assert reader.get(path).status_code == 200
    link = db.session.scalars(select(PlanShare)).one()
    assert timedelta(hours=23) < link.expires_at - utcnow() <= timedelta(days=1)
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    gone = reader.get(path)
    assert_link_does_not_work(gone)

    path = share_link(signed_in, days="30").replace("http://localhost", "")
    assert reader.get(path).status_code == 200
    signed_in.post("/plan/delete", data={"csrf_token": token(signed_in)})
    deleted = reader.get(path)
    assert_link_does_not_work(deleted)
    # Expired and deleted read alike, as an unknown link does: nothing tells them apart.
    unknown = reader.get("/shared/plan/" + "A" * 43)
    assert main_of(gone) == main_of(deleted) == main_of(unknown)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"days": "365"}, "Choose how long the link should work."),
        ({"days": "7", "label": "l" * 101}, "at most 100 characters"),
    ],
)
def test_bad_share_requests_are_refused(signed_in, fields, message):
    save_plan(signed_in)
    response = signed_in.post("/plan/share", data={**fields, "csrf_token": token(signed_in)})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PlanShare)) == 0


def test_another_person_cannot_revoke_or_read(app, signed_in):
    save_plan(signed_in)
    share_link(signed_in)
    share_id = db.session.scalar(select(PlanShare.id))
    db.session.rollback()
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    assert other.post(f"/plan/share/{share_id}/revoke", data={"csrf_token": token(other)}).status_code == 404
    assert other.get("/api/plan").get_json()["plan"] is None
    assert "Write my plan" in other.get("/plan").get_data(as_text=True)
    assert db.session.scalar(select(PlanShare.revoked_at)) is None


def test_offline_copies_are_public_shells_kept_by_the_worker(app, client, auth):
    signed_out = {path: client.get(path) for path in ("/my/people", "/my/plan")}
    for path, response in signed_out.items():
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
    assert {"/my/people", "/my/plan"} <= kept_pages(client)
    auth.register()
    save_plan(client)
    client.post(
        "/people/new",
        data={"name": "Sam", "relationship": "friend", "phone": "07700 900123", "csrf_token": token(client)},
    )
    client.get("/people")  # shows (and so clears) the "Sam is saved" message
    for path in ("/my/people", "/my/plan"):
        page = client.get(path).get_data(as_text=True)
        assert "Sam" not in page and "07700" not in page and "sleeping" not in page
    # The home page and Help now have a place for your people, filled on the device.
    assert 'class="my-people-home"' in client.get("/").get_data(as_text=True)
    assert 'class="my-people-help"' in client.get("/help").get_data(as_text=True)


def test_everything_here_goes_with_the_account(app, signed_in):
    """SECURITY.md 19: deleting the account removes people, logs, messages,
    groups, reviews, settings, the plan and its share links; the link dies."""
    from tests.conftest import PASSWORD
    from webapp.models import Base, User

    save_plan(signed_in)
    path = share_link(signed_in).replace("http://localhost", "")
    signed_in.post(
        "/people/new",
        data={"name": "Sam", "relationship": "friend", "phone": "07700 900123", "csrf_token": token(signed_in)},
    )
    contact_id = signed_in.get("/api/people").get_json()["contacts"][0]["id"]
    signed_in.post(f"/people/{contact_id}/reached-out", data={"csrf_token": token(signed_in)})
    signed_in.post("/people/groups/new", data={"name": "Peers", "time_zone": "UTC", "csrf_token": token(signed_in)})
    signed_in.post("/people/review", data={"helped": "Sam", "csrf_token": token(signed_in)})
    user_id = db.session.scalar(select(User.id))
    mine = [
        "support_contacts",
        "contact_logs",
        "message_templates",
        "support_groups",
        "support_settings",
        "support_reviews",
        "wave_plans",
        "plan_shares",
    ]

    def owned() -> dict[str, int]:
        tables = Base.metadata.tables
        result = {
            name: db.session.scalar(
                select(func.count()).select_from(tables[name]).where(tables[name].c.user_id == user_id)
            )
            for name in mine
        }
        db.session.rollback()
        return result

    assert all(owned().values()), owned()
    page = signed_in.get("/account/delete").get_data(as_text=True)
    assert (
        signed_in.post("/account/delete", data={"password": PASSWORD, "csrf_token": csrf_from(page)}).status_code == 302
    )
    assert sum(owned().values()) == 0
    assert app.test_client().get(path).status_code == 404
