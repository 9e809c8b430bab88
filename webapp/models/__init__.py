"""SQLAlchemy 2.0 typed models, one module per feature.

Times are stored as UTC and always come back timezone-aware. Free text is
encrypted at rest through ``Encrypted`` attributes (SECURITY.md 17).
"""

from webapp.models.checkins import CheckIn
from webapp.models.circle import CircleInvite, CircleLink, CircleMessage, CircleProfile, CircleReachOut
from webapp.models.core import Base, Encrypted, User, UserSession, UTCDateTime, utcnow
from webapp.models.helpme import Appointment, HelpMe
from webapp.models.people import (
    ContactLog,
    MessageTemplate,
    SupportContact,
    SupportGroup,
    SupportReview,
    SupportSettings,
)
from webapp.models.plan import PlanShare, WavePlan
from webapp.models.reminders import PushAttempt, PushSubscription, Reminder, ReminderDelivery, ReminderSettings
from webapp.models.synced import FormSend, SyncedDeletion
from webapp.models.taper import DoseLog, TaperPlan, TaperStep
from webapp.models.toolkit import CopingCard, FavouriteExercise, RecentExercise, ThoughtRecord

__all__ = [
    "Appointment",
    "Base",
    "CheckIn",
    "CircleInvite",
    "CircleLink",
    "CircleMessage",
    "CircleProfile",
    "CircleReachOut",
    "ContactLog",
    "CopingCard",
    "DoseLog",
    "Encrypted",
    "FavouriteExercise",
    "FormSend",
    "HelpMe",
    "MessageTemplate",
    "PlanShare",
    "PushAttempt",
    "PushSubscription",
    "RecentExercise",
    "Reminder",
    "ReminderDelivery",
    "ReminderSettings",
    "SupportContact",
    "SupportGroup",
    "SupportReview",
    "SupportSettings",
    "SyncedDeletion",
    "TaperPlan",
    "TaperStep",
    "ThoughtRecord",
    "UTCDateTime",
    "User",
    "UserSession",
    "WavePlan",
    "utcnow",
]
