"""SQLAlchemy 2.0 typed models, one module per feature.

Times are stored as UTC and always come back timezone-aware. Free text is
encrypted at rest through ``Encrypted`` attributes (SECURITY.md 17).
"""

from webapp.models.core import Base, Encrypted, User, UserSession, UTCDateTime, utcnow
from webapp.models.toolkit import CopingCard, FavouriteExercise, RecentExercise, ThoughtRecord
from webapp.models.people import *  # noqa: F401,F403 - support network and wave plan
from webapp.models.reminders import *  # noqa: F401,F403 - push subscriptions and reminders
from webapp.models.checkins import *  # noqa: F401,F403 - daily check-ins
from webapp.models.taper import *  # noqa: F401,F403 - taper plan, steps and doses
from webapp.models.circle import *  # noqa: F401,F403 - support circle
from webapp.models.helpme import *  # noqa: F401,F403 - how to help me, appointments

__all__ = [
    "Base",
    "CopingCard",
    "Encrypted",
    "FavouriteExercise",
    "RecentExercise",
    "ThoughtRecord",
    "User",
    "UserSession",
    "UTCDateTime",
    "utcnow",
]
