"""What both sides of the circle use: the signed-in person's circle name, the
rate-limit key, the push sender, and ending a link."""

from __future__ import annotations

import logging

from flask import current_app
from flask_login import current_user

from webapp.extensions import db
from webapp.models import CircleInvite, CircleLink, CircleMessage, CircleProfile
from webapp.services import circle
from webapp.services.push import PushSender, sender_from_config
from webapp.services.text import TextProblem

log = logging.getLogger("steady.circle")


def user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def push_sender() -> PushSender:
    return sender_from_config(current_app.config, workers=4, timeout=5.0)


def my_profile() -> CircleProfile | None:
    return db.session.get(CircleProfile, current_user.id)


def save_name(form) -> str | None:
    """Save the first name from ``form``; a problem in plain words, or None."""
    try:
        name = circle.clean_name(form.first_name.data)
    except TextProblem as problem:
        form.first_name.errors = [str(problem)]
        return str(problem)
    profile = my_profile()
    if profile is None:
        profile = CircleProfile(user_id=current_user.id, notify_messages=True)
        db.session.add(profile)
    if profile.first_name != name:
        profile.first_name = name
        _rename_in_supporters_reminders(name)
    return None


def _rename_in_supporters_reminders(name: str) -> None:
    """The weekly "Check in on <name>" reminders of this person's supporters
    follow the name they now go by: a person who changes to another name
    (or a nickname, for privacy) is not named the old way again."""
    from sqlalchemy import select

    from webapp.models import CircleLink, Reminder
    from webapp.ownership import mine

    # One by one, not one UPDATE: each title is encrypted for its supporter.
    links = select(CircleLink.id).where(mine(CircleLink))
    for reminder in db.session.scalars(
        select(Reminder).where(Reminder.kind == "circle", Reminder.circle_link_id.in_(links))
    ):
        reminder.title = f"Check in on {name}"


def end_link(link: CircleLink, now) -> int:
    """End ``link``, from either side, so that the supporter keeps nothing of
    it: the notes that passed through it go too (the supporter's
    encouragement to the person, the person's thank-yous to the supporter;
    the same two people's link the other way round keeps its own), and every
    invite link of the person's still waiting is cancelled, so that no
    link already sent can bring anyone back in without a new invite. The
    weekly reminder goes by the database's cascade. How many invites were
    cancelled; the caller commits."""
    from sqlalchemy import and_, delete, or_, update

    db.session.execute(
        delete(CircleMessage)
        .where(
            or_(
                and_(
                    CircleMessage.kind == "encouragement",
                    CircleMessage.user_id == link.user_id,
                    CircleMessage.sender_id == link.supporter_id,
                ),
                and_(
                    CircleMessage.kind == "thanks",
                    CircleMessage.user_id == link.supporter_id,
                    CircleMessage.sender_id == link.user_id,
                ),
            )
        )
        .execution_options(synchronize_session=False)
    )
    cancelled = db.session.execute(
        update(CircleInvite)
        .where(
            CircleInvite.user_id == link.user_id,
            CircleInvite.status == "pending",
            CircleInvite.expires_at > now,  # an expired one works no more and stays "Expired"
        )
        .values(status="revoked")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.delete(link)
    return cancelled
