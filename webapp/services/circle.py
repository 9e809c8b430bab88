"""The support circle without a request in it: invite tokens, the
"how I'm doing" light, taper progress, exactly what a supporter may see, the
words pushed to supporters, and encouragement checks.

What a supporter sees is built in one place, ``shared_view``: it starts from
nothing and adds only what the person turned on for that link.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp import i18n
from webapp.models import (
    CheckIn,
    CircleInvite,
    CircleLink,
    CircleMessage,
    CircleProfile,
    CircleReachOut,
    PushSubscription,
)
from webapp.services import person_time, taper
from webapp.services.content import N_
from webapp.services.push import Notification, PushSender, PushTarget
from webapp.services.text import TextProblem, clean_text

# --- invites ---------------------------------------------------------------------------

INVITE_LIFETIME = timedelta(days=7)
#: ``secrets.token_urlsafe(32)``: 32 random bytes (256 bits) as 43 URL-safe characters.
TOKEN_BYTES = 32
#: A first name as shown to supporters (and in their "Check in on <name>" reminder title).
FIRST_NAME_MAX = 40
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Only this is stored: a database read yields no working invite link."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class InviteCheck:
    """What an invite link turned out to be: ``ok``, or why not, kindly."""

    state: str  # ok | malformed | unknown | expired | used | revoked
    invite: CircleInvite | None = None

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def check_token(session: Session, token: str, now: datetime) -> InviteCheck:
    """Look an invite up by its token. A malformed token never reaches the
    database; a well-formed one is compared by its hash."""
    if not isinstance(token, str) or not TOKEN_SHAPE.match(token):
        return InviteCheck("malformed")
    invite = session.scalar(select(CircleInvite).where(CircleInvite.token_hash == hash_token(token)))
    if invite is None or not hmac.compare_digest(invite.token_hash, hash_token(token)):
        return InviteCheck("unknown")
    if invite.status == "accepted":
        return InviteCheck("used", invite)
    if invite.status == "revoked":
        return InviteCheck("revoked", invite)
    if now >= invite.expires_at:
        return InviteCheck("expired", invite)
    return InviteCheck("ok", invite)


def invite_state(invite: CircleInvite, now: datetime) -> str:
    """pending | expired | accepted | ended (accepted, link since ended) | revoked"""
    if invite.status == "accepted":
        return "accepted" if invite.link_id is not None else "ended"
    if invite.status == "revoked":
        return "revoked"
    return "expired" if now >= invite.expires_at else "pending"


# --- the "how I'm doing" light ------------------------------------------------------------

#: The thresholds, in one place. ``overall`` is 0 (very bad) to 10 (very good);
#: ``anxiety`` is 0 (none) to 10 (worst).
#:
#: * red   ("a very hard day"):   overall <= 3, or anxiety >= 8
#: * green ("doing OK"):          overall >= 7 and anxiety <= 4
#: * amber ("a harder day"):      anything between
#:
#: Red-flag answers (seizure, hallucinations, confusion, thoughts of suicide,
#: over-sedation) are deliberately NOT inputs. If a red flag turned the light red, a red light
#: with good scores would tell a supporter that one was answered — and because
#: a "yes" to the suicide question is only kept when the person chooses, the
#: light would even change with that private choice. So the light is a
#: function of the two scores alone, the same with or without any red flag;
#: the person themselves gets the urgent-help panel at check-in.
RED_OVERALL_AT_MOST = 3
RED_ANXIETY_AT_LEAST = 8
GREEN_OVERALL_AT_LEAST = 7
GREEN_ANXIETY_AT_MOST = 4

LIGHT_WORDS = {
    "green": N_("Doing OK today"),
    "amber": N_("Having a harder day"),
    "red": N_("Having a very hard day"),
    "none": N_("No check-in today"),
}


def light_from_scores(overall: int, anxiety: int) -> str:
    """green | amber | red from the two scores only (see the thresholds above)."""
    if overall <= RED_OVERALL_AT_MOST or anxiety >= RED_ANXIETY_AT_LEAST:
        return "red"
    if overall >= GREEN_OVERALL_AT_LEAST and anxiety <= GREEN_ANXIETY_AT_MOST:
        return "green"
    return "amber"


def person_today(session: Session, user_id: int, now: datetime) -> date:
    """Today where the person is (webapp/services/person_time.py)."""
    return person_time.today_for(user_id, now, session)


def todays_light(session: Session, user_id: int, now: datetime) -> str:
    """The light from the person's own latest check-in today, or ``none``.
    Only the two scores are read from the row."""
    today = person_today(session, user_id, now)
    scores = session.execute(
        select(CheckIn.overall, CheckIn.anxiety)
        .where(CheckIn.user_id == user_id, CheckIn.local_date == today)
        .order_by(CheckIn.checked_at.desc(), CheckIn.id.desc())
        .limit(1)
    ).first()
    return "none" if scores is None else light_from_scores(scores.overall, scores.anxiety)


# --- taper progress --------------------------------------------------------------------------


def taper_progress(user_id: int, today: date):
    """Where the person is on their taper plan (``None``: no plan yet)."""
    return taper.progress_for(user_id, today)


def taper_words(progress) -> str | None:
    """The supporter's words for the person's taper progress, in the page's language."""
    from flask_babel import gettext, ngettext

    if progress is None:
        return None
    if progress.finished:
        return gettext("Has finished their taper")
    if progress.days_on_step is None:
        return gettext("Their taper plan has not started yet")
    return ngettext(
        "On %(percent)s%% of their starting dose, %(num)d day on this step",
        "On %(percent)s%% of their starting dose, %(num)d days on this step",
        progress.days_on_step,
        percent=supporter_percent(progress.percent_of_start),
    )


