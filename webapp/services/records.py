"""Reading one person's records by their id, for the pages that look back
over them (the chart, the summary, the home screen). Plain queries: no
request in here."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Text, bindparam, cast, func, select
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
    return list(session.execute(_CHECKIN_POINTS, {"user_id": user_id, "start": start, "end": end}))


#: ``checkin_points_between``'s statement, made once (building a statement
#: costs more than running it again from SQLAlchemy's cache).
_CHECKIN_POINTS = (
    select(CheckIn.local_date, CheckIn.overall, CheckIn.anxiety, cast(CheckIn.symptoms, Text))
    .where(
        CheckIn.user_id == bindparam("user_id"),
        CheckIn.local_date >= bindparam("start"),
        CheckIn.local_date <= bindparam("end"),
    )
    .order_by(CheckIn.checked_at)
)


def doses_between(session: Session, user_id: int, start: date, end: date) -> list[DoseLog]:
    """The doses the person logged from ``start`` to ``end`` (their own dates)."""
    return list(
        session.scalars(
            select(DoseLog).where(DoseLog.user_id == user_id, DoseLog.local_date >= start, DoseLog.local_date <= end)
        )
    )


def chart_basis(session: Session, user_id: int) -> tuple[date | None, list, str]:
    """What the chart is drawn around, in one statement: the earliest day of
    a check-in or a taper step (None without either), the taper steps as
    rows (``starts_on``, ``daily_dose``; earliest first; not model objects)
    and the plan's unit ("" without one). The steps are left-joined to one
    row of the earliest check-in's day and the unit (each a subquery), so
    that row comes back even with no step."""
    rows = session.execute(_CHART_BASIS, {"user_id": user_id}).all()
    points = [row for row in rows if row.starts_on is not None]
    known = [day for day in (rows[0].first_checkin, points[0].starts_on if points else None) if day is not None]
    return (min(known) if known else None), points, rows[0].unit or ""


def _chart_basis_statement():
    steps = TaperStep.__table__
    me = bindparam("user_id")
    head = select(
        select(func.min(CheckIn.local_date)).where(CheckIn.user_id == me).scalar_subquery().label("first_checkin"),
        select(TaperPlan.unit).where(TaperPlan.user_id == me).scalar_subquery().label("unit"),
    ).subquery()
    return (
        select(head.c.first_checkin, head.c.unit, steps.c.starts_on, steps.c.daily_dose)
        .select_from(head.outerjoin(steps, steps.c.user_id == me))
        .order_by(steps.c.starts_on)
    )


#: ``chart_basis``'s statement, made once.
_CHART_BASIS = _chart_basis_statement()
