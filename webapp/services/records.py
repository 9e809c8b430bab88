"""Reading one person's records by their id, for the pages that look back
over them (the chart, the summary, the home screen). Plain queries: no
request in here."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from webapp.models import CheckIn, DoseLog, TaperPlan, TaperStep


def taper_plan(session: Session, user_id: int) -> TaperPlan | None:
    return session.get(TaperPlan, user_id)


def taper_unit(session: Session, user_id: int) -> str:
    """The unit of the person's taper plan, or "" without one."""
    plan = taper_plan(session, user_id)
    return plan.unit if plan else ""


def taper_steps(session: Session, user_id: int) -> list[TaperStep]:
    """The person's taper steps, earliest first."""
    return list(session.scalars(select(TaperStep).where(TaperStep.user_id == user_id).order_by(TaperStep.starts_on)))


def taper_step_points(session: Session, user_id: int) -> list:
    """What the chart draws of the person's taper steps (``starts_on``,
    ``daily_dose``), earliest first: rows, not model objects."""
    return list(
        session.execute(
            select(TaperStep.starts_on, TaperStep.daily_dose)
            .where(TaperStep.user_id == user_id)
            .order_by(TaperStep.starts_on)
        )
    )


def checkins_between(session: Session, user_id: int, start: date, end: date) -> list[CheckIn]:
    """The person's check-ins from ``start`` to ``end`` (their own dates), in the order made."""
    return list(
        session.scalars(
            select(CheckIn)
            .where(CheckIn.user_id == user_id, CheckIn.local_date >= start, CheckIn.local_date <= end)
            .order_by(CheckIn.checked_at)
        )
    )


def checkin_points_between(session: Session, user_id: int, start: date, end: date) -> list:
    """What the chart draws of each of the person's check-ins from ``start``
    to ``end`` (``local_date``, ``overall``, ``anxiety``, ``symptoms``), in
    the order made: rows, not model objects (nothing else is read or built).
    ``symptoms`` comes as its JSON text, unread (``chart.point_sums`` reads
    each distinct text once)."""
    return list(
        session.execute(
            select(CheckIn.local_date, CheckIn.overall, CheckIn.anxiety, cast(CheckIn.symptoms, Text))
            .where(CheckIn.user_id == user_id, CheckIn.local_date >= start, CheckIn.local_date <= end)
            .order_by(CheckIn.checked_at)
        )
    )


def doses_between(session: Session, user_id: int, start: date, end: date) -> list[DoseLog]:
    """The doses the person logged from ``start`` to ``end`` (their own dates)."""
    return list(
        session.scalars(
            select(DoseLog).where(DoseLog.user_id == user_id, DoseLog.local_date >= start, DoseLog.local_date <= end)
        )
    )


def first_record_date(session: Session, user_id: int) -> date | None:
    """The earliest day of a check-in or a taper step, or None without either
    (one statement: each table's earliest day is a subquery)."""
    return first_record_date_and_unit(session, user_id)[0]


def first_record_date_and_unit(session: Session, user_id: int) -> tuple[date | None, str]:
    """``first_record_date`` and ``taper_unit`` in one statement (each a
    subquery), for the chart."""
    first_checkin = select(func.min(CheckIn.local_date)).where(CheckIn.user_id == user_id).scalar_subquery()
    first_step = select(func.min(TaperStep.starts_on)).where(TaperStep.user_id == user_id).scalar_subquery()
    unit = select(TaperPlan.unit).where(TaperPlan.user_id == user_id).scalar_subquery()
    checkin_day, step_day, found_unit = session.execute(select(first_checkin, first_step, unit)).one()
    known = [day for day in (checkin_day, step_day) if day is not None]
    return (min(known) if known else None), found_unit or ""
