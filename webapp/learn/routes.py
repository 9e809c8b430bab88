"""Learn pages and Find help.

The pages are the same for everyone (no account, nothing personal), so the
service worker precaches them. The one write here, "Add to My people", takes
only an entry id: every detail saved comes from the checked content file,
never from the request, so nothing a visitor posts (a ``javascript:`` link, a
long name) can reach the person's network.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import i18n
from webapp.extensions import db
from webapp.learn import bp
from webapp.models import SupportGroup
from webapp.people import store
from webapp.people.checks import check_contact, check_group
from webapp.people.store import apply_group
from webapp.services.learn_content import HelpEntry, Learning


def learning() -> Learning:
    """The articles, guide and Find help in this request's language."""
    return i18n.learning()


def precache_pages() -> list[str]:
    """Every learn page's URL, for the service worker's precache list."""
    data = learning()
    pages = [url_for("learn.index"), url_for("learn.supporting"), url_for("learn.find_help")]
    pages += [url_for("learn.article", article_id=a) for a in data.articles]
    pages += [url_for("learn.supporting_page", page_id=p) for p in data.supporting]
    return pages


@bp.get("/learn")
def index():
    """Short articles for the person, in the order they are best read."""
    return render_template("learn/index.html", articles=learning().articles.values())


@bp.get("/learn/<article_id>")
def article(article_id: str):
    """One article, with "Read to me", its sources and related exercises."""
    data = learning()
    page = data.articles.get(article_id)
    if page is None:
        abort(404)
    exercises = [i18n.library().exercises[e] for e in page.exercises]
    return render_template(
        "learn/page.html", page=page, exercises=exercises, pages=list(data.articles.values()), audience="person"
    )


@bp.get("/learn/supporting")
def supporting():
    """The guide for supporters: what withdrawal is like and how to help."""
    return render_template("learn/supporting.html", pages=learning().supporting.values())


@bp.get("/learn/supporting/<page_id>")
def supporting_page(page_id: str):
    data = learning()
    page = data.supporting.get(page_id)
    if page is None:
        abort(404)
    return render_template(
        "learn/page.html", page=page, exercises=[], pages=list(data.supporting.values()), audience="supporter"
    )


@bp.get("/find-help")
def find_help():
    """Informed help: peers, benzodiazepine groups, professionals, therapy."""
    return render_template("learn/find_help.html", kinds=learning().help_kinds)


def _entry_or_404(entry_id: str) -> HelpEntry:
    entry = learning().help_entries.get(entry_id)
    if entry is None:
        abort(404)
    return entry


def _already_saved(entry: HelpEntry) -> bool:
    if entry.add_as == "group":
        return any(g.name == entry.name for g in store.my_groups())
    return any(c.name == entry.name for c in store.my_contacts())


@bp.post("/find-help/<entry_id>/add")
@login_required
def add_to_my_people(entry_id: str):
    """Save a help entry as a contact or a support group, once."""
    entry = _entry_or_404(entry_id)
    if _already_saved(entry):
        flash(_("%(name)s is already in My people.", name=entry.name), "success")
        return redirect(url_for("people.groups" if entry.add_as == "group" else "people.index"))
    if entry.add_as == "group":
        values, problems = check_group(
            {"name": entry.name, "link": entry.url, "notes": entry.notes(), "time_zone": "UTC"}
        )
    else:
        values, problems = check_contact(
            {"name": entry.name, "relationship": entry.relationship, "notes": entry.notes()}
        )
    if problems:  # the content check at start-up should make this impossible
        current_app.logger.error("find-help entry %s refused by My people: %s", entry.id, problems)
        abort(422)
    if entry.add_as == "group":
        store.ensure_settings()
        group = SupportGroup(user_id=current_user.id)
        apply_group(group, values)
        db.session.add(group)
        target = "people.groups"
    else:
        store.new_contact(values)
        target = "people.index"
    db.session.commit()
    flash(_("%(name)s is in My people now.", name=entry.name), "success")
    return redirect(url_for(target))
