"""Reading and saving what a signed-in person keeps from the toolkit:
favourites, recently used exercises and thought records (the routes only
check and answer)."""

from __future__ import annotations

import json

from flask_login import current_user
from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.models import FavouriteExercise, RecentExercise, ThoughtRecord, utcnow
from webapp.ownership import mine, owned
from webapp.services.content import N_
from webapp.sync import Synced

RECENT_KEEP = 10

THOUGHTS = Synced(
    model=ThoughtRecord,
    conflict=N_(
        "A different thought record was already saved with this id."
        " Nothing was changed; discard this copy and write it again."
    ),
)


def state() -> dict:
    favourites = db.session.scalars(
        select(FavouriteExercise.exercise_id).where(mine(FavouriteExercise)).order_by(FavouriteExercise.created_at)
    ).all()
    recents = db.session.scalars(
        select(RecentExercise.exercise_id).where(mine(RecentExercise)).order_by(RecentExercise.used_at.desc())
    ).all()
    return {"favourites": list(favourites), "recents": list(recents)}


def add_favourite(exercise_id: str) -> None:
    exists = db.session.get(FavouriteExercise, (current_user.id, exercise_id))
    if exists is None:
        db.session.add(FavouriteExercise(user_id=current_user.id, exercise_id=exercise_id))


def remove_favourite(exercise_id: str) -> None:
    db.session.execute(
        delete(FavouriteExercise).where(mine(FavouriteExercise), FavouriteExercise.exercise_id == exercise_id)
    )


def touch_recent(exercise_id: str, when=None) -> None:
    when = when or utcnow()
    row = db.session.get(RecentExercise, (current_user.id, exercise_id))
    if row is None:
        db.session.add(RecentExercise(user_id=current_user.id, exercise_id=exercise_id, used_at=when))
    elif row.used_at < when:
        row.used_at = when


def trim_recents() -> None:
    keep = db.session.scalars(
        select(RecentExercise.exercise_id)
        .where(mine(RecentExercise))
        .order_by(RecentExercise.used_at.desc())
        .limit(RECENT_KEEP)
    ).all()
    db.session.execute(delete(RecentExercise).where(mine(RecentExercise), RecentExercise.exercise_id.not_in(keep)))


# --- thought records ------------------------------------------------------------------


def thought_json(record: ThoughtRecord) -> dict:
    return {
        "id": record.id,
        "client_id": record.client_id,
        "created_at": record.created_at.isoformat(),
        **json.loads(record.content),
    }


def my_thought_records() -> list[ThoughtRecord]:
    return list(db.session.scalars(owned(ThoughtRecord).order_by(ThoughtRecord.created_at.desc())))


def _fill(record: ThoughtRecord, clean: dict) -> None:
    record.content = json.dumps({name: value for name, value in clean.items() if name != "client_id"})


def save_thought(clean: dict) -> tuple[ThoughtRecord, bool]:
    """Store a record once (webapp/sync.py): the same id again with the same
    record gives back the first; with a different one, ``Problems``."""
    return THOUGHTS.save(clean, _fill)


def keep_thought(clean: dict) -> None:
    """Add a record a guest kept on the device, unless its id is stored (the
    first copy stands: moving a device's records in is safe to repeat).
    Not committed."""
    THOUGHTS.stage(clean, _fill, compare=False)
