"""The wave plan, without a request in sight: its sections and the tokens of
the links that share it."""

from __future__ import annotations

import hashlib
import secrets

#: "My wave plan", modelled on established safety plans (Stanley–Brown).
PLAN_SECTIONS = {
    "warning_signs": ("My warning signs", "Thoughts, feelings or situations that tell me a wave is building."),
    "on_my_own": (
        "Things I can do on my own",
        "What helps me ride it out, for example a grounding exercise or a walk.",
    ),
    "people_places": (
        "People and places that help me feel better",
        "People to be with and places to go that take my mind off things.",
    ),
    "ask_for_help": ("People I can ask for help", "Who I can call or text, and how to reach them."),
    "professionals": (
        "Professionals and services",
        "My prescriber, therapist, a crisis line, the nearest emergency department.",
    ),
    "safe_surroundings": ("Making my surroundings safe", "For example, asking someone I trust to hold my medication."),
    "reasons": ("My reasons to keep going", "What matters to me and what I am doing this for."),
}
PLAN_SECTION_MAX = 2000
#: How long a share link may work, in days.
SHARE_DAYS = {1: "1 day", 7: "7 days", 30: "30 days"}


def new_share_token() -> tuple[str, str]:
    """A share link token and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, share_token_hash(token)


def share_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
