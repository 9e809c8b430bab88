"""Reading and saving this person's taper plan, steps and doses (the routes
only check and answer)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from webapp.bodies import Problems
from webapp.extensions import db
from webapp.models import CheckIn, DoseLog, TaperPlan, TaperStep, utcnow
from webapp.ownership import mine, owned
from webapp.services import person_time
from webapp.services.content import N_
from webapp.services.taper import amount_text
from webapp.sync import Deleted, Synced

#: How many recent doses the device keeps for offline use.
SNAPSHOT_DOSES = 60


def _digest_before_sync(clean, key: bytes) -> str:
    """How a dose's hash was made before webapp/sync.py (times written with
    ``str``): a dose queued on a phone before then still replays as itself."""
    text = json.dumps(dict(clean), sort_keys=True, default=str, separators=(",", ":"))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


DOSES = Synced(
    model=DoseLog,
    conflict=N_(
        "A different dose was already saved with this id. Nothing was changed; discard this copy and log it again."
    ),
    legacy=_digest_before_sync,
)


# --- reading --------------------------------------------------------------------------


def my_plan() -> TaperPlan | None:
    return db.session.get(TaperPlan, current_user.id)


def my_steps() -> list[TaperStep]:
    return list(db.session.scalars(owned(TaperStep).order_by(TaperStep.starts_on)))


def my_doses(start: date | None = None, end: date | None = None, limit: int | None = None) -> list[DoseLog]:
    query = owned(DoseLog)
    if start:
        query = query.where(DoseLog.local_date >= start)
    if end:
        query = query.where(DoseLog.local_date <= end)
    query = query.order_by(DoseLog.taken_at.desc(), DoseLog.id.desc())
    return list(db.session.scalars(query.limit(limit) if limit else query))


def recent_checkins(limit: int = 10) -> list[CheckIn]:
    return list(db.session.scalars(owned(CheckIn).order_by(CheckIn.checked_at.desc()).limit(limit)))


def local_today() -> date:
    """Today where the person is (webapp/services/person_time.py)."""
    return person_time.today_for(current_user.id, utcnow())


def has_entries() -> bool:
    count = db.session.scalar(select(func.count()).select_from(TaperStep).where(mine(TaperStep)))
    return bool(count) or db.session.scalar(select(func.count()).select_from(DoseLog).where(mine(DoseLog))) > 0


def step_starting(starts_on: date) -> TaperStep | None:
    return db.session.scalar(owned(TaperStep, TaperStep.starts_on == starts_on))


def dose_json(dose: DoseLog) -> dict:
    return {
        "id": dose.id,
        "client_id": dose.client_id,
        "taken_at": dose.taken_at.isoformat(),
        "time_zone": dose.time_zone,
        "local_date": dose.local_date.isoformat(),
        "amount": amount_text(dose.amount),
        "note": dose.note or "",
    }


def step_json(step: TaperStep) -> dict:
    return {
        "id": step.id,
        "starts_on": step.starts_on.isoformat(),
        "daily_dose": amount_text(step.daily_dose),
        "dose_times": step.dose_times or [],
        "note": step.note or "",
    }


# --- saving ---------------------------------------------------------------------------


def add_plan() -> None:
    if my_plan() is None:
        db.session.add(TaperPlan(user_id=current_user.id))
        db.session.commit()


def save_step(step: TaperStep | None, clean: dict) -> TaperStep:
    """Write a checked step (new or changed) and move dose reminders that
    follow the plan to its times; committed."""
    step = step or TaperStep(user_id=current_user.id)
    step.starts_on, step.daily_dose = clean["starts_on"], clean["daily_dose"]
    step.dose_times, step.note = clean["dose_times"], clean["note"] or None
    db.session.add(step)
    db.session.flush()
    follow_plan()
    db.session.commit()
    return step


def remove_step(step: TaperStep) -> None:
    db.session.delete(step)
    db.session.flush()
    follow_plan()
    db.session.commit()


def follow_plan() -> None:
    """Dose reminders that follow the plan ring at the new times."""
    from webapp.services.reminder_rules import reschedule_taper

    reschedule_taper(db.session, current_user.id, utcnow())


def apply_dose(dose: DoseLog, clean: dict) -> None:
    dose.taken_at, dose.time_zone, dose.local_date = clean["taken_at"], clean["time_zone"], clean["local_date"]
    dose.amount, dose.note = clean["amount"], clean["note"] or None


def save_dose(clean: dict) -> tuple[DoseLog, bool]:
    """Store a dose once (webapp/sync.py): the same id again with the same
    dose gives back the first; with a different one, ``Problems``; one the
    person deleted since, ``Deleted``."""
    try:
        return DOSES.save(clean, apply_dose)
    except Deleted:
        raise
    except Problems as refused:
        raise Problems({name: _(message) for name, message in refused.problems.items()}) from None