def supporter_percent(percent: float) -> str:
    """The percent of their starting dose as a supporter sees it: whole from
    10% up, with the decimals ``taper.percent`` gives below 10% or where a
    whole number would read 100 (99.5% is not "100%"), in the page's language."""
    from decimal import ROUND_HALF_UP, Decimal

    from webapp import numbers

    exact = Decimal(str(percent))
    whole = exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return numbers.number(whole if exact >= 10 and (whole != 100 or exact >= 100) else exact)


# --- what a supporter sees ------------------------------------------------------------------


def first_name(session: Session, user_id: int, fallback: str = "Someone") -> str:
    profile = session.get(CircleProfile, user_id)
    return profile.first_name if profile is not None else fallback


def shared_view(session: Session, link: CircleLink, now: datetime) -> dict:
    """Everything a supporter may see about the person on ``link`` — and
    nothing else. A key is present only when the person shares it."""
    view: dict = {
        "link": link.id,
        "name": first_name(session, link.user_id),
        "since": link.created_at.date().isoformat(),
    }
    if link.share_light:
        light = todays_light(session, link.user_id, now)
        view["light"] = {"colour": light, "words": _(LIGHT_WORDS[light])}
    if link.share_taper:
        progress = taper_progress(link.user_id, person_today(session, link.user_id, now))
        # Three figures and their words; the tracker's other fields (doses,
        # next step, days since the last dose) stay with the person.
        view["taper"] = (
            None
            if progress is None
            else {
                "percent_of_start": round(float(progress.percent_of_start), 1),
                "days_on_step": None if progress.days_on_step is None else int(progress.days_on_step),
                "finished": bool(progress.finished),
                "words": taper_words(progress),
            }
        )
    if link.share_help_me:
        view["help_me"] = help_me_view(session, link.user_id)
    # Thank-yous the person sent this supporter (they are the supporter's to read).
    thanks = session.scalars(
        select(CircleMessage)
        .where(
            CircleMessage.user_id == link.supporter_id,
            CircleMessage.sender_id == link.user_id,
            CircleMessage.kind == "thanks",
        )
        .order_by(CircleMessage.created_at.desc())
        .limit(5)
    ).all()
    if thanks:
        view["thanks"] = [{"text": m.text, "sent_at": m.created_at.isoformat()} for m in thanks]
    return view


def help_me_view(session: Session, user_id: int) -> list[dict] | None:
    """ "How to help me" as a supporter sees it: each prompt that has words,
    or None when nothing is written. Each label is in the request's language
    (the page and the JSON alike)."""
    from flask_babel import gettext

    from webapp.models import HelpMe
    from webapp.services.helpme import HELP_ME_SECTIONS, sections_of

    row = session.scalar(select(HelpMe).where(HelpMe.user_id == user_id))
    if row is None:
        return None
    sections = sections_of(row.sections_json)
    return [
        {"key": key, "label": gettext(label), "text": sections[key]}
        for key, (label, _) in HELP_ME_SECTIONS.items()
        if sections[key]
    ]


