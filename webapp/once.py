"""A form that makes something is saved once, however often it is sent.

A form can reach the server and its answer never come back: the connection
drops on the way back, and the page says it was not sent (the service worker,
``service_worker/forms.js``), so the person sends it again. Forms that make
something new (a card, a reminder, a contact, a group, a message template, a
review, a thank-you, an appointment, a taper step) therefore carry a one-time
id, drawn with the page (``once_field()`` in the template). The route asks
``sent_before()`` once the form has passed its checks, just before it makes
the record: the first time, the id is added to the same transaction as the
record, so both are saved or neither; the same id with the same fields again
answers as the first time did and makes nothing (two sends at the same
moment: the database's primary key lets one in). The same id with other
fields is the same page used again (kept by the back button) for something
new: it is saved.

An id that is missing or not one Steady makes (a page drawn before this
existed, a hand-made request) is read as none: the form is saved as before,
never refused for it, so nothing typed is lost. Drawn again after a refusal
(422), a form keeps the id it was sent with. A person's ids older than a
week are let go when they next send such a form (as sessions are, on sight),
or sooner by a reminder dispatcher's hourly sweep (``services/housekeeping.py``).
"""

from __future__ import annotations

import hmac
import re
import uuid

from flask import Flask, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import FormSend, utcnow
from webapp.ownership import mine
from webapp.sync import keyed_hash, secret

FIELD = "once"
KEEP = FormSend.KEEP  # and a dispatcher lets everyone's older ones go (services/housekeeping.py)
_TOKEN = re.compile(r"[0-9a-f]{32}\Z")


def sent_token() -> str | None:
    """The one-time id the form came with, when it is one Steady makes."""
    value = request.form.get(FIELD, "")
    return value if _TOKEN.match(value) else None


def once_field() -> Markup:
    """The hidden field of a form that makes something: the id it was sent
    with when it is drawn again after a refusal, else a new one."""
    token = (sent_token() if request.method == "POST" else None) or uuid.uuid4().hex
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token)


def _digest() -> str:
    """A keyed hash of the form's fields (every value, in order, but the
    tokens), as synced records are hashed: the same for a form sent again."""
    fields = sorted((name, request.form.getlist(name)) for name in request.form if name not in ("csrf_token", FIELD))
    return keyed_hash({"form_send": fields, "user": current_user.id}, secret())


def sent_before() -> bool:
    """Whether this form was saved already (answer as then, make nothing).

    If not, its id joins the session, to be committed with the record; a route
    that then refuses the form rolls back, which lets the id go too."""
    token = sent_token()
    if token is None:
        return False
    now, digest = utcnow(), _digest()
    db.session.execute(delete(FormSend).where(mine(FormSend), FormSend.sent_at < now - KEEP))
    kept = db.session.get(FormSend, (current_user.id, token))
    if kept is not None:
        if hmac.compare_digest(kept.body_hash, digest):
            db.session.rollback()
            return True
        kept.body_hash, kept.sent_at = digest, now
        return False
    db.session.add(FormSend(user_id=current_user.id, token=token, body_hash=digest, sent_at=now))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return True
    return False


def init_app(app: Flask) -> None:
    app.add_template_global(once_field, "once_field")
