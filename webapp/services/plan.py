"""The wave plan, without a request in sight: its sections and the tokens of
the links that share it."""

from __future__ import annotations

import hashlib
import secrets

from webapp.services.content import N_

#: "My wave plan", modelled on established safety plans (Stanley–Brown).
PLAN_SECTIONS = {
    "warning_signs": (N_("My warning signs"), N_("Thoughts, feelings or situations that tell me a wave is building.")),
    "on_my_own": (
        N_("Things I can do on my own"),
        N_("What helps me ride it out, for example a grounding exercise or a walk."),
    ),
    "people_places": (
        N_("People and places that help me feel better"),
        N_("People to be with and places to go that take my mind off things."),
    ),
    "ask_for_help": (N_("People I can ask for help"), N_("Who I can call or text, and how to reach them.")),
    "professionals": (
        N_("Professionals and services"),
        N_("My prescriber, therapist, a crisis line, the nearest emergency department."),
    ),
    "safe_surroundings": (
        N_("Making my surroundings safe"),
        N_("For example, asking someone I trust to hold my medication."),
    ),
    "reasons": (N_("My reasons to keep going"), N_("What matters to me and what I am doing this for.")),
}
PLAN_SECTION_MAX = 2000
#: How long a share link may work, in days.
SHARE_DAYS = (1, 7, 30)


def new_share_token() -> tuple[str, str]:
    """A share link token and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, share_token_hash(token)


def share_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def working_shares(user_id: int, now):
    """The person's plan links that still work at ``now``."""
    from sqlalchemy import select

    from webapp.models import PlanShare

    return select(PlanShare).where(
        PlanShare.user_id == user_id, PlanShare.revoked_at.is_(None), PlanShare.expires_at > now
    )


def count_working_shares(session, user_id: int, now) -> int:
    from sqlalchemy import func, select

    return session.scalar(select(func.count()).select_from(working_shares(user_id, now).subquery()))


def stop_every_share(session, user_id: int, now) -> int:
    """Stop every plan link of the person that still works; how many."""
    links = list(session.scalars(working_shares(user_id, now)))
    for link in links:
        link.revoked_at = now
    return len(links)