# --- reaching out ---------------------------------------------------------------------------

REACH_OUT_LIMIT = 3
REACH_OUT_WINDOW = timedelta(hours=1)


def reach_outs_in_window(session: Session, user_id: int, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count(CircleReachOut.id)).where(
                CircleReachOut.user_id == user_id, CircleReachOut.created_at > now - REACH_OUT_WINDOW
            )
        )
        or 0
    )


def call_words(name: str, language: str | None = None) -> str:
    """The only words about the person that leave Steady: no health data.
    In ``language`` (a supporter's), else the page's."""
    if language is None:
        from flask_babel import gettext

        return gettext("%(name)s could use a call", name=name)
    return i18n.gettext_in(language, "%(name)s could use a call", name=name)


def sms_link(name: str) -> str:
    """A prefilled text message for supporters without the app (no number:
    the phone asks whom to send it to)."""
    from flask_babel import gettext

    return "sms:?&body=" + quote(gettext("%(words)s. Could you call me when you can?", words=call_words(name)))


def reach_out(session: Session, person_id: int, sender: PushSender, now: datetime) -> CircleReachOut:
    """Push "<name> could use a call" to every device of every supporter who
    turned notifications on, record how far it got, and forget devices the
    push service says are gone."""
    name = first_name(session, person_id)
    links = session.scalars(
        select(CircleLink).where(CircleLink.user_id == person_id, CircleLink.notify_reach_out.is_(True))
    ).all()
    jobs, devices = [], []
    languages = i18n.languages_of(session, {link.supporter_id for link in links})
    for link in links:
        language = languages.get(link.supporter_id, "en")
        note = Notification(
            title=call_words(name, language),
            body=i18n.gettext_in(language, "Open Steady to call or message them."),
            navigate="/circle/supporting",
            tag=f"steady-circle-{link.id}",
            data={"kind": "circle_reach_out"},
            lang=language,
        )
        for device in session.scalars(select(PushSubscription).where(PushSubscription.user_id == link.supporter_id)):
            jobs.append(
                (
                    PushTarget(device.endpoint, device.p256dh, device.auth),
                    note.payload(),
                    3600,
                    "high",
                    f"circle{link.id}",
                )
            )
            devices.append(device)
    results = sender.send_many(jobs) if jobs else []
    delivered = 0
    for device, result in zip(devices, results, strict=False):
        if result.outcome == "sent":
            delivered += 1
            device.last_success_at = now
        elif result.outcome == "gone":
            session.delete(device)
    record = CircleReachOut(
        user_id=person_id, created_at=now, supporters=len(links), devices=len(devices), delivered=delivered
    )
    session.add(record)
    return record


def push_to_user(session: Session, user_id: int, note: Notification, sender: PushSender, now: datetime) -> int:
    """Send one notification to every device of one person; how many took it."""
    devices = session.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id)).all()
    jobs = [
        (PushTarget(d.endpoint, d.p256dh, d.auth), note.payload(), 3600, "normal", "circlemessage") for d in devices
    ]
    delivered = 0
    for device, result in zip(devices, sender.send_many(jobs) if jobs else [], strict=False):
        if result.outcome == "sent":
            delivered += 1
            device.last_success_at = now
        elif result.outcome == "gone":
            session.delete(device)
    return delivered


# --- encouragement ---------------------------------------------------------------------------

MESSAGE_MAX = 280
#: In English (what the form sends back); stored in the recipient's language.
PRESETS = (
    N_("Thinking of you today."),
    N_("You are doing something really hard, and you are doing it."),
    N_("I'm here if you want to talk."),
    N_("One day at a time. I'm proud of you."),
)
_MARKUP = re.compile(r"[<>]")


def clean_message(value: object) -> str:
    """A note of encouragement: 1 to 280 characters of plain text."""
    text = clean_text(value, label=_("Your message"), max_length=MESSAGE_MAX)
    if _MARKUP.search(text):
        raise TextProblem(_("Your message can only be plain text. Please leave out the < and > signs."))
    return text


def clean_name(value: object) -> str:
    name = clean_text(value, label=_("Your first name"), max_length=FIRST_NAME_MAX)
    if _MARKUP.search(name) or "\n" in name:
        raise TextProblem(_("Your first name can only be plain text on one line."))
    return name
